import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { discoverApps, mayDeclareGitOpsObject } from '../../../src/core/discovery';

const REAL = path.resolve(__dirname, '../../fixtures/real-repos');
const FLUX = path.join(REAL, 'fluxcd__flux2-kustomize-helm-example');
const TENANCY = path.join(REAL, 'fluxcd__flux2-multi-tenancy');
const DEV_TEAM = path.join(REAL, 'fluxcd__flux2-multi-tenancy__dev-team-branch');
const ARGO = path.join(REAL, 'argoproj__argo-cd');
const PODINFO = path.join(REAL, 'stefanprodan__podinfo');

const byId = (apps: App[]) => new Map(apps.map((a) => [a.id, a]));
const rel = (root: string, p?: string) => (p === undefined ? undefined : path.relative(root, p) || '.');

describe('discovery/discoverApps on real repositories', function () {
  this.timeout(30000);

  it('flux2-kustomize-helm-example: Kustomizations per cluster through the ArtifactGenerator, plus unclaimed folders', async () => {
    const apps = await discoverApps([FLUX], { repos: [{ root: FLUX, urls: ['https://github.com/fluxcd/flux2-kustomize-helm-example'], branch: 'main' }] });
    const m = byId(apps);
    const want: [string, string, string][] = [
      ['flux:flux-system/apps@clusters/staging', 'apps/staging', 'clusters/staging/apps.yaml'],
      ['flux:flux-system/apps@clusters/production', 'apps/production', 'clusters/production/apps.yaml'],
      ['flux:flux-system/infra-controllers@clusters/staging', 'infrastructure/controllers', 'clusters/staging/infrastructure.yaml'],
      ['flux:flux-system/infra-configs@clusters/production', 'infrastructure/configs', 'clusters/production/infrastructure.yaml'],
    ];
    for (const [id, p, file] of want) {
      const a = m.get(id);
      assert.ok(a, `missing ${id}; have ${[...m.keys()].join(', ')}`);
      assert.equal(rel(FLUX, a.path), p);
      assert.equal(a.kind, 'flux-kustomization');
      assert.equal(a.sourceType, 'kustomize');
      assert.equal(a.problem, undefined);
      assert.equal(rel(FLUX, a.definedIn?.file), file);
    }
    assert.equal(m.get('flux:flux-system/infra-configs@clusters/staging')?.definedIn?.startLine, 18);
    // Bases pulled in by overlays are not apps of their own; dotfiles (.fluxschema.yml) do not make a folder app;
    // the cluster folders (clusters/staging, clusters/production and their flux-system) are applied by each
    // cluster's root Kustomization, so they are no folder apps either (issue 14 item 0).
    assert.deepEqual(apps.filter((a) => a.kind === 'folder').map((a) => [a.id, a.sourceType]), []);
  });

  it('flux2-multi-tenancy with its dev-team branch checked out next to it', async () => {
    const url = 'https://github.com/fluxcd/flux2-multi-tenancy';
    const apps = await discoverApps([TENANCY, DEV_TEAM], {
      repos: [
        { root: TENANCY, urls: [url], branch: 'main' },
        { root: DEV_TEAM, urls: [`${url}.git`], branch: 'dev-team' },
      ],
    });
    const m = byId(apps);
    assert.equal(rel(TENANCY, m.get('flux:flux-system/tenants@clusters/staging')?.path), 'tenants/staging');
    assert.equal(rel(TENANCY, m.get('flux:flux-system/kyverno-policies@clusters/production')?.path), 'infrastructure/kyverno-policies');
    // The tenant Kustomization's GitRepository tracks branch dev-team: it resolves to that checkout.
    const dev = m.get('flux:apps/dev-team')!;
    assert.equal(dev.path, DEV_TEAM);
    assert.equal(dev.repoURL, url);
    assert.equal(dev.targetRevision, 'dev-team');
    assert.equal(dev.problem, undefined);
    assert.deepEqual([dev.sourceType, dev.directory], ['directory', { recurse: true }]);
    // The overlay patch files (no sourceRef) are not taken for declarations.
    assert.equal(apps.filter((a) => a.name === 'dev-team').length, 1);
    const oci = m.get('flux:flux-system/kyverno-controller')!;
    assert.equal(oci.path, undefined);
    assert.match(oci.problem ?? '', /OCIRepository\/kyverno-controller is not a Git repository/);
  });

  it('flags a tracked branch that is not checked out', async () => {
    const apps = await discoverApps([TENANCY], { repos: [{ root: TENANCY, urls: ['git@github.com:fluxcd/flux2-multi-tenancy.git'], branch: 'main' }], folders: false });
    const dev = byId(apps).get('flux:apps/dev-team')!;
    assert.match(dev.problem ?? '', /branch main checked out; the app tracks dev-team/);
  });

  it('argo-cd ApplicationSet list generator: expands both flavours (git generators are expanded too, see appSetGenerators)', async () => {
    const apps = await discoverApps([path.join(ARGO, 'applicationset/examples/list-generator'), path.join(ARGO, 'applicationset/examples/git-generator-directory')], {
      repos: [{ root: ARGO, urls: ['https://github.com/argoproj/argo-cd.git'] }],
      folders: false,
    });
    const listApps = apps.filter((a) => a.definedIn?.file.includes('list-generator'));
    assert.deepEqual(
      listApps.map((a) => [a.id, rel(ARGO, a.path), a.sourceType, a.destinationNamespace, path.basename(a.definedIn!.file)]),
      [
        ['argo:argocd/engineering-dev-guestbook@applicationset/examples/list-generator', 'applicationset/examples/list-generator/guestbook/engineering-dev', 'directory', 'guestbook', 'list-example-fasttemplate.yaml'],
        ['argo:argocd/engineering-prod-guestbook@applicationset/examples/list-generator', 'applicationset/examples/list-generator/guestbook/engineering-prod', 'directory', 'guestbook', 'list-example-fasttemplate.yaml'],
        ['argo:argocd/engineering-dev-guestbook@applicationset/examples/list-generator#2', 'applicationset/examples/list-generator/guestbook/engineering-dev', 'directory', 'guestbook', 'list-example.yaml'],
        ['argo:argocd/engineering-prod-guestbook@applicationset/examples/list-generator#2', 'applicationset/examples/list-generator/guestbook/engineering-prod', 'directory', 'guestbook', 'list-example.yaml'],
      ],
    );
    assert.equal((listApps[0].definition?.spec as { destination: { server: string } }).destination.server, 'https://kubernetes.default.svc');
    const git = apps.filter((a) => a.definedIn?.file.includes('git-generator-directory') && !a.definedIn.file.includes('excludes'));
    assert.deepEqual(git.map((a) => [a.name, rel(ARGO, a.path), a.appSet]).sort(), [
      ['argo-workflows', 'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows', 'argocd/cluster-addons'],
      ['argo-workflows', 'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows', 'argocd/cluster-addons'],
      ['prometheus-operator', 'applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator', 'argocd/cluster-addons'],
      ['prometheus-operator', 'applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator', 'argocd/cluster-addons'],
    ]);
  });

  it('argo-cd e2e testdata as its own repo: self-managed-app points at its own folder, which is then no folder app', async () => {
    const testdata = path.join(ARGO, 'test/e2e/testdata');
    const apps = await discoverApps([testdata], { repos: [{ root: testdata, urls: ['https://github.com/argoproj/argo-cd'] }] });
    const m = byId(apps);
    const self = m.get('argo:argocd/test-self-managed-apps')!;
    assert.equal(self.path, path.join(testdata, 'self-managed-app'));
    assert.equal(self.sourceType, 'directory');
    assert.equal(self.destinationNamespace, 'argocd-e2e');
    assert.equal(m.has('folder:self-managed-app'), false);
    // Unquoted Go templates are not valid Applications: no app from them; the folder stays a manifest folder.
    assert.equal(apps.some((a) => a.definedIn?.file.includes('declarative-apps')), false);
    assert.equal(m.get('folder:guestbook-with-namespace')?.sourceType, 'kustomize');
    assert.equal(m.get('folder:helm-guestbook')?.sourceType, 'helm');
    assert.equal(m.get('folder:sync-waves')?.sourceType, 'directory');
    // guestbook is a base of hook-custom-health and crashing-guestbook, so it is not listed by itself.
    assert.equal(m.has('folder:guestbook'), false);
    assert.equal(m.has('folder:hook-custom-health'), true);
  });

  it('podinfo: kustomize roots, the chart, and plain manifest folders; not bases or chart templates', async () => {
    const apps = await discoverApps([PODINFO], { repos: [{ root: PODINFO, urls: ['https://github.com/stefanprodan/podinfo'] }] });
    assert.deepEqual(
      apps.map((a) => `${a.id} ${a.sourceType}`),
      [
        'folder:deploy/overlays/dev kustomize',
        'folder:deploy/overlays/production kustomize',
        'folder:deploy/overlays/staging kustomize',
        'folder:kustomize kustomize',
        'folder:charts/podinfo helm',
        'folder:deploy/secure/backend directory',
        'folder:deploy/secure/common directory',
        'folder:deploy/secure/frontend directory',
        'folder:deploy/webapp/backend directory',
        'folder:deploy/webapp/common directory',
        'folder:deploy/webapp/frontend directory',
      ],
    );
  });

  it('marks Applications whose repo is not in the workspace', async () => {
    const apps = await discoverApps([path.join(ARGO, 'applicationset/examples/design-doc')], { repos: [{ root: ARGO, urls: ['https://github.com/argoproj/argo-cd.git'] }], folders: false });
    const fromList = apps.filter((a) => path.basename(a.definedIn!.file) === 'list.yaml');
    assert.deepEqual(fromList.map((a) => a.name), ['engineering-dev-guestbook', 'engineering-prod-guestbook', 'finance-preprod-guestbook']);
    for (const a of fromList) {
      assert.equal(a.path, undefined);
      assert.equal(a.problem, 'repo not in workspace: https://github.com/infra-team/cluster-deployments.git');
    }
  });

  it('prefilters files by text before parsing', () => {
    assert.equal(mayDeclareGitOpsObject('apiVersion: argoproj.io/v1alpha1\nkind: Application\n'), true);
    assert.equal(mayDeclareGitOpsObject('{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization"}'), true);
    assert.equal(mayDeclareGitOpsObject('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n'), false);
    assert.equal(mayDeclareGitOpsObject('apiVersion: apps/v1\nkind: Deployment\n# see argoproj.io/ docs\n'), false);
  });

  it('skips node_modules and .git, and reports an Application of a repo that is not in the workspace', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'discover-skip-'));
    try {
      const app = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: NAME}\nspec:\n  source: {repoURL: "https://example.com/other.git", path: apps}\n';
      for (const d of ['node_modules/pkg', '.git/x', 'argocd']) mkdirSync(path.join(tmp, d), { recursive: true });
      writeFileSync(path.join(tmp, 'node_modules/pkg/app.yaml'), app.replace('NAME', 'hidden'));
      writeFileSync(path.join(tmp, '.git/x/app.yaml'), app.replace('NAME', 'in-git-dir'));
      writeFileSync(path.join(tmp, 'argocd/app.yaml'), app.replace('NAME', 'visible'));
      const apps = await discoverApps([tmp], { repos: [{ root: tmp, urls: ['https://example.com/this.git'] }] });
      assert.deepEqual(
        apps.map((a) => [a.id, a.problem]),
        [
          ['argo:argocd/visible', 'repo not in workspace: https://example.com/other.git'],
          ['folder:argocd', undefined],
        ],
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('without any git metadata, takes Flux paths relative to the workspace folder and logs unparsable GitOps files', async () => {
    const warnings: string[] = [];
    const logger = { trace() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    // Copies in a fresh temp folder, so no enclosing checkout (e.g. of CI) is taken for their repository.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'discover-nogit-'));
    try {
      cpSync(TENANCY, path.join(tmp, 'tenancy'), { recursive: true });
      cpSync(path.join(ARGO, 'test/e2e/testdata/declarative-apps'), path.join(tmp, 'declarative-apps'), { recursive: true });
      const apps = await discoverApps([path.join(tmp, 'tenancy'), path.join(tmp, 'declarative-apps')], { folders: false, logger });
      assert.equal(byId(apps).get('flux:flux-system/tenants@clusters/staging')?.path, path.join(tmp, 'tenancy/tenants/staging'));
      assert.equal(warnings.length, 2);
      assert.ok(warnings.every((w) => /declarative-apps\/(app|invalid-helm)\.yaml:\d+: /.test(w)), warnings.join('\n'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
