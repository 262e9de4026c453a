// Where the engine reads argocd-cm from (src/core/engine/liveArgoCm.ts): the namespaces of the live Applications.
import * as assert from 'node:assert/strict';
import { argoNamespaces, readLiveArgoCm } from '../../../src/core/engine/liveArgoCm';
import type { KubeClient } from '../../../src/core/kube/types';
import { GitOpsError, type KubeObject, type ObjectRef } from '../../../src/core/model';

const app = (ns: string, name = 'a'): KubeObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: ns } }) as KubeObject;
const ks = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k', namespace: 'flux-system' } } as KubeObject;

function client(answers: Record<string, KubeObject | GitOpsError>, asked: string[]): KubeClient {
  return {
    get: async (ref: ObjectRef) => {
      asked.push(`${ref.namespace}/${ref.name}`);
      const a = answers[ref.namespace];
      if (!a) throw new GitOpsError('notFound', `configmaps "argocd-cm" not found`);
      if (a instanceof GitOpsError) throw a;
      return a;
    },
  } as unknown as KubeClient;
}

describe('argocd-cm read from the cluster (liveArgoCm)', () => {
  it('asks where the Applications live, the most used namespace first, argocd first on a tie', () => {
    assert.deepEqual(argoNamespaces([app('team-a'), app('argocd'), ks]), ['argocd', 'team-a']);
    assert.deepEqual(argoNamespaces([app('team-a', 'x'), app('team-a', 'y'), app('argocd')]), ['team-a', 'argocd']);
    assert.deepEqual(argoNamespaces([ks]), []);
  });
  it('no Argo CD Applications: nothing is read', async () => {
    const asked: string[] = [];
    assert.equal(await readLiveArgoCm(client({}, asked), [ks]), undefined);
    assert.deepEqual(asked, []);
  });
  it('the first found wins; not found anywhere is no error; forbidden is one, naming the object', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' } } as KubeObject;
    const asked: string[] = [];
    assert.equal((await readLiveArgoCm(client({ argocd: cm }, asked), [app('team-a'), app('argocd')]))?.object, cm);
    assert.deepEqual(await readLiveArgoCm(client({}, []), [app('argocd')]), {});
    const denied = await readLiveArgoCm(client({ argocd: new GitOpsError('forbidden', 'configmaps "argocd-cm" is forbidden') }, []), [app('argocd')]);
    assert.equal(denied?.error?.reason, 'forbidden');
    assert.match(denied!.error!.message, /ConfigMap argocd\/argocd-cm: configmaps "argocd-cm" is forbidden/);
    // Forbidden in one namespace, found in another: the one found is used.
    const found = await readLiveArgoCm(client({ 'team-a': new GitOpsError('forbidden', 'no'), argocd: cm }, []), [app('team-a', 'x'), app('team-a', 'y'), app('argocd')]);
    assert.equal(found?.object, cm);
    const broken = await readLiveArgoCm({ get: async () => { throw new Error('socket hang up'); } } as unknown as KubeClient, [app('argocd')]);
    assert.equal(broken?.error?.reason, 'internal');
  });
});
