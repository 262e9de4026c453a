// Issue 14 item 1: what Flux's kustomize-controller applies for a Kustomization, on test/referee/fixtures/flux-repo
// (the referee suite checks the same fixture against `flux build kustomization`).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverApps } from '../../../src/core/discovery';
import type { App, KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import type { RenderResult } from '../../../src/core/render/types';

const REPO = path.resolve(__dirname, '../../referee/fixtures/flux-repo');
const repos = [{ root: REPO, urls: ['https://example.com/flux-repo'] }];

async function appsOf(root = REPO, r = repos): Promise<Map<string, App>> {
  return new Map((await discoverApps([root], { repos: r })).map((a) => [a.name, a]));
}
const obj = (r: RenderResult, kind: string, name: string): KubeObject => {
  const o = r.objects.find((x) => x.object.kind === kind && x.object.metadata.name === name)?.object;
  assert.ok(o, `${kind} ${name} rendered; have ${r.objects.map((x) => `${x.object.kind}/${x.object.metadata.name}`).join(', ')}`);
  return o;
};
const env = (d: KubeObject) => Object.fromEntries(((d.spec as any).template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

describe('render/renderFlux (issue 14 item 1)', function () {
  this.timeout(60_000);
  const deps = { runner: nodeProcessRunner, trusted: true };

  it('writes the spec into the folder kustomization in place: targetNamespace, namePrefix replacing its own, images merged, patches and components appended, commonMetadata', async () => {
    const r = await renderApp((await appsOf()).get('web')!, deps);
    assert.deepEqual(r.errors.map((e) => e.message), []);
    const d = obj(r, 'Deployment', 'dev-web');
    assert.equal(d.metadata.namespace, 'web');
    assert.equal((d.spec as any).replicas, 2, 'the Kustomization patch');
    assert.equal((d.spec as any).template.spec.containers[0].image, 'ghcr.io/stefanprodan/podinfo:6.7.1', 'spec.images overrides the overlay image of the same name');
    assert.equal(d.metadata.annotations?.['prometheus.io/scrape'], 'true', 'the component');
    assert.equal(d.metadata.labels?.team, 'platform');
    assert.equal(d.metadata.annotations?.owner, 'sre');
    // The overlay's own namePrefix (overlay-) is replaced, not stacked.
    assert.ok(!r.objects.some((o) => o.object.metadata.name?.includes('overlay-')));
  });

  it('post-build substitution: substitute over substituteFrom (ConfigMap, Secret; optional missing skipped), defaults, $$ escapes, the disabled annotation', async () => {
    const r = await renderApp((await appsOf()).get('web')!, deps);
    assert.deepEqual(env(obj(r, 'Deployment', 'dev-web')), { CLUSTER: 'dev', REGION: 'eu-west-1', ZONE: 'zone-a', LOG_LEVEL: 'debug' });
    const s = obj(r, 'ConfigMap', 'dev-settings').data as Record<string, string>;
    assert.deepEqual(s, { greeting: 'hello from dev in eu-west-1', literal: '${not_a_var}', upper: 'DEV' });
    assert.equal((obj(r, 'ConfigMap', 'dev-raw-template').data as Record<string, string>).script, 'echo ${HOME}');
    assert.deepEqual(r.secretVariables, ['api_token']);
    // Source locations still point at the files in the repository.
    const src = r.objects.find((o) => o.object.kind === 'Deployment')!;
    assert.equal(path.relative(REPO, src.source!.file), 'apps/web/base/deployment.yaml');
    assert.deepEqual(src.kustomizeChain!.map((f) => path.relative(REPO, f)), ['apps/web/overlays/dev/kustomization.yaml', 'apps/web/base/kustomization.yaml', 'apps/web/base/deployment.yaml']);
  });

  it('generates the kustomization Flux generates: manifests below the path, a folder with a kustomization as one resource, non-manifests and .sops.yaml left out; substituteStrategy Always', async () => {
    const r = await renderApp((await appsOf()).get('plain')!, deps);
    assert.deepEqual(r.errors.map((e) => e.message), []);
    assert.deepEqual(r.objects.map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`).sort(), ['plain/a', 'plain/b', 'plain/c']);
    assert.equal((obj(r, 'ConfigMap', 'a').data as Record<string, string>).value, 'fallback');
    assert.deepEqual(r.objects.find((o) => o.object.metadata.name === 'a')!.kustomizeChain!.map((f) => path.relative(REPO, f)), ['apps/plain/a.yaml'], 'no generated kustomization in the chain');
  });

  it('a missing substituteFrom that is not optional fails the render, naming it and no value', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-flux-subst-'));
    try {
      await fs.cp(REPO, tmp, { recursive: true });
      await fs.rm(path.join(tmp, 'clusters/dev/cluster-vars.yaml'));
      await fs.writeFile(path.join(tmp, 'clusters/dev/cluster-vars.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  region: eu-west-1\n');
      const r = await renderApp((await appsOf(tmp, [{ root: tmp, urls: ['https://example.com/flux-repo'] }])).get('web')!, deps);
      assert.equal(r.objects.length, 0);
      assert.match(r.errors[0].message, /substitute from 'Secret\/cluster-secrets' error: Secret flux-system\/cluster-secrets not found/);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  it('reads substituteFrom from the cluster when a lookup is given; Secret values never appear in errors', async () => {
    const app = (await appsOf()).get('web')!;
    const lookupObject = async (kind: string, namespace: string, name: string): Promise<KubeObject | undefined> => {
      if (kind === 'ConfigMap' && name === 'cluster-vars') return { apiVersion: 'v1', kind, metadata: { name, namespace }, data: { region: 'ap-south-1' } };
      if (kind === 'Secret' && name === 'cluster-secrets') return { apiVersion: 'v1', kind, metadata: { name, namespace }, data: { api_token: Buffer.from('live-secret').toString('base64'), 'bad-name': Buffer.from('x').toString('base64') } };
      return undefined;
    };
    const r = await renderApp(app, { ...deps, lookupObject });
    assert.equal(r.objects.length, 0);
    assert.match(r.errors[0].message, /'bad-name' var name is invalid/);
    assert.ok(!r.errors[0].message.includes('live-secret'));
    const ok = async (kind: string, namespace: string, name: string) => {
      const o = await lookupObject(kind, namespace, name);
      if (o?.kind === 'Secret') delete (o.data as Record<string, string>)['bad-name'];
      return o;
    };
    const r2 = await renderApp(app, { ...deps, lookupObject: ok });
    assert.equal(env(obj(r2, 'Deployment', 'dev-web')).REGION, 'ap-south-1');
  });
});
