/** Injection token for the service runtime assembled outside Nest. */
export const RUNTIME = Symbol('shiftwatch.runtime');
