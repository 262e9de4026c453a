// The workflow layer (src/core/flows) against a cluster with the real Argo CD / Flux CRDs, on both backends
// (KUBE_BACKEND=emulator|real): every question goes through a scripted Prompter; what each flow writes is read
// back through the API. The production guard, sync windows of the AppProject, pause warnings and parent pausing,
// breakglass start → end, and the impact-preview step.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readManifests } from './emulator';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { ScriptedPrompter, testDeps, type Step } from '../backend/scriptedPrompter';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { applicationRef } from '../../src/core/control/argo-sync';
import { fluxRef } from '../../src/core/control/flux';
import { breakglassEndFlow, breakglassStartFlow, isCancelled, pauseFlow, resumeFlow, syncFlow, type FlowTarget, type PreviewRequest } from '../../src/core/flows';
import type { KubeObject, ObjectRef, ResourceDiff } from '../../src/core/model';

const CRDS = path.resolve(__dirname, './demo/crds');
const AUTOMATED = { prune: true, selfHeal: true };

const application = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', ...meta },
  spec: {
    project: 'default',
    source: { repoURL: 'https://example.com/demo.git', path: name, targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: name },
    syncPolicy: { automated: { ...AUTOMATED } },
    ...spec,
  },
});

const project = (name: string, syncWindows: unknown[]): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name, namespace: 'argocd' },
  spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', server: '*' }], syncWindows },
});

