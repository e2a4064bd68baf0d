/**
 * One versioned codec for a model's durable state: how far its windows got and every detector's
 * state, each under its own state version. Decoding refuses what it cannot read fully, with an error
 * that says what: an unknown checkpoint version, a detector state of another version, a malformed
 * field. Nothing is silently dropped; a detector that is no longer configured is reported back so
 * the caller can say so.
 */
import { StateDecodeError, type AnyDetector } from './contract.js';

export const CHECKPOINT_VERSION = 3;

export interface ModelCheckpoint {
  model: string;
  /** Count windows, per "topic/partition": events before this offset are in a released window. */
  closedThrough: Record<string, number>;
  /** Event-time windows: the end of the last released interval, epoch ms (null before the first). */
  releasedUntil: number | null;
  /** Event-time windows of shared replicas: per "topic/partition", the end of the last interval a part of it was released in. */
  partsThrough?: Record<string, number>;
  /**
   * Shared replicas, classification models: the last windows released whose predictions labels may
   * still join, oldest first. Their summaries records are read again after a restore (the commit
   * holds them), and their predictions recorded again (core/pipeline/join-replay.ts).
   */
  labelWindows?: LabelWindow[];
  /**
   * With labelWindows: per partition the labels are read from (the summaries, or a single process's
   * labels partitions read in arrival order), the offset after the last record read: labels before it were joined.
   */
  labelsReadThrough?: Record<string, number>;
  /** A single process, arrival-order labels: the windows whose labels moved their realized outcome since their last realized report. */
  labelsPending?: string[];
  /** Windows the model has closed (the next window's serial is this + 1). */
  windowsClosed: number;
  /** Per detector: its state version and state. */
  detectors: Record<string, { stateVersion: number; state: unknown }>;
}

/** A released window: its id, release serial, end (epoch ms) and events. */
export interface LabelWindow {
  id: string;
  serial: number;
  end: number;
  n: number;
}

const OPTIONAL_FIELDS = ['partsThrough', 'labelWindows', 'labelsReadThrough', 'labelsPending'];

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export function encodeCheckpoint(c: ModelCheckpoint): string {
  return JSON.stringify({ v: CHECKPOINT_VERSION, ...c });
}

