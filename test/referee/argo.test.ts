// Referee (issue 14 item 9): Argo CD's own manifest generation against our rendering of Argo CD Applications.
// `argocd-referee` (test/argocd, built by `npm run tools`) calls argo-cd v3.6.2's reposerver/repository.GenerateManifests
// — what argocd-repo-server runs for every Application — on a checkout of test/referee/fixtures/argo-repo, with the
// pinned kustomize and helm on PATH. For each Application in argocd/*.yaml (kustomize: namePrefix, nameSuffix, images,
// commonLabels, commonAnnotations (+Envsubst), namespace, replicas, patches, components (+ignoreMissingComponents),
// forceCommonLabels, labelWithoutSelector, labelIncludeTemplates; helm: releaseName, parameters (forceString, commas,
// lists, $ARGOCD_APP_* values), fileParameters, values, valuesObject, valueFiles ($ARGOCD_APP_* in paths),
// globs, ignoreMissingValueFiles, skipCrds, skipTests, skipSchemaValidation, namespace, kubeVersion, apiVersions, the cluster's
// version / API versions when unset, ARGOCD_APP_REVISION; directory: recurse, include, exclude, JSON files, Lists; `.argocd-source.yaml` and
// `.argocd-source-<instance name>.yaml` override files; an Application outside the argocd namespace; a multi-source
// Application with a `$values/...` value file from a ref source), our objects equal
// repo-server's, object for object, after the application controller's namespace step (below).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { envWithTools, KUBERNETES_VERSION, requireTool } from '../cluster/tools';
import { discoverApps } from '../../src/core/discovery';
import type { App, KubeObject } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { renderApp } from '../../src/core/render';
import type { HelmCapabilities } from '../../src/core/render/types';

const FIXTURE = path.join(__dirname, 'fixtures', 'argo-repo');
const URL = 'https://git.example.com/platform/argo-repo';

/**
 * The destination cluster as the application controller describes it to repo-server (controller/state.go
 * GetRepoObjs: `KubeVersion: serverVersion, ApiVersions: argo.APIResourcesToStrings(apiResources, true)`): the
 * version without its `v` (gitops-engine KubectlCmd.GetServerVersion: version.ParseGeneric(GitVersion).String()),
 * every group/version and group/version/Kind. Our engine reads the same from the cluster (clusterCapabilities).
 */
const CLUSTER: HelmCapabilities = {
  kubeVersion: KUBERNETES_VERSION.replace(/^v/, ''),
  apiVersions: ['apps/v1', 'apps/v1/Deployment', 'monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'v1', 'v1/ConfigMap', 'v1/Service'],
};

/**
 * controller/state.go NormalizeTargetObjects: a namespaced (or unknown) object without a namespace gets the
 * destination namespace; a cluster-scoped one loses any namespace. Scope comes from the cluster's discovery there;
 * here from this list of the cluster-scoped kinds the fixtures use.
 */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'CustomResourceDefinition']);
function controllerNamespace(o: KubeObject, destination: string): KubeObject {
  const { namespace: ns, ...meta } = o.metadata ?? {};
  if (CLUSTER_SCOPED.has(o.kind)) return { ...o, metadata: meta };
  return { ...o, metadata: { ...meta, namespace: ns || destination } };
}

const key = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const sorted = (xs: KubeObject[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b))).map((o) => JSON.parse(JSON.stringify(o)) as KubeObject);

interface Application {
  metadata: { name: string; namespace: string };
  spec: { project?: string; source?: Record<string, unknown>; sources?: Record<string, unknown>[]; destination: { namespace: string } };
}

function fixtureApplications(folder = 'argocd'): Application[] {
  const dir = path.join(FIXTURE, folder);
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as Application));
}

/**
 * A fresh checkout (repo-server runs `kustomize edit` in its checkout): the fixture committed, its HEAD. The commit is
 * reproducible (fixed dates), so repo-server's and our workspace's checkouts have the same ARGOCD_APP_REVISION.
 */
function checkout(prefix: string): { root: string; revision: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(FIXTURE, root, { recursive: true });
  const date = '2026-01-01T00:00:00Z';
  const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  const git = (args: string[]) => execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8', env }).trim();
  execFileSync('git', ['init', '-q', '-b', 'main', root]);
  git(['remote', 'add', 'origin', URL]);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'fixture']);
  return { root, revision: git(['rev-parse', 'HEAD']) };
}

interface RefereeResult {
  sourceType: string;
  commands: string[] | null;
  manifests: KubeObject[];
}

/** repo-server's GenerateManifests for one Application, with the request the application controller sends it. */
function repoServer(referee: string, a: Application): RefereeResult {
  const r = repoServerRun(referee, a);
  if ('error' in r) throw new Error(`argocd-referee ${a.metadata.name} failed: ${r.error}`);
  return r;
}

