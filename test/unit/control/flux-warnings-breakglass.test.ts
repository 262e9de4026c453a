import { strict as assert } from 'node:assert';
import { buildReconcilePatch, fluxRef, reconcileFlux, resumeFlux, sourceRefOf, suspendFlux } from '../../../src/core/control/flux';
import { pauseWarnings } from '../../../src/core/control/warnings';
import { breakglassState, endBreakglass, startBreakglass } from '../../../src/core/control/breakglass';
import { applicationRef } from '../../../src/core/control/argo-sync';
import { isProductionContext } from '../../../src/core/control/production';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import type { Clock } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

const ks = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system', generation: 1, ...(labels ? { labels } : {}) },
  spec: { interval: '5m', path: './apps', sourceRef: { kind: 'GitRepository', name: 'repo' }, ...spec },
});
const gitRepo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'repo', namespace: 'flux-system', generation: 1 }, spec: { url: 'https://example.com/r.git' } };
const KS = fluxRef('Kustomization', 'flux-system', 'apps');

/** Plays kustomize/source-controller: answers each reconcile request by recording it and setting Ready. */
function playFluxController(client: FakeKubeClient, ready = true): void {
  client.afterPatch = (obj) => {
    const token = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    const st = (obj.status ?? {}) as Record<string, unknown>;
    if (!token || st.lastHandledReconcileAt === token || (obj.spec as any)?.suspend) return;
    client.put({ ...obj, status: { ...st, observedGeneration: 1, lastHandledReconcileAt: token, lastAppliedRevision: 'main@sha1:abc', artifact: { revision: 'main@sha1:abc' }, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'ReconciliationSucceeded' : 'BuildFailed', message: ready ? 'Applied revision: main@sha1:abc' : 'kustomize build failed' }] } });
  };
}

describe('control/flux', () => {
  it('builds reconcile annotations with forceAt/resetAt equal to requestedAt', () => {
    assert.deepEqual(buildReconcilePatch('T', { force: true, reset: true }), { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'T', 'reconcile.fluxcd.io/forceAt': 'T', 'reconcile.fluxcd.io/resetAt': 'T' } } });
  });

  it('finds the source of a Kustomization and the HelmChart of a HelmRelease', () => {
    assert.deepEqual(sourceRefOf(ks('apps')), fluxRef('GitRepository', 'flux-system', 'repo'));
    const hr: KubeObject = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: 'apps' }, spec: { chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'r', namespace: 'flux-system' } } } } };
    assert.deepEqual(sourceRefOf(hr), fluxRef('HelmChart', 'flux-system', 'apps-podinfo'));
  });

  it('suspend and resume send spec.suspend patches; resume waits for the new reconcile', async () => {
    const client = new FakeKubeClient([ks('apps')]);
    playFluxController(client);
    assert.equal((await suspendFlux(client, KS)).changed, true);
    assert.equal((client.peek(KS)!.spec as any).suspend, true);
    assert.equal((await suspendFlux(client, KS)).changed, false);
    const out = await resumeFlux(client, KS, { pollMs: 5, clock: fixedClock('2026-01-02T03:04:05.000Z') });
    assert.equal(out.changed, true);
    assert.equal(out.ready, true);
    const resumePatch = client.calls.filter((c) => c.verb === 'patch').pop()!;
    assert.deepEqual(resumePatch.body, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-01-02T03:04:05.000Z' } }, spec: { suspend: false } });
  });

  it('reconciles with source first, waits for lastHandledReconcileAt and reports Ready=False', async () => {
    const client = new FakeKubeClient([ks('apps'), gitRepo]);
    playFluxController(client);
    const ok = await reconcileFlux(client, KS, { withSource: true, pollMs: 5 });
    assert.equal(ok.ready, true);
    assert.equal(ok.source?.ready, true);
    assert.equal(ok.revision, 'main@sha1:abc');
    assert.deepEqual(client.calls.filter((c) => c.verb === 'patch').map((c) => c.type), ['GitRepository', 'Kustomization']);

    const failing = new FakeKubeClient([ks('apps')]);
    playFluxController(failing, false);
    const bad = await reconcileFlux(failing, KS, { pollMs: 5 });
    assert.equal(bad.ready, false);
    assert.equal(bad.reason, 'BuildFailed');
  });

  it('refuses to reconcile a suspended object', async () => {
    const client = new FakeKubeClient([ks('apps', { suspend: true })]);
    await assert.rejects(reconcileFlux(client, KS), /is suspended/);
  });
});

