import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// Issue 17.7: an AbortSignal that nothing aborts makes a long action (pausing parents, starting breakglass)
// impossible to cancel. The editor's control actions take their signal from the progress notification's token.
describe('extension/actionCommands cancellation (issue 17.7)', () => {
  it('creates no AbortController of its own: every signal comes from a cancellable progress (toAbortSignal(token))', () => {
    const src = readFileSync(path.resolve(__dirname, '../../../src/extension/actionCommands.ts'), 'utf8');
    assert.deepEqual(src.split('\n').filter((l) => /new AbortController\(/.test(l)).map((l) => l.trim()), []);
  });
});
