// Conformance with the real kubectl (the pinned v1.37.2 of .tools/bin with the pinnedTools require): a client nobody here wrote.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeProcessRunner, type ProcessResult } from '../../src/core/ports';
import { type Emulator, startEmulator } from './emulator';

const REAL = resolve(__dirname, '../fixtures/real-repos');
const CRDS = resolve(__dirname, './demo/crds');
const GUESTBOOK = join(REAL, 'argoproj__argo-cd/applicationset/examples/applications-sync-policies/guestbook/engineering-dev');
const PODINFO_FRONTEND = join(REAL, 'stefanprodan__podinfo/deploy/webapp/frontend');
const CLUSTER_ROLE = join(REAL, 'argoproj__argo-cd/test/e2e/testdata/cluster-role');

// Non-interactive EDITOR for `kubectl edit`: replicas → 3 and an env var X=1 on the first container.
const EDITOR_SCRIPT = `#!/usr/bin/env node
const fs = require('fs');
const file = process.argv[process.argv.length - 1];
let s = fs.readFileSync(file, 'utf8');
s = s.replace(/\\n  replicas: \\d+/, '\\n  replicas: 3');
s = s.replace(/\\n      - image: /, '\\n      - env:\\n        - name: X\\n          value: "1"\\n        image: ');
fs.writeFileSync(file, s);
`;

