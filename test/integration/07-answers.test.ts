// Issue 17.2: no command argument answers a prompt. Another extension may call executeCommand with anything; the
// commands take only what they act on (a tree node, a locator) and ask every question, the production guard's typed
// app name included.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dialog, input, pick, withPrompts } from './prompts';
import { extensionApi, kubectl, waitFor, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';

const app = (name: string) => JSON.parse(kubectl(['-n', 'argocd', 'get', 'applications.argoproj.io', name, '-o', 'json']));

describe('commands ignore answers passed as arguments (demo world)', function () {
  this.timeout(120_000);
  let api: GitOpsDriftApi;
  const loc = (name: string) => {
    const a = api.session.index.allApps().find((x) => x.drift.app.name === name);
    assert.ok(a, `app ${name} is in the tree`);
    return { context: a.context, appId: a.drift.app.id };
  };

  before(async () => {
    api = await extensionApi();
    await api.session.refresh();
  });

  it('a prune sync on production given { prune, confirm, yes } still asks the mode and the typed app name, and a wrong name changes nothing', async () => {
    const cfg = vscode.workspace.getConfiguration('gitopsDrift');
    await cfg.update('productionContextPattern', `^${world().contextName}$`, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('refreshed after the setting', () => api.session.index.allApps().some((a) => a.drift.app.name === 'podinfo-staging'));
      const target = 'podinfo-staging';
      const before = app(target);
      const answers = { prune: true, confirm: target, yes: true, onWarnings: 'anyway', fields: 'preselected' };
      const { result, seen } = await withPrompts(
        [
          pick(new RegExp(`^Sync ${target}$`), 'Sync and Prune'),
          input(new RegExp(`^Sync with prune on production context ${world().contextName}$`), 'podinfo'),
        ],
        () => vscode.commands.executeCommand<{ cancelled?: boolean }>('gitopsDrift.sync', loc(target), answers),
      );
      assert.equal(result?.cancelled, true);
      const guard = seen.find((p) => p.kind === 'input')!;
      assert.match(guard.validation ?? '', new RegExp(`Type exactly ${target}`), 'the input box refuses another name');
      const after = app(target);
      assert.equal(after.operation, undefined, 'no operation was requested');
      assert.equal(after.status?.operationState?.startedAt, before.status?.operationState?.startedAt);
    } finally {
      await cfg.update('productionContextPattern', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('breakglass start given { reason, ticket, expires, yes } still asks for the reason; cancelling changes nothing', async () => {
    const name = world().scenarios.synced;
    const before = app(name);
    const { result } = await withPrompts([input(new RegExp(`^Breakglass on ${name} \\(1/3\\)$`), undefined)], () =>
      vscode.commands.executeCommand<{ cancelled?: boolean }>('gitopsDrift.breakglassStart', loc(name), { reason: 'skip the questions', ticket: 'X', expires: '1h', yes: true }),
    );
    assert.equal(result?.cancelled, true);
    const after = app(name);
    assert.equal(after.metadata.annotations?.['gitops-drift.dev/breakglass'], before.metadata.annotations?.['gitops-drift.dev/breakglass']);
    assert.deepEqual(after.spec.syncPolicy, before.spec.syncPolicy);
  });

  it('pause given { onWarnings: "anyway" } still shows the ApplicationSet warning', async () => {
    const s = world().scenarios.appSetOwned;
    const before = app(s.app).spec.syncPolicy;
    await withPrompts([dialog(new RegExp(`^Pausing ${s.app} may be undone$`), undefined)], () => vscode.commands.executeCommand('gitopsDrift.pauseAutoSync', loc(s.app), { onWarnings: 'anyway', yes: true }));
    assert.deepEqual(app(s.app).spec.syncPolicy, before);
  });
});
