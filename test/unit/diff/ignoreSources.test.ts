// Ignore rules users already have (issue 13 items 6-7): argocd-cm, compare-options, Flux annotations and rules.
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';
import { selectorMatches } from '../../../src/core/diff/ignore';
import { appIgnoreRules, argoSettingsOf, compareOptionsOf, findArgoCm, fluxIgnoreRulesOf, validateIgnoreRules } from '../../../src/core/diff/ignoreSources';

const deploy = (replicas: number, annotations: Record<string, string> = {}, labels: Record<string, string> = { app: 'web' }): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels, annotations }, spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'INJECTED', value: 'x' }] }] } } } }) as unknown as KubeObject;

describe('ignore rules users already have', () => {
  it('reads argocd-cm: per group_kind and .all rules, the older resource.customizations block, compare options', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: 'argocd' },
      data: {
        'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers:\n- /spec/replicas\n',
        'resource.customizations.ignoreDifferences.Service': 'jqPathExpressions:\n- .spec.ports[] | select(.name | startswith("metrics"))\n',
        'resource.customizations.ignoreDifferences.all': 'managedFieldsManagers:\n- kube-controller-manager\njsonPointers:\n- /metadata/annotations/x\n',
        'resource.customizations': 'admissionregistration.k8s.io/MutatingWebhookConfiguration:\n  ignoreDifferences: |\n    jsonPointers:\n    - /webhooks/0/clientConfig/caBundle\n',
        'resource.compareoptions': 'ignoreAggregatedRoles: true\nignoreResourceStatusField: all\n',
      },
    } as unknown as KubeObject;
    const s = argoSettingsOf(cm);
    assert.deepEqual(
      s.rules.map((r) => [r.group, r.kind, [...(r.jsonPointers ?? []), ...(r.jqPathExpressions ?? []), ...(r.managedFieldsManagers ?? [])].join(' ')]).sort(),
      [
        ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration', '/webhooks/0/clientConfig/caBundle'],
        ['apps', 'Deployment', '/spec/replicas'],
        ['', 'Service', '.spec.ports[] | select(.name | startswith("metrics"))'],
        ['*', '*', '/metadata/annotations/x kube-controller-manager'],
      ].sort(),
    );
    assert.equal(s.ignoreAggregatedRoles, true);
    assert.equal(s.ignoreResourceStatusField, 'all');
    assert.deepEqual(s.errors, []);
    // used in a diff: the replicas difference is ignored
    assert.equal(diffResource(deploy(2), deploy(5), { ignoreDifferences: s.rules }).status, 'Synced');
    assert.equal(diffResource(deploy(2), deploy(5)).status, 'Modified');
  });
  it('an expression that cannot be evaluated is reported for the app and the resource is still diffed', () => {
    const rules = [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.spec.containers[].env[] | select(.name | ascii(1))', '.spec.replicas'], jsonPointers: ['spec/bad'] }];
    const d = diffResource(deploy(2), deploy(5), { ignoreDifferences: rules });
    assert.equal(d.status, 'Synced', 'the usable expression still applies; nothing turns Unknown');
    const errs = validateIgnoreRules(rules);
    assert.equal(errs.length, 2);
    assert.match(errs.join('\n'), /ascii/);
    assert.match(errs.join('\n'), /must start with/);
    const app = appIgnoreRules({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: { ignoreDifferences: rules } } as unknown as KubeObject);
    assert.equal(app.errors.length, 2);
  });
  it('jq select with startswith removes injected sidecar env vars only', () => {
    const live = deploy(2);
    const desired = deploy(2);
    (desired.spec as any).template.spec.containers[0].env = [{ name: 'A', value: '1' }];
    const rules = [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.spec.containers[].env[] | select(.name | startswith("INJ"))'] }];
    const managedFields = [{ manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:env': { 'k:{"name":"A"}': {}, 'k:{"name":"INJECTED"}': {} } } } } } } } }];
    (live.metadata as any).managedFields = managedFields;
    assert.equal(diffResource(desired, live, { manager: 'argocd-controller' }).status, 'Modified');
    assert.equal(diffResource(desired, live, { manager: 'argocd-controller', ignoreDifferences: rules }).status, 'Synced');
  });
  it('compare-options IgnoreExtraneous: a prune candidate with it does not count', () => {
    assert.deepEqual(compareOptionsOf(deploy(1, { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous, ServerSideDiff=true' })), { ignoreExtraneous: true, serverSideDiff: true });
    assert.equal(diffResource(undefined, deploy(1, { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' })).status, 'Synced');
    assert.equal(diffResource(undefined, deploy(1)).status, 'ExtraLive');
  });
  it('Flux: reconcile disabled and ssa Ignore/IfNotPresent are not reconciled; ssa Merge keeps hand edits', () => {
    assert.match(diffResource(deploy(2, { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' }), deploy(5)).reason ?? '', /reconcile: disabled/);
    assert.equal(diffResource(deploy(2, { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' }), deploy(5)).status, 'Synced');
    assert.equal(diffResource(deploy(2, { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }), deploy(5)).status, 'Synced');
    const merge = { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' };
    const live = deploy(2, merge, { app: 'web', team: 'x' });
    (live.metadata as any).managedFields = [{ manager: 'kustomize-controller', operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } }, { manager: 'kubectl-label', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } }];
    const plainLive = deploy(2, {}, { app: 'web', team: 'x' });
    (plainLive.metadata as any).managedFields = (live.metadata as any).managedFields;
    assert.equal(diffResource(deploy(2), plainLive, { manager: 'kustomize-controller' }).status, 'Modified', 'kustomize-controller removes kubectl edits');
    assert.equal(diffResource(deploy(2, merge), live, { manager: 'kustomize-controller' }).status, 'Synced');
  });
  it('Flux Kustomization spec.ignore and HelmRelease driftDetection.ignore, with target selectors', () => {
    const ks = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps' }, spec: { ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment', group: 'apps', labelSelector: 'app in (web,api),!canary' } }] } } as unknown as KubeObject;
    const rules = fluxIgnoreRulesOf(ks);
    assert.deepEqual(rules.map((r) => [r.group, r.kind, r.labelSelector, r.jsonPointers]), [['apps', 'Deployment', 'app in (web,api),!canary', ['/spec/replicas']]]);
    assert.equal(diffResource(deploy(2), deploy(5), { ignoreDifferences: rules }).status, 'Synced');
    assert.equal(diffResource(deploy(2, {}, { app: 'web', canary: 'y' }), deploy(5, {}, { app: 'web', canary: 'y' }), { ignoreDifferences: rules }).status, 'Modified', 'label selector excludes it');
    const hr = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'p' }, spec: { driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'] }] } } } as unknown as KubeObject;
    assert.deepEqual(fluxIgnoreRulesOf(hr).map((r) => [r.group, r.kind, r.jsonPointers]), [['*', '*', ['/spec/replicas']]]);
    assert.deepEqual(appIgnoreRules(ks).rules.length, 1);
  });
  it('label selectors: equality, inequality, set-based, existence', () => {
    const l = { app: 'web', tier: 'front' };
    assert.ok(selectorMatches('app=web', l));
    assert.ok(selectorMatches('app==web,tier!=back', l));
    assert.ok(selectorMatches('app in (api, web), tier notin (back)', l));
    assert.ok(selectorMatches('app,!canary', l));
    assert.ok(!selectorMatches('app=api', l));
    assert.ok(!selectorMatches('tier notin (front)', l));
    assert.ok(!selectorMatches('canary', l));
  });
  it('finds argocd-cm live first, then in the workspace, and uses it for Argo CD apps only', () => {
    const cm = (ns: string, data: Record<string, string>, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ns, ...(labels ? { labels } : {}) }, data }) as unknown as KubeObject;
    const live = cm('argocd', { 'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers: [/spec/replicas]' }, { 'app.kubernetes.io/part-of': 'argocd' });
    const ws = cm('argocd', {});
    assert.equal(findArgoCm([ws, live]), live, 'the labelled one wins');
    assert.equal(findArgoCm([], [ws]), ws);
    assert.equal(findArgoCm([live], [ws]), live);
    assert.equal(findArgoCm([]), undefined);
    const argoApp = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: {} } as unknown as KubeObject;
    assert.equal(appIgnoreRules(argoApp, live).rules.length, 1);
    assert.equal(appIgnoreRules({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k' }, spec: {} } as unknown as KubeObject, live).rules.length, 0);
    assert.equal(appIgnoreRules(argoApp, cm('argocd', { 'resource.compareoptions': 'ignoreAggregatedRoles: true' })).ignoreAggregatedRoles, true);
  });
});
