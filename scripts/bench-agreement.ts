// `npm run bench` part 2 (also runnable alone: npx tsx scripts/bench-agreement.ts): the ground-truth agreement of
// the offline diff with the real kube-apiserver (test/groundtruth, issue 13): objects, edits, verdict / path /
// attribution agreement and noise, the same figures `npm run test:real` asserts.
import '../test/backend/pinnedTools';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { startRealCluster } from '../test/cluster/realCluster';
import { toolPath } from '../test/cluster/tools';
import { DEMO_CRDS_DIR } from '../test/emulator/demo/seed-demo-world';
import { formatReport, runGroundTruth } from '../test/groundtruth/agreement';

export async function benchAgreement(): Promise<void> {
  console.log(`\n--- diff fidelity (${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB) ---`);
  if (!fs.existsSync(toolPath('kubectl'))) {
    console.log('skipped: the real kube-apiserver is not built (npm run tools)');
    return;
  }
  const started = Date.now();
  const cluster = await startRealCluster({ crdDir: DEMO_CRDS_DIR });
  try {
    const report = await runGroundTruth({ kubeconfigPath: cluster.kubeconfigPath });
    console.log(formatReport(report));
    for (const d of report.disagreements) console.log(`  ✗ ${d.what}: offline ${d.offline.join(', ') || '(none)'}; server ${d.truth.join(', ') || '(none)'}${d.note ? ` (${d.note})` : ''}`);
    console.log(`  total with cluster start: ${Date.now() - started} ms`);
  } finally {
    await cluster.stop();
  }
}

if (require.main === module) {
  benchAgreement().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
