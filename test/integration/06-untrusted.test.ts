// In a workspace the user has not trusted, kustomize and helm never run; plain manifests are still compared and
// the tree says why the other apps are not. Runs in its own window with workspace trust enforced
// (scripts/integration.ts selects it by the @untrusted marker).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { withPrompts } from './prompts';
import { screenshot } from './index';
import { extensionApi, findResource, git, kubectl, waitFor, widenSidebar, world } from './world';

describe('@untrusted workspace (demo world)', function () {
  this.timeout(60_000);

  it('@untrusted compares plain manifests and explains why kustomize apps are not rendered', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite runs in an untrusted window');
    const api = await extensionApi();
    await api.session.refresh();
    const apps = await waitFor('apps', () => {
      const c = api.session.snapshot?.clusters[0];
      return c && c.apps.length ? c.apps : undefined;
    }, 30_000);
    const podinfo = apps.find((a) => a.app.name === world().scenarios.breakglass.app)!;
    assert.ok(podinfo, 'the kustomize app is listed');
    assert.equal(podinfo.resources.length, 0, 'nothing rendered');
    assert.equal(podinfo.errors[0]?.reason, 'untrusted');
    assert.match(podinfo.errors[0].message, /not run in an untrusted workspace/);
    const guestbook = apps.find((a) => a.app.name === 'guestbook')!;
    assert.ok(guestbook.resources.length >= 3, 'plain manifests are still compared');
    const node = api.tree.children(api.tree.roots()[0]).find((n) => api.tree.present(n).label === podinfo.app.name)!;
    assert.match(api.tree.present(node).tooltip ?? '', /untrusted workspace/);
    await widenSidebar();
    await screenshot('untrusted');
  });

  it('@untrusted refuses to capture (git would run repository-configured programs) and changes nothing', async () => {
    const api = await extensionApi();
    const repo = world().repoDir;
    const head = git(['rev-parse', 'HEAD']);
    const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
    const status = git(['status', '--porcelain']);
    const k = world().scenarios.suspendedKustomization; // Flux suspended: a live edit stays
    kubectl(['-n', k.deploymentNamespace, 'scale', `deployment/${k.deployment}`, '--replicas=4']);
    const drift = await waitFor('a capturable live change in the tree', () => {
      const d = findResource(api, 'Deployment', k.deploymentNamespace, k.deployment);
      return d?.diff.changes.some((c) => c.path === 'spec.replicas' && c.live === 4) ? d : undefined;
    }, 30_000);
    const { result: r, seen } = await withPrompts([], () => vscode.commands.executeCommand('gitopsDrift.captureLive', { context: drift.context, appId: drift.drift.app.id, ref: drift.diff.ref }));
    assert.ok(seen.some((p) => p.kind === 'notification' && /untrusted workspace/.test(p.text)), JSON.stringify(seen));
    assert.equal(r, undefined, 'nothing captured');
    assert.deepEqual([git(['rev-parse', 'HEAD']), git(['rev-parse', '--abbrev-ref', 'HEAD']), git(['status', '--porcelain'])], [head, branch, status], `repository ${repo} unchanged`);
  });
});