describe('core/flows against the cluster', function () {
  this.timeout(90_000);
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.seed(readManifests(CRDS));
    await cluster.seed([
      project('default', []),
      // Always inside a deny window ("* * * * *" fires every minute, open for an hour).
      project('frozen', [{ kind: 'deny', schedule: '* * * * *', duration: '1h', applications: ['*'] }]),
      project('frozen-manual', [{ kind: 'deny', schedule: '* * * * *', duration: '1h', applications: ['*'], manualSync: true }]),
      application('web'),
      application('shop', { project: 'frozen' }),
      application('cart', { project: 'frozen-manual' }),
      application('parent'),
      application('child', {}, { annotations: { 'argocd.argoproj.io/tracking-id': 'parent:argoproj.io/Application:argocd/child' } }),
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { interval: '5m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } } },
    ]);
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath });
  });
  after(async () => {
    await cluster?.stop();
  });

  const target = (name: string, extra: Partial<FlowTarget> = {}): FlowTarget => ({ client, context: cluster.contextName, ref: applicationRef('argocd', name), name, ...extra });
  const app = (name: string) => client.get(applicationRef('argocd', name));
  const run = async <T>(steps: Step[], flow: (p: ScriptedPrompter) => Promise<T>): Promise<{ result: T; prompter: ScriptedPrompter }> => {
    const prompter = new ScriptedPrompter(steps);
    const result = await flow(prompter);
    prompter.done();
    return { result, prompter };
  };

  it('prune sync on a production destination asks for the typed app name; a wrong name requests nothing, the right one syncs with prune', async () => {
    const t = target('web', { destinationContext: 'prod-eu' });
    const wrong = await run([['sync.mode', 'Sync and Prune'], ['guard.production', 'web-typo']], (p) => syncFlow(testDeps(p, { productionPattern: 'prod' }), { target: t, wait: false }));
    assert.ok(isCancelled(wrong.result));
    assert.match(wrong.prompter.asked[1].text, /^Sync with prune on production context prod-eu$/);
    assert.deepEqual(wrong.prompter.notices, [{ severity: 'warning', message: 'Sync with prune cancelled: the confirmation did not match web.' }]);
    assert.equal((await app('web')).operation, undefined, 'nothing requested');
    const right = await run([['sync.mode', 'Sync and Prune'], ['guard.production', 'web']], (p) => syncFlow(testDeps(p, { productionPattern: 'prod' }), { target: t, wait: false }));
    assert.ok(!isCancelled(right.result) && right.result.ok);
    const op = (await app('web')).operation as { sync: { prune: boolean }; initiatedBy: { username: string } };
    assert.equal(op.sync.prune, true);
    assert.equal(op.initiatedBy.username, 'test-admin (git: sre@example.test)');
    // Clear the operation for the next tests (the controller would).
    await client.patch(applicationRef('argocd', 'web'), { operation: null }, { type: 'merge', fieldManager: 'test' });
  });

  it('a plain sync outside production asks only the mode', async () => {
    const { result } = await run([['sync.mode', 'Dry Run']], (p) => syncFlow(testDeps(p, { productionPattern: 'prod' }), { target: target('web'), wait: false }));
    assert.ok(!isCancelled(result) && result.mode === 'dry-run');
    assert.equal(((await app('web')).operation as { sync: { dryRun?: boolean } }).sync.dryRun, true);
    await client.patch(applicationRef('argocd', 'web'), { operation: null }, { type: 'merge', fieldManager: 'test' });
  });

  it('explains an active deny window of the AppProject before a sync, and stops when the user does', async () => {
    const { result, prompter } = await run([['sync.mode', 'Sync'], ['syncWindow', undefined]], (p) => syncFlow(testDeps(p), { target: target('shop'), wait: false }));
    assert.ok(isCancelled(result));
    const w = prompter.asked[1];
    assert.equal(w.text, 'Sync shop: a sync window denies syncs now');
    assert.match(w.detail ?? '', /Active deny window "\* \* \* \* \*" for 1h \(UTC\), applications \* of AppProject frozen: syncs are denied until /);
    assert.match(w.detail ?? '', /Manual syncs are denied too/);
    assert.deepEqual(w.options, ['Sync Anyway']);
    assert.equal((await app('shop')).operation, undefined);
  });

  it('says that a deny window allows manual syncs (manualSync) and goes ahead when told', async () => {
    const { result, prompter } = await run([['sync.mode', 'Sync'], ['syncWindow', 'Sync']], (p) => syncFlow(testDeps(p), { target: target('cart'), wait: false }));
    assert.ok(!isCancelled(result));
    assert.equal(prompter.asked[1].text, 'Sync cart: a sync window is active');
    assert.match(prompter.asked[1].detail ?? '', /Manual syncs are allowed in this window \(manualSync: true\)/);
    assert.ok((await app('cart')).operation, 'the sync was requested');
    await client.patch(applicationRef('argocd', 'cart'), { operation: null }, { type: 'merge', fieldManager: 'test' });
  });

  it('resuming auto-sync inside a deny window explains that auto-sync waits for the window', async () => {
    const paused = await run([], (p) => pauseFlow(testDeps(p), { target: target('cart'), kind: 'auto-sync' }));
    assert.ok(!isCancelled(paused.result) && paused.result.changed);
    const { prompter } = await run([['syncWindow', 'Resume Anyway']], (p) => resumeFlow(testDeps(p), { target: target('cart'), kind: 'auto-sync' }));
    assert.equal(prompter.asked[0].text, 'Resume cart: a sync window denies automated syncs now');
    assert.match(prompter.asked[0].detail ?? '', /After the resume, auto-sync waits until a window allows it/);
    assert.deepEqual(((await app('cart')).spec as any).syncPolicy.automated, AUTOMATED);
  });

  it('offers to pause the app-of-apps parent too, and pauses both', async () => {
    const { result, prompter } = await run([['pause.warnings', 'Pause Parent Too']], (p) => pauseFlow(testDeps(p), { target: target('child'), kind: 'auto-sync' }));
    assert.ok(!isCancelled(result));
    assert.equal(prompter.asked[0].text, 'Pausing child may be undone');
    assert.match(prompter.asked[0].detail ?? '', /app-of-apps parent argocd\/parent .*self-heal/);
    assert.deepEqual(prompter.asked[0].options, ['Pause Parent Too', 'Pause Anyway']);
    for (const n of ['child', 'parent']) assert.equal(((await app(n)).spec as any).syncPolicy.automated.enabled, false, `${n} paused`);
    const parentAnnotations = (await app('parent')).metadata.annotations ?? {};
    assert.equal(JSON.parse(parentAnnotations['gitops-drift.dev/paused-by']).user, 'test-admin', 'the parent pause is audited');
  });

  it('suspends a Flux Kustomization behind the production guard', async () => {
    const t: FlowTarget = { client, context: 'prod-flux', ref: fluxRef('Kustomization', 'flux-system', 'apps'), name: 'apps' };
    const { result } = await run([['guard.production', 'apps']], (p) => pauseFlow(testDeps(p, { productionPattern: 'prod' }), { target: t, kind: 'flux-suspend' }));
    assert.ok(!isCancelled(result) && result.changed);
    assert.equal(((await client.get(t.ref)).spec as any).suspend, true);
  });

  it('breakglass start asks reason, ticket, expiry and records them with the pause; end resumes after the preview step', async () => {
    const start = await run(
      [
        ['breakglass.reason', 'INC-9 checkout down'],
        ['breakglass.ticket', 'INC-9'],
        ['breakglass.expires', '2h'],
      ],
      (p) => breakglassStartFlow(testDeps(p), { target: target('web'), defaultExpiry: '1h' }),
    );
    assert.ok(!isCancelled(start.result));
    assert.deepEqual(start.prompter.asked.map((a) => a.text), ['Breakglass on web (1/3)', 'Breakglass on web (2/3)', 'Breakglass on web (3/3)']);
    const live = await app('web');
    const record = JSON.parse(live.metadata.annotations!['gitops-drift.dev/breakglass']);
    assert.deepEqual([record.user, record.reason, record.ticket], ['test-admin', 'INC-9 checkout down', 'INC-9']);
    assert.equal(Date.parse(record.expires) - Date.parse(record.started), 2 * 3_600_000);
    assert.equal((live.spec as any).syncPolicy.automated.enabled, false);

    const previews: PreviewRequest[] = [];
    const preview = async (req: PreviewRequest) => {
      previews.push(req);
      return { summary: 'reverts 1 live edit', lines: ['Deployment web/web: spec.replicas 5 → 2'] };
    };
    const pendingDiff = { ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web' } as ObjectRef } as ResourceDiff;
    const end = await run(
      [
        ['breakglass.end', 'Resume Without Capture'],
        ['preview.breakglass-end', 'Resume'],
      ],
      (p) => breakglassEndFlow(testDeps(p, { preview }), { target: target('web'), ports: { pending: async () => [pendingDiff], capture: async () => assert.fail('not asked to capture') } }),
    );
    assert.ok(!isCancelled(end.result) && end.result.resumed);
    assert.match(end.prompter.asked[0].detail ?? '', /1 live change\(s\) are not in Git \(Deployment\/web\)/);
    assert.equal(end.prompter.asked[1].text, 'Resume web: reverts 1 live edit');
    assert.deepEqual(previews.map((r) => r.action), ['breakglass-end']);
    assert.ok(end.prompter.notices.some((n) => /No capture: when web resumes, the controller will revert the live edits/.test(n.message)));
    const after = await app('web');
    assert.deepEqual((after.spec as any).syncPolicy.automated, AUTOMATED);
    assert.ok(JSON.parse(after.metadata.annotations!['gitops-drift.dev/breakglass']).ended);
  });

  it('the impact preview offers "Capture These First" for human live edits: it captures them and does not act (issue 15)', async () => {
    await client.patch(applicationRef('argocd', 'parent'), { spec: { syncPolicy: { automated: { enabled: false } } } }, { type: 'merge', fieldManager: 'kubectl-patch' });
    const reverts = [{ ref: { group: 'apps', kind: 'Deployment', namespace: 'parent', name: 'web' }, paths: ['spec.replicas'] }];
    const captured: unknown[] = [];
    const deps = (p: ScriptedPrompter) =>
      testDeps(p, { preview: async () => ({ summary: 'reverts 1 field', lines: ['revert  Deployment parent/web spec.replicas: 5 -> 2'], reverts }), captureFirst: async (_t, r) => void captured.push(r) });
    const { result, prompter } = await run([['preview.resume', 'Capture These First']], (p) => resumeFlow(deps(p), { target: target('parent'), kind: 'auto-sync' }));
    assert.ok(isCancelled(result));
    assert.deepEqual(prompter.asked[0].options, ['Resume', 'Capture These First']);
    assert.deepEqual(captured, [reverts]);
    assert.equal(((await app('parent')).spec as any).syncPolicy.automated.enabled, false, 'not resumed');
  });

  it('breakglass end keeps the app paused when a capture did not happen', async () => {
    await run([['breakglass.reason', 'r'], ['breakglass.ticket', ''], ['breakglass.expires', '1h']], (p) => breakglassStartFlow(testDeps(p), { target: target('web') }));
    const pendingDiff = { ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web' } as ObjectRef } as ResourceDiff;
    const { result, prompter } = await run([['breakglass.end', 'Capture and Resume']], (p) => breakglassEndFlow(testDeps(p), { target: target('web'), ports: { pending: async () => [pendingDiff], capture: async () => undefined } }));
    assert.ok(!isCancelled(result));
    assert.equal(result.resumed, false);
    assert.deepEqual(result.uncaptured, ['Deployment web']);
    assert.ok(prompter.notices.some((n) => /stays paused/.test(n.message)));
    assert.equal(((await app('web')).spec as any).syncPolicy.automated.enabled, false);
  });
});
