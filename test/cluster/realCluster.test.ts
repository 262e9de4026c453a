// Real kube-apiserver (the pinned release) + embedded etcd, checked with the real kubectl of the same release.
// Needs `npm run tools` first. Run: npx mocha --require tsx/cjs --timeout 120000 test/cluster/realCluster.test.ts
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRealCluster, type RealCluster } from './realCluster';
import { KUBERNETES_VERSION, toolPath } from './tools';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// A minimal Argo CD Application CRD, so RBAC on argoproj.io is checked on a real served resource.
const applicationCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
spec:
  group: argoproj.io
  names: { kind: Application, listKind: ApplicationList, plural: applications, singular: application, shortNames: [app] }
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;

describe('real cluster: kube-apiserver + etcd, RBAC users', function () {
  this.timeout(120_000);
  let cluster: RealCluster;
  let tmp: string;

  function kubectl(context: string, args: string[], input?: string): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(toolPath('kubectl'), ['--kubeconfig', cluster.kubeconfigPath, '--context', context, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }
  async function ok(context: string, args: string[], input?: string): Promise<string> {
    const r = await kubectl(context, args, input);
    assert.equal(r.code, 0, `kubectl --context ${context} ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }
  async function forbidden(context: string, args: string[], input?: string): Promise<void> {
    const r = await kubectl(context, args, input);
    assert.notEqual(r.code, 0, `kubectl --context ${context} ${args.join(' ')} should be refused but printed: ${r.stdout}`);
    assert.match(r.stderr, /Forbidden|forbidden/, `expected Forbidden from kubectl --context ${context} ${args.join(' ')}, got: ${r.stderr}`);
  }

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-real-test-'));
    const crdDir = path.join(tmp, 'crds');
    fs.mkdirSync(crdDir);
    fs.writeFileSync(path.join(crdDir, 'application-crd.yaml'), applicationCrd);
    cluster = await startRealCluster({ crdDir, kubeconfigPath: path.join(tmp, 'kubeconfig') });
  });

  after(async function () {
    await cluster?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('server and kubectl are the pinned release', async function () {
    const v = JSON.parse(await ok(cluster.contexts.admin, ['version', '-o', 'json']));
    assert.equal(v.serverVersion.gitVersion, KUBERNETES_VERSION);
    assert.equal(v.clientVersion.gitVersion, KUBERNETES_VERSION);
    assert.equal(cluster.version, KUBERNETES_VERSION);
    assert.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('the kubeconfig has the three contexts, admin current, CA embedded', async function () {
    const cfg = JSON.parse(await ok(cluster.contexts.admin, ['config', 'view', '--raw', '-o', 'json']));
    assert.equal(cfg['current-context'], 'admin');
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name).sort(), ['admin', 'ns-user', 'viewer']);
    assert.ok(cfg.clusters[0].cluster['certificate-authority-data']);
  });

  it('admin can create a ConfigMap', async function () {
    await ok(cluster.contexts.admin, ['create', 'configmap', 'admin-made', '-n', 'default', '--from-literal=a=b']);
    assert.equal((await ok(cluster.contexts.admin, ['get', 'configmap', 'admin-made', '-n', 'default', '-o', 'jsonpath={.data.a}'])), 'b');
    await ok(cluster.contexts.admin, ['get', 'crd', 'applications.argoproj.io']);
  });

  it('viewer can list but not create', async function () {
    assert.match(await ok(cluster.contexts.viewer, ['get', 'configmaps', '-n', 'default']), /admin-made/);
    await ok(cluster.contexts.viewer, ['get', 'configmaps', '-A']);
    await ok(cluster.contexts.viewer, ['get', 'applications.argoproj.io', '-A']);
    await forbidden(cluster.contexts.viewer, ['create', 'configmap', 'viewer-made', '-n', 'default', '--from-literal=a=b']);
    await forbidden(cluster.contexts.viewer, ['create', 'configmap', 'viewer-made', '-n', 'team-a', '--from-literal=a=b']);
  });

  it('ns-user has full access in team-a and team-b only', async function () {
    await ok(cluster.contexts.nsUser, ['get', 'configmaps', '-n', 'team-a']);
    await ok(cluster.contexts.nsUser, ['create', 'configmap', 'ns-made', '-n', 'team-b', '--from-literal=a=b']);
    await ok(cluster.contexts.nsUser, ['apply', '--server-side', '-n', 'team-a', '-f', '-'], 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: demo }\nspec: { project: default }\n');
    assert.match(await ok(cluster.contexts.viewer, ['get', 'applications.argoproj.io', '-n', 'team-a']), /demo/);
    await forbidden(cluster.contexts.nsUser, ['get', 'configmaps', '-A']);
    await forbidden(cluster.contexts.nsUser, ['get', 'namespaces']);
    await forbidden(cluster.contexts.nsUser, ['get', 'configmaps', '-n', 'default']);
    await forbidden(cluster.contexts.nsUser, ['create', 'configmap', 'x', '-n', 'default', '--from-literal=a=b']);
  });

  it('stop() ends the apiserver process, removes its temp dir, and is idempotent', async function () {
    const { pid, dir } = cluster;
    assert.ok(isAlive(pid));
    await Promise.all([cluster.stop(), cluster.stop()]);
    await cluster.stop();
    assert.equal(isAlive(pid), false, `pid ${pid} still exists`);
    assert.equal(fs.existsSync(dir), false, `${dir} was not removed`);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
