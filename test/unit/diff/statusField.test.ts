// argocd-cm `resource.compareoptions.ignoreResourceStatusField` (issue 13 item 6), with Argo CD v3's semantics
// (util/settings GetResourceOverrides): unset or `all` → `/status` ignored on every kind; `crd` → ignored on
// CustomResourceDefinition objects only; `none` / `off` / `false` → compared everywhere; anything else → `all`.
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';
import { appIgnoreRules, argoSettingsOf } from '../../../src/core/diff/ignoreSources';

const cm = (opts: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' }, data: { 'resource.compareoptions': opts } }) as unknown as KubeObject;
const svc = (status?: unknown): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] }, ...(status ? { status } : {}) }) as unknown as KubeObject;
const crd = (status?: unknown): KubeObject =>
  ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    ...(status ? { status } : {}),
  }) as unknown as KubeObject;
const gitLb = { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } };
const liveLb = { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } };
const gitCrd = { acceptedNames: { plural: 'widgets', kind: 'Widget' }, storedVersions: ['v1'] };
const liveCrd = { acceptedNames: { plural: 'widgets', kind: 'Widget' }, storedVersions: ['v1', 'v1beta1'] };

describe('ignoreResourceStatusField (argocd-cm resource.compareoptions)', () => {
  it('reads the option; YAML false (off) counts as off; an unknown value is reported', () => {
    assert.equal(argoSettingsOf(cm('ignoreAggregatedRoles: true')).ignoreResourceStatusField, undefined);
    assert.equal(argoSettingsOf(cm('ignoreResourceStatusField: crd')).ignoreResourceStatusField, 'crd');
    assert.equal(argoSettingsOf(cm('ignoreResourceStatusField: none')).ignoreResourceStatusField, 'none');
    assert.equal(argoSettingsOf(cm('ignoreResourceStatusField: false')).ignoreResourceStatusField, 'false');
    const bad = argoSettingsOf(cm('ignoreResourceStatusField: some'));
    assert.match(bad.errors.join('\n'), /ignoreResourceStatusField.*some.*every resource/);
  });
  it('unset and `all`: status is ignored on every kind (Argo CD v3 default)', () => {
    for (const mode of [undefined, 'all', 'unknown-value']) {
      assert.equal(diffResource(svc(gitLb), svc(liveLb), { ignoreResourceStatusField: mode }).status, 'Synced', String(mode));
      assert.equal(diffResource(crd(gitCrd), crd(liveCrd), { ignoreResourceStatusField: mode }).status, 'Synced', String(mode));
    }
  });
  it('`none` / `off` / `false`: a status declared in Git is compared with live', () => {
    for (const mode of ['none', 'off', 'false']) {
      const d = diffResource(svc(gitLb), svc(liveLb), { ignoreResourceStatusField: mode });
      assert.equal(d.status, 'Modified', mode);
      assert.deepEqual(d.changes.map((c) => c.path), ['status.loadBalancer.ingress'], mode); // an atomic list in the schema
      assert.equal(diffResource(crd(gitCrd), crd(liveCrd), { ignoreResourceStatusField: mode }).status, 'Modified', mode);
      // Git without status: what live reports under status is not drift.
      assert.equal(diffResource(svc(), svc(liveLb), { ignoreResourceStatusField: mode }).status, 'Synced', mode);
      assert.equal(diffResource(svc(liveLb), svc(liveLb), { ignoreResourceStatusField: mode }).status, 'Synced', mode);
    }
  });
  it('`crd`: ignored on CustomResourceDefinitions only, compared on other kinds', () => {
    assert.equal(diffResource(crd(gitCrd), crd(liveCrd), { ignoreResourceStatusField: 'crd' }).status, 'Synced');
    assert.equal(diffResource(svc(gitLb), svc(liveLb), { ignoreResourceStatusField: 'crd' }).status, 'Modified');
  });
  it('reaches the diff options of Argo CD apps only', () => {
    const argoApp = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: {} } as unknown as KubeObject;
    const ks = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k' }, spec: {} } as unknown as KubeObject;
    assert.equal(appIgnoreRules(argoApp, cm('ignoreResourceStatusField: none')).ignoreResourceStatusField, 'none');
    assert.equal(appIgnoreRules(ks, cm('ignoreResourceStatusField: none')).ignoreResourceStatusField, undefined);
  });
});
