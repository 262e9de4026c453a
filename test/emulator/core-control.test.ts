// core/control against the API emulator with the real CRDs: what each action writes, read back through the API.
// (Whether the simulated controllers then act on it is tested with the controllers.)
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifests } from './emulator';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { FAST_TIMING } from './controllers/controller-context';
import { type RunningControllers, startControllers } from './controllers/start-controllers';
import { makeTestRepo, TEST_REPO_URL } from './controllers/test-repo';
import { fetchLiveState } from '../../src/core/kube/live-state';
import { appFromArgoApplication } from '../../src/core/kube/cluster-apps';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { applicationRef, syncApplication, terminateOperation, refreshApplication } from '../../src/core/control/argo-sync';
import { applicationCrdSupportsAutomatedEnabled, pauseAutoSync, resumeAutoSync, setSkipReconcile } from '../../src/core/control/argo-pause';
import { waitForOperation } from '../../src/core/control/argo-wait';
import { fluxRef, reconcileFlux, resumeFlux, suspendFlux, waitForFluxReconcile } from '../../src/core/control/flux';
import { pauseWarnings } from '../../src/core/control/warnings';
import { breakglassState, endBreakglass, startBreakglass } from '../../src/core/control/breakglass';
import { applyLiveEdit } from '../../src/core/control/live-edit';
import { findAppTargets } from '../../src/core/control/find-app';
import type { GitOpsError, KubeObject } from '../../src/core/model';

const CRDS = path.resolve(__dirname, './demo/crds');
const AUTOMATED = { prune: true, selfHeal: true, allowEmpty: false };

