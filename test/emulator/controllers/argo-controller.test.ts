// The simulated Argo CD against the emulator: sync to Synced/Healthy, self-heal, pause and
// skip-reconcile, operations, refresh, ApplicationSet ownership, and real kubectl seeing it all.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster, type TestCluster } from '../../backend/testCluster';
import { ensureGitOpsCrds, waitFor } from '../demo/seed-demo-world';
import { FAST_TIMING } from './controller-context';
import { KubeRest, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './kube-rest';
import { type RunningControllers, startControllers } from './start-controllers';
import { makeTestRepo, TEST_REPO_URL } from './test-repo';

const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

function application(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', annotations },
    spec: { project: 'default', source: { repoURL: TEST_REPO_URL, targetRevision: 'main', path: 'web' }, destination: { server: 'https://kubernetes.default.svc', namespace: name }, ...spec },
  };
}

describe('simulated Argo CD controller (on the test cluster: KUBE_BACKEND)', function () {
  this.timeout(60_000);
  let emu: TestCluster;
  let controllers: RunningControllers;
  let rest: KubeRest;
  let tmp: string;

  const getApp = async (name: string) => (await rest.call('GET', `${APPS}/${name}`)) as any;
  const createApp = (obj: unknown) => rest.call('POST', APPS, { body: obj });
  const deployPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments/web`;
  const kubectlEdit = (ns: string) =>
    rest.call('PATCH', deployPath(ns), {
      body: { spec: { replicas: 7, template: { spec: { containers: [{ name: 'web', env: [{ name: 'DEBUG', value: 'true' }] }] } } } },
      contentType: STRATEGIC_MERGE_PATCH,
      query: { fieldManager: 'kubectl-edit' },
    });
  const waitSynced = (name: string) =>
    waitFor(`${name} Synced/Healthy`, async () => {
      const s = (await getApp(name)).status;
      return s?.sync?.status === 'Synced' && s?.health?.status === 'Healthy' && s;
    }, 20_000);

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-ctl-'));
    const repo = makeTestRepo(path.join(tmp, 'repo'));
    emu = await startTestCluster();
    rest = await KubeRest.fromKubeconfig(emu.kubeconfigPath);
    await ensureGitOpsCrds(rest);
    await rest.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } } });
    controllers = await startControllers({ kubeconfigPath: emu.kubeconfigPath, repoMap: { [TEST_REPO_URL]: repo }, timing: FAST_TIMING, flux: false });
  });

  after(async () => {
    await controllers?.stop();
    await emu?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('syncs an Application to Synced/Healthy with server-side apply as argocd-controller and a tracking id', async () => {
    await createApp(application('synced', { syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] } }));
    const status = await waitSynced('synced');
    const dep = await rest.call('GET', deployPath('synced'));
    assert.equal(dep.metadata.annotations['argocd.argoproj.io/tracking-id'], 'synced:apps/Deployment:synced/web');
    assert.ok(dep.metadata.managedFields.some((m: any) => m.manager === 'argocd-controller' && m.operation === 'Apply'));
    assert.equal(dep.spec.replicas, 2);
    assert.match(status.sync.revision, /^[0-9a-f]{40}$/);
    assert.deepEqual(status.resources.map((r: any) => `${r.kind}/${r.name}:${r.status}`).sort(), ['ConfigMap/web-config:Synced', 'Deployment/web:Synced', 'Service/web:Synced']);
    assert.equal(status.operationState.phase, 'Succeeded');
    assert.equal(status.operationState.operation.initiatedBy.automated, true);
    assert.equal(status.history.length, 1);
    assert.equal(status.sourceType, 'Directory');
    assert.ok(status.reconciledAt);
  });

  it('self-heal reverts a kubectl-edit change after the delay', async () => {
    await createApp(application('healed', { syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true'] } }));
    await waitSynced('healed');
    await kubectlEdit('healed');
    const edited = await rest.call('GET', deployPath('healed'));
    assert.equal(edited.spec.replicas, 7);
    await waitFor('replicas reverted to Git', async () => (await rest.call('GET', deployPath('healed'))).spec.replicas === 2, 10_000);
    await waitSynced('healed');
    const app = await getApp('healed');
    assert.equal(app.status.operationState.operation.initiatedBy.automated, true);
  });

  it('a live edit survives when auto-sync is paused (enabled: false) or skip-reconcile is set', async () => {
    await createApp(application('paused', { syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true'] } }));
    await createApp(application('skipped', { syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true'] } }));
    await waitSynced('paused');
    await waitSynced('skipped');
    await rest.call('PATCH', `${APPS}/paused`, { body: { spec: { syncPolicy: { automated: { enabled: false } } } }, contentType: MERGE_PATCH });
    await rest.call('PATCH', `${APPS}/skipped`, { body: { metadata: { annotations: { 'argocd.argoproj.io/skip-reconcile': 'true' } } }, contentType: MERGE_PATCH });
    // Let a controller pass that may have read the apps before the pause finish first.
    await new Promise((r) => setTimeout(r, FAST_TIMING.pollMs * 6));
    await kubectlEdit('paused');
    await kubectlEdit('skipped');
    await waitFor('paused app to report the drift', async () => (await getApp('paused')).status.sync.status === 'OutOfSync', 10_000);
    // Several self-heal delays later, both edits are still live.
    await new Promise((r) => setTimeout(r, FAST_TIMING.selfHealDelayMs * 4));
    for (const ns of ['paused', 'skipped']) {
      const dep = await rest.call('GET', deployPath(ns));
      assert.equal(dep.spec.replicas, 7, `${ns} replicas`);
      assert.ok(dep.spec.template.spec.containers[0].env.some((e: any) => e.name === 'DEBUG'), `${ns} env`);
    }
    // skip-reconcile freezes status: it still says Synced, and an operation is not processed.
    assert.equal((await getApp('skipped')).status.sync.status, 'Synced');
    await rest.call('PATCH', `${APPS}/skipped`, { body: { operation: { sync: { prune: false } } }, contentType: MERGE_PATCH });
    await new Promise((r) => setTimeout(r, FAST_TIMING.pollMs * 6));
    assert.ok((await getApp('skipped')).operation, 'operation must stay pending while skip-reconcile is set');
    // Resuming (annotation removed) lets the pending operation run.
    await rest.call('PATCH', `${APPS}/skipped`, { body: { metadata: { annotations: { 'argocd.argoproj.io/skip-reconcile': null } } }, contentType: MERGE_PATCH });
    await waitFor('pending operation to run after resume', async () => {
      const a = await getApp('skipped');
      return !a.operation && a.status.operationState?.phase === 'Succeeded' && !a.status.operationState.operation.initiatedBy.automated;
    }, 10_000);
    assert.equal((await rest.call('GET', deployPath('skipped'))).spec.replicas, 2);
  });

  it('runs a sync requested through the operation field (with prune) to operationState.phase Succeeded', async () => {
    await createApp(application('manual', { syncPolicy: { syncOptions: ['CreateNamespace=true'] } }));
    await waitFor('manual app compared (OutOfSync, nothing live)', async () => (await getApp('manual')).status?.sync?.status === 'OutOfSync', 10_000);
    assert.equal((await rest.request('GET', deployPath('manual'))).status, 404, 'a manual app must not sync by itself');
    // A leftover carrying this app's tracking id: a prune candidate.
    await rest.call('POST', '/api/v1/namespaces/manual/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'manual', annotations: { 'argocd.argoproj.io/tracking-id': 'manual:/ConfigMap:manual/old' } } },
    }).catch(async () => {
      await rest.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'manual' } } });
      await rest.call('POST', '/api/v1/namespaces/manual/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'manual', annotations: { 'argocd.argoproj.io/tracking-id': 'manual:/ConfigMap:manual/old' } } },
      });
    });
    await waitFor('prune candidate in status.resources', async () => (await getApp('manual')).status.resources.some((r: any) => r.name === 'old' && r.requiresPruning), 10_000);
    await rest.call('PATCH', `${APPS}/manual`, {
      body: { operation: { initiatedBy: { username: 'alice@vscode' }, sync: { revision: '', prune: true, syncOptions: ['CreateNamespace=true'] } } },
      contentType: MERGE_PATCH,
    });
    const app = await waitFor('operation finished', async () => {
      const a = await getApp('manual');
      return !a.operation && ['Succeeded', 'Failed', 'Error'].includes(a.status.operationState?.phase) && a;
    }, 10_000);
    const op = app.status.operationState;
    assert.equal(op.phase, 'Succeeded', op.message);
    assert.equal(op.operation.initiatedBy.username, 'alice@vscode');
    assert.equal(op.syncResult.revision, app.status.sync.revision);
    assert.ok(op.finishedAt && op.startedAt);
    const byName = Object.fromEntries(op.syncResult.resources.map((r: any) => [`${r.kind}/${r.name}`, r.status]));
    assert.deepEqual(byName, { 'ConfigMap/web-config': 'Synced', 'Service/web': 'Synced', 'Deployment/web': 'Synced', 'ConfigMap/old': 'Pruned' });
    assert.equal((await rest.request('GET', '/api/v1/namespaces/manual/configmaps/old')).status, 404);
    await waitSynced('manual');
  });

  it('a terminated operation ends Failed with "Operation terminated" and is not run', async () => {
    await createApp(application('terminated', { syncPolicy: { syncOptions: ['CreateNamespace=true'] } }, { 'argocd.argoproj.io/skip-reconcile': 'true' }));
    await rest.call('PATCH', `${APPS}/terminated`, {
      body: { operation: { sync: { syncOptions: ['CreateNamespace=true'] } }, status: { operationState: { operation: { sync: {} }, phase: 'Terminating', startedAt: '2026-01-01T00:00:00Z' } } },
      contentType: MERGE_PATCH,
    });
    await rest.call('PATCH', `${APPS}/terminated`, { body: { metadata: { annotations: { 'argocd.argoproj.io/skip-reconcile': null } } }, contentType: MERGE_PATCH });
    const app = await waitFor('termination handled', async () => {
      const a = await getApp('terminated');
      return !a.operation && a.status.operationState.phase === 'Failed' && a;
    }, 10_000);
    assert.equal(app.status.operationState.message, 'Operation terminated');
    assert.equal((await rest.request('GET', deployPath('terminated'))).status, 404);
  });

  it('a selective dry-run sync changes nothing and leaves no history', async () => {
    const before = await getApp('manual');
    await kubectlEdit('manual');
    await rest.call('PATCH', `${APPS}/manual`, {
      body: { operation: { sync: { dryRun: true, resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'manual' }] } } },
      contentType: MERGE_PATCH,
    });
    const app = await waitFor('dry run finished', async () => {
      const a = await getApp('manual');
      return !a.operation && a.status.operationState?.operation.sync.dryRun === true && a.status.operationState.phase !== 'Running' && a;
    }, 10_000);
    assert.equal(app.status.operationState.phase, 'Succeeded');
    assert.deepEqual(app.status.operationState.syncResult.resources.map((r: any) => r.kind), ['Deployment']);
    assert.equal(app.status.history.length, before.status.history.length);
    assert.equal((await rest.call('GET', deployPath('manual'))).spec.replicas, 7);
  });

  it('renders subfolders with directory.recurse, multi-source apps, and honours ignoreDifferences', async () => {
    await createApp(
      application('multi', {
        source: undefined,
        sources: [{ repoURL: TEST_REPO_URL, targetRevision: 'main', path: 'web', directory: { recurse: true } }],
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
        syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      }),
    );
    const status = await waitSynced('multi');
    assert.deepEqual(status.resources.map((r: any) => r.name).sort(), ['web', 'web', 'web-config', 'web-extra']);
    assert.equal(status.sync.revisions.length, 1);
    assert.match(status.sync.revisions[0], /^[0-9a-f]{40}$/);
    // A replicas-only edit is ignored: still Synced and not reverted.
    await rest.call('PATCH', deployPath('multi'), { body: { spec: { replicas: 3 } }, contentType: STRATEGIC_MERGE_PATCH, query: { fieldManager: 'kubectl-scale' } });
    await new Promise((r) => setTimeout(r, FAST_TIMING.selfHealDelayMs * 4));
    assert.equal((await rest.call('GET', deployPath('multi'))).spec.replicas, 3);
    assert.equal((await getApp('multi')).status.sync.status, 'Synced');
  });

  it('consumes the refresh annotation and updates reconciledAt', async () => {
    const before = (await getApp('synced')).status.reconciledAt;
    await new Promise((r) => setTimeout(r, 1100)); // reconciledAt has second precision
    await rest.call('PATCH', `${APPS}/synced`, { body: { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } }, contentType: MERGE_PATCH });
    const app = await waitFor('refresh annotation removed', async () => {
      const a = await getApp('synced');
      return !a.metadata.annotations?.['argocd.argoproj.io/refresh'] && a;
    }, 10_000);
    assert.ok(app.status.reconciledAt > before, `${app.status.reconciledAt} > ${before}`);
  });

  it('an ApplicationSet creates its Application with an ownerReference and overwrites edits to it', async () => {
    await rest.call('POST', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets', {
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        metadata: { name: 'teams', namespace: 'argocd' },
        spec: {
          generators: [{ list: { elements: [{ team: 'blue' }] } }],
          template: {
            metadata: { name: 'team-{{team}}' },
            spec: { project: 'default', source: { repoURL: TEST_REPO_URL, targetRevision: 'main', path: 'web' }, destination: { namespace: '{{team}}' }, syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true'] } },
          },
        },
      },
    });
    const set = await rest.call('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/teams');
    const app = await waitFor('generated app', () => rest.getOrUndefined<any>(`${APPS}/team-blue`), 10_000);
    assert.deepEqual(app.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.uid, o.controller]), [['ApplicationSet', 'teams', set.metadata.uid, true]]);
    await waitSynced('team-blue');
    // Pausing the owned app is undone, and so is a skip-reconcile annotation.
    await rest.call('PATCH', `${APPS}/team-blue`, {
      body: { metadata: { annotations: { 'argocd.argoproj.io/skip-reconcile': 'true' } }, spec: { syncPolicy: { automated: null } } },
      contentType: MERGE_PATCH,
    });
    const restored = await waitFor('edit overwritten', async () => {
      const a = await getApp('team-blue');
      return a.spec.syncPolicy.automated?.selfHeal === true && !a.metadata.annotations?.['argocd.argoproj.io/skip-reconcile'] && a;
    }, 10_000);
    assert.equal(restored.spec.destination.namespace, 'blue');
    // An element removed from the generator: its Application is deleted.
    await rest.call('PATCH', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/teams', {
      body: { spec: { generators: [{ list: { elements: [{ team: 'green' }] } }] } },
      contentType: MERGE_PATCH,
    });
    await rest.call('PATCH', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/teams', {
      body: { metadata: { annotations: { 'argocd.argoproj.io/application-set-refresh': 'true' } } },
      contentType: MERGE_PATCH,
    });
    await waitFor('application-set-refresh consumed', async () => {
      const s = await rest.call('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/teams');
      return !s.metadata.annotations?.['argocd.argoproj.io/application-set-refresh'];
    }, 10_000);
    await waitFor('team-green created, team-blue deleted', async () => (await rest.request('GET', `${APPS}/team-blue`)).status === 404 && (await rest.request('GET', `${APPS}/team-green`)).status === 200, 10_000);
  });

  it('real kubectl sees the same Applications and managed objects', async function () {
    const kubectl = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile('kubectl', ['--kubeconfig', emu.kubeconfigPath, ...args], (err, out, errOut) => (err ? reject(new Error(errOut || err.message)) : resolve(out))),
      );
    const apps = JSON.parse(await kubectl('get', 'applications.argoproj.io', '-n', 'argocd', '-o', 'json'));
    const synced = apps.items.find((a: any) => a.metadata.name === 'synced');
    assert.equal(synced.status.sync.status, 'Synced');
    assert.equal(synced.status.health.status, 'Healthy');
    const owner = (await kubectl('get', 'deployment', 'web', '-n', 'synced', '-o', 'jsonpath={.metadata.annotations.argocd\\.argoproj\\.io/tracking-id}')).trim();
    assert.equal(owner, 'synced:apps/Deployment:synced/web');
    // A real `kubectl edit` (the editor is a script changing replicas), reverted by self-heal.
    const editor = path.join(tmp, 'editor.sh');
    fs.writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  replicas: 2$/  replicas: 4/" "$1"\n', { mode: 0o755 });
    const edited = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', emu.kubeconfigPath, 'edit', 'deployment', 'web', '-n', 'synced'], { env: { ...process.env, EDITOR: editor, KUBE_EDITOR: editor } }, (err, out, errOut) =>
        err ? reject(new Error(errOut || err.message)) : resolve(out),
      ),
    );
    assert.match(edited, /edited/);
    await waitFor('self-heal after kubectl edit', async () => (await kubectl('get', 'deployment', 'web', '-n', 'synced', '-o', 'jsonpath={.spec.replicas}')).trim() === '2', 10_000);
  });
});
