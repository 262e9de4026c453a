// Control actions as audited changes (issue 17.14/18.16, 17.4, 17.11, 17.12), on the emulator or (KUBE_BACKEND=real)
// the real kube-apiserver: what each action writes, read back through the API.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { readManifests } from './emulator';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { applicationRef, syncApplication } from '../../src/core/control/argo-sync';
import { fluxRef } from '../../src/core/control/flux';
import { endBreakglass, parseBreakglass, startBreakglass } from '../../src/core/control/breakglass';
import { applyLiveEdit } from '../../src/core/control/live-edit';
import { clusterUser, resolveActor, UNKNOWN_CLUSTER_USER } from '../../src/core/control/identity';
import { pauseAutoSync, resumeAutoSync } from '../../src/core/control/argo-pause';
import { resumeFlux, suspendFlux } from '../../src/core/control/flux';
import { liveEditBody } from '../../src/core/control/liveEditBody';
import type { KubeObject } from '../../src/core/model';

const CRDS = path.resolve(__dirname, './demo/crds');
const AUTOMATED = { prune: true, selfHeal: true, allowEmpty: false };

const application = (name: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://example.com/demo.git', path: 'web', targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    syncPolicy: { automated: { ...AUTOMATED } },
  },
});

const kustomization = (name: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '5m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } },
});

