// The CLI's Prompter (issue 17, one workflow layer): flags answer prompts by id, --yes answers confirmations that
// allow it but never the production guard's typed name, and without a TTY an unanswered prompt refuses with the
// flag to pass instead of hanging.
import { strict as assert } from 'node:assert';
import { cliPrompter } from '../../../src/cli/cliPrompter';
import type { CliIo } from '../../../src/cli/cli';
import { confirmProduction } from '../../../src/core/flows/steps';
import type { FlowDeps } from '../../../src/core/flows/types';
import type { KubeClient } from '../../../src/core/kube/types';

const io = (isTTY: boolean): CliIo & { errors: string } => {
  const o = { errors: '', out: () => {}, err: (s: string) => (o.errors += s), env: {}, cwd: '/', isTTY };
  return o;
};

const guardDeps = (prompter: FlowDeps['prompter']): FlowDeps => ({ prompter, withProgress: (_t, w) => w({ report: () => {} }, new AbortController().signal), actor: async () => ({ user: 'u' }), log: () => {}, productionPattern: 'prod' });
const target = { client: {} as KubeClient, context: 'prod-eu', ref: { group: 'argoproj.io', kind: 'Application', namespace: 'argocd', name: 'shop' }, name: 'shop' };

describe('cli/cliPrompter', () => {
  it('--yes does not pass the production guard; without a TTY it refuses naming --confirm', async () => {
    const p = cliPrompter({ io: io(false), yes: true });
    await assert.rejects(confirmProduction(guardDeps(p), target, 'Sync with prune'), /Sync with prune on production context prod-eu: the app name must be typed to confirm\.\nThis needs an answer: pass --confirm <app name>/);
  });

  it('--confirm NAME answers the guard: the right name passes, a wrong one is refused', async () => {
    const right = cliPrompter({ io: io(false), yes: false, answers: { 'guard.production': () => 'shop' } });
    assert.equal(await confirmProduction(guardDeps(right), target, 'Pause'), true);
    const o = io(false);
    const wrong = cliPrompter({ io: o, yes: false, answers: { 'guard.production': () => 'shop-typo' } });
    assert.equal(await confirmProduction(guardDeps(wrong), target, 'Pause'), false);
    assert.match(o.errors, /warning: Pause cancelled: the confirmation did not match shop\./);
  });

  it('asks the typed name on a terminal', async () => {
    const questions: string[] = [];
    const p = cliPrompter({ io: io(true), yes: false, ask: async (q) => (questions.push(q), 'shop') });
    assert.equal(await confirmProduction(guardDeps(p), target, 'Breakglass'), true);
    assert.match(questions[0], /Breakglass on production context prod-eu\. Type the app name \(shop\) to confirm: /);
  });

  it('answers a confirmation with --yes only where the prompt allows it, and refuses without a TTY otherwise', async () => {
    const p = cliPrompter({ io: io(false), yes: true });
    assert.equal(await p.confirm({ id: 'pause.warnings', message: 'Pausing shop may be undone', actions: ['Pause Anyway'], yesAction: 'Pause Anyway' }), 'Pause Anyway');
    await assert.rejects(p.confirm({ id: 'capture.includeDirty', message: 'Uncommitted changes in a.yaml', actions: ['Include Them'] }), /Uncommitted changes in a\.yaml\nThis needs an answer: commit or stash them first, or pass --allow-dirty/);
    const flags = cliPrompter({ io: io(false), yes: false, answers: { 'capture.includeDirty': () => 'Include Them' } });
    assert.equal(await flags.confirm({ id: 'capture.includeDirty', message: 'Uncommitted changes in a.yaml', actions: ['Include Them'] }), 'Include Them');
  });

  it('picks by label from a flag, takes a multi-pick preselection without a TTY, validates inputs from flags', async () => {
    const p = cliPrompter({ io: io(false), yes: false, answers: { 'sync.mode': () => 'Dry Run', 'breakglass.expires': () => 'soon' } });
    const items = [
      { label: 'Sync', value: 1 },
      { label: 'Dry Run', value: 2 },
    ];
    assert.equal((await p.pickOne({ id: 'sync.mode', title: 'Sync shop', items }))?.value, 2);
    await assert.rejects(p.pickOne({ id: 'other', title: 'Which?', items }), /This needs an answer/);
    const many = await p.pickMany({ id: 'capture.fields', title: 'Capture', items: [{ label: 'a', picked: true, value: 'a' }, { label: 'b', value: 'b' }] });
    assert.deepEqual(many?.map((i) => i.value), ['a']);
    await assert.rejects(p.input({ id: 'breakglass.expires', title: 'Breakglass on shop (3/3)', prompt: 'Expires after', validate: (v) => (v === 'soon' ? 'Use e.g. 90s, 30m, 1h or 4h' : undefined) }), /Use e\.g\. 90s/);
  });
});
