// Schemas read from the real kube-apiserver (issue 13 item 1): its /openapi/v3, derived like the committed snapshot,
// gives the same schema for the common kinds (the same release, v1.37.2) and is read once per server version; a
// CRD present only in the cluster (no app renders it) gives its custom resources list-map semantics, and the
// verdicts agree with the server's own dry-run apply. KUBE_BACKEND=real only.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import type { KubeObject } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { builtinSchema } from '../../src/core/schema/builtinSchema';
import { ClusterSchemas } from '../../src/core/schema/clusterSchemas';
import type { CompactSchema, SchemaNode } from '../../src/core/schema/schemaTypes';
import { kubeBackend, startTestCluster, type TestCluster } from '../backend/testCluster';
import { toolPath } from '../cluster/tools';
import { specCrd } from '../schema/specCrd';

/** The kind's root type and every type reachable from it. */
function closure(s: CompactSchema, gvk: string): Record<string, SchemaNode> {
  const out: Record<string, SchemaNode> = {};
  const visit = (n: SchemaNode | undefined): void => {
    if (!n) return;
    if (n.t && !out[n.t]) {
      out[n.t] = s.types[n.t];
      visit(s.types[n.t]);
    }
    visit(n.i);
    visit(n.v);
    for (const c of Object.values(n.f ?? {})) visit(c);
  };
  visit({ t: s.kinds[gvk] });
  return out;
}

const NS = 'live-schemas';
const route = (name: string, weight: number) => ({ name, weight });
const widget = (name: string, routes: unknown[]): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: NS }, spec: { routes } }) as KubeObject;
const WIDGET_CRD = specCrd({
  group: 'example.com',
  kind: 'Widget',
  specProperties: {
    routes: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, weight: { type: 'integer' } } },
    },
  },
});

describe('schemas read from the real kube-apiserver', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let client: KubeClient;

  before(async function () {
    if (kubeBackend() !== 'real') {
      process.stderr.write('  liveSchemas.test.ts skipped: needs the real kube-apiserver (KUBE_BACKEND=real after `npm run tools`)\n');
      this.skip();
    }
    cluster = await startTestCluster();
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contextName });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('derives the same schema as the committed snapshot for the common kinds, once per server version (cached on disk)', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-live-schemas-'));
    const paths: string[] = [];
    const counting = Object.create(client) as KubeClient;
    counting.getPath = (p, signal) => {
      paths.push(p);
      return client.getPath!(p, signal);
    };
    const live = await new ClusterSchemas({ cacheDir }).openApi(counting);
    assert.ok(live, 'the cluster schema was read');
    const snapshot = builtinSchema().schema;
    const kinds = ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', '/v1/Service', '/v1/Pod', 'batch/v1/CronJob', 'networking.k8s.io/v1/Ingress', 'networking.k8s.io/v1/NetworkPolicy', 'autoscaling/v2/HorizontalPodAutoscaler', 'policy/v1/PodDisruptionBudget', 'rbac.authorization.k8s.io/v1/ClusterRole'];
    for (const gvk of kinds) {
      assert.ok(live.schema.kinds[gvk], `${gvk} is described by the server`);
      assert.equal(live.schema.kinds[gvk], snapshot.kinds[gvk], gvk);
      assert.deepEqual(closure(live.schema, gvk), closure(snapshot, gvk), `${gvk}: the same list/map types and formats as the snapshot`);
    }
    const docs = paths.filter((p) => p.startsWith('/openapi/v3/')).length;
    assert.ok(docs > 10, `the built-in group-versions' documents are fetched (${docs})`);
    assert.ok(!paths.some((p) => p.includes('example.com')), 'no CRD group-version is fetched');
    // The next engine (a restart) asks the version and the index only.
    paths.length = 0;
    const again = await new ClusterSchemas({ cacheDir }).openApi(counting);
    assert.deepEqual(again?.schema, live.schema);
    assert.deepEqual(paths, ['/version', '/openapi/v3']);
  });

  it('a CRD only the cluster has: an item added live is kept, a changed field is drift, and each verdict agrees with the server dry-run apply', async () => {
    await cluster.seed([WIDGET_CRD]);
    const git = [route('a', 1), route('b', 2)];
    await cluster.seed([widget('added', git), widget('changed', git), widget('reordered', [route('b', 2), route('a', 1)])], 'argocd-controller');
    const kubectl = (args: string[]) => execFileSync(toolPath('kubectl'), ['--kubeconfig', cluster.kubeconfigPath, '--context', cluster.contextName, '-n', NS, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    kubectl(['patch', 'widget', 'added', '--type', 'json', '-p', JSON.stringify([{ op: 'add', path: '/spec/routes/-', value: route('c', 5) }])]);
    kubectl(['patch', 'widget', 'changed', '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/routes/0/weight', value: 9 }])]);

    // The workspace has the Widgets, not their CRD.
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-live-schemas-ws-'));
    fs.mkdirSync(path.join(ws, 'widgets'));
    const yaml = ['added', 'changed', 'reordered'].map((n) => stringify(widget(n, git))).join('---\n');
    fs.writeFileSync(path.join(ws, 'widgets', 'widgets.yaml'), yaml);
    const engine = new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: false });
    const snap = await engine.compute([cluster.contextName]);
    assert.equal(snap.clusters[0].error, undefined);
    const resources = snap.clusters[0].apps.flatMap((a) => a.resources);
    const verdicts: Record<string, string> = {};
    for (const name of ['added', 'changed', 'reordered']) {
      const r = resources.find((x) => x.ref.kind === 'Widget' && x.ref.name === name);
      assert.ok(r, `${name} is diffed`);
      // Ground truth: what the server's apply of the Git object as the controller would make of spec.routes.
      const ref = { group: 'example.com', version: 'v1', kind: 'Widget', namespace: NS, name };
      const live = await client.get(ref);
      const applied = await client.patch(ref, widget(name, git), { type: 'apply', fieldManager: 'argocd-controller', force: true, dryRun: true });
      const wouldChange = JSON.stringify((applied.spec as { routes: unknown }).routes) !== JSON.stringify((live.spec as { routes: unknown }).routes);
      // What apply would change (live-only fields are kept by it: shown as hand edits, as the ground-truth suite counts them).
      const changes = r.status === 'Synced' ? [] : r.changes;
      const applyChanges = changes.filter((c) => c.category !== 'live-only').map((c) => c.path);
      assert.equal(applyChanges.length > 0, wouldChange, `${name}: offline ${JSON.stringify(changes)}, server apply ${wouldChange ? 'changes' : 'keeps'} ${JSON.stringify((live.spec as { routes: unknown }).routes)}`);
      verdicts[name] = JSON.stringify(changes.map((c) => [c.category, c.path, c.manager]));
    }
    // A map list keyed by name: the live-added route is one live-only item by its editor (atomic: the whole list would differ).
    assert.equal(verdicts.added, JSON.stringify([['live-only', 'spec.routes[name=c]', 'kubectl-patch']]));
    assert.equal(verdicts.changed, JSON.stringify([['modified', 'spec.routes[name=a].weight', 'kubectl-patch']]));
  });
});