function repoServerRun(referee: string, a: Application): RefereeResult | { error: string } {
  const { root, revision } = checkout('gd-referee-argo-rs-');
  try {
    // One GenerateManifests per rendered source (controller/state.go GetRepoObjs), every `ref` source in refSources
    // (keyed `$<ref>`), the checkouts of the ref repositories known by URL (repo-server's gitRepoPaths).
    const sources = a.spec.sources ?? [a.spec.source ?? {}];
    const refSources = Object.fromEntries(sources.filter((s) => typeof s.ref === 'string').map((s) => [`$${String(s.ref)}`, { repo: { repo: s.repoURL }, targetRevision: s.targetRevision }]));
    const out: RefereeResult = { sourceType: '', commands: [], manifests: [] };
    for (const source of sources.filter((s) => typeof s.path === 'string')) {
      const request = {
        repo: { repo: URL },
        revision,
        // controller/state.go: AppName: app.InstanceName(controller namespace) — `<ns>_<name>` outside argocd.
        appName: a.metadata.namespace === 'argocd' ? a.metadata.name : `${a.metadata.namespace}_${a.metadata.name}`,
        namespace: a.spec.destination.namespace,
        projectName: a.spec.project ?? 'default',
        applicationSource: source,
        kubeVersion: CLUSTER.kubeVersion,
        apiVersions: CLUSTER.apiVersions,
        ...(a.spec.sources ? { hasMultipleSources: true, refSources } : {}),
      };
      const input = JSON.stringify({ appPath: path.join(root, String(source.path)), repoRoot: root, revision, request, refRepoPaths: { [URL]: root } });
      const r = spawnSync(referee, [], { input, encoding: 'utf8', env: envWithTools(), cwd: root, timeout: 120_000 });
      if (r.status !== 0) return { error: r.stderr.split('\n').filter((l) => !l.startsWith('{') && !l.startsWith('time=')).join('\n') || r.stderr };
      const res = JSON.parse(r.stdout) as RefereeResult;
      out.sourceType = [out.sourceType, res.sourceType].filter(Boolean).join('+');
      out.commands = [...(out.commands ?? []), ...(res.commands ?? [])];
      out.manifests.push(...res.manifests);
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('referee: argo-cd repo-server manifest generation vs our rendering of Argo CD Applications', function () {
  this.timeout(300_000);
  let referee: string;
  let repo: string;
  let apps: App[];
  const applications = fixtureApplications();

  before(async () => {
    referee = requireTool('argocd-referee');
    requireTool('kustomize');
    requireTool('helm');
    repo = checkout('gd-referee-argo-ws-').root;
    apps = await discoverApps([repo], { repos: [{ root: repo, urls: [URL], branch: 'main' }] });
  });
  after(() => {
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  it('the fixture has an Application for every option the referee covers', () => {
    const text = fs.readdirSync(path.join(FIXTURE, 'argocd')).map((f) => fs.readFileSync(path.join(FIXTURE, 'argocd', f), 'utf8')).join('\n');
    const options = ['namePrefix', 'nameSuffix', 'images', 'commonLabels', 'commonAnnotations', 'commonAnnotationsEnvsubst', 'namespace', 'replicas', 'patches', 'components', 'ignoreMissingComponents', 'forceCommonLabels', 'labelWithoutSelector', 'labelIncludeTemplates', 'releaseName', 'parameters', 'forceString', 'fileParameters', 'values', 'valuesObject', 'valueFiles', 'ignoreMissingValueFiles', 'skipCrds', 'skipTests', 'skipSchemaValidation', 'kubeVersion', 'apiVersions', 'directory', 'recurse', 'include', 'exclude', '$ARGOCD_APP_NAME', 'ARGOCD_APP_NAMESPACE', 'ARGOCD_APP_PROJECT_NAME', 'ARGOCD_APP_SOURCE_TARGET_REVISION', 'ARGOCD_APP_REVISION_SHORT', 'namespace: team-a', 'sources:', '$values/'];
    for (const f of ['apps/web/overrides/.argocd-source.yaml', 'apps/web/overrides/.argocd-source-web-overrides.yaml', 'apps/web/overrides/.argocd-source-team-a_web-team.yaml', 'apps/chart/.argocd-source-shop-helm-default.yaml']) {
      assert.ok(fs.existsSync(path.join(FIXTURE, f)), `override file ${f}`);
    }
    for (const o of options) assert.ok(text.includes(o), `an Application uses ${o}`);
  });

  for (const a of applications) {
    it(`${a.metadata.name}: our objects equal repo-server's`, async () => {
      const app = apps.find((x) => x.kind === 'argo-application' && x.name === a.metadata.name);
      assert.ok(app, `Application ${a.metadata.name} discovered`);
      const theirs = repoServer(referee, a);
      const ours = await renderApp(app, { runner: nodeProcessRunner, trusted: true, capabilities: CLUSTER });
      assert.deepEqual(ours.errors.map((e) => e.message), [], `repo-server ran: ${(theirs.commands ?? []).join(' ; ')}`);
      const expected = sorted(theirs.manifests.map((o) => controllerNamespace(o, a.spec.destination.namespace)));
      assert.ok(expected.length > 0, 'repo-server rendered objects');
      if (a.metadata.name === 'shop-multi') assert.match(JSON.stringify(expected), /from-ref-values/, 'the $values file took effect');
      assert.deepEqual(sorted(ours.objects.map((o) => o.object)), expected, `repo-server ran: ${(theirs.commands ?? []).join(' ; ')}`);
    });
  }

  for (const a of fixtureApplications('argocd-invalid')) {
    it(`${a.metadata.name}: repo-server refuses it, and so do we, for the same reason`, async () => {
      const theirs = repoServerRun(referee, a);
      assert.ok('error' in theirs, 'repo-server refused it');
      const app = apps.find((x) => x.kind === 'argo-application' && x.name === a.metadata.name);
      assert.ok(app);
      const ours = await renderApp(app, { runner: nodeProcessRunner, trusted: true, capabilities: CLUSTER });
      assert.equal(ours.objects.length, 0);
      const reason = /multiple application sources defined/;
      assert.match(theirs.error, reason);
      assert.match(ours.errors[0]?.message ?? '', reason);
    });
  }
});
