// Issue 14 item 5: ApplicationSet generators expanded from the workspace (argo-cd's own examples as the input).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { discoverApps } from '../../../src/core/discovery';
import { expandGenerator } from '../../../src/core/discovery/appSetGenerators';
import { appsFromApplicationSet } from '../../../src/core/discovery/argoApps';
import type { App } from '../../../src/core/model';

const ARGO = path.resolve(__dirname, '../../fixtures/real-repos/argoproj__argo-cd');
const EX = path.join(ARGO, 'applicationset/examples');
const repos = [{ root: ARGO, urls: ['https://github.com/argoproj/argo-cd.git'] }];
const appsIn = async (dir: string): Promise<App[]> => discoverApps([path.join(EX, dir)], { repos, folders: false });
const summary = (apps: App[], file: string) =>
  apps
    .filter((a) => path.basename(a.definedIn!.file) === file)
    .map((a) => [a.name, a.path && path.relative(ARGO, a.path), a.destinationNamespace, a.problem])
    .sort((x, y) => String(x[0]).localeCompare(String(y[0])));

describe('discovery/appSetGenerators (issue 14 item 5)', () => {
  it('git directories, goTemplate and {{param}} syntax alike; exclude rules drop folders', async () => {
    const apps = await appsIn('git-generator-directory');
    const want = [
      ['argo-workflows', 'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows', 'argo-workflows', undefined],
      ['prometheus-operator', 'applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator', 'prometheus-operator', undefined],
    ];
    assert.deepEqual(summary(apps, 'git-directories-example.yaml'), want);
    assert.deepEqual(summary(apps, 'git-directories-example-fasttemplate.yaml'), want);
    const excluded = summary(apps, 'git-directories-exclude-example-fasttemplate.yaml').map((a) => a[0]);
    assert.ok(excluded.length > 0 && !excluded.includes('exclude-helm-guestbook'), excluded.join(', '));
  });

  it('basenameNormalized and filenameNormalized are Argo CD SanitizeName (dots kept, edges trimmed)', async () => {
    const { promises: fsp } = await import('node:fs');
    const os = await import('node:os');
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'gd-appset-norm-'));
    try {
      await fsp.mkdir(path.join(root, 'apps', '_My_App.v2-'), { recursive: true });
      await fsp.writeFile(path.join(root, 'apps', '_My_App.v2-', 'Config.Prod.json'), '{}');
      const r = [{ root, urls: ['https://example.test/n.git'] }];
      const dirs = expandGenerator({ git: { repoURL: 'https://example.test/n.git', directories: [{ path: 'apps/*' }] } }, r, true);
      assert.equal((dirs.params[0].path as Record<string, unknown>).basenameNormalized, 'my-app.v2');
      const files = expandGenerator({ git: { repoURL: 'https://example.test/n.git', files: [{ path: 'apps/**/*.json' }] } }, r, false);
      assert.deepEqual([files.params[0]['path.basenameNormalized'], files.params[0]['path.filenameNormalized']], ['my-app.v2', 'config.prod.json']);
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('goTemplate functions and conditionals are evaluated; a template error generates no app and says why', () => {
    const appSet = (name: string, template: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name, namespace: 'argocd' },
      spec: {
        goTemplate: true,
        ...extra,
        generators: [{ list: { elements: [{ cluster: 'Prod EU', env: 'prod', app: 'Web_App' }, { cluster: 'dev', env: 'dev', app: 'api' }] } }],
        template: { metadata: { name: '{{ normalize .cluster }}-{{ .app | lower | replace "_" "-" }}' }, spec: { project: 'default', source: { repoURL: 'https://example.test/apps.git', path: 'apps/{{ .app | lower }}', targetRevision: '{{ if eq .env "prod" }}main{{ else }}HEAD{{ end }}' }, destination: { namespace: '{{ printf "%s-%s" .env (lower .app) }}' } }, ...template },
      },
    });
    const apps = appsFromApplicationSet(appSet('ok', {}), []);
    assert.deepEqual(
      apps.map((a) => [a.name, a.targetRevision, a.destinationNamespace]),
      [
        ['prod-eu-web-app', 'main', 'prod-web_app'],
        ['dev-api', 'HEAD', 'dev-api'],
      ],
    );
    const broken = appsFromApplicationSet(appSet('broken', { metadata: { name: '{{ .app }}-{{ .region }}' } }, { goTemplateOptions: ['missingkey=error'] }), []);
    assert.equal(broken.length, 1);
    assert.match(broken[0].problem ?? '', /^ApplicationSet goTemplate: .*no entry for key "region"/);
    const unsupported = appsFromApplicationSet(appSet('ranged', { metadata: { name: '{{ range .x }}{{ end }}' } }), []);
    assert.match(unsupported[0].problem ?? '', /range.*not evaluated locally/);
  });

  it('git files: one app per config file, its keys as parameters (nested with goTemplate, flattened otherwise)', async () => {
    const apps = await appsIn('git-generator-files-discovery');
    const want = [
      ['engineering-dev-guestbook', 'applicationset/examples/git-generator-files-discovery/apps/guestbook', 'guestbook', undefined],
      ['engineering-prod-guestbook', 'applicationset/examples/git-generator-files-discovery/apps/guestbook', 'guestbook', undefined],
    ];
    assert.deepEqual(summary(apps, 'git-generator-files.yaml'), want);
    assert.deepEqual(summary(apps, 'git-generator-files-fasttemplate.yaml'), want);
  });

  it('matrix of git directories and a list: the product, with list values deep-merged (goTemplate)', async () => {
    const apps = await appsIn('matrix');
    assert.deepEqual(
      summary(apps, 'list-and-git.yaml').map((a) => a[0]),
      ['argo-workflows-engineering-dev', 'argo-workflows-engineering-prod', 'prometheus-operator-engineering-dev', 'prometheus-operator-engineering-prod'],
    );
    const p = apps.find((a) => a.name === 'argo-workflows-engineering-prod' && path.basename(a.definedIn!.file) === 'list-and-git.yaml')!;
    assert.equal((p.definition!.spec as { project: string }).project, 'prod');
    // Cluster generators need the cluster's Secrets: the set is listed once, saying so.
    const cluster = apps.filter((a) => path.basename(a.definedIn!.file) === 'cluster-and-git.yaml');
    assert.deepEqual(cluster.map((a) => a.problem), ["ApplicationSet generator matrix (clusters (needs the cluster's Argo CD cluster Secrets)) is not expanded locally"]);
  });

  it('merge: the base sets, overridden by later generators on equal mergeKeys', () => {
    const r = expandGenerator(
      {
        merge: {
          mergeKeys: ['name'],
          generators: [{ list: { elements: [{ name: 'a', size: 's' }, { name: 'b', size: 's' }] } }, { list: { elements: [{ name: 'b', size: 'xl' }, { name: 'c', size: 'm' }] } }],
        },
      },
      repos,
      false,
    );
    assert.deepEqual(r, { params: [{ name: 'a', size: 's' }, { name: 'b', size: 'xl' }], notExpanded: [] });
  });

  it('a git generator over a repository that is not in the workspace says so', () => {
    const r = expandGenerator({ git: { repoURL: 'https://github.com/other/repo', directories: [{ path: '*' }] } }, repos, true);
    assert.deepEqual(r.params, []);
    assert.match(r.notExpanded[0], /git \(repo not in workspace: https:\/\/github.com\/other\/repo\)/);
  });
});
