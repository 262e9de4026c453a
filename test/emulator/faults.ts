// Fault injection for reliability tests; the emulator keeps one mutable Faults object that tests change at run time.

export interface Faults {
  /** Added to every API request (discovery and OpenAPI included), in milliseconds. */
  latencyMs?: number;
  /** Fraction (0..1) of resource requests answered with a 500/503 Status. */
  errorRate?: number;
  /** Fraction (0..1) of resource requests that never get an answer (the client has to time out). */
  hangRate?: number;
  /** Watch streams are closed by the server after this many events. */
  closeWatchAfterEvents?: number;
  /** A watch resuming from a resourceVersion gets a 410 Expired error event, as after etcd compaction. */
  goneOnWatchResume?: boolean;
  /** Only requests whose path matches are affected (default: all resource requests). */
  pathPattern?: RegExp;
}

/** Decides, per request, which fault applies; `random` is injectable so tests can be deterministic. */
export function pickFault(f: Faults, path: string, random: () => number = Math.random): 'hang' | 'error' | undefined {
  if (f.pathPattern && !f.pathPattern.test(path)) return undefined;
  if (f.hangRate && random() < f.hangRate) return 'hang';
  if (f.errorRate && random() < f.errorRate) return 'error';
  return undefined;
}
