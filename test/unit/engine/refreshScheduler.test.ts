// The refresh scheduler (moved out of the editor's DriftSession, issue 17 item 10): full refreshes never overlap
// (the newer aborts the older), a re-diff never cancels a full refresh (it runs once after it), watch events and
// edits are debounced, and changed files reach the next run.
import { strict as assert } from 'node:assert';
import { RefreshScheduler, type RefreshRequest, type TimerPort } from '../../../src/core/engine/refreshScheduler';

/** Timers fired by hand: what is pending, and fire them. */
class ManualTimers implements TimerPort {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const t of all) t.fn();
  }
}

interface Run {
  req: RefreshRequest;
  signal: AbortSignal;
  files: string[];
  finish(): void;
}

function harness() {
  const clock = { ms: 0 };
  const runs: Run[] = [];
  const busy: boolean[] = [];
  let progress = 0;
  const timers = new ManualTimers();
  const s = new RefreshScheduler({
    run: (req, signal, files) => new Promise<void>((resolve) => runs.push({ req, signal, files, finish: resolve })),
    withProgress: (work) => {
      progress++;
      return work();
    },
    onBusy: (b) => busy.push(b),
    timers,
    now: () => clock.ms,
  });
  return { s, runs, busy, timers, clock, progress: () => progress };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('engine: refresh scheduler', () => {
  it('a newer full refresh aborts the one in flight; busy ends only with the newest', async () => {
    const { s, runs, busy } = harness();
    const first = s.refresh();
    const second = s.refresh();
    assert.equal(runs.length, 2);
    assert.equal(runs[0].signal.aborted, true, 'the older run is aborted');
    assert.equal(runs[1].signal.aborted, false);
    runs[0].finish();
    await first;
    assert.equal(s.busy, true, 'the aborted run finishing does not clear busy');
    runs[1].finish();
    await second;
    assert.equal(s.busy, false);
    assert.deepEqual(busy, [true, true, false]);
  });

  it('a re-diff during a full refresh does not cancel it and runs once after it', async () => {
    const { s, runs } = harness();
    const full = s.refresh();
    void s.refresh({ reuseLive: true, quiet: true });
    void s.refresh({ reuseLive: true, quiet: true });
    assert.equal(runs.length, 1, 'no re-diff starts while the full refresh runs');
    assert.equal(runs[0].signal.aborted, false);
    runs[0].finish();
    await full;
    await tick();
    assert.equal(runs.length, 2, 'one re-diff after it');
    assert.deepEqual(runs[1].req, { reuseLive: true, quiet: true });
  });

  it('joins watch events into one re-diff and edits into one run that gets every changed file', async () => {
    const { s, runs, timers } = harness();
    s.liveChanged();
    s.liveChanged();
    s.liveChanged();
    assert.equal(timers.pending.size, 1, 'one pending re-diff for three events');
    assert.equal([...timers.pending.values()][0].ms, 25, 'the first event of a burst is re-diffed right away');
    timers.fireAll();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].req.reuseLive, true);
    runs[0].finish();
    await tick();

    s.filesChanged(['/repo/written-by-capture.yaml']);
    s.fileChanged('/repo/a.yaml');
    s.fileChanged('/repo/b.yaml');
    assert.equal(timers.pending.size, 1);
    assert.equal([...timers.pending.values()][0].ms, 400);
    timers.fireAll();
    assert.equal(runs.length, 2);
    assert.deepEqual(runs[1].files.sort(), ['/repo/a.yaml', '/repo/b.yaml', '/repo/written-by-capture.yaml']);
    runs[1].finish();
    await tick();
    void s.refresh();
    assert.deepEqual(runs[2].files, [], 'files are handed to one run only');
  });

  it('re-diffs a steady stream of watch events at most every 250 ms, and never postpones one for good', async () => {
    const { s, runs, timers, clock } = harness();
    s.liveChanged();
    clock.ms = 25;
    timers.fireAll();
    assert.equal(runs.length, 1);
    runs[0].finish();
    await tick();
    // Events keep coming every 10 ms: the next re-diff starts 250 ms after the first one, not after the last event.
    clock.ms = 60;
    s.liveChanged();
    const [pending] = [...timers.pending.values()];
    assert.equal(pending.ms, 215, 'waits out the interval since the last re-diff started');
    for (clock.ms = 70; clock.ms < 275; clock.ms += 10) s.liveChanged();
    assert.equal(timers.pending.size, 1, 'later events join the pending re-diff, they do not push it back');
    assert.equal([...timers.pending.values()][0], pending);
    timers.fireAll();
    assert.equal(runs.length, 2);
  });

  it('a re-diff asked for while one runs waits for it instead of aborting it, then runs once', async () => {
    const { s, runs } = harness();
    const first = s.refresh({ reuseLive: true, quiet: true });
    void s.refresh({ reuseLive: true, quiet: true });
    void s.refresh({ reuseLive: true, quiet: true });
    assert.equal(runs.length, 1);
    assert.equal(runs[0].signal.aborted, false, 'a stream of events would otherwise abort every re-diff before it publishes');
    runs[0].finish();
    await first;
    await tick();
    assert.equal(runs.length, 2, 'one re-diff after it, for all that came meanwhile');
    runs[1].finish();
    await tick();
    assert.equal(runs.length, 2);
  });

  it('shows progress for full refreshes only, not for quiet ones or re-diffs', async () => {
    const { s, runs, progress } = harness();
    void s.refresh();
    void s.refresh({ quiet: true });
    void s.refresh({ reuseLive: true, quiet: true });
    for (const r of runs) r.finish();
    await tick();
    assert.equal(progress(), 1);
  });

  it('dispose aborts the run in flight and cancels pending timers', () => {
    const { s, runs, timers } = harness();
    void s.refresh();
    s.liveChanged();
    s.fileChanged('/repo/a.yaml');
    s.dispose();
    assert.equal(runs[0].signal.aborted, true);
    assert.equal(timers.pending.size, 0);
  });
});
