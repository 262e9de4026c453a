import { strict as assert } from 'node:assert';
import { applicationRef, buildSyncOperation, refreshApplication, syncApplication, terminateOperation } from '../../../src/core/control/argo-sync';
import { applicationCrdSupportsAutomatedEnabled, buildPausePatch, buildResumePatch, pauseAutoSync, resumeAutoSync, setSkipReconcile, isSkipReconcile } from '../../../src/core/control/argo-pause';
import { operationDone, waitForOperation } from '../../../src/core/control/argo-wait';
import { GitOpsError, type KubeObject, type ObjectRef } from '../../../src/core/model';
import { FakeKubeClient } from '../kube/fake-kube-client';

const app = (spec: Record<string, unknown> = {}, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'argocd' },
  spec: { project: 'default', source: { repoURL: 'https://example.com/r.git', path: 'web', targetRevision: 'main' }, destination: { namespace: 'web' }, ...spec },
  ...extra,
});
const REF = applicationRef('argocd', 'guestbook');
const crd = (withEnabled: boolean): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'applications.argoproj.io' },
  spec: { versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { properties: { spec: { properties: { syncPolicy: { properties: { automated: { properties: { prune: {}, selfHeal: {}, ...(withEnabled ? { enabled: {} } : {}) } } } } } } } } } }] },
});

describe('control/argo sync', () => {
  it('builds the operation with the app sync options copied, selected resources, prune and dry run', () => {
    const op = buildSyncOperation(app({ syncPolicy: { syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'], retry: { limit: 2 } } }), {
      username: 'alice@example.com',
      prune: true,
      dryRun: true,
      resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'frontend' }],
    });
    assert.deepEqual(op, {
      initiatedBy: { username: 'alice@example.com' },
      info: [{ name: 'Reason', value: 'gitops-drift' }],
      retry: { limit: 2 },
      sync: {
        revision: '',
        prune: true,
        dryRun: true,
        syncStrategy: { hook: {} },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'frontend' }],
      },
    });
    const explicit = buildSyncOperation(app({ syncPolicy: { syncOptions: ['A=1'] } }), { username: 'u', syncOptions: ['B=2'], strategy: 'apply', force: true }) as any;
    assert.deepEqual(explicit.sync.syncOptions, ['B=2']);
    assert.deepEqual(explicit.sync.syncStrategy, { apply: { force: true } });
  });

  it('patches .operation with the resourceVersion precondition and clears the old operationState', async () => {
    const client = new FakeKubeClient([app({}, { status: { operationState: { phase: 'Succeeded', startedAt: 'old' } } })]);
    const rv = client.peek(REF)!.metadata.resourceVersion;
    await syncApplication(client, REF, { username: 'alice' });
    const patch = client.calls.find((c) => c.verb === 'patch')!;
    assert.equal(patch.opts?.resourceVersion, rv);
    assert.equal(patch.opts?.type, 'merge');
    assert.equal(patch.opts?.fieldManager, 'gitops-drift');
    const after = client.peek(REF)!;
    assert.equal((after.operation as any).initiatedBy.username, 'alice');
    assert.equal((after.status as any).operationState, undefined);
  });

  it('refuses when an operation is already running', async () => {
    const client = new FakeKubeClient([app({}, { operation: { sync: {} }, status: { operationState: { phase: 'Running' } } })]);
    await assert.rejects(syncApplication(client, REF, { username: 'a' }), (e: GitOpsError) => e.reason === 'conflict' && /already in progress.*Running/.test(e.message));
    assert.equal(client.calls.filter((c) => c.verb === 'patch').length, 0);
  });

  it('retries on 409 with a fresh resourceVersion, then reports', async () => {
    const client = new FakeKubeClient([app()]);
    client.failures.push({ match: 'patch Application', error: new GitOpsError('conflict', 'conflict', { status: 409 }) });
    await syncApplication(client, REF, { username: 'a' });
    assert.equal(client.calls.filter((c) => c.verb === 'get').length, 2, 'read again after the conflict');
    const always = new FakeKubeClient([app()]);
    for (let i = 0; i < 3; i++) always.failures.push({ match: 'patch Application', error: new GitOpsError('conflict', 'conflict', { status: 409 }) });
    await assert.rejects(syncApplication(always, REF, { username: 'a' }), (e: GitOpsError) => e.reason === 'conflict' && /3 attempts/.test(e.message));
  });

  it('refresh writes the annotation; terminate needs a running operation', async () => {
    const client = new FakeKubeClient([app()]);
    await refreshApplication(client, REF, { hard: true });
    assert.equal(client.peek(REF)!.metadata.annotations?.['argocd.argoproj.io/refresh'], 'hard');
    await assert.rejects(terminateOperation(client, REF), /No operation is running/);
    client.put(app({}, { operation: { sync: {} }, status: { operationState: { phase: 'Running' } } }));
    await terminateOperation(client, REF);
    assert.equal((client.peek(REF)!.status as any).operationState.phase, 'Terminating');
  });
});

