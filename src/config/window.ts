/**
 * Window configuration: the top-level default and per-model overrides. A model's window is merged
 * key by key over the default (raw keys, before defaults, so e.g. minEvents = min(size, 100) uses
 * the model's size) unless the model sets a different `type`, in which case it stands alone.
 */
import { COUNT_WINDOW_KEYS, EVENT_TIME_WINDOW_KEYS, RETIRED_KEYS } from './keys.js';
import { Problems, join } from './problems.js';
import { num, oneOf, section, type Obj } from './readers.js';
import { WINDOW_TYPES, type WindowConfig } from './types.js';

export const DEFAULT_WINDOW_SIZE = 1000;
export const DEFAULT_MIN_EVENTS = 100;

/** One layer of window keys: the path it was written at and its raw mapping. */
export interface WindowLayer {
  path: string;
  raw: unknown;
}

/** Validates the merge of `layers` (later layers win); problems name the key where it was written. */
export function parseWindow(p: Problems, layers: readonly WindowLayer[]): WindowConfig | undefined {
  const checked: { path: string; obj: Obj }[] = [];
  for (const layer of layers) {
    const obj = section(p, layer.path, layer.raw);
    if (obj === undefined) return undefined;
    checked.push({ path: layer.path, obj });
  }
  // A layer that sets a different type than what it overrides drops everything before it.
  let effective = checked;
  for (let i = checked.length - 1; i > 0; i--) {
    const own = checked[i]!.obj.type;
    const inherited = checked.slice(0, i).reduce<unknown>((t, l) => l.obj.type ?? t, undefined) ?? 'count';
    if (own !== undefined && own !== inherited) {
      effective = checked.slice(i);
      break;
    }
  }
  const merged: Obj = {};
  const origin: Record<string, string> = {};
  for (const layer of effective) {
    for (const [key, value] of Object.entries(layer.obj)) {
      merged[key] = value;
      origin[key] = layer.path;
    }
  }
  const last = effective[effective.length - 1]!.path;
  const at = (key: string): string => origin[key] ?? effective[0]!.path; // defaults belong to the base layer
  const read = (key: string, def: number | undefined): number | undefined =>
    num(p, merged, at(key), key, def, { integer: true, min: 1, example: key.endsWith('Ms') ? 60000 : def });

  const type = oneOf(p, merged, at('type'), 'type', 'count', WINDOW_TYPES);
  if (type === undefined) return undefined;
  const own: readonly string[] = type === 'count' ? COUNT_WINDOW_KEYS : EVENT_TIME_WINDOW_KEYS;
  const other = type === 'count' ? 'event-time' : 'count';
  for (const key of Object.keys(merged)) {
    if (own.includes(key)) continue;
    if (RETIRED_KEYS.has(key)) {
      p.add(join(at(key), key), 'was replaced: windows now close when every input partition has read past them, and an idle partition stops holding them back after kafka.partitionIdleMs',
        `remove ${join(at(key), key)} (set kafka.partitionIdleMs to change the idle time, default 2000)`);
      continue;
    }
    p.add(join(at(key), key), `belongs to ${other} windows, but this window has type "${type}"`,
      `remove ${join(at(key), key)}, or set ${join(at(key), 'type')}: ${other}`);
  }

  if (type === 'count') {
    const size = read('size', DEFAULT_WINDOW_SIZE);
    if (size === undefined) {
      if (merged.minEvents !== undefined) read('minEvents', 1);
      return undefined;
    }
    const minEvents = read('minEvents', Math.min(size, DEFAULT_MIN_EVENTS));
    if (minEvents === undefined) return undefined;
    if (minEvents > size) {
      const same = at('minEvents') === at('size');
      const key = join(same ? at('minEvents') : last, 'minEvents');
      const from = (k: string): string => (same || at(k) === last ? '' : ` (from ${join(at(k), k)})`);
      p.add(key, `${minEvents}${from('minEvents')} must not exceed the window size ${size}${from('size')}`,
        `lower minEvents to at most ${size}, or raise size`);
      return undefined;
    }
    return { type, size, minEvents };
  }
  const durationMs = read('durationMs', undefined);
  const minEvents = read('minEvents', DEFAULT_MIN_EVENTS);
  const allowedLatenessMs = num(p, merged, at('allowedLatenessMs'), 'allowedLatenessMs', 0, { integer: true, min: 0, example: 5000 });
  if (durationMs === undefined || minEvents === undefined || allowedLatenessMs === undefined) return undefined;
  return { type, durationMs, minEvents, allowedLatenessMs };
}
