// Issue 14 item 2: a Flux HelmRelease's chart from a HelmRepository / OCIRepository is rendered when helm's local
// cache holds it. Charts are packaged and indexed by the pinned helm into a temporary HELM_CACHE_HOME; the
// version range resolves as helm-controller resolves it (highest allowed in the cached index, no pre-releases
// unless asked), the archive must have the index's digest, and without it the app says where the chart would
// come from and keeps the stored-release comparison.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { discoverApps } from '../../../src/core/discovery';
import { appsForCluster } from '../../../src/core/discovery/appsForCluster';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { extractChartArchive } from '../../../src/core/render/chartArchive';
import { helmCachePaths } from '../../../src/core/render/helmRepoCache';
import { highestMatching } from '../../../src/core/render/semverRange';

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const REPO_URL = 'https://charts.example.com/stable';
const hr = (name: string, chart: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: apps
spec:
  interval: 10m
${chart}`;

describe('HelmRelease charts from helm\'s repository cache (issue 14 item 2)', function () {
  this.timeout(60_000);
  let tmp: string;
  let ws: string;
  let cache: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_REPOSITORY_CACHE', 'HELM_REPOSITORY_CONFIG', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME'];

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-helmcache-'));
    for (const k of ENV) saved[k] = process.env[k];
    for (const k of ENV) delete process.env[k];
    process.env.HELM_CACHE_HOME = path.join(tmp, 'cache');
    process.env.HELM_CONFIG_HOME = path.join(tmp, 'config');
    cache = path.join(tmp, 'cache', 'repository');
    mkdirSync(cache, { recursive: true });
    const src = path.join(tmp, 'src', 'app');
    write(src, 'Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.0.1\n');
    write(src, 'values.yaml', 'greeting: hello\n');
    write(src, 'values-prod.yaml', 'greeting: prod\n');
    write(src, 'templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  version: {{ .Chart.Version | quote }}\n  greeting: {{ .Values.greeting | quote }}\n');
    for (const v of ['1.2.0', '1.3.0', '1.4.0-rc.1', '2.0.0']) execFileSync('helm', ['package', src, '--version', v, '-d', cache], { stdio: 'pipe' });
    execFileSync('helm', ['repo', 'index', cache, '--url', REPO_URL], { stdio: 'pipe' });
    renameSync(path.join(cache, 'index.yaml'), path.join(cache, 'example-index.yaml'));
    write(path.join(tmp, 'config'), 'repositories.yaml', `apiVersion: ""\nrepositories:\n  - name: example\n    url: ${REPO_URL}/\n`);

    ws = path.join(tmp, 'ws');
    write(ws, 'sources.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: example\n  namespace: flux-system\nspec:\n  url: ${REPO_URL}\n---\napiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  url: oci://ghcr.io/acme/charts/app\n  ref:\n    tag: 1.2.0\n`);
    const fromRepo = (version: string, extra = '') => `  chart:\n    spec:\n      chart: app\n      version: "${version}"\n${extra}      sourceRef: {kind: HelmRepository, name: example, namespace: flux-system}\n`;
    write(ws, 'web.yaml', hr('web', fromRepo('1.x') + '  values:\n    greeting: hi\n'));
    write(ws, 'prod.yaml', hr('prod', fromRepo('>=1.2.0, <2.0.0', '      valuesFiles: [values-prod.yaml]\n')));
    write(ws, 'future.yaml', hr('future', fromRepo('~3.0')));
    write(ws, 'oci.yaml', hr('oci', '  chartRef: {kind: OCIRepository, name: app, namespace: flux-system}\n'));
  });
  after(() => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  const apps = async (): Promise<Map<string, App>> => new Map((await discoverApps([ws], { repos: [] })).filter((a) => a.kind === 'flux-helmrelease').map((a) => [a.name, a]));
  const render = async (app: App) => {
    const r = await renderApp(app, { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors.map((e) => e.message), []);
    return r.objects.map((o) => o.object);
  };

  it('resolves the version range in the cached index and renders the cached archive', async () => {
    const web = (await apps()).get('web')!;
    assert.equal(web.problem, undefined);
    assert.equal(web.path, path.join(cache, 'app-1.3.0.tgz'));
    assert.equal(web.helmRelease?.local, true);
    assert.equal(web.helmRelease?.chartSource, 'HelmRepository flux-system/example chart app 1.x → 1.3.0 from example-index.yaml (helm cache)');
    const [cm] = await render(web);
    assert.equal(cm.metadata.name, 'web');
    assert.equal(cm.metadata.namespace, 'apps');
    assert.deepEqual((cm as { data?: unknown }).data, { version: '1.3.0', greeting: 'hi' });
    assert.equal(cm.metadata.labels?.['helm.toolkit.fluxcd.io/name'], 'web');
  });

  it('valuesFiles of a packaged chart are read inside the chart; an OCIRepository chart is found by name and tag', async () => {
    const all = await apps();
    const [prod] = await render(all.get('prod')!);
    assert.deepEqual((prod as { data?: unknown }).data, { version: '1.3.0', greeting: 'prod' });
    const oci = all.get('oci')!;
    assert.equal(oci.path, path.join(cache, 'app-1.2.0.tgz'));
    const [cm] = await render(oci);
    assert.deepEqual((cm as { data?: unknown }).data, { version: '1.2.0', greeting: 'hello' });
  });

  it('without the archive (or with another one) the app keeps the stored release and says where the chart would come from', async () => {
    const future = (await apps()).get('future')!;
    assert.equal(future.helmRelease?.local, false);
    assert.equal(future.path, undefined);
    assert.match(future.problem!, /chart from HelmRepository flux-system\/example chart app ~3\.0 is not in the workspace or helm's cache: https:\/\/charts\.example\.com\/stable chart app ~3\.0: no version of app in the cached index allows ~3\.0; compared with the release stored in the cluster/);
    const archive = path.join(cache, 'app-1.3.0.tgz');
    renameSync(archive, `${archive}.away`);
    writeFileSync(archive, 'not the archive the index names');
    try {
      const web = (await apps()).get('web')!;
      assert.equal(web.path, undefined);
      assert.match(web.problem!, /resolves to 1\.3\.0 in example-index\.yaml, but app-1\.3\.0\.tgz is not in helm's cache .*\(helm pull app --repo https:\/\/charts\.example\.com\/stable --version 1\.3\.0 -d .*\); compared with the release stored in the cluster$/);
    } finally {
      renameSync(`${archive}.away`, archive);
    }
  });

  it('follows the chart version the cluster runs (live status); one helm has not cached falls back to the stored release', async () => {
    const web = (await apps()).get('web')!;
    const live = (chartVersion: string) => ({ ...web.definition!, status: { history: [{ chartName: 'app', chartVersion, status: 'deployed' }] } });
    const [older] = appsForCluster([web], [live('1.2.0')], []).filter((a) => a.name === 'web');
    assert.equal(older.path, path.join(cache, 'app-1.2.0.tgz'));
    assert.equal(older.helmRelease?.chartSource, 'HelmRepository flux-system/example chart app 1.x → 1.2.0 (installed) from example-index.yaml (helm cache)');
    const [cm] = await render(older);
    assert.deepEqual((cm as { data?: unknown }).data, { version: '1.2.0', greeting: 'hi' });
    const [newer] = appsForCluster([web], [live('1.9.0')], []).filter((a) => a.name === 'web');
    assert.equal(newer.path, undefined);
    assert.equal(newer.helmRelease?.local, false);
    assert.match(newer.problem!, /is not in helm's cache at the version the cluster runs \(1\.9\.0; the cached index resolves 1\.x to 1\.3\.0: helm repo update, then helm pull app --repo https:\/\/charts\.example\.com\/stable --version 1\.9\.0\); compared with the release stored in the cluster$/);
    const [same] = appsForCluster([web], [live('1.3.0')], []).filter((a) => a.name === 'web');
    assert.equal(same.path, web.path);
  });

  it('finds helm\'s folders as helm does', () => {
    assert.deepEqual(helmCachePaths({}, 'linux', '/home/u'), { repositoryCache: '/home/u/.cache/helm/repository', repositoryConfig: '/home/u/.config/helm/repositories.yaml' });
    assert.deepEqual(helmCachePaths({ XDG_CACHE_HOME: '/x/cache', XDG_CONFIG_HOME: '/x/config' }, 'linux', '/home/u'), { repositoryCache: '/x/cache/helm/repository', repositoryConfig: '/x/config/helm/repositories.yaml' });
    assert.deepEqual(helmCachePaths({ HELM_CACHE_HOME: '/h', XDG_CACHE_HOME: '/x', HELM_REPOSITORY_CONFIG: '/r.yaml' }, 'linux', '/home/u'), { repositoryCache: '/h/repository', repositoryConfig: '/r.yaml' });
    assert.equal(helmCachePaths({}, 'darwin', '/Users/u').repositoryCache, '/Users/u/Library/Caches/helm/repository');
  });

  it('version ranges as helm-controller reads them', () => {
    const vs = ['1.2.0', '1.3.0', '1.4.0-rc.1', '2.0.0', '0.2.5', '0.3.0'];
    const cases: Array<[string, string | undefined]> = [
      ['*', '2.0.0'],
      ['', '2.0.0'],
      ['1.x', '1.3.0'],
      ['1.2', '1.2.0'],
      ['~1.2', '1.2.0'],
      ['^1.2', '1.3.0'],
      ['^0.2.1', '0.2.5'],
      ['>=1.2.0 <2.0.0', '1.3.0'],
      ['>= 1.2.0, < 2.0.0', '1.3.0'],
      ['1.0.0 - 1.2.9', '1.2.0'],
      ['>=1.4.0-rc.0 <2.0.0', '1.4.0-rc.1'],
      ['<1.0.0 || 1.2.0', '1.2.0'],
      ['!=2.0.0', '1.3.0'],
      ['3.x', undefined],
      ['not a range', undefined],
    ];
    assert.deepEqual(cases.map(([c]) => [c, highestMatching(c, vs)]), cases);
  });

  it('an archive entry leaving the destination is refused', async () => {
    const header = (name: string, size: number) => {
      const b = Buffer.alloc(512);
      b.write(name, 0);
      b.write(size.toString(8).padStart(11, '0'), 124);
      b.write('0', 156);
      return b;
    };
    const body = Buffer.alloc(512);
    body.write('x');
    const file = path.join(tmp, 'evil.tgz');
    writeFileSync(file, gzipSync(Buffer.concat([header('app/../../evil.txt', 1), body, Buffer.alloc(1024)])));
    await assert.rejects(extractChartArchive(file, path.join(tmp, 'out')), /entry "app\/\.\.\/\.\.\/evil\.txt" leaves the archive/);
  });
});
