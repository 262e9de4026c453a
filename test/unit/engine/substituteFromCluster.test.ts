// Issue 14 item 1 (substituteFrom from the cluster) in the engine: the ConfigMaps / Secrets a Flux Kustomization
// names are taken from the workspace when it declares them, else read live from the cluster of the comparison;
// `optional: true` ones may be missing; a forbidden read or a missing required one is an error on the app (never a
// render without the values, never "in sync"); Secret values never appear in a message.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const KS = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 10m
  path: ./app
  prune: true
  targetNamespace: app
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
      - kind: ConfigMap
        name: ws-vars
      - kind: Secret
        name: app-creds
      - kind: ConfigMap
        name: extra
        optional: true
`;
const LABELS = { 'kustomize.toolkit.fluxcd.io/name': 'app', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

const cm = (name: string, ns: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data });

describe('engine: Flux substituteFrom read from the cluster when the workspace does not hold it', function () {
  this.timeout(30_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-subst-'));
    mkdirSync(path.join(ws, 'clusters/dev'), { recursive: true });
    mkdirSync(path.join(ws, 'app'), { recursive: true });
    writeFileSync(path.join(ws, 'clusters/dev/app.yaml'), KS);
    // Declared in Git: the workspace's value wins over the cluster's.
    writeFileSync(path.join(ws, 'clusters/dev/ws-vars.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ws-vars\n  namespace: flux-system\ndata:\n  TIER: web\n');
    writeFileSync(path.join(ws, 'app/settings.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  region: ${REGION}\n  tier: ${TIER}\n  user: ${DB_USER}\n  extra: ${EXTRA:=none}\n');
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  const liveKs = (): KubeObject => ({ ...(JSON.parse(JSON.stringify({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'app', namespace: 'flux-system' } })) as KubeObject), spec: { interval: '10m', path: './app', prune: true, targetNamespace: 'app', sourceRef: { kind: 'GitRepository', name: 'flux-system' }, postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }, { kind: 'ConfigMap', name: 'ws-vars' }, { kind: 'Secret', name: 'app-creds' }, { kind: 'ConfigMap', name: 'extra', optional: true }] } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const clusterObjects = (): KubeObject[] => [
    liveKs(),
    cm('cluster-vars', 'flux-system', { REGION: 'ap-south-1' }),
    cm('ws-vars', 'flux-system', { TIER: 'live-only-value' }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-creds', namespace: 'flux-system' }, data: { DB_USER: b64('svc-TOPSECRET') } } as KubeObject,
    cm('settings', 'app', { region: 'ap-south-1', tier: 'web', user: 'svc-TOPSECRET', extra: 'none' }, LABELS),
  ];
  const appOf = async (client: FakeKubeClient) => {
    const snap = await new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: true }).compute(['fake']);
    const app = snap.clusters[0].apps.find((a) => a.app.id === 'flux:flux-system/app');
    assert.ok(app, snap.clusters[0].apps.map((a) => a.app.id).join(', '));
    return app;
  };

  it('values the workspace lacks are read live; the workspace copy wins; an optional absent one is skipped', async () => {
    const client = new FakeKubeClient(clusterObjects());
    const app = await appOf(client);
    assert.deepEqual(app.errors.map((e) => e.message), []);
    assert.deepEqual(app.resources.map((r) => `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}:${r.status}`), ['ConfigMap/app/settings:Synced']);
    const gets = client.calls.filter((c) => c.verb === 'get').map((c) => `${c.type}/${c.name}`);
    assert.ok(gets.includes('ConfigMap/cluster-vars') && gets.includes('Secret/app-creds') && gets.includes('ConfigMap/extra'), gets.join(', '));
    assert.ok(!gets.includes('ConfigMap/ws-vars'), 'declared in the workspace: not read live');
  });

  it('a live value change shows as drift of the rendered object after a full refresh', async () => {
    const client = new FakeKubeClient(clusterObjects());
    const engine = new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
    await engine.compute(['fake']);
    client.put(cm('cluster-vars', 'flux-system', { REGION: 'us-east-1' }));
    const snap = await engine.compute(['fake']);
    const r = snap.clusters[0].apps.find((a) => a.app.id === 'flux:flux-system/app')!.resources[0];
    assert.equal(r.status, 'Modified');
    assert.deepEqual(r.changes.map((c) => [c.path, c.desired, c.live]), [['data.region', 'us-east-1', 'ap-south-1']]);
  });

  it('a forbidden read is an error on the app, with no Secret value in it, and nothing Synced', async () => {
    const client = new FakeKubeClient(clusterObjects());
    client.failures.push({ match: 'get Secret app-creds', error: new GitOpsError('forbidden', 'secrets "app-creds" is forbidden: User "dev" cannot get resource "secrets"') });
    const app = await appOf(client);
    assert.equal(app.errors[0]?.reason, 'forbidden');
    assert.match(app.errors[0].message, /substitute from 'Secret\/app-creds' error: .*forbidden/);
    assert.ok(!JSON.stringify(app.errors.map((e) => e.message)).includes('TOPSECRET'));
    assert.ok(!app.resources.some((r) => r.status === 'Synced'), JSON.stringify(app.resources));
  });

  it('a required object in neither place is an error naming it', async () => {
    const client = new FakeKubeClient(clusterObjects().filter((o) => o.metadata.name !== 'cluster-vars'));
    const app = await appOf(client);
    assert.equal(app.errors[0]?.reason, 'notFound');
    assert.match(app.errors[0].message, /ConfigMap flux-system\/cluster-vars not found/);
  });
});
