// Ground-truth suite (issue 13 items 2-5): the offline diff against the real kube-apiserver's own answer, the
// offline defaults table against the server's defaulting, and `--mode server-side` on the real server. Runs on the
// real backend only (part of `npm run test:real`), on one cluster; prints the agreement table.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main, type CliIo } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import { kubeBackend } from '../backend/testCluster';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { APPLY_PATCH, KubeRest } from '../emulator/controllers/kube-rest';
import { DEMO_CRDS_DIR } from '../emulator/demo/seed-demo-world';
import { formatReport, runGroundTruth, type AgreementReport } from './agreement';
import { checkDefaults } from './defaultsCheck';
import { kubectl } from './edits';
import { specCrd } from '../schema/specCrd';

describe('ground truth on the real kube-apiserver', function () {
  this.timeout(600_000);
  let cluster: RealCluster;
  let rest: KubeRest;

  before(async function () {
    if (kubeBackend() !== 'real') this.skip();
    cluster = await startRealCluster({ crdDir: DEMO_CRDS_DIR });
    rest = await KubeRest.fromKubeconfig(cluster.kubeconfigPath);
  });
  after(async () => cluster?.stop());

  describe('offline diff vs the server (verdicts, paths, attribution, noise)', () => {
    let report: AgreementReport;
    before(async () => {
      report = await runGroundTruth({ kubeconfigPath: cluster.kubeconfigPath, log: (l) => console.log(`    ${l}`) });
      console.log(formatReport(report).replace(/^/gm, '    '));
      for (const d of report.disagreements) console.log(`    ✗ ${d.what}\n        offline: ${d.offline.join(', ') || '(none)'}\n        server:  ${d.truth.join(', ') || '(none)'}${d.note ? `\n        ${d.note}` : ''}`);
    });

    it('applies the corpus (real repositories, peer cases, demo world, generated variants) and makes every edit', () => {
      assert.ok(report.applied >= 250, `applied ${report.applied}`);
      assert.equal(report.edits, 34);
      assert.ok(report.editsReverted > 0 && report.editsReverted < report.edits, 'edits of both kinds: reverted by the next apply, and kept');
    });
    it('agrees with the server on every verdict: no noise, nothing missed', () => {
      assert.equal(report.noise, 0, 'noise');
      assert.equal(report.missed, 0, 'missed');
      assert.equal(report.verdictAgree, report.compared);
    });
    it('names the same changed paths as the server', () => {
      assert.equal(report.pathAgree, report.compared);
    });
    it('attributes every changed field to the manager that made the edit', () => {
      assert.ok(report.attributionTotal > 0);
      assert.equal(report.attributionAgree, report.attributionTotal);
    });
    it('kubectl diff --server-side agrees with the dry-run apply on every edited object', () => {
      assert.equal(report.kubectlDiffAgree, report.edits);
    });
  });

  it('every default of the offline table is what the server fills in (a minimal object of each kind it covers)', async () => {
    const r = await checkDefaults(rest);
    console.log(`    defaults table: ${r.checked} defaulted fields on ${r.kinds} minimal objects checked against the server`);
    assert.ok(r.kinds >= 16 && r.checked >= 150, `${r.kinds} objects, ${r.checked} fields`);
    assert.deepEqual(r.mismatches, []);
  });

  describe('--mode server-side on the real server', () => {
    const NS = 'gt-ss';
    let repo: string;
    const cli = async (mode: 'offline' | 'server-side'): Promise<{ code: number; report: JsonReport }> => {
      const o = { stdout: '', stderr: '', env: { ...process.env, KUBECONFIG: '' }, cwd: repo, isTTY: false } as unknown as CliIo & { stdout: string; stderr: string };
      o.out = (s) => (o.stdout += s);
      o.err = (s) => (o.stderr += s);
      const code = await main(['diff', '--repo', repo, '--kubeconfig', cluster.kubeconfigPath, '--mode', mode, '-o', 'json'], o);
      return { code, report: JSON.parse(o.stdout) as JsonReport };
    };
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ss-web', namespace: NS }, spec: { replicas: 2, selector: { matchLabels: { app: 'ss' } }, template: { metadata: { labels: { app: 'ss' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { memory: '1024Mi' } } }] } } } };
    const synced = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ss-synced', namespace: NS }, data: { a: 'b' } };
    const missing = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ss-missing', namespace: NS }, data: { a: 'b' } };
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ss-widget', namespace: NS }, spec: { size: 1 } };

    before(async () => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-ss-'));
      fs.mkdirSync(path.join(repo, 'apps', 'ss'), { recursive: true });
      fs.writeFileSync(path.join(repo, 'apps', 'ss', 'objects.yaml'), [deployment, synced, missing, widget].map((o) => stringify(o)).join('---\n'));
      await rest.call('PATCH', `/api/v1/namespaces/${NS}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, contentType: APPLY_PATCH, query: { fieldManager: 'gt-setup', force: 'true' } });
      for (const o of [deployment, synced]) await rest.call('PATCH', await rest.objectPath(o), { body: o, contentType: APPLY_PATCH, query: { fieldManager: 'argocd-controller', force: 'true' } });
      const r = await kubectl({ kubeconfigPath: cluster.kubeconfigPath }, ['scale', '-n', NS, 'deployment/ss-web', '--replicas=4']);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it('asks the server for objects that exist, agrees with the offline verdicts, and reports missing objects and CRs without a CRD', async () => {
      const off = await cli('offline');
      const ss = await cli('server-side');
      const byName = (r: JsonReport) => new Map(r.resources.map((x) => [`${x.kind}/${x.name}`, x]));
      const o = byName(off.report);
      const s = byName(ss.report);
      // the edited Deployment: the server's own answer, same verdict and path as offline
      const d = s.get('Deployment/ss-web')!;
      assert.equal(d.mode, 'server-side');
      assert.equal(d.status, 'Modified');
      assert.deepEqual(d.changes.filter((c) => c.category !== 'live-only').map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 2, 4]]);
      assert.deepEqual(o.get('Deployment/ss-web')!.changes.filter((c) => c.category !== 'live-only').map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 2, 4]]);
      assert.equal(s.get('ConfigMap/ss-synced')!.status, 'Synced');
      assert.equal(s.get('ConfigMap/ss-synced')!.mode, 'server-side');
      // missing live: nothing to dry-run against, reported as such in both modes
      assert.equal(s.get('ConfigMap/ss-missing')!.status, 'MissingLive');
      assert.equal(o.get('ConfigMap/ss-missing')!.status, 'MissingLive');
      // a custom resource whose CRD is not installed: never "Synced"
      const w = s.get('Widget/ss-widget');
      console.log(`    Widget without CRD: ${JSON.stringify(w)}; exit ${ss.code}`);
      assert.ok(w && w.status !== 'Synced', 'a CR whose CRD is missing is not in sync');
      assert.equal(w.status, o.get('Widget/ss-widget')!.status);
      assert.equal(ss.code, off.code);
    });
  });

  describe('custom resources: the engine reads list and map types from the CRD in the workspace', () => {
    const NS = 'gt-crd';
    let repo: string;
    const quantity = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
    const crd = specCrd({
      group: 'gt.example.com',
      kind: 'Widget',
      specProperties: {
        items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: quantity, 'x-kubernetes-int-or-string': true } } } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    });
    const widget = (name: string) => ({ apiVersion: 'gt.example.com/v1', kind: 'Widget', metadata: { name, namespace: NS }, spec: { items: [{ name: 'a', size: '1Gi' }], selector: { app: 'x' } } });
    const apply = async (o: any, manager: string) => rest.call('PATCH', await rest.objectPath(o), { body: o, contentType: APPLY_PATCH, query: { fieldManager: manager, force: 'true' } });
    const truthChanges = async (o: any) => {
      const live = await rest.call('GET', await rest.objectPath(o));
      const dry = await rest.call('PATCH', await rest.objectPath(o), { body: o, contentType: APPLY_PATCH, query: { fieldManager: 'argocd-controller', force: 'true', dryRun: 'All' } });
      return JSON.stringify(dry.spec) !== JSON.stringify(live.spec);
    };

    before(async () => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-crd-'));
      fs.mkdirSync(path.join(repo, 'apps', 'widgets'), { recursive: true });
      fs.writeFileSync(path.join(repo, 'apps', 'widgets', 'all.yaml'), [crd, widget('merged'), widget('replaced'), widget('respelled')].map((o) => stringify(o)).join('---\n'));
      await rest.call('PATCH', `/api/v1/namespaces/${NS}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, contentType: APPLY_PATCH, query: { fieldManager: 'gt-setup', force: 'true' } });
      await apply(crd, 'argocd-controller');
      const deadline = Date.now() + 30_000;
      while (!(await rest.resource('gt.example.com/v1', 'Widget')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      for (const n of ['merged', 'replaced', 'respelled']) await apply(widget(n), 'argocd-controller');
      // another manager adds a list-map item (kept by the controller's apply), takes the atomic selector (replaced
      // by it), and respells a quantity (a custom resource keeps strings as given: the apply rewrites it)
      await apply({ apiVersion: 'gt.example.com/v1', kind: 'Widget', metadata: { name: 'merged', namespace: NS }, spec: { items: [{ name: 'b', size: '2' }] } }, 'team-operator');
      await apply({ apiVersion: 'gt.example.com/v1', kind: 'Widget', metadata: { name: 'replaced', namespace: NS }, spec: { selector: { app: 'x', canary: 'true' } } }, 'team-operator');
      await apply({ apiVersion: 'gt.example.com/v1', kind: 'Widget', metadata: { name: 'respelled', namespace: NS }, spec: { items: [{ name: 'a', size: '1024Mi' }] } }, 'team-operator');
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it('agrees with the server on each edit', async () => {
      const o = { stdout: '', stderr: '', env: { ...process.env, KUBECONFIG: '' }, cwd: repo, isTTY: false } as unknown as CliIo & { stdout: string; stderr: string };
      o.out = (x) => (o.stdout += x);
      o.err = (x) => (o.stderr += x);
      await main(['diff', '--repo', repo, '--kubeconfig', cluster.kubeconfigPath, '-o', 'json'], o);
      const report = JSON.parse(o.stdout) as JsonReport;
      for (const name of ['merged', 'replaced', 'respelled']) {
        const r = report.resources.find((x) => x.kind === 'Widget' && x.name === name)!;
        const offline = r.changes.some((c) => c.category !== 'live-only');
        const truth = await truthChanges(widget(name));
        assert.equal(offline, truth, `${name}: offline ${JSON.stringify(r.changes)}, server ${truth ? 'changes it' : 'changes nothing'}`);
      }
      assert.equal(await truthChanges(widget('merged')), false);
      assert.equal(await truthChanges(widget('replaced')), true);
      assert.equal(await truthChanges(widget('respelled')), true);
    });
  });
});
