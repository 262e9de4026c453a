// The cluster's own schemas: /openapi/v3 read once per server version and cached on disk (across engine
// instances), a failed read falls back to the snapshot and is not cached, and a CRD only the cluster has gives
// its custom resources their list-map semantics.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import { nodeProcessRunner, type Logger } from '../../../src/core/ports';
import { builtinSchema } from '../../../src/core/schema/builtinSchema';
import { ClusterSchemas, isBuiltinGroupVersionPath } from '../../../src/core/schema/clusterSchemas';
import { FAKE_TYPES, FakeKubeClient } from '../kube/fake-kube-client';
import { specCrd } from '../../schema/specCrd';

const OPENAPI_DIR = path.join(__dirname, '..', '..', 'fixtures', 'kubernetes-openapi-v3');

/** A fake cluster serving /version and /openapi/v3 from the vendored v1.37.2 documents, counting each path. */
class OpenApiClient extends FakeKubeClient {
  readonly paths: string[] = [];
  failOpenApi?: GitOpsError;
  /** Serve every kind as an API emulator does: a root that preserves unknown fields, nothing about its fields. */
  permissive = false;
  gitVersion = 'v1.37.2';
  async getPath(p: string): Promise<unknown> {
    this.paths.push(p);
    if (p === '/version') return { gitVersion: this.gitVersion };
    if (this.failOpenApi) throw this.failOpenApi;
    const files = readdirSync(OPENAPI_DIR).filter((f) => f.endsWith('_openapi.json'));
    if (p === '/openapi/v3') {
      const paths: Record<string, { serverRelativeURL: string }> = { 'apis/argoproj.io/v1alpha1': { serverRelativeURL: '/openapi/v3/apis/argoproj.io/v1alpha1?hash=C' } };
      for (const f of files) {
        const gv = f.replace(/_openapi\.json$/, '').split('__').join('/');
        paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.permissive ? 'P' : 'H'}${gv.length}` };
      }
      return { paths };
    }
    const gv = p.replace(/^\/openapi\/v3\//, '').replace(/\?.*$/, '');
    if (this.permissive) {
      const gvk = [{ group: gv.split('/').length === 3 ? gv.split('/')[1] : '', version: gv.split('/').at(-1), kind: 'Thing' }];
      return { components: { schemas: { [`x.${gv}.Thing`]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-group-version-kind': gvk } } } };
    }
    assert.ok(isBuiltinGroupVersionPath(gv), `only built-in group-versions are fetched, not ${gv}`);
    return JSON.parse(readFileSync(path.join(OPENAPI_DIR, `${gv.split('/').join('__')}_openapi.json`), 'utf8'));
  }
  docs(): string[] {
    return this.paths.filter((p) => p.startsWith('/openapi/v3/'));
  }
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, trace() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

const WIDGET_CRD = specCrd({
  group: 'example.com',
  kind: 'Widget',
  metadata: { uid: 'crd-1', resourceVersion: '7' },
  specProperties: {
    routes: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer' } } } },
  },
});

async function workspace(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-schema-'));
  await fs.mkdir(path.join(root, 'web'));
  await fs.writeFile(
    path.join(root, 'web', 'widget.yaml'),
    'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: web\nspec:\n  routes:\n  - name: a\n    weight: 1\n  - name: b\n    weight: 2\n',
  );
  return root;
}

const liveWidget = (routes: unknown[]): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'web', uid: 'w-1', resourceVersion: '3' }, spec: { routes } });
const WIDGET_TYPES = [...FAKE_TYPES, { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, verbs: ['get', 'list', 'watch', 'patch'], preferred: true }];

describe('schemas read from the cluster', () => {
  it('derives /openapi/v3 into the snapshot form, once per server version, cached on disk across engine instances', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-schema-cache-'));
    const client = new OpenApiClient();
    const a = new ClusterSchemas({ cacheDir });
    const s1 = await a.openApi(client);
    assert.ok(s1, 'the cluster schema was read');
    assert.deepEqual(s1.schema.kinds, builtinSchema().schema.kinds, 'same documents → same kinds as the committed snapshot');
    assert.deepEqual(s1.schema.types, builtinSchema().schema.types);
    const fetched = client.docs().length;
    assert.ok(fetched >= 18, `every built-in group-version document is fetched (${fetched})`);
    assert.equal(await a.openApi(client), s1, 'the same engine asks once');
    assert.equal(client.docs().length, fetched);
    // A new instance (editor restart, next CLI run): only /version is asked, the documents come from the disk.
    const b = new ClusterSchemas({ cacheDir });
    const s2 = await b.openApi(client);
    assert.deepEqual(s2?.schema, s1.schema);
    assert.equal(client.docs().length, fetched, 'no document fetched again for the same server version');
    // A new server version is fetched again.
    client.gitVersion = 'v1.37.3';
    await new ClusterSchemas({ cacheDir }).openApi(client);
    assert.equal(client.docs().length, 2 * fetched);
  });

  it('documents that describe no field of a kind (an API emulator) are no schema: the snapshot answers, nothing is cached', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-schema-cache-'));
    const client = new OpenApiClient();
    client.permissive = true;
    const log = recordingLog();
    assert.equal(await new ClusterSchemas({ cacheDir, log }).openApi(client), undefined);
    assert.ok(log.warnings.some((w) => /describes the fields of no built-in kind/.test(w)), log.warnings.join('\n'));
    assert.equal(existsSync(path.join(cacheDir, 'openapi-v3-cache-v1')), false);
    // The same version served with real documents is read then (the key has the documents' hashes).
    client.permissive = false;
    assert.ok(await new ClusterSchemas({ cacheDir, log }).openApi(client));
  });

  it('a forbidden /openapi/v3 falls back to the snapshot, is logged, is not cached, and the app is diffed normally', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-schema-cache-'));
    const root = await workspace();
    const client = new OpenApiClient([liveWidget([{ name: 'a', weight: 1 }, { name: 'b', weight: 2 }])], WIDGET_TYPES);
    client.failOpenApi = new GitOpsError('forbidden', 'Forbidden: you may not get /openapi/v3', { status: 403 });
    const log = recordingLog();
    const engine = new DriftEngine({ roots: [root], clientFor: () => client, runner: nodeProcessRunner, trusted: false, schemaCacheDir: cacheDir, log });
    const snap = await engine.compute(['fake']);
    assert.equal(snap.clusters[0].error, undefined);
    assert.equal(snap.clusters[0].apps[0].resources[0].status, 'Synced');
    assert.ok(log.warnings.some((w) => /OpenAPI failed.*Forbidden/.test(w)), log.warnings.join('\n'));
    assert.equal(existsSync(path.join(cacheDir, 'openapi-v3-cache-v1')) && readdirSync(path.join(cacheDir, 'openapi-v3-cache-v1')).length > 0, false, 'no failure on disk');
    // Allowed again: a new engine reads and caches it.
    client.failOpenApi = undefined;
    const engine2 = new DriftEngine({ roots: [root], clientFor: () => client, runner: nodeProcessRunner, trusted: false, schemaCacheDir: cacheDir });
    await engine2.compute(['fake']);
    assert.ok(client.docs().length >= 18);
    assert.equal(readdirSync(path.join(cacheDir, 'openapi-v3-cache-v1')).length, 1);
  });

  it('a CRD only the cluster has gives its custom resources list-map semantics (an item added live is no drift, a change of an item’s field is); forbidden list falls back', async () => {
    const root = await workspace();
    const statusOf = async (withCrd: boolean, routes: unknown[], failList = false) => {
      const client = new OpenApiClient([liveWidget(routes), ...(withCrd ? [WIDGET_CRD] : [])], WIDGET_TYPES);
      if (failList) client.failures.push({ match: 'list CustomResourceDefinition', error: new GitOpsError('forbidden', 'Forbidden: you may not list customresourcedefinitions', { status: 403 }) });
      const log = recordingLog();
      const engine = new DriftEngine({ roots: [root], clientFor: () => client, runner: nodeProcessRunner, trusted: false, log });
      const r = (await engine.compute(['fake'])).clusters[0].apps[0].resources[0];
      return { status: r.status, paths: r.status === 'Synced' ? [] : r.changes.map((c) => c.path), warnings: log.warnings };
    };
        const addedLive = [{ name: 'a', weight: 1 }, { name: 'b', weight: 2 }, { name: 'c', weight: 5 }];
    const added = await statusOf(true, addedLive);
    assert.equal(added.status, 'Synced', `a map list: an item only live is kept by apply, no drift (${added.paths.join(',')})`);
    assert.equal((await statusOf(false, addedLive)).status, 'Modified', 'without the CRD the list is atomic: apply would drop the live item');
    const changed = await statusOf(true, [{ name: 'b', weight: 2 }, { name: 'a', weight: 9 }]);
    assert.equal(changed.status, 'Modified');
    assert.ok(changed.paths.some((p) => p.includes('weight')), `the changed item's field, not the whole list: ${changed.paths.join(',')}`);
    const forbidden = await statusOf(true, addedLive, true);
    assert.equal(forbidden.status, 'Modified', 'forbidden CRD list: no schema, the list is atomic');
    assert.ok(forbidden.warnings.some((w) => /CustomResourceDefinitions failed/.test(w)));
  });
});
