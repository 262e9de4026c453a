// Referee (issue 14 items 7-8): Flux's own CLI (`flux` v2.9.5 built by `npm run tools`) against our rendering and
// our drift verdicts, on the real kube-apiserver. Over test/referee/fixtures/flux-repo (post-build substitution from
// substitute + a ConfigMap + a Secret in the cluster, an optional missing one, defaults, `$$`, the disabled
// annotation, a generated kustomization, patches, images, components, targetNamespace, namePrefix, commonMetadata):
//  1. our rendering equals `flux build kustomization` object for object (flux reads substituteFrom from the cluster);
//  2. after applying what flux built as kustomize-controller does (server-side apply, its field manager), our diff
//     says Synced for every object, like `flux diff kustomization` (exit 0);
//  3. after live edits, our per-object verdict equals `flux diff kustomization`'s (drifted / deleted / unchanged);
//  4. with the substituteFrom Secret removed from Git (only in the cluster), the engine reads it live: same verdicts.
// The controllers themselves (source/kustomize/helm-controller) are run by fluxControllers.test.ts.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { requireTool } from '../cluster/tools';
import { discoverApps } from '../../src/core/discovery';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { isGitOpsError, type KubeObject } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { renderApp } from '../../src/core/render';

const FIXTURE = path.join(__dirname, 'fixtures', 'flux-repo');
const URL = 'https://git.example.com/platform/flux-repo';
const OWNER_LABELS = ['kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace'];

