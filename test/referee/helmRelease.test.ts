// Referee (issue 14 item 2, second desired source): the manifest Helm stores in its release Secret, decoded by us,
// equals what `helm get manifest` (the pinned helm) says, for a release the real helm installed into the real
// kube-apiserver; an upgrade makes the new revision the current one; the Secret's content is never in a message.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { requireTool } from '../cluster/tools';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeObject } from '../../src/core/model';
import { currentHelmRelease, decodeHelmRelease } from '../../src/core/render/helmReleaseSecret';

const CHART = `apiVersion: v2
name: demo
version: 1.2.3
appVersion: "4.5"
`;
const TEMPLATES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  level: {{ .Values.level | quote }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  ports:
    - port: 80
`;

describe('referee: Helm release Secrets decoded vs helm get manifest (real kube-apiserver)', function () {
  this.timeout(180_000);
  let cluster: RealCluster;
  let dir: string;
  let helm: string;
  const run = (args: string[]) => execFileSync(helm, [...args, '--kubeconfig', cluster.kubeconfigPath], { encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    helm = requireTool('helm');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-helm-'));
    fs.mkdirSync(path.join(dir, 'demo', 'templates'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'demo', 'Chart.yaml'), CHART);
    fs.writeFileSync(path.join(dir, 'demo', 'values.yaml'), 'level: info\n');
    fs.writeFileSync(path.join(dir, 'demo', 'templates', 'all.yaml'), TEMPLATES);
    cluster = await startRealCluster({ forwardStderr: false });
  });
  after(async () => {
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const objectsOf = (text: string) =>
    parseAllDocuments(text)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => !!o?.kind)
      .map((o): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? 'shop' } }));

  it('decodes the deployed release exactly as helm get manifest, and follows upgrades', async () => {
    run(['install', 'web', path.join(dir, 'demo'), '--namespace', 'shop', '--create-namespace']);
    run(['upgrade', 'web', path.join(dir, 'demo'), '--namespace', 'shop', '--set', 'level=debug']);
    const client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contexts.admin });
    const secrets = (await client.list({ group: '', kind: 'Secret' }, { namespace: 'shop' })).items;
    assert.equal(secrets.filter((s) => s.metadata.name?.startsWith('sh.helm.release.v1.web.')).length, 2);
    const current = currentHelmRelease(secrets, 'web', 'shop');
    assert.ok(current);
    assert.equal(current.revision, 2);
    assert.equal(current.status, 'deployed');
    assert.deepEqual(current.chart, { name: 'demo', version: '1.2.3', appVersion: '4.5' });
    assert.deepEqual(current.objects, objectsOf(run(['get', 'manifest', 'web', '--namespace', 'shop'])));
    assert.equal((current.objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>).level, 'debug');
    // Revision 1 (superseded) still decodes to what helm says it was.
    const first = decodeHelmRelease(secrets.find((s) => s.metadata.name === 'sh.helm.release.v1.web.v1')!);
    assert.deepEqual(first.objects, objectsOf(run(['get', 'manifest', 'web', '--namespace', 'shop', '--revision', '1'])));
    assert.equal(first.status, 'superseded');
  });

  it('a Secret that is not a release is refused with its name only', () => {
    const bad: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.x.v1', namespace: 'shop' }, type: 'helm.sh/release.v1', data: { release: Buffer.from('not-base64-gzip-json-TOPSECRET').toString('base64') } } as KubeObject;
    assert.throws(
      () => decodeHelmRelease(bad),
      (e: Error) => /sh\.helm\.release\.v1\.x\.v1 cannot be decoded/.test(e.message) && !e.message.includes('TOPSECRET'),
    );
  });
});
