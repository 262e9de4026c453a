// When drift is computed again: full refreshes (list live state again) never run two at once (the newer one
// aborts the older), re-diffs after watch events or edits are debounced and never cancel a full refresh in flight
// (they run once after it), and files written or edited are collected for the next run to re-render.
// Host-agnostic: the editor supplies the run itself, progress UI and busy indicator.

export interface RefreshRequest {
  /** Re-diff against the live objects held (kept current by watches) instead of listing again. */
  reuseLive?: boolean;
  /** No progress UI and no error notification (background re-diffs). */
  quiet?: boolean;
}

export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const nodeTimers: TimerPort = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface RefreshSchedulerOptions {
  /** One run: compute and publish. `files` are the files changed since the last run (re-render what reads them). */
  run(req: RefreshRequest, signal: AbortSignal, files: string[]): Promise<void>;
  /** Wraps a full, non-quiet run (e.g. a progress indicator). */
  withProgress?(work: () => Promise<void>): Promise<void>;
  onBusy?(busy: boolean): void;
  /**
   * Delay of a re-diff after the first watch event of a burst (events arriving meanwhile join it). Default 25 ms:
   * a `kubectl edit` shows in the tree right away (issue 16: one watch event → tree ≤ 300 ms).
   */
  rediffDelayMs?: number;
  /** Least time between the starts of two re-diffs after watch events (a busy cluster's stream of events). Default 250 ms. */
  rediffIntervalMs?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
  /** Delay of a re-diff after an edit or a file change. Default 400 ms. */
  editDelayMs?: number;
  timers?: TimerPort;
}

export class RefreshScheduler {
  private running?: AbortController;
  private fullRun?: Promise<void>;
  private rediffAfterFull = false;
  private rediffTimer?: unknown;
  private lastRediff = -Infinity;
  /** The re-diff in flight: a newer re-diff waits for it (never aborts it: under a stream of events none would finish). */
  private rediffRun?: Promise<void>;
  private rediffAfterRediff = false;
  private editTimer?: unknown;
  private readonly pendingFiles = new Set<string>();
  private readonly timers: TimerPort;
  busy = false;

  constructor(private readonly opts: RefreshSchedulerOptions) {
    this.timers = opts.timers ?? nodeTimers;
  }

  /** Files written by a command: the next run re-renders the apps that read them (no run is scheduled). */
  filesChanged(files: Iterable<string>): void {
    for (const f of files) this.pendingFiles.add(f);
  }

  /** A file was edited or changed on disk: re-diff soon (debounced), re-rendering what reads it. */
  fileChanged(file: string): void {
    this.pendingFiles.add(file);
    this.timers.clear(this.editTimer);
    this.editTimer = this.timers.set(() => void this.refresh({ reuseLive: true, quiet: true }), this.opts.editDelayMs ?? 400);
  }

  /**
   * The held live state changed (a watch event): re-diff soon. The first event of a burst starts a short wait that
   * later events join (not a debounce that a steady stream would postpone forever), and re-diffs start at most
   * every `rediffIntervalMs`.
   */
  liveChanged(): void {
    if (this.rediffTimer !== undefined) return;
    const now = this.now();
    const wait = Math.max(this.opts.rediffDelayMs ?? 25, this.lastRediff + (this.opts.rediffIntervalMs ?? 250) - now);
    this.rediffTimer = this.timers.set(() => {
      this.rediffTimer = undefined;
      this.lastRediff = this.now();
      void this.refresh({ reuseLive: true, quiet: true });
    }, wait);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Full refresh (list live state again) unless `reuseLive`; never runs two at once (the newer wins). */
  async refresh(req: RefreshRequest = {}): Promise<void> {
    // A re-diff (watch event, typing) must not cancel a full refresh in flight: it runs after it instead.
    if (req.reuseLive && this.fullRun) {
      this.rediffAfterFull = true;
      return this.fullRun;
    }
    if (req.reuseLive && this.rediffRun) {
      this.rediffAfterRediff = true;
      return this.rediffRun;
    }
    this.running?.abort();
    const ctrl = new AbortController();
    this.running = ctrl;
    this.setBusy(true);
    const work = async () => {
      try {
        const files = [...this.pendingFiles];
        this.pendingFiles.clear();
        await this.opts.run(req, ctrl.signal, files);
      } finally {
        if (this.running === ctrl) this.setBusy(false);
      }
    };
    if (req.reuseLive) {
      const run = work();
      this.rediffRun = run;
      return run.finally(() => {
        if (this.rediffRun !== run) return;
        this.rediffRun = undefined;
        if (this.rediffAfterRediff) {
          this.rediffAfterRediff = false;
          void this.refresh({ reuseLive: true, quiet: true });
        }
      });
    }
    const run = req.quiet || !this.opts.withProgress ? work() : this.opts.withProgress(work);
    this.fullRun = run;
    return run.finally(() => {
      if (this.fullRun !== run) return;
      this.fullRun = undefined;
      if (this.rediffAfterFull) {
        this.rediffAfterFull = false;
        void this.refresh({ reuseLive: true, quiet: true });
      }
    });
  }

  private setBusy(b: boolean): void {
    this.busy = b;
    this.opts.onBusy?.(b);
  }

  dispose(): void {
    this.running?.abort();
    this.timers.clear(this.rediffTimer);
    this.rediffTimer = undefined;
    this.timers.clear(this.editTimer);
  }
}
