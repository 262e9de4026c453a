// Control actions as audited changes (issue 17.14/18.16, 17.4, 17.11, 17.12), on the emulator or (KUBE_BACKEND=real)
// the real kube-apiserver: what each action writes, read back through the API.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readManifests } from './emulator';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { applicationRef } from '../../src/core/control/argo-sync';
import { fluxRef } from '../../src/core/control/flux';
import { endBreakglass, parseBreakglass, startBreakglass } from '../../src/core/control/breakglass';
import type { KubeObject } from '../../src/core/model';

const CRDS = path.resolve(__dirname, './demo/crds');
const AUTOMATED = { prune: true, selfHeal: true, allowEmpty: false };

const application = (name: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://example.com/demo.git', path: 'web', targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    syncPolicy: { automated: { ...AUTOMATED } },
  },
});

const kustomization = (name: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '5m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } },
});

describe('control audit: breakglass, live edit, identity and events', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.seed(readManifests(CRDS));
    await cluster.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
      application('race'),
      kustomization('race'),
    ]);
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath });
  });
  after(async () => {
    await cluster?.stop();
  });

  describe('breakglass start is one guarded change (17.14, 18.16)', () => {
    for (const which of ['argo', 'flux'] as const) {
      it(`two concurrent starts on one ${which} app: exactly one succeeds, the other names the active breakglass, the record keeps the real previous settings`, async () => {
        const ref = which === 'argo' ? applicationRef('argocd', 'race') : fluxRef('Kustomization', 'flux-system', 'race');
        const start = (user: string) => startBreakglass({ client, app: ref, reason: `hotfix by ${user}`, user, supportsEnabled: true });
        const results = await Promise.allSettled([start('alice@example.com'), start('bob@example.com')]);
        const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof startBreakglass>>>[];
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        assert.equal(ok.length, 1, `exactly one start succeeds: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join(' | ')}`);
        const winner = ok[0].value.record.user;
        const loser = winner === 'alice@example.com' ? 'bob@example.com' : 'alice@example.com';
        assert.equal(failed[0].reason.reason, 'conflict');
        assert.match(String(failed[0].reason.message), new RegExp(`breakglass already active by ${winner} since \\d{4}-`));
        const live = await client.get(ref);
        const record = parseBreakglass(live)!;
        assert.equal(record.user, winner);
        assert.notEqual(record.user, loser);
        if (which === 'argo') {
          assert.deepEqual(record.previous, { automated: AUTOMATED, method: 'enabled-false' });
          assert.equal((live.spec as any).syncPolicy.automated.enabled, false);
        } else {
          assert.deepEqual(record.previous, { suspend: false });
          assert.equal((live.spec as any).suspend, true);
        }
        // Ending it restores auto-sync / unsuspends: the record was not overwritten with "was already off".
        const end = await endBreakglass({ client, app: ref, resume: true, user: winner });
        assert.equal(end.resumed, true);
        const after = await client.get(ref);
        if (which === 'argo') assert.deepEqual((after.spec as any).syncPolicy.automated, AUTOMATED);
        else assert.equal((after.spec as any).suspend, false);
      });
    }
  });
});