const application = (name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', ...meta },
  spec: {
    project: 'default',
    source: { repoURL: 'https://example.com/demo.git', path: 'web', targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    syncPolicy: { automated: { ...AUTOMATED }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
    ...extra,
  },
});

describe('core/control against the emulator', function () {
  this.timeout(60_000);
  let emu: TestCluster;
  let client: KubeClient;
  const crds = readManifests(CRDS);

  before(async () => {
    emu = await startTestCluster();
    await emu.seed(crds);
    await emu.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      application('guestbook'),
      application('manual', { syncPolicy: { syncOptions: ['CreateNamespace=true'] } }),
      application('owned', {}, { ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'teams', uid: '1' }] }),
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'teams', namespace: 'argocd' }, spec: { generators: [{ list: { elements: [] } }], template: { metadata: { name: '{{team}}' }, spec: { project: 'default', destination: {} } } } },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { interval: '5m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } } },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'repo', namespace: 'flux-system' }, spec: { interval: '1m', url: 'https://example.com/demo.git', ref: { branch: 'main' } } },
    ]);
    client = createKubeClient({ kubeconfig: emu.kubeconfigPath });
  });
  after(async () => {
    await emu?.stop();
  });

  it('pause → resume restores automated exactly, using automated.enabled since the v3.5 CRD has it', async () => {
    const ref = applicationRef('argocd', 'guestbook');
    assert.equal(await applicationCrdSupportsAutomatedEnabled(client), true);
    const before = await client.get(ref);
    const paused = await pauseAutoSync(client, ref);
    assert.equal(paused.method, 'enabled-false');
    const live = await client.get(ref);
    assert.deepEqual((live.spec as any).syncPolicy.automated, { ...AUTOMATED, enabled: false });
    assert.deepEqual(JSON.parse(live.metadata.annotations!['gitops-drift.dev/paused-automated']), AUTOMATED);
    await resumeAutoSync(client, ref);
    const after = await client.get(ref);
    assert.deepEqual(after.spec, before.spec);
    assert.equal(after.metadata.annotations?.['gitops-drift.dev/paused-automated'], undefined);
  });

  it('with a CRD lacking automated.enabled, pause removes automated and resume restores it from the annotation', async () => {
    const appCrd = structuredClone(crds.find((c) => c.metadata.name === 'applications.argoproj.io')!) as any;
    for (const v of appCrd.spec.versions) delete v.schema.openAPIV3Schema.properties.spec.properties.syncPolicy.properties.automated.properties.enabled;
    await emu.seed([appCrd]);
    try {
      const ref = applicationRef('argocd', 'guestbook');
      assert.equal(await applicationCrdSupportsAutomatedEnabled(client), false);
      const before = await client.get(ref);
      assert.equal((await pauseAutoSync(client, ref)).method, 'removed');
      const live = await client.get(ref);
      assert.equal((live.spec as any).syncPolicy.automated, undefined);
      assert.deepEqual((live.spec as any).syncPolicy.syncOptions, ['CreateNamespace=true', 'ServerSideApply=true']);
      await resumeAutoSync(client, ref);
      assert.deepEqual((await client.get(ref)).spec, before.spec);
    } finally {
      await emu.seed([crds.find((c) => c.metadata.name === 'applications.argoproj.io')!]);
    }
  });

  it('sync writes the operation with the app sync options, refuses a second one, terminate and waitForOperation follow it', async () => {
    const ref = applicationRef('argocd', 'manual');
    await syncApplication(client, ref, { username: 'alice@example.com', prune: true, resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'frontend' }] });
    const app = await client.get(ref);
    assert.deepEqual(app.operation, {
      initiatedBy: { username: 'alice@example.com' },
      info: [{ name: 'Reason', value: 'gitops-drift' }],
      sync: { revision: '', prune: true, syncStrategy: { hook: {} }, syncOptions: ['CreateNamespace=true'], resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'frontend' }] },
    });
    await assert.rejects(syncApplication(client, ref, { username: 'bob' }), (e: GitOpsError) => e.reason === 'conflict' && /already in progress/.test(e.message));

    // Play the controller: Running, then a failed result with per-resource messages.
    await emu.seed([{ ...app, status: { operationState: { phase: 'Running', startedAt: '2026-01-01T00:00:00Z', operation: app.operation } } } as KubeObject]);
    await terminateOperation(client, ref);
    assert.equal(((await client.get(ref)).status as any).operationState.phase, 'Terminating');
    const played = new Promise((r) => setTimeout(r, 150)).then(async () => {
      const cur = await client.get(ref);
      const { operation: _op, ...rest } = cur as any;
      await emu.seed([{ ...rest, status: { reconciledAt: '2026-01-01T00:00:05Z', sync: { status: 'OutOfSync' }, operationState: { phase: 'Failed', message: 'terminated', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:04Z', operation: app.operation, syncResult: { revision: 'abc', resources: [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'frontend', status: 'SyncFailed', message: 'terminated' }] } } } }]);
    });
    // Both at once: the waiter is already following when the controller finishes (and a failed write fails the test).
    const [outcome] = await Promise.all([waitForOperation(client, ref, { pollMs: 50, timeoutMs: 10_000 }), played]);
    assert.equal(outcome.phase, 'Failed');
    assert.deepEqual(outcome.failedResources.map((r) => `${r.kind}/${r.name}: ${r.message}`), ['Deployment/frontend: terminated']);
  });

  it('retries a sync after a 409 with a fresh resourceVersion', async () => {
    const ref = applicationRef('argocd', 'guestbook');
    let bumped = false;
    let gets = 0;
    const racing: KubeClient = Object.assign(Object.create(client) as KubeClient, {
      get: async (r: typeof ref, signal?: AbortSignal) => {
        gets++;
        return client.get(r, signal);
      },
      patch: async (r: typeof ref, body: unknown, opts: Parameters<KubeClient['patch']>[2]) => {
        if (!bumped) {
          bumped = true;
          // Someone else writes between our GET and PATCH.
          await client.patch(r, { metadata: { labels: { touched: 'yes' } } }, { type: 'merge', fieldManager: 'other' });
        }
        return client.patch(r, body, opts);
      },
    });
    await syncApplication(racing, ref, { username: 'alice' });
    const app = await client.get(ref);
    assert.equal(app.metadata.labels?.touched, 'yes');
    assert.equal((app.operation as any).initiatedBy.username, 'alice');
    assert.equal(gets, 2, 'the 409 made it read the app again');
    // Clean up for later tests: clear the pending operation.
    await client.patch(ref, { operation: null }, { type: 'merge', fieldManager: 'test' });
  });

  it('refresh and skip-reconcile write their annotations', async () => {
    const ref = applicationRef('argocd', 'manual');
    await refreshApplication(client, ref, { hard: true });
    await setSkipReconcile(client, ref, true);
    let ann = (await client.get(ref)).metadata.annotations ?? {};
    assert.equal(ann['argocd.argoproj.io/refresh'], 'hard');
    assert.equal(ann['argocd.argoproj.io/skip-reconcile'], 'true');
    await setSkipReconcile(client, ref, false);
    ann = (await client.get(ref)).metadata.annotations ?? {};
    assert.equal(ann['argocd.argoproj.io/skip-reconcile'], undefined);
  });

  it('warns that the ApplicationSet would undo a pause of an owned app', async () => {
    const owned = await client.get(applicationRef('argocd', 'owned'));
    const [w] = await pauseWarnings(client, owned);
    assert.equal(w.code, 'applicationset-owned');
    assert.equal(w.undoes, true);
    assert.match(w.route!, /ignoreApplicationDifferences/);
  });

  it('breakglass writes the audit annotation, pauses, and on end resumes and records the commit', async () => {
    const ref = applicationRef('argocd', 'guestbook');
    const before = await client.get(ref);
    await startBreakglass({ client, app: ref, reason: 'hotfix INC-7', ticket: 'INC-7', user: 'alice@example.com', clock: { now: () => new Date('2026-03-01T09:00:00Z') }, expiresAt: new Date('2026-03-01T11:00:00Z') });
    const live = await client.get(ref);
    assert.deepEqual(JSON.parse(live.metadata.annotations!['gitops-drift.dev/breakglass']), {
      user: 'alice@example.com',
      reason: 'hotfix INC-7',
      ticket: 'INC-7',
      started: '2026-03-01T09:00:00.000Z',
      expires: '2026-03-01T11:00:00.000Z',
      previous: { automated: AUTOMATED, method: 'enabled-false' },
    });
    assert.equal((live.spec as any).syncPolicy.automated.enabled, false);
    assert.equal(breakglassState(live, new Date('2026-03-01T09:12:00Z'))?.summary, 'paused 12 min by alice — hotfix INC-7');
    await endBreakglass({ client, app: ref, resume: true, commit: '0123456789abcdef', branch: 'breakglass/guestbook-inc-7', clock: { now: () => new Date('2026-03-01T09:30:00Z') } });
    const after = await client.get(ref);
    assert.deepEqual(after.spec, before.spec);
    const rec = JSON.parse(after.metadata.annotations!['gitops-drift.dev/breakglass']);
    assert.deepEqual([rec.ended, rec.commit, rec.branch, rec.resumed], ['2026-03-01T09:30:00.000Z', '0123456789abcdef', 'breakglass/guestbook-inc-7', true]);
  });

  it('Flux suspend, resume and reconcile send the documented requests and wait on lastHandledReconcileAt', async () => {
    const ks = fluxRef('Kustomization', 'flux-system', 'apps');
    await suspendFlux(client, ks);
    assert.equal(((await client.get(ks)).spec as any).suspend, true);
    await assert.rejects(reconcileFlux(client, ks), /suspended/);
    await resumeFlux(client, ks, { wait: false, clock: { now: () => new Date('2026-03-01T10:00:00Z') } });
    const resumed = await client.get(ks);
    assert.equal((resumed.spec as any).suspend, false);
    assert.equal(resumed.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'], '2026-03-01T10:00:00.000Z');

    const r = await reconcileFlux(client, ks, { wait: false, clock: { now: () => new Date('2026-03-01T10:05:00Z') } });
    assert.equal(r.token, '2026-03-01T10:05:00.000Z');
    assert.equal((await client.get(ks)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'], r.token);
    // Play kustomize-controller: handle the token and become Ready.
    const played = new Promise((r) => setTimeout(r, 150)).then(async () => {
      const cur = await client.get(ks);
      // Kustomization has a status subresource: seed writes status there, as the controller does.
      await emu.seed([{ ...cur, status: { observedGeneration: cur.metadata.generation, lastHandledReconcileAt: r.token, lastAppliedRevision: 'main@sha1:abc', conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:abc', lastTransitionTime: '2026-03-01T10:05:01Z', observedGeneration: cur.metadata.generation }] } } as KubeObject], 'gotk-kustomize-controller');
    });
    const [out] = await Promise.all([waitForFluxReconcile(client, ks, r.token, { pollMs: 50, timeoutMs: 10_000 }), played]);
    assert.deepEqual([out.ready, out.revision], [true, 'main@sha1:abc']);
  });

  it('saves a live edit with server-side apply as gitops-drift-breakglass, taking over the controller field', async () => {
    const cmRef = { group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings' };
    await client.patch(cmRef, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' }, data: { level: 'info' } }, { type: 'apply', fieldManager: 'argocd-controller', force: true });
    const opened = await client.get(cmRef);
    const edited = { ...opened, data: { level: 'debug' } } as KubeObject;
    const saved = await applyLiveEdit(client, edited, { resourceVersion: opened.metadata.resourceVersion as string });
    assert.equal((saved as any).data.level, 'debug');
    const owners = (saved.metadata.managedFields ?? []).filter((m) => (m.fieldsV1 as any)?.['f:data']?.['f:level']).map((m) => m.manager);
    assert.deepEqual(owners, ['gitops-drift-breakglass']);
    // Saving again from the stale copy is a conflict, not a silent overwrite.
    await assert.rejects(applyLiveEdit(client, edited, { resourceVersion: opened.metadata.resourceVersion as string }), (e: GitOpsError) => e.reason === 'conflict');
  });

  it('finds an app by name or namespace/name across Argo and Flux kinds', async () => {
    assert.deepEqual((await findAppTargets(client, 'apps')).map((r) => `${r.kind} ${r.namespace}/${r.name}`), ['Kustomization flux-system/apps']);
    assert.deepEqual((await findAppTargets(client, 'argocd/manual')).map((r) => r.kind), ['Application']);
    assert.deepEqual(await findAppTargets(client, 'web/manual'), []);
  });
});

describe('core/control with the simulated controllers running', function () {
  this.timeout(90_000);
  let emu: TestCluster;
  let client: KubeClient;
  let controllers: RunningControllers;
  let tmp: string;
  let repo: string;

  const until = async <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const appOf = (name: string, syncPolicy: Record<string, unknown>): KubeObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: TEST_REPO_URL, targetRevision: 'main', path: 'web' }, destination: { server: 'https://kubernetes.default.svc', namespace: name }, syncPolicy: { syncOptions: ['CreateNamespace=true'], ...syncPolicy } },
  });

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'core-control-e2e-'));
    repo = makeTestRepo(path.join(tmp, 'repo'));
    emu = await startTestCluster();
    await emu.seed(readManifests(CRDS));
    await emu.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }]);
    controllers = await startControllers({ kubeconfigPath: emu.kubeconfigPath, repoMap: { [TEST_REPO_URL]: repo }, timing: FAST_TIMING });
    client = createKubeClient({ kubeconfig: emu.kubeconfigPath });
  });
  after(async () => {
    await controllers?.stop();
    await emu?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a manual sync makes an OutOfSync app Synced and reports the revision; fetchLiveState then sees its objects', async () => {
    await emu.seed([appOf('manual', {})]);
    const ref = applicationRef('argocd', 'manual');
    await until('OutOfSync', async () => ((await client.get(ref)).status as any)?.sync?.status === 'OutOfSync');
    await syncApplication(client, ref, { username: 'alice@example.com', prune: true });
    const outcome = await waitForOperation(client, ref, { pollMs: 50, timeoutMs: 20_000 });
    assert.equal(outcome.phase, 'Succeeded', outcome.message);
    assert.match(outcome.revision ?? '', /^[0-9a-f]{40}$/);
    await until('Synced', async () => ((await client.get(ref)).status as any)?.sync?.status === 'Synced');

    const app = appFromArgoApplication(await client.get(ref));
    const desired = ['apps/v1 Deployment web', 'v1 Service web', 'v1 ConfigMap web-config'].map((s) => {
      const [apiVersion, kind, name] = s.split(' ');
      return { object: { apiVersion, kind, metadata: { name } } as KubeObject };
    });
    const state = await fetchLiveState({ client, apps: [app], desired: { [app.id]: desired } });
    assert.deepEqual([...state.live.keys()].sort(), ['/ConfigMap/manual/web-config', '/Service/manual/web', 'apps/Deployment/manual/web']);
    assert.deepEqual(state.extra, []);
  });

  it('pause lets a kubectl edit survive self-heal; resume restores the settings and self-heal reverts it', async () => {
    await emu.seed([appOf('healed', { automated: { prune: true, selfHeal: true } })]);
    const ref = applicationRef('argocd', 'healed');
    await until('Synced', async () => ((await client.get(ref)).status as any)?.sync?.status === 'Synced');
    const before = await client.get(ref);
    await startBreakglass({ client, app: ref, reason: 'debug logging', user: 'alice@example.com' });
    const dep = { group: 'apps', kind: 'Deployment', namespace: 'healed', name: 'web' };
    await client.patch(dep, { spec: { replicas: 5 } }, { type: 'merge', fieldManager: 'kubectl-edit' });
    await until('drift reported', async () => ((await client.get(ref)).status as any)?.sync?.status === 'OutOfSync');
    await new Promise((r) => setTimeout(r, 1000)); // several self-heal periods (300 ms)
    assert.equal(((await client.get(dep)).spec as any).replicas, 5, 'the edit survives while paused');
    await endBreakglass({ client, app: ref, resume: true, commit: 'deadbeef', branch: 'breakglass/healed' });
    assert.deepEqual((await client.get(ref)).spec, before.spec);
    await until('self-heal reverts after resume', async () => ((await client.get(dep)).spec as any).replicas === 2);
  });

  it('Flux: reconcile with source reaches Ready at the repo revision; suspend keeps an edit; resume reconciles again', async () => {
    await emu.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'web', namespace: 'flux-system' }, spec: { interval: '1m', url: TEST_REPO_URL, ref: { branch: 'main' } } },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'shop', namespace: 'flux-system' }, spec: { interval: '1m', path: './web', prune: true, targetNamespace: 'shop', sourceRef: { kind: 'GitRepository', name: 'web' } } },
    ]);
    const ks = fluxRef('Kustomization', 'flux-system', 'shop');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const out = await reconcileFlux(client, ks, { withSource: true, pollMs: 50, timeoutMs: 20_000 });
    assert.equal(out.ready, true, out.message);
    assert.equal(out.source?.ready, true);
    assert.ok(out.revision?.endsWith(sha), `${out.revision} names ${sha}`);
    const dep = { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' };
    assert.equal(((await client.get(dep)).spec as any).replicas, 2);

    await suspendFlux(client, ks);
    await client.patch(dep, { spec: { replicas: 4 } }, { type: 'merge', fieldManager: 'kubectl-edit' });
    await assert.rejects(reconcileFlux(client, ks), /suspended/);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(((await client.get(dep)).spec as any).replicas, 4, 'suspended: the edit stays');
    const resumed = await resumeFlux(client, ks, { pollMs: 50, timeoutMs: 20_000 });
    assert.equal(resumed.ready, true);
    await until('Flux puts Git back', async () => ((await client.get(dep)).spec as any).replicas === 2);
  });
});
