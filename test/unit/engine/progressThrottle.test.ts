// The engine's progress reports (issue 16 item 4: apps appear as they finish) come at most every interval: a change
// right after a report is delivered when the interval is over, never dropped, never sooner.
import { strict as assert } from 'node:assert';
import { ProgressThrottle } from '../../../src/core/engine/progressThrottle';
import type { TimerPort } from '../../../src/core/engine/refreshScheduler';

function harness(intervalMs = 200) {
  const clock = { ms: 1000 };
  const pending = new Map<number, { fn: () => void; at: number }>();
  let next = 1;
  const timers: TimerPort = {
    set: (fn, ms) => (pending.set(next, { fn, at: clock.ms + ms }), next++),
    clear: (h) => void pending.delete(h as number),
  };
  const delivered: number[] = [];
  const t = new ProgressThrottle(() => delivered.push(clock.ms), intervalMs, () => clock.ms, timers);
  /** Moves the clock, firing the timers that are due. */
  const advance = (ms: number) => {
    const until = clock.ms + ms;
    for (;;) {
      const due = [...pending].filter(([, p]) => p.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      pending.delete(due[0]);
      clock.ms = due[1].at;
      due[1].fn();
    }
    clock.ms = until;
  };
  return { t, delivered, pending, advance };
}

describe('engine: progress throttle', () => {
  it('delivers the first change at once, then at most every interval, with the last change never dropped', () => {
    const { t, delivered, advance } = harness();
    t.changed();
    assert.deepEqual(delivered, [1000]);
    for (let i = 0; i < 30; i++) {
      advance(10);
      t.changed();
    }
    assert.deepEqual(delivered, [1000, 1200], 'one delivery 200 ms after the first, not one per change');
    advance(200);
    assert.deepEqual(delivered, [1000, 1200, 1400], 'changes after the last delivery arrive when the interval is over');
    advance(1000);
    assert.equal(delivered.length, 3, 'nothing without a change');
  });

  it('a delivery by the caller restarts the interval; close() stops everything pending', () => {
    const { t, delivered, pending, advance } = harness();
    t.changed();
    advance(50);
    t.changed();
    assert.equal(pending.size, 1);
    t.deliveredNow();
    assert.equal(pending.size, 0, 'the caller delivered the state: the pending one is not needed');
    advance(100);
    t.changed();
    advance(99);
    assert.deepEqual(delivered, [1000]);
    advance(1);
    assert.deepEqual(delivered, [1000, 1250]);
    advance(10);
    t.changed();
    t.close();
    advance(1000);
    t.changed();
    assert.deepEqual(delivered, [1000, 1250]);
    assert.equal(pending.size, 0);
  });
});