describe('control/pauseWarnings', () => {
  const owned = (): KubeObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web-team-a', namespace: 'argocd', ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'teams', uid: 'u' }] },
    spec: { syncPolicy: { automated: { selfHeal: true } } },
  });
  const appSet = (spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'teams', namespace: 'argocd' }, spec });

  it('warns that an owning ApplicationSet undoes the pause and names the supported route', async () => {
    const client = new FakeKubeClient([owned(), appSet()]);
    const [w] = await pauseWarnings(client, owned());
    assert.equal(w.code, 'applicationset-owned');
    assert.equal(w.undoes, true);
    assert.match(w.message, /ApplicationSet teams: it will overwrite/);
    assert.match(w.route!, /ignoreApplicationDifferences.*\/spec\/syncPolicy/);
    const skip = await pauseWarnings(client, owned(), { action: 'skip-reconcile' });
    assert.match(skip[0].route!, /preservedFields\.annotations/);
  });

  it('does not block when the ApplicationSet ignores syncPolicy or preserves skip-reconcile', async () => {
    const client = new FakeKubeClient([owned(), appSet({ ignoreApplicationDifferences: [{ jsonPointers: ['/spec/syncPolicy'] }], preservedFields: { annotations: ['argocd.argoproj.io/skip-reconcile'] } })]);
    assert.equal((await pauseWarnings(client, owned()))[0].undoes, false);
    assert.equal((await pauseWarnings(client, owned(), { action: 'skip-reconcile' }))[0].undoes, false);
    // A breakglass also needs its audit annotation kept; without automated.enabled, the remembered settings too.
    const bg = await pauseWarnings(client, owned(), { action: 'breakglass', supportsEnabled: false });
    assert.equal(bg[0].undoes, true);
    assert.match(bg[0].route!, /"gitops-drift.dev\/paused-automated", "gitops-drift.dev\/breakglass" in spec.preservedFields.annotations/);
    client.put(appSet({ ignoreApplicationDifferences: [{ name: 'web-team-a', jsonPointers: ['/spec/syncPolicy', '/metadata/annotations/gitops-drift.dev~1breakglass'] }], preservedFields: { annotations: ['gitops-drift.dev/paused-automated'] } }));
    assert.equal((await pauseWarnings(client, owned(), { action: 'breakglass', supportsEnabled: false }))[0].undoes, false);
    assert.equal((await pauseWarnings(client, owned(), { action: 'skip-reconcile' }))[0].undoes, true);
  });

  it('offers to pause an app-of-apps parent with auto-sync, and a parent Kustomization', async () => {
    const child: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'child', namespace: 'argocd', annotations: { 'argocd.argoproj.io/tracking-id': 'root:argoproj.io/Application:argocd/child' } }, spec: {} };
    const root: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' }, spec: { syncPolicy: { automated: { selfHeal: true } } } };
    const client = new FakeKubeClient([child, root, ks('infra'), ks('apps', {}, { 'kustomize.toolkit.fluxcd.io/name': 'infra', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' })]);
    const [w] = await pauseWarnings(client, child);
    assert.equal(w.code, 'parent-app');
    assert.deepEqual(w.parent, applicationRef('argocd', 'root'));
    const [f] = await pauseWarnings(client, client.peek(KS)!);
    assert.equal(f.code, 'parent-kustomization');
    assert.equal(f.parent?.name, 'infra');
    // A paused parent is no threat.
    client.put({ ...root, spec: { syncPolicy: {} } });
    assert.deepEqual(await pauseWarnings(client, child), []);
  });
});

