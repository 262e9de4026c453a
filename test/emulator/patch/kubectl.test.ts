// The engines behind the emulator, driven by the real kubectl: the bodies it sends (edit, set image, patch,
// apply --server-side) must give the managedFields a real apiserver would record.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { startEmulator, type Emulator } from '../emulator';

type Any = any;

describe('patch engines behind kubectl (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let dir: string;

  const kubectl = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ ok: boolean; out: string; err: string }>((resolve) =>
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: emu.kubeconfigPath, ...env } }, (e, out, err) => resolve({ ok: !e, out, err })),
    );
  const must = async (args: string[], env?: Record<string, string>) => {
    const r = await kubectl(args, env);
    assert.ok(r.ok, `kubectl ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  const get = async (): Promise<KubeObject> => JSON.parse(await must(['get', 'deploy/web', '-n', 'default', '-o', 'json', '--show-managed-fields']));
  const entry = (o: KubeObject, manager: string, op = 'Update'): ManagedFieldsEntry | undefined => o.metadata.managedFields?.find((e) => e.manager === manager && e.operation === op);

  const manifest = (env: { name: string; value: string }[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', env }, { name: 'side', image: 'busybox:1' }] } },
    },
  });
  const applyFile = (name: string, obj: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(obj));
    return f;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patch-kubectl-'));
    emu = await startEmulator();
  });
  after(async () => {
    await emu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('server-side apply, kubectl edit, conflict, force, set image and pruning', async () => {
    await must(['apply', '--server-side', '-f', applyFile('v1.json', manifest([{ name: 'A', value: '1' }]))]);
    let o = await get();
    assert.ok(entry(o, 'kubectl', 'Apply'), 'apply --server-side records an Apply entry for "kubectl"');

    // kubectl edit: the editor bumps replicas and adds env X; kubectl sends only the changes (strategic merge).
    const editor = join(dir, 'edit.js');
    writeFileSync(
      editor,
      `const fs = require('fs'); const f = process.argv[2];
       const o = JSON.parse(fs.readFileSync(f, 'utf8').split('\\n').filter((l) => !l.startsWith('#')).join('\\n'));
       o.spec.replicas = 3; o.spec.template.spec.containers[0].env.push({ name: 'X', value: 'x' });
       fs.writeFileSync(f, JSON.stringify(o, null, 2));`,
    );
    await must(['edit', 'deploy/web', '-n', 'default', '-o', 'json'], { KUBE_EDITOR: `node ${editor}` });
    o = await get();
    assert.deepEqual(entry(o, 'kubectl-edit')!.fieldsV1, {
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:env': { 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
      },
    });
    assert.equal(JSON.stringify(entry(o, 'kubectl', 'Apply')!.fieldsV1).includes('f:replicas'), false);

    // Re-applying the manifest now conflicts on replicas only (env X is not in the manifest).
    const conflict = await kubectl(['apply', '--server-side', '-f', join(dir, 'v1.json')]);
    assert.equal(conflict.ok, false);
    assert.match(conflict.err, /Apply failed with 1 conflict: conflict with "kubectl-edit" using apps\/v1: \.spec\.replicas/);

    await must(['apply', '--server-side', '--force-conflicts', '-f', join(dir, 'v1.json')]);
    o = await get();
    assert.equal((o.spec as Any).replicas, 2);
    assert.ok(!JSON.stringify(entry(o, 'kubectl-edit')!.fieldsV1).includes('f:replicas'));
    assert.deepEqual((o.spec as Any).template.spec.containers[0].env.map((e: Any) => e.name), ['A', 'X']);

    // kubectl set image sends $setElementOrder/containers; the order stays and kubectl-set owns just the image.
    await must(['set', 'image', 'deploy/web', '-n', 'default', 'app=nginx:1.27']);
    o = await get();
    assert.deepEqual((o.spec as Any).template.spec.containers.map((c: Any) => `${c.name}=${c.image}`), ['app=nginx:1.27', 'side=busybox:1']);
    assert.deepEqual(entry(o, 'kubectl-set')!.fieldsV1, { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:image': {} } } } } } });

    // Applying without env A removes it (only kubectl owned it); X stays with kubectl-edit.
    const v2 = manifest([]);
    delete (v2.spec.template.spec.containers[0] as Any).env;
    v2.spec.template.spec.containers[0].image = 'nginx:1.27';
    await must(['apply', '--server-side', '-f', applyFile('v2.json', v2)]);
    o = await get();
    assert.deepEqual((o.spec as Any).template.spec.containers[0].env, [{ name: 'X', value: 'x' }]);
  });

  it('client-side apply, label, json patch and scale record their own Update entries', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } };
    await must(['apply', '-f', applyFile('cm.json', cm)]);
    const getCm = async (): Promise<KubeObject> => JSON.parse(await must(['get', 'cm/settings', '-n', 'default', '-o', 'json', '--show-managed-fields']));
    let o = await getCm();
    assert.deepEqual(o.metadata.managedFields!.map((e) => [e.manager, e.operation, e.fieldsV1]), [
      ['kubectl-client-side-apply', 'Update', { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } }],
    ]);

    await must(['label', 'cm/settings', '-n', 'default', 'tier=fe']);
    await must(['patch', 'cm/settings', '-n', 'default', '--type', 'json', '-p', '[{"op":"add","path":"/data/b","value":"2"}]']);
    const bad = await kubectl(['patch', 'cm/settings', '-n', 'default', '--type', 'json', '-p', '[{"op":"test","path":"/data/a","value":"nope"}]']);
    assert.equal(bad.ok, false);
    o = await getCm();
    const byManager = Object.fromEntries(o.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1]));
    assert.deepEqual(byManager['kubectl-label'], { 'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } } });
    assert.deepEqual(byManager['kubectl-patch'], { 'f:data': { 'f:b': {} } });

    await must(['scale', 'deploy/web', '-n', 'default', '--replicas=4']);
    const dep = await get();
    const scale = dep.metadata.managedFields!.find((e) => e.subresource === 'scale')!;
    assert.equal(scale.manager, 'kubectl');
    assert.deepEqual(scale.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  it('upgrades a client-side-applied object to server-side apply without conflicts', async () => {
    const m = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'csa', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'csa' } }, template: { metadata: { labels: { app: 'csa' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } } };
    await must(['apply', '-f', applyFile('csa1.json', m)]);
    m.spec.replicas = 2;
    await must(['apply', '--server-side', '-f', applyFile('csa2.json', m)]);
    const o: KubeObject = JSON.parse(await must(['get', 'deploy/csa', '-n', 'default', '-o', 'json', '--show-managed-fields']));
    assert.equal((o.spec as Any).replicas, 2);
    assert.equal(JSON.parse(o.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']).spec.replicas, 2);
    assert.ok(JSON.stringify(entry(o, 'kubectl', 'Apply')!.fieldsV1).includes('f:replicas'));
  });
});
