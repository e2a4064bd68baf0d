/**
 * Window configuration: the top-level default and per-model overrides. A model's window is merged
 * key by key over the default (the keys as written, before defaults, so e.g. minEvents =
 * min(size, 100) uses the model's size) unless the model sets a different `type`, in which case it
 * stands alone. Each layer's keys are validated by the schema where they are written; the merge
 * (resolveWindow) checks what only the merged window shows and names the key where it was written.
 */
import { z } from 'zod';
import { choice, num, optional, optionalSection, section, type Complaint } from './fields.js';
import { infoOf, keyOf } from './walk.js';
import { at } from '../core/indexing.js';

export const WINDOW_TYPES = ['count', 'event-time'] as const;
export const DEFAULT_WINDOW_SIZE = 1000;
export const DEFAULT_MIN_EVENTS = 100;

/** The window keys; `shown(key, own)` gives the default the docs show (a model's window inherits the default window's). */
function windowKeys(shown: (key: string, own: string) => string) {
  return {
    type: optional(choice('`count`: the last `size` events of an input partition; `event-time`: fixed windows of `durationMs` by event time.', WINDOW_TYPES,
      { shown: shown('type', '`count`') })),
    size: optional(num('Count windows: events per window.', { integer: true, min: 1, example: DEFAULT_WINDOW_SIZE }, shown('size', `\`${DEFAULT_WINDOW_SIZE}\``))),
    minEvents: optional(num('Fewest events a window needs before it is tested; at most `size` for count windows.', { integer: true, min: 1, example: DEFAULT_MIN_EVENTS },
      shown('minEvents', `count windows: \`min(size, ${DEFAULT_MIN_EVENTS})\`; event-time: \`${DEFAULT_MIN_EVENTS}\``))),
    durationMs: optional(num('Event-time windows: the window length.', { integer: true, min: 1, example: 60000 }, shown('durationMs', 'required for event-time windows'))),
    allowedLatenessMs: optional(num('Event-time windows: an event up to this much older than the newest of its partition still counts in its own window (older ones go to the newest window, as late).',
      { integer: true, min: 0, example: 5000 }, shown('allowedLatenessMs', '`0`'))),
  };
}

const WINDOW_KEYS = windowKeys((_, own) => own);
export const defaultWindow = section('The default window for every model.', WINDOW_KEYS);
export const modelWindow = optionalSection('Overrides of the default window, key by key (a different `type` replaces it whole).',
  windowKeys((key) => `\`window.${key}\``));

const COUNT_KEYS = ['type', 'size', 'minEvents'] as const;
const EVENT_TIME_KEYS = ['type', 'durationMs', 'minEvents', 'allowedLatenessMs'] as const;

type Layer = NonNullable<z.output<typeof modelWindow>>;
/** The keys `K` of a layer, each set; `type` is the discriminant. */
type Settled<T extends Layer['type'], K extends keyof Layer> = { type: T } & { [P in Exclude<K, 'type'>]-?: NonNullable<Layer[P]> };
export type CountWindowConfig = Settled<'count', (typeof COUNT_KEYS)[number]>;
export type EventTimeWindowConfig = Settled<'event-time', (typeof EVENT_TIME_KEYS)[number]>;
export type WindowConfig = CountWindowConfig | EventTimeWindowConfig;

/** One layer of window keys: where it was written and its mapping as written. */
export interface WindowLayer {
  path: readonly PropertyKey[];
  raw: unknown;
}

export type ReportAt = (path: readonly PropertyKey[], complaint: Complaint) => void;

/**
 * The window that `layers` (later ones win) make, or undefined when a layer is invalid (the schema
 * reports that) or the merge is (reported through `report`).
 */
export function resolveWindow(layers: readonly WindowLayer[], report: ReportAt = () => {}): WindowConfig | undefined {
  const checked: { path: readonly PropertyKey[]; keys: Layer }[] = [];
  for (const layer of layers) {
    const parsed = modelWindow.safeParse(layer.raw);
    if (!parsed.success) return undefined;
    const keys = Object.fromEntries(Object.entries(parsed.data ?? {}).filter(([, v]) => v !== undefined)) as Layer;
    checked.push({ path: layer.path, keys });
  }
  // A layer that sets a different type than what it overrides drops everything before it.
  let effective = checked;
  for (let i = checked.length - 1; i > 0; i--) {
    const own = at(checked, i, 'window config layers').keys.type;
    const inherited = checked.slice(0, i).reduce<string | undefined>((t, l) => l.keys.type ?? t, undefined) ?? 'count';
    if (own !== undefined && own !== inherited) {
      effective = checked.slice(i);
      break;
    }
  }
  const merged: Layer = {};
  const origin: Record<string, readonly PropertyKey[]> = {};
  for (const layer of effective) {
    Object.assign(merged, layer.keys);
    for (const key of Object.keys(layer.keys)) origin[key] = layer.path;
  }
  const last = at(effective, effective.length - 1, 'window config layers').path;
  const layerPath = (key: string): readonly PropertyKey[] => origin[key] ?? at(effective, 0, 'window config layers').path; // defaults belong to the base layer
  const type = merged.type ?? 'count';
  const own: readonly string[] = type === 'count' ? COUNT_KEYS : EVENT_TIME_KEYS;
  const other = type === 'count' ? 'event-time' : 'count';
  let ok = true;
  for (const key of Object.keys(merged).filter((k) => !own.includes(k))) {
    const k = keyOf([...layerPath(key), key]);
    report([...layerPath(key), key], { problem: `belongs to ${other} windows, but this window has type "${type}"`, fix: `remove ${k}, or set ${keyOf([...layerPath(key), 'type'])}: ${other}` });
    ok = false;
  }
  if (type === 'count') {
    const size = merged.size ?? DEFAULT_WINDOW_SIZE;
    const minEvents = merged.minEvents ?? Math.min(size, DEFAULT_MIN_EVENTS);
    if (minEvents > size) {
      const same = keyOf(layerPath('minEvents')) === keyOf(layerPath('size'));
      const from = (k: string): string => (same || keyOf(layerPath(k)) === keyOf(last) ? '' : ` (from ${keyOf([...layerPath(k), k])})`);
      report([...(same ? layerPath('minEvents') : last), 'minEvents'], {
        problem: `${minEvents}${from('minEvents')} must not exceed the window size ${size}${from('size')}`,
        fix: `lower minEvents to at most ${size}, or raise size`,
      });
      return undefined;
    }
    return ok ? { type, size, minEvents } : undefined;
  }
  if (merged.durationMs === undefined) {
    report([...layerPath('durationMs'), 'durationMs'], infoOf(WINDOW_KEYS.durationMs)!.explain(undefined, keyOf([...layerPath('durationMs'), 'durationMs'])));
    return undefined;
  }
  const window = { type, durationMs: merged.durationMs, minEvents: merged.minEvents ?? DEFAULT_MIN_EVENTS, allowedLatenessMs: merged.allowedLatenessMs ?? 0 };
  return ok ? window : undefined;
}
