import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitOpsError, type App } from '../../../src/core/model';
import { nodeProcessRunner, type ProcessRunner } from '../../../src/core/ports';
import { discoverApps } from '../../../src/core/discovery/discoverApps';
import { renderApp, renderKustomize } from '../../../src/core/render';

const REAL = path.resolve(__dirname, '../../fixtures/real-repos');
const FLUX = path.join(REAL, 'fluxcd__flux2-kustomize-helm-example');
const TENANCY = path.join(REAL, 'fluxcd__flux2-multi-tenancy');

const folderApp = (p: string, extra: Partial<App> = {}): App => ({ id: `folder:${p}`, name: path.basename(p), kind: 'folder', path: p, sourceType: 'unknown', ...extra });

/** Records calls and answers like a missing binary (or delegates to the real runner). */
function recordingRunner(missing: string[], delegate?: ProcessRunner) {
  const calls: { cmd: string; args: string[] }[] = [];
  const runner: ProcessRunner = {
    async run(cmd, args, opts) {
      calls.push({ cmd, args });
      if (missing.includes(path.basename(cmd))) throw new GitOpsError('unsupported', `${cmd} was not found on the PATH`);
      if (delegate) return delegate.run(cmd, args, opts);
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  return { runner, calls };
}

describe('render/renderKustomize (real kubectl kustomize)', function () {
  this.timeout(60000);

  it('renders the flux podinfo staging overlay and points every object at its base file, with the kustomization chain', async () => {
    const { runner, calls } = recordingRunner(['kustomize'], nodeProcessRunner);
    const r = await renderApp(folderApp(path.join(FLUX, 'apps/staging')), { runner, trusted: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(calls.map((c) => `${c.cmd} ${c.args[0]}`), ['kustomize build', 'kubectl kustomize']);
    const byKind = new Map(r.objects.map((o) => [o.object.kind, o]));
    assert.deepEqual([...byKind.keys()].sort(), ['HelmRelease', 'HelmRepository', 'Namespace']);
    const hr = byKind.get('HelmRelease')!;
    // The overlay's patch changed values; the source is still the base release.yaml, whole document.
    assert.equal(hr.source?.file, path.join(FLUX, 'apps/base/podinfo/release.yaml'));
    assert.equal(hr.source?.startLine, 1);
    assert.equal(hr.source?.endLine, 40);
    assert.deepEqual(hr.kustomizeChain, [
      path.join(FLUX, 'apps/staging/kustomization.yaml'),
      path.join(FLUX, 'apps/base/podinfo/kustomization.yaml'),
      path.join(FLUX, 'apps/base/podinfo/release.yaml'),
    ]);
    assert.equal(byKind.get('HelmRepository')?.source?.file, path.join(FLUX, 'apps/base/podinfo/repository.yaml'));
  });

  it('maps multi-document base files through an overlay that sets the namespace (flux tenants/staging)', async () => {
    const r = await renderKustomize(path.join(TENANCY, 'tenants/staging'), { runner: nodeProcessRunner });
    assert.deepEqual(r.errors, []);
    const rbac = path.join(TENANCY, 'tenants/base/dev-team/rbac.yaml');
    const got = r.objects.map((o) => [o.object.kind, o.object.metadata.namespace, path.relative(TENANCY, o.source!.file), o.source!.documentIndex, o.source!.startLine]);
    assert.deepEqual(
      got.filter((g) => g[2] === path.relative(TENANCY, rbac)).sort(),
      [
        ['Namespace', undefined, 'tenants/base/dev-team/rbac.yaml', 0, 2],
        ['RoleBinding', 'apps', 'tenants/base/dev-team/rbac.yaml', 2, 19],
        ['ServiceAccount', 'apps', 'tenants/base/dev-team/rbac.yaml', 1, 10],
      ],
    );
    assert.ok(r.objects.find((o) => o.object.kind === 'Kustomization')?.source?.file.endsWith('tenants/base/dev-team/sync.yaml'));
  });

  describe('overlays with namePrefix/nameSuffix/namespace and generators', () => {
    let tmp: string;
    before(() => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'render-kust-'));
      mkdirSync(path.join(tmp, 'base'));
      mkdirSync(path.join(tmp, 'overlays/prod'), { recursive: true });
      writeFileSync(path.join(tmp, 'base/kustomization.yaml'), 'resources:\n- app.yaml\nnamePrefix: base-\n');
      writeFileSync(
        path.join(tmp, 'base/app.yaml'),
        '# the web app\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n',
      );
      writeFileSync(path.join(tmp, 'overlays/prod/kustomization.yaml'), 'resources:\n- ../../base\nnamePrefix: prod-\nnameSuffix: -v2\nnamespace: shop\nconfigMapGenerator:\n- name: settings\n  literals: [a=b]\n');
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it('matches transformed names back to the base file and leaves generated objects without a source', async () => {
      const r = await renderApp(folderApp(path.join(tmp, 'overlays/prod'), { destinationNamespace: 'ignored' }), { runner: nodeProcessRunner, trusted: true });
      assert.deepEqual(r.errors, []);
      const dep = r.objects.find((o) => o.object.kind === 'Deployment')!;
      assert.equal(dep.object.metadata.name, 'prod-base-web-v2');
      assert.equal(dep.object.metadata.namespace, 'shop');
      assert.deepEqual(dep.source, { file: path.join(tmp, 'base/app.yaml'), documentIndex: 0, startLine: 2, endLine: 10 });
      assert.deepEqual(dep.kustomizeChain, [path.join(tmp, 'overlays/prod/kustomization.yaml'), path.join(tmp, 'base/kustomization.yaml'), path.join(tmp, 'base/app.yaml')]);
      const svc = r.objects.find((o) => o.object.kind === 'Service')!;
      assert.deepEqual([svc.source?.documentIndex, svc.source?.startLine], [1, 12]);
      const gen = r.objects.find((o) => o.object.kind === 'ConfigMap')!;
      assert.match(gen.object.metadata.name ?? '', /^prod-settings-v2-/);
      assert.equal(gen.source, undefined);
    });
  });

  it('defaults the namespace of namespaced objects only (podinfo kustomize + HPA; Namespace stays cluster-scoped)', async () => {
    const r = await renderApp(folderApp(path.join(REAL, 'stefanprodan__podinfo/kustomize'), { destinationNamespace: 'demo' }), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.objects.map((o) => `${o.object.kind}/${o.object.metadata.namespace}`).sort(), ['Deployment/demo', 'HorizontalPodAutoscaler/demo', 'Service/demo']);
    const dep = r.objects.find((o) => o.object.kind === 'Deployment')!;
    assert.deepEqual([path.basename(dep.source!.file), dep.source!.startLine, dep.source!.endLine], ['deployment.yaml', 1, 80]);
    const flux = await renderApp(folderApp(path.join(FLUX, 'apps/staging'), { destinationNamespace: 'x' }), { runner: nodeProcessRunner, trusted: true });
    assert.equal(flux.objects.find((o) => o.object.kind === 'Namespace')?.object.metadata.namespace, undefined);
  });

  it('enables helm for helmCharts kustomizations and says "needs helm" without it (argo-cd kustomize-api-versions)', async () => {
    const dir = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/kustomize-api-versions');
    const helmPath = path.join(os.tmpdir(), 'no-such-dir', 'helm');
    const { runner, calls } = recordingRunner(['kustomize'], nodeProcessRunner);
    const r = await renderApp(folderApp(dir), { runner, trusted: true, helmPath });
    assert.deepEqual(calls[1], { cmd: 'kubectl', args: ['kustomize', '--enable-helm', '--helm-command', helmPath, '--', dir] });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors[0].reason, 'unsupported');
    assert.match(r.errors[0].message, /^needs helm: .*helmCharts/);
  });

  it('a failing build in a folder whose path holds "helm" is a render error, not "needs helm"', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'my-helm-charts-'));
    try {
      writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
      const r = await renderApp(folderApp(dir), { runner: nodeProcessRunner, trusted: true });
      assert.equal(r.errors[0]?.reason, 'render', r.errors[0]?.message);
      assert.match(r.errors[0].message, /^kustomize build .*missing\.yaml/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

    it('reports a failing build as a render error (argo-cd invalid-kustomize)', async () => {
    const r = await renderApp(folderApp(path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/invalid-kustomize')), { runner: nodeProcessRunner, trusted: true });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors[0].reason, 'render');
    assert.match(r.errors[0].message, /kustomize build .*invalid-kustomize failed: .*does-not-exist/s);
  });
});

describe('render/renderApp guards', () => {
  const kustomizeDir = path.join(REAL, 'stefanprodan__podinfo/kustomize');

  it('never runs kustomize or helm in an untrusted workspace', async () => {
    const { runner, calls } = recordingRunner([]);
    const r = await renderApp(folderApp(kustomizeDir), { runner, trusted: false });
    assert.equal(calls.length, 0);
    assert.equal(r.errors[0].reason, 'untrusted');
    assert.match(r.errors[0].message, /untrusted workspace/);
    const helm = await renderApp(folderApp(path.join(REAL, 'stefanprodan__podinfo/charts/podinfo')), { runner, trusted: false });
    assert.equal(calls.length, 0);
    assert.equal(helm.errors[0].reason, 'untrusted');
  });

  it('never passes --enable-helm when untrusted, and says the helmCharts were not inflated (issue 18 item 12)', async () => {
    const dir = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/kustomize-api-versions');
    const { runner, calls } = recordingRunner([]);
    const r = await renderApp(folderApp(dir), { runner, trusted: false, helmPath: '/usr/bin/helm' });
    // Nothing is run at all, so no kustomize build with --enable-helm (nor helm) can happen in an untrusted workspace.
    assert.deepEqual(calls, []);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].reason, 'untrusted');
    assert.match(r.errors[0].message, /its helmCharts were not inflated because the workspace is not trusted/);
    // A Flux app rendered through an overlay (components) of the same folder: same guard, same message.
    const flux = await renderApp({ id: 'flux:flux-system/x', name: 'x', kind: 'flux-kustomization', path: dir, sourceType: 'kustomize', definition: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'x', namespace: 'flux-system' }, spec: { components: ['../c'] } } }, { runner, trusted: false });
    assert.deepEqual(calls, []);
    assert.match(flux.errors[0].message, /helmCharts were not inflated/);
    // Without helmCharts the message stays the plain one.
    const plain = await renderApp(folderApp(path.join(REAL, 'stefanprodan__podinfo/kustomize')), { runner, trusted: false });
    assert.doesNotMatch(plain.errors[0].message, /helmCharts/);
  });

  it('still renders plain directories when untrusted', async () => {
    const { runner } = recordingRunner([]);
    const r = await renderApp(folderApp(path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/sync-waves')), { runner, trusted: false });
    assert.deepEqual(r.errors, []);
    assert.equal(r.objects.length, 2);
  });

  it('gives a clear unsupported error when neither kustomize nor kubectl exists', async () => {
    const { runner, calls } = recordingRunner(['kustomize', 'kubectl']);
    const r = await renderApp(folderApp(kustomizeDir), { runner, trusted: true });
    assert.deepEqual(calls.map((c) => c.cmd), ['kustomize', 'kubectl']);
    assert.equal(r.errors[0].reason, 'unsupported');
    assert.match(r.errors[0].message, /Neither kustomize nor kubectl/);
  });

  it('runs a configured kustomizePath, as `kubectl kustomize` when it is kubectl, with -- before the folder (issue 18 item 9)', async () => {
    const { runner, calls } = recordingRunner([]);
    await renderApp(folderApp(kustomizeDir), { runner, trusted: true, kustomizePath: '/opt/bin/kustomize' });
    await renderApp(folderApp(kustomizeDir), { runner, trusted: true, kustomizePath: '/usr/local/bin/kubectl' });
    assert.deepEqual(calls, [
      { cmd: '/opt/bin/kustomize', args: ['build', '--', kustomizeDir] },
      { cmd: '/usr/local/bin/kubectl', args: ['kustomize', '--', kustomizeDir] },
    ]);
  });

  it('runs kustomize without Go garbage collection below 256 MiB of heap, unless the user tuned the Go runtime (issue 16)', async () => {
    const envs: NodeJS.ProcessEnv[] = [];
    const runner: ProcessRunner = {
      async run(_cmd, _args, opts) {
        envs.push(opts.env ?? {});
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    const saved = { GOGC: process.env.GOGC, GOMEMLIMIT: process.env.GOMEMLIMIT };
    try {
      delete process.env.GOGC;
      delete process.env.GOMEMLIMIT;
      await renderApp(folderApp(kustomizeDir), { runner, trusted: true, kustomizePath: '/opt/bin/kustomize' });
      process.env.GOGC = '150';
      await renderApp(folderApp(kustomizeDir), { runner, trusted: true, kustomizePath: '/opt/bin/kustomize' });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    assert.equal(envs.length, 2);
    assert.deepEqual([envs[0].GOGC, envs[0].GOMEMLIMIT, envs[0].GIT_TERMINAL_PROMPT], ['off', '256MiB', '0']);
    assert.deepEqual([envs[1].GOGC, envs[1].GOMEMLIMIT, envs[1].GIT_TERMINAL_PROMPT], ['150', undefined, '0']);
  });

  it('says "needs helm" for a chart when helm is missing, never an empty success', async () => {
    const chart = path.join(REAL, 'stefanprodan__podinfo/charts/podinfo');
    const r = await renderApp(folderApp(chart), { runner: nodeProcessRunner, trusted: true, helmPath: path.join(os.tmpdir(), 'no-such-dir', 'helm') });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].reason, 'unsupported');
    assert.match(r.errors[0].message, /^needs helm/);
  });

  it('passes release name, namespace and value files to helm template', async () => {
    const chart = path.join(REAL, 'stefanprodan__podinfo/charts/podinfo');
    const { runner, calls } = recordingRunner([]);
    const app = folderApp(chart, {
      name: 'web',
      kind: 'argo-application',
      destinationNamespace: 'prod',
      definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' }, spec: { source: { helm: { releaseName: 'rel', valueFiles: ['values-prod.yaml'], parameters: [{ name: 'replicaCount', value: '3' }] } } } },
    });
    await renderApp(app, { runner, trusted: true, helmPath: 'helm' });
    assert.deepEqual(calls, [{ cmd: 'helm', args: ['template', '--include-crds', '--namespace=prod', `--values=${path.join(chart, 'values-prod.yaml')}`, '--set=replicaCount=3', '--', 'rel', chart] }]);
  });

  it('explains apps without a folder', async () => {
    const r = await renderApp({ id: 'argo:argocd/x', name: 'x', kind: 'argo-application', sourceType: 'unknown', problem: 'repo not in workspace: https://example.com/r.git' }, { runner: nodeProcessRunner, trusted: true });
    assert.equal(r.errors[0].reason, 'notFound');
    assert.match(r.errors[0].message, /repo not in workspace/);
  });
});

describe('render/renderOverlay (Flux Kustomization)', function () {
  this.timeout(60000);
  const fluxApp = (p: string, spec: Record<string, unknown>): App => ({
    id: 'flux:flux-system/x',
    name: 'x',
    kind: 'flux-kustomization',
    namespace: 'flux-system',
    path: p,
    sourceType: 'unknown',
    destinationNamespace: typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined,
    definition: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'x', namespace: 'flux-system' }, spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, ...spec } },
  });

  it('applies the inline JSON6902 patch of the real staging infra-configs Kustomization', async () => {
    const apps = await discoverApps([FLUX], { repos: [{ root: FLUX, urls: ['https://github.com/fluxcd/flux2-kustomize-helm-example'] }], folders: false });
    const configs = apps.find((a) => a.id === 'flux:flux-system/infra-configs@clusters/staging')!;
    const r = await renderApp(configs, { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors, []);
    const issuer = r.objects.find((o) => o.object.kind === 'ClusterIssuer')!;
    assert.equal((issuer.object.spec as { acme: { server: string } }).acme.server, 'https://acme-staging-v02.api.letsencrypt.org/directory');
    assert.equal(issuer.object.metadata.namespace, undefined);
    assert.equal(path.dirname(issuer.source!.file), path.join(FLUX, 'infrastructure/configs'));
    assert.deepEqual(issuer.kustomizeChain?.[0], path.join(FLUX, 'infrastructure/configs/kustomization.yaml'));
    // Production has no such patch.
    const prod = await renderApp(apps.find((a) => a.id === 'flux:flux-system/infra-configs@clusters/production')!, { runner: nodeProcessRunner, trusted: true });
    assert.notEqual((prod.objects.find((o) => o.object.kind === 'ClusterIssuer')!.object.spec as { acme: { server: string } }).acme.server, 'https://acme-staging-v02.api.letsencrypt.org/directory');
  });

  it('targetNamespace and namePrefix override a plain folder, keeping file sources', async () => {
    const dir = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/sync-waves');
    const r = await renderApp(fluxApp(dir, { targetNamespace: 'team-a', namePrefix: 'a-', commonMetadata: { labels: { team: 'a' } } }), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.objects.map((o) => [o.object.metadata.name, o.object.metadata.namespace, o.object.metadata.labels?.team, path.basename(o.source!.file), o.source!.startLine, o.kustomizeChain]).sort(),
      [
        ['a-cm-1', 'team-a', 'a', 'cm-1.yaml', 1, [path.join(dir, 'cm-1.yaml')]],
        ['a-cm-2', 'team-a', 'a', 'cm-2.yaml', 1, [path.join(dir, 'cm-2.yaml')]],
      ],
    );
  });

  it('reports a build conflict against the app folder (two Deployments forced into one namespace)', async () => {
    const dir = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/multi-namespace');
    const r = await renderApp(fluxApp(dir, { targetNamespace: 'team-a' }), { runner: nodeProcessRunner, trusted: true });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors[0].reason, 'render');
    assert.equal(r.errors[0].details?.file, dir);
    assert.match(r.errors[0].message, /ID conflict/);
    assert.ok(r.errors[0].message.length <= 600 + `kustomize build ${dir} failed: `.length + 1, `message of ${r.errors[0].message.length} chars`);
  });

  it('needs a trusted workspace even for a plain folder when it must run kustomize', async () => {
    const dir = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/sync-waves');
    const { runner, calls } = recordingRunner([]);
    const r = await renderApp(fluxApp(dir, { targetNamespace: 'x' }), { runner, trusted: false });
    assert.equal(calls.length, 0);
    assert.equal(r.errors[0].reason, 'untrusted');
  });
});
