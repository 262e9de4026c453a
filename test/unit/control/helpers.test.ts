import { strict as assert } from 'node:assert';
import { controlRefOfApp, findAppTargets, owningAppOf } from '../../../src/core/control/find-app';
import { toApplyBody } from '../../../src/core/control/live-edit';
import { detectUser } from '../../../src/core/control/user';
import { applicationRef, waitForRefresh } from '../../../src/core/control/argo-sync';
import { mapWithConcurrency } from '../../../src/core/kube/concurrency';
import type { App, KubeObject } from '../../../src/core/model';
import type { ProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const named = (apiVersion: string, kind: string, namespace: string, name: string): KubeObject => ({ apiVersion, kind, metadata: { name, namespace } });

describe('control/findAppTargets', () => {
  const client = new FakeKubeClient([
    named('argoproj.io/v1alpha1', 'Application', 'argocd', 'web'),
    named('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'web'),
    named('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'apps', 'podinfo'),
  ]);
  it('finds the kind automatically and reports ambiguity as several candidates', async () => {
    assert.deepEqual((await findAppTargets(client, 'podinfo')).map((r) => `${r.kind} ${r.namespace}/${r.name}`), ['HelmRelease apps/podinfo']);
    assert.deepEqual((await findAppTargets(client, 'web')).map((r) => r.kind), ['Application', 'Kustomization']);
    assert.deepEqual((await findAppTargets(client, 'flux-system/web')).map((r) => r.kind), ['Kustomization']);
    assert.deepEqual(await findAppTargets(client, 'nope'), []);
  });
  it('maps apps to the object to control', () => {
    const app: App = { id: 'flux:flux-system/web', name: 'web', kind: 'flux-kustomization', namespace: 'flux-system', sourceType: 'kustomize' };
    assert.deepEqual(controlRefOfApp(app), { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', namespace: 'flux-system', name: 'web' });
    assert.throws(() => controlRefOfApp({ ...app, kind: 'folder' }), /plain folder/);
  });
});

describe('control/owningAppOf', () => {
  it('names the Argo app from the tracking id (with app namespace) or the Flux owner from labels', () => {
    const tracked = (id: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', annotations: { 'argocd.argoproj.io/tracking-id': id } } });
    assert.deepEqual(owningAppOf(tracked('guestbook:apps/Deployment:shop/web')), { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', namespace: 'argocd', name: 'guestbook' });
    assert.equal(owningAppOf(tracked('team-a_guestbook:apps/Deployment:shop/web'))?.namespace, 'team-a');
    const flux: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels: { 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': 'apps' } } };
    assert.deepEqual(owningAppOf(flux), { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' });
    assert.equal(owningAppOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y' } }), undefined);
  });
});

describe('control/live-edit', () => {
  it('strips server-owned fields from the apply body', () => {
    const body = toApplyBody({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'web', resourceVersion: '9', uid: 'u', managedFields: [{ manager: 'x' }], labels: { keep: 'me' } }, data: { k: 'v' }, status: {} } as KubeObject);
    assert.deepEqual(body, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'web', labels: { keep: 'me' } }, data: { k: 'v' } });
  });
});

describe('control/detectUser', () => {
  const runner = (stdout: string, code = 0): ProcessRunner => ({ run: async () => ({ code, stdout, stderr: '' }) });
  it('prefers git user.email and falls back to the OS user', async () => {
    assert.equal(await detectUser(runner('alice@example.com\n')), 'alice@example.com');
    const fallback = await detectUser(runner('', 1));
    assert.ok(fallback.length > 0 && !fallback.includes('@example.com'));
  });
});

describe('control/waitForRefresh', () => {
  it('waits until the annotation is gone and reconciledAt changed', async () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'argocd', annotations: { 'argocd.argoproj.io/refresh': 'hard' } }, status: { reconciledAt: 't1' } } as KubeObject;
    const client = new FakeKubeClient([app]);
    setTimeout(() => client.put({ ...app, metadata: { name: 'a', namespace: 'argocd' }, status: { reconciledAt: 't2' } }), 30);
    const out = await waitForRefresh(client, applicationRef('argocd', 'a'), 't1', { pollMs: 5 });
    assert.equal((out.status as any).reconciledAt, 't2');
    await assert.rejects(waitForRefresh(client, applicationRef('argocd', 'a'), 't2', { pollMs: 5, timeoutMs: 20 }), /did not refresh/);
  });
});

describe('kube/mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.equal(peak, 2);
  });
});
