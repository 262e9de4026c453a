// The destination's capabilities as Argo CD's repo-server hands them to `helm template` (issue 14 item 3): the
// server's gitVersion and every group/version and group/version/Kind it serves, CRD groups included, on the test
// cluster (KUBE_BACKEND: the emulator, or the real kube-apiserver).
import * as assert from 'node:assert/strict';
import { clusterCapabilities } from '../../src/core/engine/clusterCapabilities';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { ensureGitOpsCrds } from './demo/seed-demo-world';
import { KubeRest } from './controllers/kube-rest';

describe('clusterCapabilities (on the test cluster: KUBE_BACKEND)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
    await ensureGitOpsCrds(await KubeRest.fromKubeconfig(cluster.kubeconfigPath));
  });
  after(() => cluster?.stop());

  it('names the server version and every served group/version and group/version/Kind, CRDs included', async () => {
    const client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contextName });
    const caps = await clusterCapabilities(client);
    assert.match(caps.kubeVersion ?? '', /^v1\.\d+\.\d+/);
    for (const want of ['v1', 'v1/ConfigMap', 'apps/v1', 'apps/v1/Deployment', 'argoproj.io/v1alpha1', 'argoproj.io/v1alpha1/Application']) {
      assert.ok(caps.apiVersions?.includes(want), `${want} in ${caps.apiVersions?.length} api versions`);
    }
  });
});
