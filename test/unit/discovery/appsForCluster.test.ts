// Issue 14 item 0: which workspace definitions belong to a cluster. On fluxcd/flux2-kustomize-helm-example
// (clusters/staging and clusters/production both declare `apps`, `infra-controllers`, `infra-configs`), a cluster
// running the staging set is compared with the staging definitions only, and the cluster folders are no folder apps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appsForCluster, discoverApps } from '../../../src/core/discovery';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import type { App, KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { parseManifests } from '../../../src/core/yaml/parseManifests';
import { FakeKubeClient } from '../kube/fake-kube-client';

const FIXTURE = path.resolve(__dirname, '../../fixtures/real-repos/fluxcd__flux2-kustomize-helm-example');
const URL = 'https://github.com/fluxcd/flux2-kustomize-helm-example';

const gitRepository: KubeObject = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'flux-system', namespace: 'flux-system' },
  spec: { url: `${URL}.git`, ref: { branch: 'main' } },
};
const root = (cluster: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'flux-system', namespace: 'flux-system' },
  spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, path: `./clusters/${cluster}`, prune: true },
});

/** The Kustomizations of a cluster folder as Flux applied them (labels of the root Kustomization added). */
async function appliedKustomizations(repo: string, cluster: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const f of ['apps.yaml', 'infrastructure.yaml']) {
    const file = path.join(repo, 'clusters', cluster, f);
    for (const d of parseManifests(await fs.readFile(file, 'utf8'), file).docs) {
      const o = structuredClone(d.object);
      o.metadata.labels = { 'kustomize.toolkit.fluxcd.io/name': 'flux-system', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
      if (o.kind === 'Kustomization') out.push(o);
    }
  }
  return out;
}

const ids = (apps: App[]) => apps.map((a) => a.id).sort();

