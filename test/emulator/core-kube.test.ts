// core/kube against the API emulator loaded with the real Argo CD and Flux CRDs: discovery, list with selectors,
// typed errors, watch reconnects, fetchLiveState with tracking, cluster GitOps objects.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Emulator, readManifests, startEmulator } from './emulator';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { fetchLiveState } from '../../src/core/kube/live-state';
import { appFromArgoApplication, listClusterGitOpsObjects } from '../../src/core/kube/cluster-apps';
import type { KubeClient, WatchEvent } from '../../src/core/kube/types';
import { GitOpsError, type App, type KubeObject } from '../../src/core/model';

const CRDS = path.resolve(__dirname, './demo/crds');

const cm = (name: string, ns: string, meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...meta }, data: { k: name } });
const tracking = (id: string) => ({ annotations: { 'argocd.argoproj.io/tracking-id': id } });

async function reason(p: Promise<unknown>): Promise<GitOpsError> {
  try {
    await p;
  } catch (e) {
    return e as GitOpsError;
  }
  assert.fail('expected a rejection');
}

function kubeconfigWithToken(emu: Emulator, token: string, dir: string): string {
  const file = path.join(dir, `kc-${token.slice(0, 6)}`);
  const ca = Buffer.from(emu.caCert).toString('base64');
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: c, cluster: {server: "${emu.server}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {token: "${token}"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n`,
  );
  return file;
}

