/**
 * Calls made on one thread, replayed on another: the aggregator of shared replicas runs on a worker
 * thread (aggregate-thread.ts) with objects of its own (a metrics recorder, the readiness, a
 * listener), while the process's HTTP endpoints read the main thread's. Each call on a mirrored
 * object runs on the thread's own object and is also posted, in order and in batches, to the main
 * thread, which makes the same call on its object of the same name (`replayCall`).
 *
 * Only calls are mirrored, with their arguments as structured clones: what they return comes from
 * the thread's own object, and reading a field mirrors nothing.
 */

export interface MirroredCall {
  /** The object's name, then the property path to the method: ['metrics', 'm', 'alertsEmitted', 'inc']. */
  path: string[];
  args: unknown[];
}

/** `target` with every method call, at any depth, also handed to `post`. */
export function mirror<T extends object>(target: T, post: (call: MirroredCall) => void, path: readonly string[]): T {
  const children = new Map<string, unknown>();
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof prop !== 'string') return value;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
          post({ path: [...path, prop], args });
          return result;
        };
      }
      if (value === null || typeof value !== 'object') return value;
      let child = children.get(prop);
      if (child === undefined) {
        child = mirror(value, post, [...path, prop]);
        children.set(prop, child);
      }
      return child;
    },
  });
}

/** Collects calls and posts them as one message per turn of the event loop, in order. */
export function batchedPoster(send: (calls: MirroredCall[]) => void): (call: MirroredCall) => void {
  let pending: MirroredCall[] = [];
  return (call) => {
    pending.push(call);
    if (pending.length > 1) return;
    setImmediate(() => {
      const calls = pending;
      pending = [];
      send(calls);
    });
  };
}

/** Makes a mirrored call on the object of the same name in `roots`; throws for a path it cannot follow. */
export function replayCall(roots: Readonly<Record<string, object>>, call: MirroredCall): void {
  const [root, ...rest] = call.path;
  const method = rest.pop();
  let owner: unknown = root === undefined ? undefined : roots[root];
  for (const key of rest) owner = owner === null || typeof owner !== 'object' ? undefined : (owner as Record<string, unknown>)[key];
  const fn = method === undefined || owner === null || typeof owner !== 'object' ? undefined : (owner as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new Error(`a mirrored call to ${call.path.join('.')} has no method to call here`);
  (fn as (...a: unknown[]) => unknown).apply(owner, call.args);
}
