// Issue 14 item 2 in the engine: a HelmRelease whose chart is remote (HelmRepository) is compared using the
// release Helm stored in the cluster (Helm's own managed-by label and release annotations are no drift); a Secret list that
// is forbidden, or no deployed release, is an error on the app (never an empty "in sync"); live edits are drift.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const HR = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
  namespace: data
spec:
  interval: 1h
  chart:
    spec:
      chart: redis
      version: 17.x
      sourceRef: {kind: HelmRepository, name: bitnami, namespace: flux-system}
`;
const LABELS = { 'helm.toolkit.fluxcd.io/name': 'redis', 'helm.toolkit.fluxcd.io/namespace': 'data' };
const MANIFEST = `---
# Source: redis/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis-config
  labels:
    helm.toolkit.fluxcd.io/name: redis
    helm.toolkit.fluxcd.io/namespace: data
data:
  maxmemory: 100mb
---
# Source: redis/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  labels:
    helm.toolkit.fluxcd.io/name: redis
    helm.toolkit.fluxcd.io/namespace: data
spec:
  replicas: 1
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers: [{name: redis, image: redis:7}]
`;

function releaseSecret(version: number, status: string, manifest: string): KubeObject {
  const json = JSON.stringify({ name: 'redis', namespace: 'data', version, info: { status }, chart: { metadata: { name: 'redis', version: '17.3.0' } }, manifest });
  const helmText = gzipSync(Buffer.from(json)).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `sh.helm.release.v1.redis.v${version}`, namespace: 'data', labels: { owner: 'helm', name: 'redis', status, version: String(version) } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmText).toString('base64') },
  } as KubeObject;
}

const liveObjects = (): KubeObject[] => [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'redis-config', namespace: 'data', labels: { ...LABELS, 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'redis', 'meta.helm.sh/release-namespace': 'data' } }, data: { maxmemory: '100mb' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'redis', namespace: 'data', labels: { ...LABELS, 'app.kubernetes.io/managed-by': 'Helm' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'redis' } }, template: { metadata: { labels: { app: 'redis' } }, spec: { containers: [{ name: 'redis', image: 'redis:7' }] } } } },
];

describe('engine: HelmRelease apps with a remote chart (stored release)', function () {
  this.timeout(30_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-hr-engine-'));
    mkdirSync(path.join(ws, 'apps'), { recursive: true });
    writeFileSync(path.join(ws, 'apps', 'redis.yaml'), HR);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  const hrLive = (): KubeObject => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'data' }, spec: { interval: '1h', chart: { spec: { chart: 'redis', version: '17.x', sourceRef: { kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system' } } } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as KubeObject);
  const engineFor = (client: FakeKubeClient) => new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: true });

  it('compares live with the deployed release (not a superseded one): Synced, then a live edit is drift', async () => {
    const client = new FakeKubeClient([hrLive(), releaseSecret(1, 'superseded', MANIFEST.replace('100mb', '50mb')), releaseSecret(2, 'deployed', MANIFEST), ...liveObjects()]);
    const engine = engineFor(client);
    let snap = await engine.compute(['fake']);
    const app = snap.clusters[0].apps.find((a) => a.app.id === 'flux-helmrelease:data/redis');
    assert.ok(app, snap.clusters[0].apps.map((a) => a.app.id).join(', '));
    assert.equal(app.app.kind, 'flux-helmrelease');
    assert.deepEqual(app.errors.map((e) => e.message), []);
    assert.match(app.app.problem ?? '', /compared with the release stored in the cluster/);
    assert.deepEqual(app.resources.map((r) => `${r.ref.kind}/${r.ref.name}:${r.status}`).sort(), ['ConfigMap/redis-config:Synced', 'Deployment/redis:Synced']);
    assert.equal(app.state.controller, 'flux');
    // The owner-label LIST narrowed to this HelmRelease, and the release Secrets by Helm's labels.
    assert.ok(client.calls.some((c) => c.verb === 'list' && c.type === 'Secret' && c.labelSelector === 'owner=helm,name=redis'));
    assert.ok(client.calls.some((c) => c.verb === 'list' && c.labelSelector === 'helm.toolkit.fluxcd.io/name=redis,helm.toolkit.fluxcd.io/namespace=data'));

    const d = client.peek({ group: 'apps', kind: 'Deployment', namespace: 'data', name: 'redis' })!;
    (d.spec as { replicas: number }).replicas = 4;
    client.put(d);
    snap = await engine.compute(['fake']);
    const again = snap.clusters[0].apps.find((a) => a.app.id === 'flux-helmrelease:data/redis')!;
    const deploy = again.resources.find((r) => r.ref.kind === 'Deployment')!;
    assert.equal(deploy.status, 'Modified');
    assert.deepEqual(deploy.changes.map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 1, 4]]);
  });

  it('a forbidden read of the release Secrets is an error on the app, not "in sync"', async () => {
    const client = new FakeKubeClient([hrLive(), releaseSecret(1, 'deployed', MANIFEST), ...liveObjects()]);
    client.failures.push({ match: 'list Secret in data', error: new GitOpsError('forbidden', 'secrets is forbidden: User "dev" cannot list resource "secrets" in namespace "data"') });
    const snap = await engineFor(client).compute(['fake']);
    const app = snap.clusters[0].apps.find((a) => a.app.id === 'flux-helmrelease:data/redis')!;
    assert.equal(app.errors[0]?.reason, 'forbidden');
    assert.match(app.errors[0].message, /release Secrets in data cannot be read/);
    assert.ok(!app.resources.some((r) => r.status === 'Synced'), JSON.stringify(app.resources.map((r) => r.status)));
  });

  it('no deployed release: an error naming the release, and nothing Synced', async () => {
    const client = new FakeKubeClient([hrLive(), releaseSecret(1, 'failed', MANIFEST), ...liveObjects()]);
    const snap = await engineFor(client).compute(['fake']);
    const app = snap.clusters[0].apps.find((a) => a.app.id === 'flux-helmrelease:data/redis')!;
    assert.equal(app.errors[0]?.reason, 'notFound');
    assert.match(app.errors[0].message, /no deployed Helm release data\/redis/);
    assert.ok(!app.resources.some((r) => r.status === 'Synced'));
  });

  it('spec.driftDetection.ignore of the live HelmRelease leaves its paths out of the diff', async () => {
    const live = hrLive();
    (live.spec as Record<string, unknown>).driftDetection = { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] };
    const client = new FakeKubeClient([live, releaseSecret(1, 'deployed', MANIFEST), ...liveObjects()]);
    const d = client.peek({ group: 'apps', kind: 'Deployment', namespace: 'data', name: 'redis' })!;
    (d.spec as { replicas: number }).replicas = 4;
    client.put(d);
    const snap = await engineFor(client).compute(['fake']);
    const app = snap.clusters[0].apps.find((a) => a.app.id === 'flux-helmrelease:data/redis')!;
    assert.deepEqual(app.resources.map((r) => `${r.ref.kind}:${r.status}`).sort(), ['ConfigMap:Synced', 'Deployment:Synced']);
  });
});
