// Calls a progress callback at most every `intervalMs`: a change right after a call is delivered when the interval
// is over (never dropped, never more often). Used by the engine to report apps as they finish (issue 16 item 4).
import type { TimerPort } from './refreshScheduler';

const nodeTimers: TimerPort = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class ProgressThrottle {
  private last = -Infinity;
  private timer?: unknown;
  private closed = false;

  constructor(
    private readonly deliver: () => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly timers: TimerPort = nodeTimers,
  ) {}

  /** Something changed: deliver now if the interval is over, else once when it is. */
  changed(): void {
    if (this.closed || this.timer !== undefined) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) return this.fire();
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  /** Delivered now by the caller itself (e.g. a cluster finished): the interval starts again from here. */
  deliveredNow(): void {
    this.last = this.now();
    this.timers.clear(this.timer);
    this.timer = undefined;
  }

  /** No more deliveries (the computation finished or was aborted). */
  close(): void {
    this.closed = true;
    this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.closed) return;
    this.last = this.now();
    this.deliver();
  }
}
