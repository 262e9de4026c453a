// Issue 14 item 5: the ApplicationSet clusters generator. The cases mirror argo-cd's
// applicationset/generators/cluster_test.go (TestGenerateParams / TestGenerateParamsGoTemplate: the same two
// Secrets, selectors and values, the same expected parameter sets, plus v3's `project`), then the generator inside
// matrix / merge on argo-cd's own examples, offline from workspace Secret manifests, and per cluster.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverApps } from '../../../src/core/discovery';
import { clusterGenerator, clusterSecretOf, type ClusterSecret } from '../../../src/core/discovery/appSetClusters';
import { expandGenerator, NEEDS_CLUSTER } from '../../../src/core/discovery/appSetGenerators';
import { appSetsForCluster } from '../../../src/core/discovery/appSetsForCluster';
import { appsFromApplicationSet } from '../../../src/core/discovery/argoApps';
import type { KubeObject } from '../../../src/core/model';
import { parseManifests } from '../../../src/core/yaml/parseManifests';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.very-secret-bearer-token';
const secret = (name: string, labels: Record<string, string>, annotations: Record<string, string>, data: Record<string, string>): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster', ...labels }, annotations },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries({ config: JSON.stringify({ bearerToken: TOKEN }), ...data }).map(([k, v]) => [k, b64(v)])),
  }) as unknown as KubeObject;
// cluster_test.go's two Secrets.
const SECRETS: ClusterSecret[] = [
  secret('staging-01', { environment: 'staging', org: 'foo' }, { 'foo.argoproj.io': 'staging' }, { name: 'staging-01', server: 'https://staging-01.example.com' }),
  secret('production-01', { environment: 'production', org: 'bar' }, { 'foo.argoproj.io': 'production' }, { name: 'production_01/west', server: 'https://production-01.example.com' }),
].map(clusterSecretOf);

const byName = (ps: Record<string, unknown>[]) => [...ps].sort((a, b) => String(a.name).localeCompare(String(b.name)));
const flat = (name: string, nameNormalized: string, server: string, env: string, org: string, extra: Record<string, unknown> = {}) => ({
  name,
  nameNormalized,
  server,
  project: '',
  'metadata.labels.environment': env,
  'metadata.labels.org': org,
  'metadata.labels.argocd.argoproj.io/secret-type': 'cluster',
  'metadata.annotations.foo.argoproj.io': env,
  ...extra,
});
const PROD = ['production_01/west', 'production-01-west', 'https://production-01.example.com', 'production', 'bar'] as const;
const STAGING = ['staging-01', 'staging-01', 'https://staging-01.example.com', 'staging', 'foo'] as const;