describe('discovery/appsForCluster: the definitions a cluster runs (issue 14 item 0)', function () {
  this.timeout(60_000);
  const repos = [{ root: FIXTURE, urls: [URL], branch: 'main' }];

  it('no folder apps are built from the cluster folders Flux applies', async () => {
    const apps = await discoverApps([FIXTURE], { repos });
    assert.deepEqual(apps.filter((a) => a.kind === 'folder').map((a) => a.id), []);
  });

  for (const [cluster, other] of [['staging', 'production'], ['production', 'staging']] as const) {
    it(`a cluster running the ${cluster} set gets the ${cluster} definitions, never the ${other} ones`, async () => {
      const wsApps = await discoverApps([FIXTURE], { repos });
      const live = [gitRepository, root(cluster), ...(await appliedKustomizations(FIXTURE, cluster))];
      const apps = appsForCluster(wsApps, live, repos);
      assert.deepEqual(ids(apps), [
        // The HelmReleases (one definition each, in apps/base and infrastructure/controllers; the overlays' patches
        // are no declarations) are kept: the cluster does not list them live here, so they show as not deployed.
        'flux-helmrelease:cert-manager/cert-manager',
        'flux-helmrelease:envoy-gateway-system/envoy-gateway',
        'flux-helmrelease:podinfo/podinfo',
        `flux:flux-system/apps@clusters/${cluster}`,
        'flux:flux-system/flux-system',
        `flux:flux-system/infra-configs@clusters/${cluster}`,
        `flux:flux-system/infra-controllers@clusters/${cluster}`,
      ]);
      const appsApp = apps.find((a) => a.name === 'apps')!;
      assert.equal(path.relative(FIXTURE, appsApp.path!), `apps/${cluster}`);
      // The root Kustomization is rendered from its live spec: the whole cluster folder.
      const rootApp = apps.find((a) => a.name === 'flux-system')!;
      assert.equal(path.relative(FIXTURE, rootApp.path!), `clusters/${cluster}`);
    });
  }

  it('a live Kustomization whose path matches no definition here is rendered from its live spec', async () => {
    const wsApps = await discoverApps([FIXTURE], { repos });
    const moved: KubeObject = { ...root('staging'), metadata: { name: 'infra-controllers', namespace: 'flux-system' }, spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, path: './infrastructure/configs' } };
    const apps = appsForCluster(wsApps, [gitRepository, root('staging'), moved], repos);
    const ic = apps.filter((a) => a.name === 'infra-controllers');
    assert.equal(ic.length, 1);
    assert.equal(ic[0].definedIn, undefined, 'not one of the workspace definitions (they are at ./controllers)');
    assert.equal(path.relative(FIXTURE, ic[0].path!), 'infrastructure/configs');
  });

  it('the engine compares a staging cluster with staging only: each object once, the Kustomizations Synced', async () => {
    // A checkout of the example repository (its remote is what the live GitRepository names).
    const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-flux-example-'));
    await fs.cp(FIXTURE, repo, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', URL]);
    try {
      const kustomizations = await appliedKustomizations(repo, 'staging');
      const client = new FakeKubeClient([gitRepository, root('staging'), ...kustomizations]);
      const engine = new DriftEngine({ roots: [repo], clientFor: () => client, runner: nodeProcessRunner, trusted: false });
      const snap = await engine.compute(['fake']);
      const cluster = snap.clusters[0];
      assert.equal(cluster.error, undefined);
      assert.deepEqual(cluster.apps.map((a) => a.app.id).sort(), ['flux:flux-system/apps@clusters/staging', 'flux:flux-system/flux-system', 'flux:flux-system/infra-configs@clusters/staging', 'flux:flux-system/infra-controllers@clusters/staging']);
      // Production's definitions are not "not deployed here" either: they belong to another cluster.
      // (The HelmReleases are: this fake cluster has no HelmReleases live.)
      assert.deepEqual((cluster.notDeployed ?? []).map((a) => a.id).sort(), ['flux-helmrelease:cert-manager/cert-manager', 'flux-helmrelease:envoy-gateway-system/envoy-gateway', 'flux-helmrelease:podinfo/podinfo']);
      const all = cluster.apps.flatMap((a) => a.resources);
      const keys = all.map((r) => `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`);
      assert.equal(new Set(keys).size, keys.length, `each object once: ${keys.join(', ')}`);
      for (const name of ['apps', 'infra-controllers', 'infra-configs']) {
        const r = all.find((x) => x.ref.kind === 'Kustomization' && x.ref.name === name);
        assert.ok(r, `Kustomization ${name} is rendered by the root`);
        assert.equal(r.status, 'Synced', `${name}: ${JSON.stringify(r.changes)}`);
      }
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('Argo CD: an Application declared per cluster is compared with the definition at its live source', async () => {
    const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-clusters-'));
    const argoURL = 'https://github.com/example/platform';
    const app = (p: string) => `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: guestbook\n  namespace: argocd\nspec:\n  source:\n    repoURL: ${argoURL}\n    path: ${p}\n  destination:\n    namespace: guestbook\n`;
    try {
      for (const c of ['east', 'west']) {
        await fs.mkdir(path.join(ws, 'clusters', c), { recursive: true });
        await fs.mkdir(path.join(ws, 'guestbook', c), { recursive: true });
        await fs.writeFile(path.join(ws, 'clusters', c, 'guestbook.yaml'), app(`guestbook/${c}`));
        await fs.writeFile(path.join(ws, 'guestbook', c, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gb-${c}\n`);
      }
      const r = [{ root: ws, urls: [argoURL], branch: 'main' }];
      const wsApps = await discoverApps([ws], { repos: r, folders: false });
      assert.equal(wsApps.length, 2);
      const liveApp = parseManifests(app('./guestbook/west/'), 'live').docs[0].object;
      const apps = appsForCluster(wsApps, [liveApp], r);
      assert.deepEqual(apps.map((a) => [a.name, path.relative(ws, a.definedIn!.file)]), [['guestbook', 'clusters/west/guestbook.yaml']]);
    } finally {
      await fs.rm(ws, { recursive: true, force: true });
    }
  });
});
