// Argo CD parameter override files (.argocd-source.yaml, .argocd-source-<instance name>.yaml), merged as repo-server's
// mergeSourceParameters merges them (reposerver/repository/repository.go: jsonpatch.MergePatch over the source's JSON,
// then encoding/json Unmarshal into the same ApplicationSource). The expectations come from argo-cd v3.6.2 itself: the
// same cases run through its GenerateManifests in test/referee/argo.test.ts (web-overrides, web-team, shop-helm-all,
// shop-helm-default).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { withArgoSourceOverrides } from '../../../src/core/render/argoSourceOverrides';
import { argoBuildEnv } from '../../../src/core/render/renderArgoKustomize';

describe('render/argoSourceOverrides (.argocd-source*.yaml as repo-server merges them)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-src-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const app = (source: Record<string, unknown>, over: Partial<App> = {}): App => ({
    id: 'argo:argocd/web',
    name: 'web',
    kind: 'argo-application',
    namespace: 'argocd',
    path: dir,
    repoRoot: dir,
    sourceType: 'kustomize',
    destinationNamespace: 'web',
    definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: over.namespace ?? 'argocd' }, spec: { project: 'p', source: { repoURL: 'https://example.com/r.git', path: 'apps/web', targetRevision: 'main', ...source }, destination: { namespace: 'web' } } },
    ...over,
  });
  const sourceOf = (a: App) => (a.definition?.spec as { source: Record<string, unknown> }).source;
  const write = (name: string, text: string) => fs.writeFile(path.join(dir, name), text);

  it('without override files the app is unchanged', async () => {
    const a = app({ kustomize: { namePrefix: 'x-' } });
    assert.equal(await withArgoSourceOverrides(a), a);
  });

  it('.argocd-source.yaml, then the app’s own file (which wins); path, repoURL, targetRevision and chart stay the Application’s', async () => {
    await write('.argocd-source.yaml', 'kustomize:\n  namePrefix: repo-\n  nameSuffix: -all\npath: elsewhere\ntargetRevision: other\n');
    await write('.argocd-source-web.yaml', 'kustomize:\n  namePrefix: app-\n  images: [nginx:1.27.3]\n');
    await write('.argocd-source-other.yaml', 'kustomize:\n  namePrefix: other-\n');
    const s = sourceOf(await withArgoSourceOverrides(app({ kustomize: { images: ['nginx:1.26'] } })));
    assert.deepEqual(s, { repoURL: 'https://example.com/r.git', path: 'apps/web', targetRevision: 'main', kustomize: { namePrefix: 'app-', nameSuffix: '-all', images: ['nginx:1.27.3'] } });
  });

  it('the app file is named by the instance name: <namespace>_<name> outside the argocd namespace; ARGOCD_APP_NAME is that name too', async () => {
    await write('.argocd-source-web.yaml', 'kustomize:\n  namePrefix: plain-\n');
    await write('.argocd-source-team-a_web.yaml', 'kustomize:\n  namePrefix: team-\n');
    const a = app({ kustomize: {} }, { namespace: 'team-a', id: 'argo:team-a/web' });
    assert.equal((sourceOf(await withArgoSourceOverrides(a)).kustomize as Record<string, unknown>).namePrefix, 'team-');
    assert.equal(argoBuildEnv(a).ARGOCD_APP_NAME, 'team-a_web');
    assert.equal(argoBuildEnv(app({})).ARGOCD_APP_NAME, 'web');
  });

  it('null deletes nothing set before (Unmarshal into the existing source keeps what the patched JSON leaves out); maps merge', async () => {
    await write('.argocd-source.yaml', 'kustomize:\n  commonAnnotations:\n    a: "1"\n');
    await write('.argocd-source-web.yaml', 'kustomize:\n  commonAnnotations: null\n  commonLabels:\n    added: "yes"\n  namePrefix: null\n');
    const s = sourceOf(await withArgoSourceOverrides(app({ kustomize: { namePrefix: 'kept-', commonLabels: { team: 'x' } } })));
    assert.deepEqual(s.kustomize, { namePrefix: 'kept-', commonLabels: { team: 'x', added: 'yes' }, commonAnnotations: { a: '1' } });
  });

  it('a list takes the file’s length, each element decoded into the old one at its index (fields it leaves out stay)', async () => {
    await write('.argocd-source-web.yaml', 'helm:\n  parameters:\n    - name: a\n      value: "1"\n    - name: b\n      value: "2"\n');
    const s = sourceOf(await withArgoSourceOverrides(app({ helm: { parameters: [{ name: 'x', value: 'x' }, { name: 'y', value: 'y', forceString: true }, { name: 'z', value: 'z' }] } }, { sourceType: 'helm' })));
    assert.deepEqual((s.helm as Record<string, unknown>).parameters, [{ name: 'a', value: '1' }, { name: 'b', value: '2', forceString: true }]);
  });

  it('helm.valuesObject (a RawExtension) takes the merge patch result, where null does delete', async () => {
    await write('.argocd-source-web.yaml', 'helm:\n  valuesObject:\n    drop: null\n    add: 1\n');
    const s = sourceOf(await withArgoSourceOverrides(app({ helm: { valuesObject: { keep: true, drop: 'x' } } }, { sourceType: 'helm' })));
    assert.deepEqual((s.helm as Record<string, unknown>).valuesObject, { keep: true, add: 1 });
  });

  it('an override can set the source type and directory options; two tool sections are an error, as ExplicitType', async () => {
    await write('.argocd-source.yaml', 'directory:\n  recurse: true\n  include: "*.yaml"\n');
    const a = await withArgoSourceOverrides(app({}, { sourceType: 'kustomize' }));
    assert.equal(a.sourceType, 'directory');
    assert.deepEqual(a.directory, { recurse: true, include: '*.yaml', exclude: undefined });
    await assert.rejects(withArgoSourceOverrides(app({ kustomize: { namePrefix: 'x-' } })), /multiple application sources defined.*kustomize,directory/);
  });

  it('an Application source with two tool sections is an error even without override files (repo-server does not pick one)', async () => {
    await assert.rejects(withArgoSourceOverrides(app({ kustomize: { namePrefix: 'x-' }, helm: {} })), /multiple application sources defined: kustomize,helm/);
    const r = await renderApp(app({ helm: {}, directory: { recurse: true } }, { sourceType: 'helm' }), { runner: nodeProcessRunner, trusted: true });
    assert.match(r.errors[0]?.message ?? '', /multiple application sources defined: helm,directory/);
  });

  it('a file that is not YAML is a render error naming it; renderApp shows it instead of rendering', async () => {
    await write('.argocd-source.yaml', 'kustomize: [unclosed\n');
    await write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    await assert.rejects(withArgoSourceOverrides(app({})), /\.argocd-source\.yaml/);
    const r = await renderApp(app({}, { sourceType: 'directory' }), { runner: nodeProcessRunner, trusted: true });
    assert.equal(r.objects.length, 0);
    assert.match(r.errors[0]?.message ?? '', /\.argocd-source\.yaml/);
  });

  it('renderApp renders with the override: directory options from the file (no tool needed)', async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    await write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\n');
    await fs.writeFile(path.join(dir, 'sub', 'deep.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n');
    const plain = await renderApp(app({}, { sourceType: 'directory' }), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(plain.objects.map((o) => o.object.metadata.name), ['top']);
    await write('.argocd-source-web.yaml', 'directory:\n  recurse: true\n');
    const r = await renderApp(app({}, { sourceType: 'directory' }), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.objects.map((o) => o.object.metadata.name).sort(), ['deep', 'top']);
  });
});