describe('control/argo pause and resume', () => {
  const automated = { prune: true, selfHeal: true, allowEmpty: false };

  it('reads the CRD schema to decide whether automated.enabled exists', async () => {
    assert.equal(await applicationCrdSupportsAutomatedEnabled(new FakeKubeClient([crd(true)])), true);
    assert.equal(await applicationCrdSupportsAutomatedEnabled(new FakeKubeClient([crd(false)])), false);
    assert.equal(await applicationCrdSupportsAutomatedEnabled(new FakeKubeClient([])), false);
  });

  it('builds enabled:false or removal patches and remembers the settings in an annotation', () => {
    const a = app({ syncPolicy: { automated } });
    const withEnabled = buildPausePatch(a, true)!;
    assert.deepEqual(withEnabled.patch, { metadata: { annotations: { 'gitops-drift.dev/paused-automated': JSON.stringify(automated) } }, spec: { syncPolicy: { automated: { enabled: false } } } });
    assert.deepEqual(buildPausePatch(a, false)!.patch.spec, { syncPolicy: { automated: null } });
    assert.equal(buildPausePatch(app({ syncPolicy: { automated: { enabled: false } } }), true), undefined);
    assert.equal(buildPausePatch(app(), true), undefined);
  });

  for (const supportsEnabled of [true, false]) {
    it(`round-trips pause → resume restoring automated exactly (${supportsEnabled ? 'enabled: false' : 'removed + annotation'})`, async () => {
      const client = new FakeKubeClient([app({ syncPolicy: { automated, syncOptions: ['CreateNamespace=true'] } })]);
      const before = client.peek(REF)!;
      const p = await pauseAutoSync(client, REF, { supportsEnabled });
      assert.equal(p.changed, true);
      const paused = client.peek(REF)!;
      const pausedAutomated = (paused.spec as any).syncPolicy.automated;
      assert.deepEqual(pausedAutomated, supportsEnabled ? { ...automated, enabled: false } : undefined);
      assert.equal((await pauseAutoSync(client, REF, { supportsEnabled })).changed, false, 'second pause is a no-op');
      await resumeAutoSync(client, REF);
      const after = client.peek(REF)!;
      assert.deepEqual(after.spec, before.spec);
      assert.equal(after.metadata.annotations?.['gitops-drift.dev/paused-automated'], undefined);
    });
  }

  it('resume without remembered settings: re-enables enabled:false, refuses when automated is gone', () => {
    assert.deepEqual(buildResumePatch(app({ syncPolicy: { automated: { enabled: false, prune: true } } })), { spec: { syncPolicy: { automated: { enabled: null } } } });
    assert.throws(() => buildResumePatch(app({ syncPolicy: {} })), /no earlier settings were remembered/);
    assert.equal(buildResumePatch(app({ syncPolicy: { automated: { prune: true } } })), undefined);
  });

  it('skip-reconcile on and off', async () => {
    const client = new FakeKubeClient([app()]);
    await setSkipReconcile(client, REF, true);
    assert.equal(isSkipReconcile(client.peek(REF)!), true);
    await setSkipReconcile(client, REF, false);
    assert.equal(client.peek(REF)!.metadata.annotations?.['argocd.argoproj.io/skip-reconcile'], undefined);
  });
});

describe('control/argo wait', () => {
  it('decides completion like argocd app wait', () => {
    const done = { operationState: { phase: 'Succeeded', startedAt: 't1', finishedAt: 't2', operation: { sync: {} } }, reconciledAt: 't3' };
    assert.equal(operationDone(app({}, { status: done })), true);
    assert.equal(operationDone(app({}, { status: done, operation: { sync: {} } })), false, 'operation still set');
    assert.equal(operationDone(app({}, { status: { ...done, reconciledAt: 't1' } })), false, 'no refresh since');
    assert.equal(operationDone(app({}, { status: { ...done, operationState: { ...done.operationState, phase: 'Running' } } })), false);
    assert.equal(operationDone(app({}, { status: done }), 't1'), false, 'the previous operation does not count');
  });

  it('follows the operation to a failure with per-resource messages', async () => {
    const client = new FakeKubeClient([app({}, { operation: { sync: {} } })]);
    let polls = 0;
    const orig = client.get.bind(client);
    client.get = async (ref: ObjectRef, signal?: AbortSignal) => {
      if (++polls === 2) {
        client.put(app({}, {
          status: {
            reconciledAt: '2026-01-01T00:00:03Z',
            sync: { status: 'OutOfSync' },
            operationState: {
              phase: 'Failed',
              message: 'one or more objects failed to apply',
              startedAt: '2026-01-01T00:00:01Z',
              finishedAt: '2026-01-01T00:00:02Z',
              syncResult: { revision: 'abc', resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'frontend', status: 'SyncFailed', message: 'image invalid' }, { group: '', kind: 'Service', namespace: 'web', name: 'frontend', status: 'Synced' }] },
            },
          },
        }));
      }
      return orig(ref, signal);
    };
    const phases: string[] = [];
    const out = await waitForOperation(client, REF, { pollMs: 5, onProgress: (p) => phases.push(p) });
    assert.equal(out.succeeded, false);
    assert.equal(out.phase, 'Failed');
    assert.equal(out.revision, 'abc');
    assert.deepEqual(out.failedResources.map((r) => `${r.kind}/${r.name}: ${r.message}`), ['Deployment/frontend: image invalid']);
    assert.deepEqual(phases, ['Pending']);
  });

  it('times out', async () => {
    const client = new FakeKubeClient([app({}, { operation: { sync: {} } })]);
    await assert.rejects(waitForOperation(client, REF, { pollMs: 5, timeoutMs: 30 }), (e: GitOpsError) => e.reason === 'timeout');
  });
});