const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const sortByKey = (xs: KubeObject[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

function withoutOwnerLabels(o: KubeObject): KubeObject {
  const labels = Object.fromEntries(Object.entries(o.metadata.labels ?? {}).filter(([k]) => !OWNER_LABELS.includes(k)));
  const { labels: _old, ...rest } = o.metadata;
  return { ...o, metadata: Object.keys(labels).length > 0 ? { ...rest, labels } : rest };
}

function parseYamlObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

describe('referee: Flux CLI vs our rendering and drift verdicts (real kube-apiserver)', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let kubeconfig: string;
  let repo: string;
  let flux: string;
  let kubectl: string;
  let client: KubeClient;

  const fluxRun = (args: string[]) => spawnSync(flux, [...args, '--kubeconfig', kubeconfig, '--timeout', '60s'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  const kubectlRun = (args: string[], input?: string) => execFileSync(kubectl, ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  // A local path is not an artifact: source-controller leaves its default excludes (fluxcd/pkg/sourceignore
  // ExcludeVCS/Ext/CI/Extra, e.g. `**/.sops.yaml`) out of every artifact, which `flux build` reproduces only when told.
  const ARTIFACT_EXCLUDES = '.git/,.gitignore,.gitmodules,.gitattributes,*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip,.github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml,**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml';
  const ksArgs = (name: string, ksPath: string) => [name, '--path', path.join(repo, ksPath), '--kustomization-file', path.join(repo, 'clusters/dev/apps.yaml'), '--namespace', 'flux-system', '--ignore-paths', ARTIFACT_EXCLUDES];
  const KS = [
    ['web', 'apps/web/overlays/dev'],
    ['plain', 'apps/plain'],
  ] as const;

  before(async function () {
    flux = requireTool('flux');
    kubectl = requireTool('kubectl');
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-flux-'));
    fs.cpSync(FIXTURE, repo, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', URL]);
    cluster = await startRealCluster({ crdDir: path.join(__dirname, '..', 'emulator', 'demo', 'crds'), forwardStderr: false });
    kubeconfig = cluster.kubeconfigPath;
    client = createKubeClient({ kubeconfig, context: cluster.contexts.admin });
    for (const ns of ['flux-system', 'web', 'plain']) kubectlRun(['create', 'namespace', ns]);
    // The substituteFrom objects live in the cluster, with a value the workspace copy does not have (flux reads the cluster).
    kubectlRun(['apply', '-f', '-'], fs.readFileSync(path.join(repo, 'clusters/dev/cluster-vars.yaml'), 'utf8').replace('eu-west-1', 'ap-south-1'));
    // The GitRepository and the Kustomizations, as the cluster's root Kustomization would have applied them.
    kubectlRun(['apply', '-f', '-'], `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: ${URL}\n  ref:\n    branch: main\n`);
    kubectlRun(['apply', '-f', path.join(repo, 'clusters/dev/apps.yaml')]);
  });
  after(async () => {
    await cluster?.stop();
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  const lookupObject = async (kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<KubeObject | undefined> => {
    try {
      return await client.get({ group: '', version: 'v1', kind, namespace, name });
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'notFound') return undefined;
      throw e;
    }
  };

  const fluxBuild = (name: string, ksPath: string): KubeObject[] => {
    const r = fluxRun(['build', 'kustomization', ...ksArgs(name, ksPath)]);
    assert.equal(r.status, 0, `flux build ${name}: ${r.stderr}`);
    return parseYamlObjects(r.stdout);
  };

  for (const [name, ksPath] of KS) {
    it(`1. our rendering of ${name} equals flux build kustomization, object for object`, async () => {
      const apps = await discoverApps([repo], { repos: [{ root: repo, urls: [URL], branch: 'main' }] });
      const app = apps.find((a) => a.name === name);
      assert.ok(app, `app ${name} discovered`);
      const ours = await renderApp(app, { runner: nodeProcessRunner, trusted: true, lookupObject });
      assert.deepEqual(ours.errors.map((e) => e.message), []);
      const theirs = fluxBuild(name, ksPath).map(withoutOwnerLabels);
      assert.deepEqual(sortByKey(ours.objects.map((o) => o.object)), sortByKey(theirs));
      if (name === 'web') {
        // The value came from the cluster's ConfigMap, not the workspace copy.
        const dep = theirs.find((o) => o.kind === 'Deployment')!;
        assert.match(JSON.stringify(dep), /ap-south-1/);
      }
    });
  }

  /** Our verdict per object of an app: Synced, Modified or MissingLive (the engine with the cluster's values). */
  async function ourVerdicts(): Promise<Map<string, string>> {
    // The engine renders offline (workspace values): make the workspace copy say what the cluster says.
    const vars = path.join(repo, 'clusters/dev/cluster-vars.yaml');
    fs.writeFileSync(vars, fs.readFileSync(vars, 'utf8').replace('eu-west-1', 'ap-south-1'));
    const engine = new DriftEngine({ roots: [repo], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
    const snap = await engine.compute([cluster.contexts.admin]);
    const c = snap.clusters[0];
    assert.equal(c.error, undefined);
    const out = new Map<string, string>();
    for (const a of c.apps) {
      if (!KS.some(([n]) => n === a.app.name)) continue;
      assert.deepEqual(a.errors.map((e) => e.message), [], `${a.app.name} errors`);
      for (const r of a.resources) out.set(`${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`, r.status);
    }
    return out;
  }

  /** flux diff kustomization's verdict per object: `► Kind/ns/name drifted|created|deleted`; unlisted ones are in sync. */
  function fluxVerdicts(): { code: number; drifted: Map<string, string> } {
    const drifted = new Map<string, string>();
    let code = 0;
    for (const [name, ksPath] of KS) {
      const r = fluxRun(['diff', 'kustomization', ...ksArgs(name, ksPath)]);
      assert.ok(r.status === 0 || r.status === 1, `flux diff ${name}: exit ${r.status}: ${r.stderr}`);
      code = Math.max(code, r.status ?? 2);
      for (const m of `${r.stdout}\n${r.stderr}`.matchAll(/►\s+(\S+)\/(\S+)\/(\S+)\s+(drifted|created|deleted)/g)) drifted.set(`${m[1]}/${m[2]}/${m[3]}`, m[4]);
    }
    return { code, drifted };
  }

  it('2. after applying what flux builds (as kustomize-controller), our diff says Synced and so does flux diff', async () => {
    for (const [name, ksPath] of KS) {
      const objects = fluxBuild(name, ksPath);
      const text = objects.map((o) => JSON.stringify(o)).join('\n');
      kubectlRun(['apply', '--server-side', '--field-manager=kustomize-controller', '--force-conflicts', '-f', '-'], text);
    }
    const flux = fluxVerdicts();
    assert.deepEqual([...flux.drifted], []);
    assert.equal(flux.code, 0);
    const ours = await ourVerdicts();
    assert.ok(ours.size >= 7, `objects compared: ${[...ours.keys()].join(', ')}`);
    assert.deepEqual([...ours].filter(([, s]) => s !== 'Synced'), []);
  });

  it('3. after live edits, our per-object verdict equals flux diff kustomization', async () => {
    kubectlRun(['-n', 'web', 'scale', 'deployment/dev-web', '--replicas=5']);
    kubectlRun(['-n', 'web', 'patch', 'configmap', 'dev-settings', '--type=merge', '-p', '{"data":{"greeting":"edited live"}}']);
    kubectlRun(['-n', 'plain', 'delete', 'configmap', 'b']);
    const flux = fluxVerdicts();
    assert.equal(flux.code, 1);
    const ours = await ourVerdicts();
    const ourDrift = new Map([...ours].filter(([, s]) => s !== 'Synced').map(([k, s]) => [k.replace(/^(\w+)\//, (_m, kind: string) => `${kind}/`), s === 'MissingLive' ? 'created' : 'drifted']));
    // Same objects, same kind of verdict (flux: a missing object would be "created" by the next apply).
    assert.deepEqual([...ourDrift].sort(), [...flux.drifted].sort());
    assert.deepEqual([...flux.drifted].sort(), [
      ['ConfigMap/plain/b', 'created'],
      ['ConfigMap/web/dev-settings', 'drifted'],
      ['Deployment/web/dev-web', 'drifted'],
    ]);
  });

  it('4. a substituteFrom Secret only in the cluster (not in Git): the engine reads it live, verdicts still equal flux diff', async () => {
    const vars = path.join(repo, 'clusters/dev/cluster-vars.yaml');
    fs.writeFileSync(vars, fs.readFileSync(vars, 'utf8').split(/^---$/m).filter((d) => !/kind: Secret/.test(d)).join('---'));
    assert.doesNotMatch(fs.readFileSync(vars, 'utf8'), /cluster-secrets/);
    const flux = fluxVerdicts();
    const ours = await ourVerdicts();
    const ourDrift = new Map([...ours].filter(([, s]) => s !== 'Synced').map(([k, s]) => [k, s === 'MissingLive' ? 'created' : 'drifted']));
    assert.deepEqual([...ourDrift].sort(), [...flux.drifted].sort());
    assert.ok(ours.size >= 7, `objects compared: ${[...ours.keys()].join(', ')}`);
  });
});