describe('core/kube against the emulator', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let client: KubeClient;
  let dir: string;

  before(async () => {
    emu = await startEmulator({ bookmarkIntervalMs: 200 });
    emu.seed(readManifests(CRDS));
    emu.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      cm('settings', 'web', { labels: { tier: 'web' }, ...tracking('guestbook:/ConfigMap:web/settings') }),
      cm('stale', 'web', tracking('guestbook:/ConfigMap:web/stale')),
      cm('unrelated', 'web', { labels: { tier: 'db' } }),
      cm('shop-config', 'shop', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
      cm('shop-orphan', 'shop', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'guestbook', namespace: 'argocd' },
        spec: { project: 'default', source: { repoURL: 'https://example.com/demo.git', path: 'web', targetRevision: 'main', directory: { recurse: true } }, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' } },
      },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { interval: '5m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } } },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'repo', namespace: 'flux-system' }, spec: { interval: '1m', url: 'https://example.com/demo.git', ref: { branch: 'main' } } },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-kube-'));
    client = createKubeClient({ kubeconfig: emu.kubeconfigPath });
  });
  after(async () => {
    await emu?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => emu.setFaults({}));

  it('discovers the CRD kinds with their resource names and scope', async () => {
    const app = await client.resolve({ group: 'argoproj.io', kind: 'Application' });
    assert.deepEqual([app.resource, app.version, app.namespaced], ['applications', 'v1alpha1', true]);
    const ks = await client.resolve({ group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' });
    assert.equal(ks.resource, 'kustomizations');
    assert.ok((await client.resolve({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' })).verbs.includes('get'));
  });

  it('lists with label selectors and namespaces', async () => {
    const web = await client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web', labelSelector: 'tier=web' });
    assert.deepEqual(web.items.map((i) => i.metadata.name), ['settings']);
    assert.equal(web.items[0].kind, 'ConfigMap');
    const all = await client.list({ group: '', kind: 'ConfigMap' }, { labelSelector: 'kustomize.toolkit.fluxcd.io/name=apps' });
    assert.deepEqual(all.items.map((i) => i.metadata.name).sort(), ['shop-config', 'shop-orphan']);
  });

  it('maps 401, 403 (naming verb and resource), 404 and 409 to typed errors', async () => {
    const bad = createKubeClient({ kubeconfig: kubeconfigWithToken(emu, 'wrong-token', dir) });
    assert.equal((await reason(bad.list({ group: '', kind: 'ConfigMap' }))).reason, 'unauthorized');
    const viewer = createKubeClient({ kubeconfig: kubeconfigWithToken(emu, emu.readOnlyToken, dir) });
    const ref = { group: 'argoproj.io', kind: 'Application', namespace: 'argocd', name: 'guestbook' };
    const forbidden = await reason(viewer.patch(ref, { metadata: { labels: { x: 'y' } } }, { type: 'merge', fieldManager: 'gitops-drift' }));
    assert.equal(forbidden.reason, 'forbidden');
    assert.match(forbidden.message, /patch applications\.argoproj\.io "guestbook" in namespace "argocd"/);
    assert.equal((await reason(client.get({ ...ref, name: 'nope' }))).reason, 'notFound');
    const stale = await reason(client.patch(ref, { metadata: { labels: { x: 'y' } } }, { type: 'merge', fieldManager: 'gitops-drift', resourceVersion: '1' }));
    assert.equal(stale.reason, 'conflict');
    assert.equal(stale.details?.status, 409);
  });

  it('applies server-side as a named field manager and honours dry run', async () => {
    const ref = { group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings' };
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' }, data: { k: 'settings', hotfix: 'on' } };
    const dry = await client.patch(ref, body, { type: 'apply', fieldManager: 'gitops-drift-breakglass', force: true, dryRun: true });
    assert.equal((dry as any).data.hotfix, 'on');
    assert.equal(((await client.get(ref)) as any).data.hotfix, undefined);
    const applied = await client.patch(ref, body, { type: 'apply', fieldManager: 'gitops-drift-breakglass', force: true });
    assert.ok(applied.metadata.managedFields?.some((m) => m.manager === 'gitops-drift-breakglass' && m.operation === 'Apply'));
  });

  it('watch survives dropped streams and a 410 relist', async () => {
    const events: WatchEvent[] = [];
    const errors: Error[] = [];
    const seen = (name: string) => events.some((e) => (e.type === 'SYNC' ? e.items.some((i) => i.metadata.name === name) : e.object.metadata.name === name));
    const until = async (cond: () => boolean, what: string) => {
      const end = Date.now() + 10_000;
      while (!cond()) {
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}; events: ${events.map((e) => e.type).join(',')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const w = client.watch({ group: '', kind: 'ConfigMap' }, { namespace: 'web', initialBackoffMs: 20, onEvent: (e) => events.push(e), onError: (e) => errors.push(e) });
    try {
      await until(() => events[0]?.type === 'SYNC', 'initial list');
      emu.setFaults({ closeWatchAfterEvents: 1 });
      emu.seed([cm('w1', 'web'), cm('w2', 'web')]);
      await until(() => seen('w1') && seen('w2'), 'events across a dropped stream');
      emu.setFaults({ closeWatchAfterEvents: 1, goneOnWatchResume: true });
      emu.seed([cm('w3', 'web')]);
      await until(() => events.some((e) => e.type === 'SYNC' && e.items.some((i) => i.metadata.name === 'w3')) || seen('w3'), 'w3');
      // The stream closes after w3's event; its resume gets 410 and the watch lists again. Clear the faults only
      // after that relist (cleared earlier, a slow resume would find the faults gone and never see the 410).
      await until(() => events.filter((e) => e.type === 'SYNC').length >= 2, 'the relist after 410');
      emu.setFaults({});
      emu.seed([cm('w4', 'web')]);
      await until(() => seen('w4'), 'w4 after faults cleared');
      assert.ok(events.filter((e) => e.type === 'SYNC').length >= 2, 'relisted after 410');
    } finally {
      w.dispose();
    }
  });

  it('fetchLiveState reads live objects by tracking with one list per type and namespace', async () => {
    const argoApp: App = { id: 'argo:argocd/guestbook', name: 'guestbook', kind: 'argo-application', namespace: 'argocd', sourceType: 'directory', destinationNamespace: 'web' };
    const fluxApp: App = { id: 'flux:flux-system/apps', name: 'apps', kind: 'flux-kustomization', namespace: 'flux-system', sourceType: 'kustomize', destinationNamespace: 'shop' };
    const state = await fetchLiveState({
      client,
      apps: [argoApp, fluxApp],
      desired: {
        [argoApp.id]: [{ object: cm('settings', 'web') }, { object: cm('missing', 'web') }],
        [fluxApp.id]: [{ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config' } } }],
      },
    });
    assert.deepEqual([...state.live.keys()].sort(), ['/ConfigMap/shop/shop-config', '/ConfigMap/web/settings']);
    assert.deepEqual(state.extra.map((e) => `${e.appId} ${e.key}`).sort(), ['argo:argocd/guestbook /ConfigMap/web/stale', 'flux:flux-system/apps /ConfigMap/shop/shop-orphan']);
    assert.equal(state.stats.lists, 2);
    assert.equal(state.stats.gets, 0);
    assert.deepEqual(state.failures, []);
  });

  it('lists the GitOps objects of the cluster and turns Applications into apps', async () => {
    const objs = await listClusterGitOpsObjects(client);
    assert.deepEqual(objs.applications.map((a) => a.metadata.name), ['guestbook']);
    assert.deepEqual(objs.kustomizations.map((a) => a.metadata.name), ['apps']);
    assert.deepEqual(objs.gitRepositories.map((a) => a.metadata.name), ['repo']);
    assert.deepEqual(objs.notServed, []);
    const app = appFromArgoApplication(objs.applications[0]);
    assert.deepEqual([app.id, app.destinationNamespace, app.repoURL, app.sourceType, app.directory?.recurse], ['argo:argocd/guestbook', 'web', 'https://example.com/demo.git', 'directory', true]);
  });

  it('authenticates through a kubeconfig exec plugin and a named context without changing current-context', async () => {
    const plugin = path.join(dir, 'cred.js');
    fs.writeFileSync(plugin, `process.stdout.write(JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: {token: ${JSON.stringify(emu.token)}, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString()}}));`);
    const ca = Buffer.from(emu.caCert).toString('base64');
    const file = path.join(dir, 'exec-config');
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: broken',
      'clusters:',
      `- {name: emu, cluster: {server: "${emu.server}", certificate-authority-data: ${ca}}}`,
      'users:',
      `- {name: exec-user, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(plugin)}], interactiveMode: Never}}}`,
      '- {name: nobody, user: {token: wrong}}',
      'contexts:',
      '- {name: broken, context: {cluster: emu, user: nobody}}',
      '- {name: via-exec, context: {cluster: emu, user: exec-user}}',
      '',
    ].join('\n');
    fs.writeFileSync(file, text);
    const viaExec = createKubeClient({ kubeconfig: file, context: 'via-exec' });
    assert.equal(viaExec.contextName, 'via-exec');
    const list = await viaExec.list({ group: 'argoproj.io', kind: 'Application' }, { namespace: 'argocd' });
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['guestbook']);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'the kubeconfig is never rewritten');
    assert.equal((await reason(createKubeClient({ kubeconfig: file }).list({ group: '', kind: 'ConfigMap' }))).reason, 'unauthorized');
  });
});