describe('control/breakglass', () => {
  const argoApp = (): KubeObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook', namespace: 'argocd' }, spec: { syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  const REF = applicationRef('argocd', 'guestbook');

  it('an expiry given as a duration counts from the recorded start, to the millisecond, however the clock moves', async () => {
    const client = new FakeKubeClient([argoApp()]);
    let t = Date.parse('2026-01-01T10:00:00.000Z');
    const ticking: Clock = { now: () => new Date((t += 1)) };
    const { record } = await startBreakglass({ client, app: REF, reason: 'r', user: 'u', expiresIn: 2 * 3_600_000, clock: ticking, supportsEnabled: true });
    assert.equal(Date.parse(record.expires) - Date.parse(record.started), 2 * 3_600_000);
  });

  it('start pauses the app and writes the audit annotation; state summarises it; end resumes and records the commit', async () => {
    const client = new FakeKubeClient([argoApp()]);
    const { record } = await startBreakglass({ client, app: REF, reason: 'hotfix INC-42', ticket: 'INC-42', user: 'alice@example.com', clock: fixedClock('2026-01-01T10:00:00.000Z'), supportsEnabled: true });
    const live = client.peek(REF)!;
    assert.deepEqual(JSON.parse(live.metadata.annotations!['gitops-drift.dev/breakglass']), {
      user: 'alice@example.com',
      reason: 'hotfix INC-42',
      ticket: 'INC-42',
      started: '2026-01-01T10:00:00.000Z',
      expires: '2026-01-01T11:00:00.000Z',
      previous: { automated: { prune: true, selfHeal: true }, method: 'enabled-false' },
    });
    assert.deepEqual(record.previous.automated, { prune: true, selfHeal: true });
    assert.equal((live.spec as any).syncPolicy.automated.enabled, false);
    const st = breakglassState(live, new Date('2026-01-01T10:12:30Z'))!;
    assert.equal(st.summary, 'paused 12 min by alice — hotfix INC-42');
    assert.equal(st.expired, false);
    assert.equal(breakglassState(live, new Date('2026-01-01T11:30:00Z'))!.expired, true);
    await assert.rejects(startBreakglass({ client, app: REF, reason: 'again', user: 'bob' }), /breakglass already active by alice@example.com since /);

    const end = await endBreakglass({ client, app: REF, resume: true, commit: 'abc123def', branch: 'breakglass/guestbook', user: 'alice@example.com', clock: fixedClock('2026-01-01T10:40:00.000Z') });
    assert.equal(end.resumed, true);
    const after = client.peek(REF)!;
    assert.deepEqual((after.spec as any).syncPolicy.automated, { prune: true, selfHeal: true });
    const rec = JSON.parse(after.metadata.annotations!['gitops-drift.dev/breakglass']);
    assert.deepEqual([rec.ended, rec.commit, rec.branch, rec.resumed], ['2026-01-01T10:40:00.000Z', 'abc123def', 'breakglass/guestbook', true]);
    assert.equal(breakglassState(after)!.active, false);
  });

  it('end without resume leaves the app paused; Flux breakglass suspends and resumes', async () => {
    const client = new FakeKubeClient([argoApp(), ks('apps')]);
    await startBreakglass({ client, app: REF, reason: 'r', user: 'u', supportsEnabled: false });
    assert.equal((client.peek(REF)!.spec as any).syncPolicy.automated, undefined);
    await endBreakglass({ client, app: REF, resume: false });
    assert.equal((client.peek(REF)!.spec as any).syncPolicy.automated, undefined);

    await startBreakglass({ client, app: KS, reason: 'flux fix', user: 'u' });
    assert.equal((client.peek(KS)!.spec as any).suspend, true);
    await endBreakglass({ client, app: KS, resume: true });
    assert.equal((client.peek(KS)!.spec as any).suspend, false);
  });

  it('requires a reason and a future expiry', async () => {
    const client = new FakeKubeClient([argoApp()]);
    await assert.rejects(startBreakglass({ client, app: REF, reason: '  ', user: 'u' }), (e: GitOpsError) => e.reason === 'invalid');
    await assert.rejects(startBreakglass({ client, app: REF, reason: 'r', user: 'u', expiresAt: new Date(0) }), /in the future/);
    assert.equal(client.calls.filter((c) => c.verb === 'patch').length, 0);
  });
});

describe('control/isProductionContext', () => {
  it('matches the pattern as a case-insensitive regex, plain text when invalid, never when empty', () => {
    assert.equal(isProductionContext('gke_acme_prod-eu', 'prod|prd'), true);
    assert.equal(isProductionContext('staging', 'prod|prd'), false);
    assert.equal(isProductionContext('PROD', '^prod$'), true);
    assert.equal(isProductionContext('team(prod', 'team(prod'), true);
    assert.equal(isProductionContext('prod', ''), false);
  });
});