describe('discovery/appSetClusters: the clusters generator (issue 14 item 5, argo-cd cluster_test.go)', () => {
  it('no selector: every cluster Secret plus the in-cluster; values rendered with the parameters, never with other values', () => {
    const values = { lol1: 'lol', lol2: '{{values.lol1}}{{values.lol1}}', foo: 'bar', bar: '{{ metadata.annotations.foo.argoproj.io }}', bat: '{{ metadata.labels.environment }}', aaa: '{{ server }}', 'no-op': '{{ this-does-not-exist }}' };
    const r = clusterGenerator({ values }, SECRETS, false);
    const v = (bar: string, bat: string, aaa: string) => ({ 'values.lol1': 'lol', 'values.lol2': '{{values.lol1}}{{values.lol1}}', 'values.foo': 'bar', 'values.bar': bar, 'values.bat': bat, 'values.aaa': aaa, 'values.no-op': '{{ this-does-not-exist }}' });
    assert.deepEqual(
      byName(r.params),
      byName([
        { name: 'in-cluster', nameNormalized: 'in-cluster', server: 'https://kubernetes.default.svc', project: '', ...v('{{ metadata.annotations.foo.argoproj.io }}', '{{ metadata.labels.environment }}', 'https://kubernetes.default.svc') },
        flat(...PROD, v('production', 'production', 'https://production-01.example.com')),
        flat(...STAGING, v('staging', 'staging', 'https://staging-01.example.com')),
      ]),
    );
  });

  it('selectors: matchLabels, matchExpressions In, both together; any selector leaves the in-cluster out', () => {
    assert.deepEqual(byName(clusterGenerator({ selector: { matchLabels: { 'argocd.argoproj.io/secret-type': 'cluster' } } }, SECRETS, false).params), byName([flat(...PROD), flat(...STAGING)]));
    assert.deepEqual(clusterGenerator({ selector: { matchLabels: { environment: 'production' } }, values: { foo: 'bar' } }, SECRETS, false).params, [flat(...PROD, { 'values.foo': 'bar' })]);
    const inBoth = { matchExpressions: [{ key: 'environment', operator: 'In', values: ['production', 'staging'] }] };
    assert.deepEqual(byName(clusterGenerator({ selector: inBoth }, SECRETS, false).params), byName([flat(...PROD), flat(...STAGING)]));
    assert.deepEqual(clusterGenerator({ selector: { ...inBoth, matchLabels: { org: 'foo' } }, values: { name: 'baz' } }, SECRETS, false).params, [flat(...STAGING, { 'values.name': 'baz' })]);
    assert.deepEqual(clusterGenerator({ selector: { matchExpressions: [{ key: 'org', operator: 'NotIn', values: ['foo'] }] } }, SECRETS, false).params.map((p) => p.name), ['production_01/west']);
    assert.deepEqual(clusterGenerator({ selector: { matchExpressions: [{ key: 'org', operator: 'DoesNotExist' }] } }, SECRETS, false).params, []);
    assert.match(clusterGenerator({ selector: { matchExpressions: [{ key: 'org', operator: 'Near', values: ['x'] }] } }, SECRETS, false).notExpanded ?? '', /clusters \(selector: "Near" is not a valid label selector operator\)/);
  });

  it('goTemplate: nested metadata (absent for the in-cluster), values rendered as Go templates', () => {
    const values = { lol1: 'lol', lol2: '{{ .values.lol1 }}{{ .values.lol1 }}', bar: '{{ if not (empty .metadata) }}{{index .metadata.annotations "foo.argoproj.io" }}{{ end }}', aaa: '{{ .server }}', 'no-op': '{{ .thisDoesNotExist }}' };
    const r = byName(clusterGenerator({ values }, SECRETS, true).params);
    const v = (bar: string, aaa: string) => ({ lol1: 'lol', lol2: '<no value><no value>', bar, aaa, 'no-op': '<no value>' });
    assert.deepEqual(r, [
      { name: 'in-cluster', nameNormalized: 'in-cluster', server: 'https://kubernetes.default.svc', project: '', values: v('', 'https://kubernetes.default.svc') },
      {
        name: 'production_01/west',
        nameNormalized: 'production-01-west',
        server: 'https://production-01.example.com',
        project: '',
        metadata: { annotations: { 'foo.argoproj.io': 'production' }, labels: { 'argocd.argoproj.io/secret-type': 'cluster', environment: 'production', org: 'bar' } },
        values: v('production', 'https://production-01.example.com'),
      },
      {
        name: 'staging-01',
        nameNormalized: 'staging-01',
        server: 'https://staging-01.example.com',
        project: '',
        metadata: { annotations: { 'foo.argoproj.io': 'staging' }, labels: { 'argocd.argoproj.io/secret-type': 'cluster', environment: 'staging', org: 'foo' } },
        values: v('staging', 'https://staging-01.example.com'),
      },
    ]);
    // missingkey=error in a value fails the generator (the set then generates nothing).
    assert.throws(() => clusterGenerator({ values: { x: '{{ .nope }}' } }, SECRETS, true, { missingKeyError: true }), /no entry for key "nope"/);
  });

  it('a Secret for https://kubernetes.default.svc replaces the in-cluster; project and flatList as Argo CD v3', () => {
    const local = clusterSecretOf(secret('local', { env: 'mgmt' }, {}, { name: 'mgmt', server: 'https://kubernetes.default.svc', project: 'platform' }));
    const r = clusterGenerator({}, [...SECRETS, local], false);
    assert.deepEqual(r.params.map((p) => [p.name, p.server, p.project]).sort(), [
      ['mgmt', 'https://kubernetes.default.svc', 'platform'],
      ['production_01/west', 'https://production-01.example.com', ''],
      ['staging-01', 'https://staging-01.example.com', ''],
    ]);
    const flatList = clusterGenerator({ flatList: true, selector: { matchLabels: { org: 'foo' } } }, SECRETS, true);
    assert.deepEqual(flatList.params.length, 1);
    assert.deepEqual((flatList.params[0].clusters as { name: string }[]).map((c) => c.name), ['staging-01']);
  });

  it("never keeps a Secret's config (credentials) or its last-applied annotation", () => {
    const s = secret('x', {}, { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { config: b64(TOKEN) } }) }, { name: 'x', server: 'https://x.example.com' });
    const kept = clusterSecretOf(s);
    const all = JSON.stringify([kept, clusterGenerator({}, [kept], true).params, clusterGenerator({}, [kept], false).params]);
    assert.ok(!all.includes(TOKEN) && !all.includes(b64(TOKEN)) && !all.includes('bearerToken'), all);
    assert.deepEqual(Object.keys(kept).sort(), ['annotations', 'labels', 'name', 'namespace', 'server']);
  });

  describe("on argo-cd's examples (applicationset/examples)", () => {
    const ARGO = path.resolve(__dirname, '../../fixtures/real-repos/argoproj__argo-cd');
    const EX = path.join(ARGO, 'applicationset/examples');
    const repos = [{ root: ARGO, urls: ['https://github.com/argoproj/argo-cd.git'] }];
    const load = async (file: string): Promise<KubeObject[]> => {
      return parseManifests(await fsp.readFile(path.join(EX, file), 'utf8'), file).docs.map((d) => d.object);
    };
    const secretsOf = () => SECRETS;

    it('cluster-example: one app per cluster; without Secrets the set says it needs the cluster', async () => {
      for (const file of ['cluster/cluster-example.yaml', 'cluster/cluster-example-fasttemplate.yaml']) {
        const [set] = await load(file);
        const none = appsFromApplicationSet(set, repos);
        assert.deepEqual(none.map((a) => a.problem), [`ApplicationSet generator clusters (${NEEDS_CLUSTER}) is not expanded locally`], file);
        const apps = appsFromApplicationSet(set, repos, undefined, secretsOf);
        assert.deepEqual(apps.map((a) => [a.name, (a.definition!.spec as { destination: { server: string } }).destination.server, a.appSet]).sort(), [
          ['in-cluster-guestbook', 'https://kubernetes.default.svc', 'argocd/guestbook'],
          ['production_01/west-guestbook', 'https://production-01.example.com', 'argocd/guestbook'],
          ['staging-01-guestbook', 'https://staging-01.example.com', 'argocd/guestbook'],
        ], file);
      }
    });

    it('matrix of git directories and clusters (a label parameter in the template)', async () => {
      const [set] = await load('matrix/cluster-and-git.yaml');
      const apps = appsFromApplicationSet(set, repos, undefined, secretsOf);
      assert.deepEqual(apps.map((a) => [a.name, (a.definition!.spec as { project: string }).project, a.path && path.relative(ARGO, a.path)]).sort(), [
        ['argo-workflows-production_01/west', 'production', 'applicationset/examples/matrix/cluster-addons/argo-workflows'],
        ['argo-workflows-staging-01', 'staging', 'applicationset/examples/matrix/cluster-addons/argo-workflows'],
        ['prometheus-operator-production_01/west', 'production', 'applicationset/examples/matrix/cluster-addons/prometheus-operator'],
        ['prometheus-operator-staging-01', 'staging', 'applicationset/examples/matrix/cluster-addons/prometheus-operator'],
      ]);
    });

    it('merge of clusters and clusters with a selector on mergeKeys server (values overridden per cluster)', async () => {
      const withLabel = SECRETS.map((s) => (s.name === 'staging-01' ? { ...s, labels: { ...s.labels, 'use-kafka': 'false' } } : s));
      for (const file of ['merge/merge-clusters-and-list.yaml', 'merge/merge-clusters-and-list-fasttemplate.yaml']) {
        const [set] = await load(file);
        const apps = appsFromApplicationSet(set, repos, undefined, () => withLabel);
        const kafka = (name: string) => (apps.find((a) => a.name === name)!.definition!.spec as { source: { helm: { parameters: { name: string; value: string }[] } } }).source.helm.parameters.find((p) => p.name === 'kafka')!.value;
        assert.deepEqual([kafka('in-cluster'), kafka('production_01/west'), kafka('staging-01')], ['true', 'true', 'false'], file);
      }
    });
  });

  it('offline: cluster Secret manifests of the workspace (stringData) expand the set; config is not read', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'gd-appset-clusters-'));
    try {
      await fsp.mkdir(path.join(root, 'apps/web'), { recursive: true });
      await fsp.writeFile(path.join(root, 'apps/web/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n');
      await fsp.writeFile(
        path.join(root, 'clusters.yaml'),
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: edge-1\n  namespace: argocd\n  labels:\n    argocd.argoproj.io/secret-type: cluster\n    tier: edge\nstringData:\n  name: Edge_1\n  server: https://edge-1.example.com\n  config: '{"bearerToken": "${TOKEN}"}'\n`,
      );
      await fsp.writeFile(
        path.join(root, 'set.yaml'),
        `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: web\n  namespace: argocd\nspec:\n  generators:\n  - clusters:\n      selector:\n        matchLabels:\n          tier: edge\n      values:\n        ns: 'web-{{metadata.labels.tier}}'\n  template:\n    metadata:\n      name: 'web-{{nameNormalized}}'\n    spec:\n      project: default\n      source:\n        repoURL: https://example.test/ws.git\n        path: apps/web\n      destination:\n        server: '{{server}}'\n        namespace: '{{values.ns}}'\n`,
      );
      const apps = await discoverApps([root], { repos: [{ root, urls: ['https://example.test/ws.git'] }], folders: false });
      assert.deepEqual(
        apps.map((a) => [a.name, a.destinationNamespace, a.path && path.relative(root, a.path), a.problem]),
        [['web-edge-1', 'web-edge', 'apps/web', undefined]],
      );
      assert.ok(!JSON.stringify(apps).includes(TOKEN));
      // Each cluster expands the set again with its own Secrets: here one more cluster, no edge label.
      const mine = appSetsForCluster(apps, [{ root, urls: ['https://example.test/ws.git'] }], () => [
        clusterSecretOf(secret('e2', { tier: 'edge' }, {}, { name: 'edge-2', server: 'https://edge-2.example.com' })),
        clusterSecretOf(secret('c', { tier: 'core' }, {}, { name: 'core', server: 'https://core.example.com' })),
      ]);
      assert.deepEqual(mine.map((a) => a.name), ['web-edge-2']);
      const unreadable = appSetsForCluster(apps, [], () => 'cannot list the Argo CD cluster Secrets in argocd: forbidden');
      assert.deepEqual(unreadable.map((a) => [a.id, a.problem]), [['argo-appset:argocd/web', 'ApplicationSet generator clusters (cannot list the Argo CD cluster Secrets in argocd: forbidden) is not expanded locally']]);
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it("matrix: the second generator is templated with each of the first's parameter sets (git files per cluster label), as Argo CD's matrix.go", async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'gd-appset-matrix-'));
    try {
      for (const [env, app] of [['staging', 'web'], ['staging', 'api'], ['production', 'web']]) {
        await fsp.mkdir(path.join(root, 'envs', env), { recursive: true });
        await fsp.writeFile(path.join(root, 'envs', env, `${app}.json`), JSON.stringify({ app, replicas: env === 'production' ? '3' : '1' }));
      }
      const r = [{ root, urls: ['https://example.test/m.git'] }];
      const matrix = (goTemplate: boolean) => ({
        matrix: {
          generators: [
            { clusters: { selector: { matchLabels: { org: goTemplate ? 'foo' : 'bar' } } } },
            { git: { repoURL: 'https://example.test/m.git', files: [{ path: goTemplate ? 'envs/{{ .metadata.labels.environment }}/*.json' : 'envs/{{metadata.labels.environment}}/*.json' }] } },
          ],
        },
      });
      const go = expandGenerator(matrix(true), r, true, { clusterSecrets: () => SECRETS });
      assert.deepEqual(go.notExpanded, []);
      assert.deepEqual(go.params.map((p) => [p.name, p.app, p.replicas]).sort(), [['staging-01', 'api', '1'], ['staging-01', 'web', '1']]);
      const flat = expandGenerator(matrix(false), r, false, { clusterSecrets: () => SECRETS });
      assert.deepEqual(flat.params.map((p) => [p.name, p.app, p['path.basename']]), [['production_01/west', 'web', 'production']]);
      // A key both give with different values (default syntax), and a matrix of three: Argo CD fails the set.
      const clash = expandGenerator({ matrix: { generators: [{ list: { elements: [{ env: 'a' }] } }, { list: { elements: [{ env: 'b' }] } }] } }, [], false);
      assert.deepEqual(clash.notExpanded, ['matrix (found duplicate key env with different value, a: a ,b: b)']);
      const three = expandGenerator({ matrix: { generators: [{ list: { elements: [{}] } }, { list: { elements: [{}] } }, { list: { elements: [{}] } }] } }, [], true);
      assert.deepEqual(three.notExpanded, ['matrix (found more than two generators, Matrix support only two)']);
      // goTemplate: the first generator's value wins a clash (mergo: the first set merged over the second).
      assert.deepEqual(expandGenerator({ matrix: { generators: [{ list: { elements: [{ env: 'a', v: { x: '1' } }] } }, { list: { elements: [{ env: 'b', v: { y: '2' } }] } }] } }, [], true).params, [{ env: 'a', v: { x: '1', y: '2' } }]);
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it("a generator's selector filters its parameter sets (flattened, as Argo CD's Transform); git values are templated", async () => {
    const list = (goTemplate: boolean) =>
      expandGenerator({ list: { elements: [{ env: 'prod', meta: { tier: 'web' } }, { env: 'dev', meta: { tier: 'web' } }, { env: 'prod', meta: { tier: 'db' } }] }, selector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'meta.tier', operator: 'In', values: ['web'] }] } }, [], goTemplate);
    assert.deepEqual(list(true).params, [{ env: 'prod', meta: { tier: 'web' } }]);
    assert.deepEqual(list(false).params.map((p) => p.env), ['prod']);
    assert.deepEqual(expandGenerator({ clusters: {}, selector: { matchLabels: { nameNormalized: 'staging-01' } } }, [], true, { clusterSecrets: () => SECRETS }).params.map((p) => p.name), ['staging-01']);
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'gd-appset-gitvalues-'));
    try {
      await fsp.mkdir(path.join(root, 'apps/web'), { recursive: true });
      const r = [{ root, urls: ['https://example.test/v.git'] }];
      const go = expandGenerator({ git: { repoURL: 'https://example.test/v.git', directories: [{ path: 'apps/*' }], values: { ns: 'team-{{ .path.basename }}' } } }, r, true);
      assert.deepEqual(go.params[0].values, { ns: 'team-web' });
      const flat = expandGenerator({ git: { repoURL: 'https://example.test/v.git', directories: [{ path: 'apps/*' }], values: { ns: 'team-{{path.basename}}' } } }, r, false);
      assert.equal(flat.params[0]['values.ns'], 'team-web');
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('expandGenerator: a clusters generator without Secrets says so (matrix names it too)', () => {
    assert.deepEqual(expandGenerator({ clusters: {} }, [], false), { params: [], notExpanded: [`clusters (${NEEDS_CLUSTER})`] });
    assert.deepEqual(expandGenerator({ matrix: { generators: [{ clusters: {} }, { list: { elements: [{ a: '1' }] } }] } }, [], false).notExpanded, [`matrix (clusters (${NEEDS_CLUSTER}))`]);
  });
});