describe('real kubectl against the emulator', function () {
  this.timeout(120000);
  let emu: Emulator;
  let work: string;

  const kubectl = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<ProcessResult> =>
    nodeProcessRunner.run('kubectl', args, { env: { ...process.env, KUBECONFIG: emu.kubeconfigPath, ...env }, input });
  const ok = async (args: string[], env?: NodeJS.ProcessEnv): Promise<string> => {
    const r = await kubectl(args, env);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const getJson = async (args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json', '--show-managed-fields']));
  const managers = (obj: any) => Object.fromEntries((obj.metadata.managedFields ?? []).map((e: any) => [`${e.manager}${e.subresource ? `/${e.subresource}` : ''}`, e]));

  before(async () => {
    emu = await startEmulator();
    work = mkdtempSync(join(tmpdir(), 'emu-kubectl-'));
  });
  after(async () => {
    await emu?.stop();
  });

  it('version: reports server v1.37.2', async () => {
    const out = await ok(['version']);
    assert.match(out, /Server Version: v1\.37\.2/);
  });

  it('apply --server-side -f the Argo CD and Flux CRDs serves their kinds at once (api-resources)', async () => {
    const out = await ok(['apply', '--server-side', '-f', CRDS]);
    assert.equal(out.match(/serverside-applied/g)?.length, 10, out);
    const resources = await ok(['api-resources']);
    assert.match(resources, /^applications\s+app,apps\s+argoproj\.io\/v1alpha1\s+true\s+Application$/m);
    assert.match(resources, /^kustomizations\s+ks\s+kustomize\.toolkit\.fluxcd\.io\/v1\s+true\s+Kustomization$/m);
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    const app = await kubectl(['apply', '--server-side', '-f', '-'], {}, JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook' }, spec: { project: 'default', source: { repoURL: 'https://example.com/repo.git', path: 'guestbook' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'default' } } }));
    assert.equal(app.code, 0, app.stderr);
    assert.equal((await getJson(['applications.argoproj.io', 'guestbook'])).spec.source.path, 'guestbook');
  });

  it('apply --server-side -f real-world folders; get -o yaml/json shows server defaults and managedFields', async () => {
    await ok(['create', 'namespace', 'webapp']);
    for (const dir of [GUESTBOOK, PODINFO_FRONTEND, CLUSTER_ROLE]) await ok(['apply', '--server-side', '-f', dir]);
    const yaml = await ok(['get', 'deployment', 'guestbook-ui', '-o', 'yaml']);
    assert.match(yaml, /terminationMessagePath: \/dev\/termination-log/);
    assert.match(yaml, /progressDeadlineSeconds: 600/);
    const d = await getJson(['deployment', 'guestbook-ui']);
    assert.equal(d.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
    const apply = managers(d).kubectl;
    assert.equal(apply.operation, 'Apply');
    assert.equal(apply.fieldsType, 'FieldsV1');
    assert.ok(apply.fieldsV1['f:spec']['f:replicas']);
    const svc = await getJson(['-n', 'webapp', 'service', 'frontend']);
    assert.match(svc.spec.clusterIP, /^10\.96\./);
    assert.equal((await getJson(['-n', 'webapp', 'hpa', 'frontend'])).kind, 'HorizontalPodAutoscaler');
    assert.equal((await getJson(['clusterrolebinding', 'my-cluster-role-binding'])).roleRef.name, 'cluster-admin');
  });

  it('get prints the server-side table columns (built-in kinds and CRD printer columns)', async () => {
    const deployments = await ok(['get', 'deployments']);
    assert.match(deployments, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    assert.match(deployments, /^guestbook-ui\s+0\/1\s+0\s+0\s+\d+s$/m);
    const svc = await ok(['get', 'service', 'frontend', '-n', 'webapp']);
    assert.match(svc, /^frontend\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    const apps = await ok(['get', 'applications.argoproj.io']);
    assert.match(apps, /^NAME\s+SYNC STATUS\s+HEALTH STATUS$/m);
  });

  it('edit (EDITOR script) records kubectl-edit owning exactly replicas and the added env var', async () => {
    const editor = join(work, 'editor.js');
    writeFileSync(editor, EDITOR_SCRIPT);
    chmodSync(editor, 0o755);
    const out = await ok(['edit', 'deployment', 'guestbook-ui'], { EDITOR: editor, KUBE_EDITOR: editor });
    assert.match(out, /deployment.apps\/guestbook-ui edited/);
    const d = await getJson(['deployment', 'guestbook-ui']);
    assert.equal(d.spec.replicas, 3);
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'X', value: '1' }]);
    const edit = managers(d)['kubectl-edit'];
    assert.equal(edit.operation, 'Update');
    assert.equal(edit.apiVersion, 'apps/v1');
    assert.match(edit.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(edit.fieldsV1, {
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"guestbook-ui"}': { 'f:env': { '.': {}, 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
      },
    });
    // The field moved from the applier to kubectl-edit.
    assert.equal(managers(d).kubectl.fieldsV1['f:spec']['f:replicas'], undefined);
  });

  it('apply --server-side of a field now owned by kubectl-edit fails with 409 naming the manager', async () => {
    const r = await kubectl(['apply', '--server-side', '-f', GUESTBOOK]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /conflict with "kubectl-edit"/);
    assert.match(r.stderr, /\.spec\.replicas/);
  });

  it('patch --type strategic, merge and json', async () => {
    await ok(['patch', 'deployment', 'guestbook-ui', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"guestbook-ui","env":[{"name":"Y","value":"2"}]}]}}}}']);
    await ok(['patch', 'deployment', 'guestbook-ui', '--type', 'merge', '-p', '{"spec":{"minReadySeconds":7}}']);
    await ok(['patch', 'deployment', 'guestbook-ui', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":4}]']);
    const d = await getJson(['deployment', 'guestbook-ui']);
    assert.deepEqual(d.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name).sort(), ['X', 'Y']);
    assert.equal(d.spec.minReadySeconds, 7);
    assert.equal(d.spec.revisionHistoryLimit, 4);
    assert.ok(managers(d)['kubectl-patch'].fieldsV1['f:spec']['f:minReadySeconds']);
    const bad = await kubectl(['patch', 'deployment', 'guestbook-ui', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
    assert.notEqual(bad.code, 0);
  });

  it('scale, set image, label and annotate, each under its own manager', async () => {
    await ok(['scale', 'deployment', 'guestbook-ui', '--replicas', '5']);
    await ok(['set', 'image', 'deployment/guestbook-ui', 'guestbook-ui=nginx:1.27']);
    await ok(['label', 'deployment', 'guestbook-ui', 'team=web']);
    await ok(['annotate', 'deployment', 'guestbook-ui', 'owner=alice']);
    const d = await getJson(['deployment', 'guestbook-ui']);
    assert.equal(d.spec.replicas, 5);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(d.metadata.labels.team, 'web');
    assert.equal(d.metadata.annotations.owner, 'alice');
    const m = managers(d);
    assert.deepEqual(m['kubectl/scale'].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.ok(m['kubectl-set'].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"guestbook-ui"}']['f:image']);
    assert.ok(m['kubectl-label'].fieldsV1['f:metadata']['f:labels']['f:team']);
    assert.ok(m['kubectl-annotate'].fieldsV1['f:metadata']['f:annotations']['f:owner']);
  });

  it('get -w streams changes until --request-timeout', async () => {
    const watching = kubectl(['get', 'configmaps', '-w', '--request-timeout=3s']);
    await new Promise((r) => setTimeout(r, 1000));
    await ok(['create', 'configmap', 'watched', '--from-literal=a=b']);
    const r = await watching;
    assert.match(r.stdout, /^watched\s/m);
  });

  it('diff --server-side exits 0 when live matches and 1 when it differs', async () => {
    const file = join(work, 'svc.yaml');
    copyFileSync(join(GUESTBOOK, 'guestbook-ui-svc.yaml'), file);
    assert.equal((await kubectl(['diff', '--server-side', '-f', file])).code, 0);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/port: 80\b/, 'port: 8080'));
    const r = await kubectl(['diff', '--server-side', '-f', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\+\s+- port: 8080|\+\s+port: 8080/);
    // diff is a dry run: nothing changed live
    assert.equal((await getJson(['service', 'guestbook-ui'])).spec.ports[0].port, 80);
  });

  it('401, 403, 404 and 409 come out as kubectl\'s usual messages', async () => {
    const unauth = await kubectl(['--token', 'wrong', 'get', 'pods']);
    assert.equal(unauth.code, 1);
    assert.match(unauth.stderr, /You must be logged in to the server \(Unauthorized\)/);
    const forbidden = await kubectl(['--token', emu.readOnlyToken, 'delete', 'deployment', 'guestbook-ui']);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /Error from server \(Forbidden\): deployments.apps "guestbook-ui" is forbidden: User "emulator-viewer" cannot delete resource "deployments" in API group "apps" in the namespace "default"/);
    const missing = await kubectl(['get', 'deployment', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): deployments.apps "nope" not found/);
    const stale = join(work, 'stale.json');
    writeFileSync(stale, await ok(['get', 'deployment', 'guestbook-ui', '-o', 'json']));
    await ok(['scale', 'deployment', 'guestbook-ui', '--replicas', '6']);
    const conflict = await kubectl(['replace', '-f', stale]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Error from server \(Conflict\).*the object has been modified/);
  });

  it('delete removes the object', async () => {
    assert.match(await ok(['delete', 'deployment', 'guestbook-ui']), /deployment.apps "guestbook-ui" deleted/);
    assert.equal((await kubectl(['get', 'deployment', 'guestbook-ui'])).code, 1);
    assert.equal(emu.store.get('apps/deployments', 'default', 'guestbook-ui'), undefined);
  });
});