describe('control audit: breakglass, live edit, identity and events', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.seed(readManifests(CRDS));
    await cluster.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
      application('race'),
      kustomization('race'),
      application('who'),
      kustomization('who'),
      application('nobody'),
      application('audited'),
      kustomization('audited'),
      application('quiet'),
    ]);
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath });
  });
  after(async () => {
    await cluster?.stop();
  });

  describe('breakglass start is one guarded change (17.14, 18.16)', () => {
    for (const which of ['argo', 'flux'] as const) {
      it(`two concurrent starts on one ${which} app: exactly one succeeds, the other names the active breakglass, the record keeps the real previous settings`, async () => {
        const ref = which === 'argo' ? applicationRef('argocd', 'race') : fluxRef('Kustomization', 'flux-system', 'race');
        const start = (user: string) => startBreakglass({ client, app: ref, reason: `hotfix by ${user}`, user, supportsEnabled: true });
        const results = await Promise.allSettled([start('alice@example.com'), start('bob@example.com')]);
        const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof startBreakglass>>>[];
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        assert.equal(ok.length, 1, `exactly one start succeeds: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join(' | ')}`);
        const winner = ok[0].value.record.user;
        const loser = winner === 'alice@example.com' ? 'bob@example.com' : 'alice@example.com';
        assert.equal(failed[0].reason.reason, 'conflict');
        assert.match(String(failed[0].reason.message), new RegExp(`breakglass already active by ${winner} since \\d{4}-`));
        const live = await client.get(ref);
        const record = parseBreakglass(live)!;
        assert.equal(record.user, winner);
        assert.notEqual(record.user, loser);
        if (which === 'argo') {
          assert.deepEqual(record.previous, { automated: AUTOMATED, method: 'enabled-false' });
          assert.equal((live.spec as any).syncPolicy.automated.enabled, false);
        } else {
          assert.deepEqual(record.previous, { suspend: false });
          assert.equal((live.spec as any).suspend, true);
        }
        // Ending it restores auto-sync / unsuspends: the record was not overwritten with "was already off".
        const end = await endBreakglass({ client, app: ref, resume: true, user: winner });
        assert.equal(end.resumed, true);
        const after = await client.get(ref);
        if (which === 'argo') assert.deepEqual((after.spec as any).syncPolicy.automated, AUTOMATED);
        else assert.equal((after.spec as any).suspend, false);
      });
    }
  });
  describe('a live-object save owns only what was edited (17.4)', () => {
    it('editing one env var makes gitops-drift-breakglass own that env var (and the keys that locate it), not the containers', async () => {
      const ref = { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'shop' };
      const container = (name: string, image: string) => ({
        name,
        image,
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'REGION', value: 'eu' },
        ],
        ports: [{ containerPort: name === 'web' ? 8080 : 9090, protocol: 'TCP' }],
      });
      const deployment: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'shop', namespace: 'web', labels: { app: 'shop' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'shop' } },
          template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [container('web', 'nginx:1.27'), container('sidecar', 'busybox:1.36')] } },
        },
      };
      await client.patch(ref, deployment, { type: 'apply', fieldManager: 'argocd-controller', force: true });
      const opened = await client.get(ref);
      const edited = structuredClone(opened);
      (edited.spec as any).template.spec.containers[0].env[0].value = 'debug';
      const { body, removedPaths } = liveEditBody(opened, edited);
      assert.deepEqual(removedPaths, []);
      const saved = await applyLiveEdit(client, body!, { resourceVersion: opened.metadata.resourceVersion as string });
      const containers = (saved.spec as any).template.spec.containers;
      assert.deepEqual(containers.map((c: any) => [c.name, c.image, c.env.map((e: any) => `${e.name}=${e.value}`)]), [
        ['web', 'nginx:1.27', ['LOG_LEVEL=debug', 'REGION=eu']],
        ['sidecar', 'busybox:1.36', ['LOG_LEVEL=info', 'REGION=eu']],
      ]);
      const owned = (saved.metadata.managedFields ?? []).filter((m) => m.manager === 'gitops-drift-breakglass');
      assert.equal(owned.length, 1);
      assert.deepEqual(owned[0].fieldsV1, {
        'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:env': { 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {} } } } } },
      });
      // The GitOps controller keeps every other field, images and the other container included.
      const argo = (saved.metadata.managedFields ?? []).find((m) => m.manager === 'argocd-controller')!.fieldsV1 as any;
      const argoContainers = argo['f:spec']['f:template']['f:spec']['f:containers'];
      assert.ok(argoContainers['k:{"name":"web"}']['f:image']);
      assert.ok(argoContainers['k:{"name":"web"}']['f:env']['k:{"name":"REGION"}']);
      assert.ok(argoContainers['k:{"name":"sidecar"}']['f:env']['k:{"name":"LOG_LEVEL"}']);
    });
  });
  describe('actions name the cluster user, git identity second (17.11)', () => {
    it('on the real server, the actor is the user SelfSubjectReview names, per context', async function () {
      if (cluster.backend !== 'real') this.skip(); // Per-user contexts exist on the real server only.
      const admin = await resolveActor(client, { gitUser: 'alice@example.com' });
      assert.equal(admin.user, 'admin');
      assert.equal(admin.gitUser, 'alice@example.com');
      const nsUser = await clusterUser(createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contexts!.nsUser }));
      assert.equal(nsUser.username, 'ns-user');
    });

    it('breakglass, pause and suspend record the cluster user (or the unknown marker) with the git identity', async () => {
      const logged: string[] = [];
      const actor = await resolveActor(client, { gitUser: 'alice@example.com', log: (m) => logged.push(m) });
      // Both servers answer SelfSubjectReview (the emulator from its bearer tokens); the fallback is tested below.
      const expected = cluster.backend === 'real' ? 'admin' : 'emulator-admin';
      assert.equal(actor.user, expected);
      assert.deepEqual(logged, []);
      const app = applicationRef('argocd', 'who');
      const { record } = await startBreakglass({ client, app, reason: 'INC-9', actor, user: 'ignored@example.com', supportsEnabled: true });
      assert.deepEqual([record.user, record.gitUser], [expected, 'alice@example.com']);
      assert.deepEqual([parseBreakglass(await client.get(app))!.user, parseBreakglass(await client.get(app))!.gitUser], [expected, 'alice@example.com']);
      const ended = await endBreakglass({ client, app, resume: true, actor });
      assert.deepEqual([ended.record.endedBy, ended.record.endedByGit], [expected, 'alice@example.com']);

      await pauseAutoSync(client, app, { actor, supportsEnabled: true });
      assert.deepEqual(JSON.parse((await client.get(app)).metadata.annotations!['gitops-drift.dev/paused-by']), { user: expected, gitUser: 'alice@example.com', at: JSON.parse((await client.get(app)).metadata.annotations!['gitops-drift.dev/paused-by']).at });
      await resumeAutoSync(client, app, { actor });
      assert.equal((await client.get(app)).metadata.annotations?.['gitops-drift.dev/paused-by'], undefined);

      const ks = fluxRef('Kustomization', 'flux-system', 'who');
      await suspendFlux(client, ks, undefined, { actor });
      assert.equal(JSON.parse((await client.get(ks)).metadata.annotations!['gitops-drift.dev/paused-by']).user, expected);
      await resumeFlux(client, ks, { wait: false, actor });
      assert.equal((await client.get(ks)).metadata.annotations?.['gitops-drift.dev/paused-by'], undefined);
    });

    it('a client that cannot ask (no create, or the review refused) records the unknown marker and the action goes ahead', async () => {
      const noCreate = Object.create(client, { create: { value: undefined } }) as KubeClient;
      const actor = await resolveActor(noCreate, { gitUser: 'bob@example.com' });
      assert.deepEqual(actor, { user: 'unknown (SelfSubjectReview not available)', gitUser: 'bob@example.com' });
      const failing = Object.create(client, { create: { value: async () => Promise.reject(new Error('boom')) } }) as KubeClient;
      assert.equal((await resolveActor(failing)).user, UNKNOWN_CLUSTER_USER);
      const { record } = await startBreakglass({ client: noCreate, app: applicationRef('argocd', 'nobody'), reason: 'x', actor, supportsEnabled: true });
      assert.equal(record.user, UNKNOWN_CLUSTER_USER);
      // Without create, the audit Event is written by a server-side apply of a new name (17.12).
      const events = (await client.list({ group: '', version: 'v1', kind: 'Event' }, { namespace: 'argocd' })).items as any[];
      assert.ok(events.some((e) => e.involvedObject?.name === 'nobody' && e.reason === 'BreakglassStarted' && e.message.includes(`by ${UNKNOWN_CLUSTER_USER} (git: bob@example.com)`)));
    });
  });
  describe('control actions leave Kubernetes Events on the app (17.12)', () => {
    const actor = { user: 'admin', gitUser: 'alice@example.com' };
    const eventsOf = async (namespace: string, name: string) =>
      (await client.list({ group: '', version: 'v1', kind: 'Event' }, { namespace })).items.filter((e: any) => e.involvedObject?.name === name) as any[];

    it('breakglass start/end, pause/resume, suspend/resume and sync each emit an Event from gitops-drift naming who, why, ticket and expiry', async () => {
      const app = applicationRef('argocd', 'audited');
      const ks = fluxRef('Kustomization', 'flux-system', 'audited');
      const expiresAt = new Date(Date.now() + 3_600_000);
      await startBreakglass({ client, app, reason: 'hotfix memory leak', ticket: 'INC-42', expiresAt, actor, supportsEnabled: true });
      await endBreakglass({ client, app, resume: true, actor, commit: '0123456789abcdef' });
      await pauseAutoSync(client, app, { actor, supportsEnabled: true });
      await resumeAutoSync(client, app, { actor });
      await syncApplication(client, app, { username: 'admin' }, undefined, { actor });
      await suspendFlux(client, ks, undefined, { actor });
      await resumeFlux(client, ks, { wait: false, actor });

      const appEvents = await eventsOf('argocd', 'audited');
      assert.deepEqual(appEvents.map((e) => e.reason).sort(), ['AutoSyncPaused', 'AutoSyncResumed', 'BreakglassEnded', 'BreakglassStarted', 'SyncRequested']);
      const uid = (await client.get(app)).metadata.uid;
      for (const e of appEvents) {
        assert.deepEqual([e.involvedObject.kind, e.involvedObject.namespace, e.involvedObject.uid, e.source?.component, e.reportingComponent, e.type], ['Application', 'argocd', uid, 'gitops-drift', 'gitops-drift', 'Normal']);
        assert.match(e.message, /by admin \(git: alice@example.com\)/);
      }
      const started = appEvents.find((e) => e.reason === 'BreakglassStarted');
      assert.match(started.message, /hotfix memory leak/);
      assert.match(started.message, /ticket INC-42/);
      assert.ok(started.message.includes(`expires ${expiresAt.toISOString()}`), started.message);
      assert.match(appEvents.find((e) => e.reason === 'BreakglassEnded').message, /0123456789ab/);
      assert.deepEqual((await eventsOf('flux-system', 'audited')).map((e) => e.reason).sort(), ['Resumed', 'Suspended']);

      // Readable the usual way.
      // Asynchronously: the emulator answers from this process.
      const { stdout: kubectl } = await promisify(execFile)('kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'get', 'events', '-n', 'argocd', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
      assert.ok((JSON.parse(kubectl).items as any[]).some((e) => e.reason === 'BreakglassStarted' && e.involvedObject.name === 'audited'));
    });

    it('an Event that cannot be written is logged and the action still succeeds', async () => {
      const app = applicationRef('argocd', 'quiet');
      const refuse = async () => Promise.reject(new Error('events are forbidden here'));
      const noEvents = Object.create(client, {
        create: { value: (t: any, b: any, o: any) => (t.kind === 'Event' ? refuse() : client.create!(t, b, o)) },
        patch: { value: (r: any, b: any, o: any) => (r.kind === 'Event' ? refuse() : client.patch(r, b, o)) },
      }) as KubeClient;
      const logged: string[] = [];
      const { record } = await startBreakglass({ client: noEvents, app, reason: 'no events', actor, log: (m) => logged.push(m), supportsEnabled: true });
      assert.equal(record.user, 'admin');
      assert.equal(((await client.get(app)).spec as any).syncPolicy.automated.enabled, false);
      assert.match(logged.join('\n'), /could not record event BreakglassStarted.*events are forbidden here/);
      await endBreakglass({ client: noEvents, app, resume: true, actor, log: (m) => logged.push(m) });
      assert.match(logged.join('\n'), /BreakglassEnded/);
    });
  });
});