/** Parses and validates the envelope; detector states are checked by `restoreDetectorStates`. */
export function decodeCheckpoint(text: string): ModelCheckpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`a state record is not JSON (${(error as Error).message})`);
  }
  const o = raw as Record<string, unknown>;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new CheckpointError('a state record is not a JSON object');
  // Version 2 differs only in lacking releasedUntil (its event-time windows restarted from scratch).
  if (o.v === 2 && !('releasedUntil' in o)) o.releasedUntil = null;
  else if (o.v !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`state record version ${JSON.stringify(o.v)} cannot be read by this version of shiftwatch (it reads version ${CHECKPOINT_VERSION}); reset the state topic or run the version that wrote it`);
  }
  const keys = Object.keys(o).filter((k) => !OPTIONAL_FIELDS.includes(k)).sort().join(',');
  if (keys !== 'closedThrough,detectors,model,releasedUntil,v,windowsClosed') {
    throw new CheckpointError(`a state record has fields [${Object.keys(o).sort().join(',')}], expected v, model, closedThrough, releasedUntil, windowsClosed, detectors (and partsThrough, labelWindows, labelsReadThrough, labelsPending)`);
  }
  if (typeof o.model !== 'string' || o.model === '') throw new CheckpointError('a state record has no model');
  const closed = o.closedThrough as Record<string, unknown>;
  if (closed === null || typeof closed !== 'object' || !Object.values(closed).every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw new CheckpointError(`state of model ${o.model}: closedThrough must map partitions to offsets`);
  }
  if (!Number.isInteger(o.windowsClosed) || (o.windowsClosed as number) < 0) throw new CheckpointError(`state of model ${o.model}: windowsClosed must be a count`);
  if (o.releasedUntil !== null && !Number.isFinite(o.releasedUntil)) throw new CheckpointError(`state of model ${o.model}: releasedUntil must be a time in epoch ms or null`);
  const parts = o.partsThrough as Record<string, unknown> | undefined;
  if (parts !== undefined && (parts === null || typeof parts !== 'object' || !Object.values(parts).every((v) => Number.isFinite(v)))) {
    throw new CheckpointError(`state of model ${o.model}: partsThrough must map partitions to times in epoch ms`);
  }
  const labelWindows = o.labelWindows as LabelWindow[] | undefined;
  if (labelWindows !== undefined && (!Array.isArray(labelWindows) || !labelWindows.every(isLabelWindow))) {
    throw new CheckpointError(`state of model ${o.model}: labelWindows must list windows as {id, serial, end, n}`);
  }
  const readThrough = o.labelsReadThrough as Record<string, number> | undefined;
  if (readThrough !== undefined && (readThrough === null || typeof readThrough !== 'object' || !Object.values(readThrough).every((v) => Number.isInteger(v) && v >= 0))) {
    throw new CheckpointError(`state of model ${o.model}: labelsReadThrough must map partitions to offsets`);
  }
  const pending = o.labelsPending as string[] | undefined;
  if (pending !== undefined && (!Array.isArray(pending) || !pending.every((id) => typeof id === 'string'))) {
    throw new CheckpointError(`state of model ${o.model}: labelsPending must list window ids`);
  }
  const detectors = o.detectors as Record<string, { stateVersion?: unknown; state?: unknown }>;
  if (detectors === null || typeof detectors !== 'object') throw new CheckpointError(`state of model ${o.model}: detectors must be an object`);
  for (const [name, d] of Object.entries(detectors)) {
    if (d === null || typeof d !== 'object' || !Number.isInteger(d.stateVersion) || !('state' in d)) {
      throw new CheckpointError(`state of model ${o.model}, detector ${name}: expected {stateVersion, state}`);
    }
  }
  return {
    model: o.model, closedThrough: closed as Record<string, number>, releasedUntil: o.releasedUntil as number | null,
    windowsClosed: o.windowsClosed as number, detectors: detectors as ModelCheckpoint['detectors'],
    ...(parts === undefined ? {} : { partsThrough: parts as Record<string, number> }),
    ...(labelWindows === undefined ? {} : { labelWindows }),
    ...(readThrough === undefined ? {} : { labelsReadThrough: readThrough }),
    ...(pending === undefined ? {} : { labelsPending: pending }),
  };
}

function isLabelWindow(w: unknown): boolean {
  const o = w as Record<string, unknown>;
  return o !== null && typeof o === 'object' && typeof o.id === 'string' && Number.isInteger(o.serial) && Number.isFinite(o.end) && Number.isInteger(o.n);
}

/**
 * The states of the configured detectors from a checkpoint: decoded by each detector, fresh for a
 * detector the checkpoint lacks (newly enabled). Throws CheckpointError on a version mismatch or a
 * malformed state; `unknown` lists checkpointed detectors that are not configured any more.
 */
export function restoreDetectorStates(model: string, detectors: readonly AnyDetector[], checkpoint: ModelCheckpoint): { states: Map<string, object>; unknown: string[] } {
  const states = new Map<string, object>();
  for (const d of detectors) {
    const saved = checkpoint.detectors[d.name];
    if (saved === undefined) {
      states.set(d.name, d.initialState());
      continue;
    }
    if (saved.stateVersion !== d.stateVersion) {
      throw new CheckpointError(`state of model ${model}, detector ${d.name}: version ${saved.stateVersion}, this version of shiftwatch reads ${d.stateVersion}`);
    }
    try {
      states.set(d.name, d.decodeState(saved.state));
    } catch (error) {
      if (error instanceof StateDecodeError) throw new CheckpointError(`model ${model}: ${error.message}`);
      throw error;
    }
  }
  const configured = new Set(detectors.map((d) => d.name as string));
  return { states, unknown: Object.keys(checkpoint.detectors).filter((name) => !configured.has(name)) };
}
