import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { sleep } from '../../src/core/ports';

describe('ports.sleep', () => {
  it('removes its abort listener when the time is up (one signal reused by a polling loop)', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, ac.signal);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });
  it('still ends early on abort', async () => {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 10);
    await sleep(10_000, ac.signal);
    assert.ok(Date.now() - t < 5000);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });
});
