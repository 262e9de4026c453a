// Issue 14 item 3 leftovers: helm's kubeVersion / apiVersions defaults for an Argo CD app come from its destination
// cluster when the kubeconfig has a context for it (the engine reads that cluster), else from the cluster where the
// Application is listed, and the app says so in a note. /version is read once per full refresh even though both
// the OpenAPI schemas and helm's capabilities ask for it (a request-counting kube client port).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const URL = 'https://example.test/caps.git';

/** A fake cluster serving /version (counted) and nothing else of the non-resource paths. */
class VersionedCluster extends FakeKubeClient {
  readonly paths: string[] = [];
  constructor(
    readonly version: string,
    objects: KubeObject[] = [],
  ) {
    super(objects);
  }
  async getPath(p: string): Promise<unknown> {
    this.paths.push(p);
    if (p === '/version') return { gitVersion: this.version };
    throw new GitOpsError('notFound', `no ${p}`);
  }
}

const application = (name: string, destination: Record<string, string>): KubeObject =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: URL, targetRevision: 'main', path: 'charts/caps', helm: { releaseName: name } }, destination: { namespace: 'caps', ...destination } },
  }) as unknown as KubeObject;

describe("engine: helm capabilities of an Argo CD app's destination cluster (issue 14 item 3)", function () {
  this.timeout(60_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-destcaps-'));
    execFileSync('git', ['init', '-q', '-b', 'main', ws]);
    execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', URL]);
    mkdirSync(path.join(ws, 'charts/caps/templates'), { recursive: true });
    writeFileSync(path.join(ws, 'charts/caps/Chart.yaml'), 'apiVersion: v2\nname: caps\nversion: 0.1.0\n');
    writeFileSync(path.join(ws, 'charts/caps/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n');
    mkdirSync(path.join(ws, 'argo'));
    writeFileSync(path.join(ws, 'argo/apps.yaml'), [application('remote', { server: 'https://edge.example.com' }), application('elsewhere', { name: 'far-away' }), application('local', { server: 'https://kubernetes.default.svc' })].map((a) => JSON.stringify(a)).join('\n---\n'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it("renders with the destination's version when the kubeconfig has it, else the listing cluster's with a note; /version once per cluster", async () => {
    const hub = new VersionedCluster('v1.36.4', ['remote', 'elsewhere', 'local'].map((n) => application(n, {})));
    // The live Applications as the listing cluster holds them (their destinations as in Git).
    for (const a of [application('remote', { server: 'https://edge.example.com' }), application('elsewhere', { name: 'far-away' }), application('local', { server: 'https://kubernetes.default.svc' })]) hub.put(a);
    const edge = new VersionedCluster('v1.37.2');
    const clients: Record<string, VersionedCluster> = { hub, edge };
    const engine = new DriftEngine({
      roots: [ws],
      clientFor: (c) => clients[c],
      runner: nodeProcessRunner,
      trusted: true,
      contextForDestination: (d) => (d.server === 'https://edge.example.com' ? 'edge' : undefined),
    } as ConstructorParameters<typeof DriftEngine>[0]);
    const snap = await engine.compute(['hub']);
    const cluster = snap.clusters[0];
    assert.equal(cluster.error, undefined);
    const app = (name: string) => cluster.apps.find((a) => a.app.name === name)!;
    const kube = (name: string) => (app(name).resources.find((r) => r.ref.kind === 'ConfigMap')?.desired as { data?: { kube?: string } } | undefined)?.data?.kube;
    assert.deepEqual(hub.paths.filter((p) => p === '/version'), ['/version'], 'the schemas and helm share one GET /version');
    assert.equal(kube('remote'), 'v1.37.2', "the destination's version");
    assert.equal(app('remote').notes, undefined);
    assert.equal(kube('local'), 'v1.36.4', 'the in-cluster is the listing cluster');
    assert.equal(app('local').notes, undefined);
    // No context for far-away: rendered with the listing cluster's (its live state is an error on the app, as before).
    assert.match(app('elsewhere').notes?.join() ?? '', /kubeVersion \/ apiVersions are those of hub, where the Application is listed: no kubeconfig context points at its destination far-away/);
    assert.deepEqual(edge.paths.filter((p) => p === '/version'), ['/version']);
  });
});
