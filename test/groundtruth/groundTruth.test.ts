// Ground-truth suite (issue 13 items 3-4): the offline diff against the real kube-apiserver's own answer. Runs on
// the real backend only (part of `npm run test:real`); prints the agreement table.
import * as assert from 'node:assert/strict';
import { kubeBackend } from '../backend/testCluster';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { DEMO_CRDS_DIR } from '../emulator/demo/seed-demo-world';
import { formatReport, runGroundTruth, type AgreementReport } from './agreement';

describe('ground truth: offline diff vs the real kube-apiserver', function () {
  this.timeout(600_000);
  let cluster: RealCluster | undefined;
  let report: AgreementReport;

  before(async function () {
    if (kubeBackend() !== 'real') this.skip();
    cluster = await startRealCluster({ crdDir: DEMO_CRDS_DIR });
    report = await runGroundTruth({ kubeconfigPath: cluster.kubeconfigPath, log: (l) => console.log(`    ${l}`) });
    console.log(formatReport(report).replace(/^/gm, '    '));
    for (const d of report.disagreements) console.log(`    ✗ ${d.what}\n        offline: ${d.offline.join(', ') || '(none)'}\n        server:  ${d.truth.join(', ') || '(none)'}${d.note ? `\n        ${d.note}` : ''}`);
  });
  after(async () => cluster?.stop());

  it('applies the corpus (real repositories, peer cases, demo world, generated variants) and makes every edit', () => {
    assert.ok(report.applied >= 250, `applied ${report.applied}`);
    assert.equal(report.edits, 34);
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
