import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { applyServerDefaults, defaultPullPolicy } from '../../../src/core/k8s/defaults';

const pod = () => ({ containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: '/', port: 80 } } }], volumes: [{ name: 'c', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'y' } }] });
const deployment = (spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: pod() }, ...spec } });
type J = Record<string, any>;

describe('k8s/defaults', () => {
  it('defaults Deployment fields and leaves the input untouched', () => {
    const input = deployment();
    const out = applyServerDefaults(input) as J;
    assert.equal(out.spec.replicas, 1);
    assert.equal(out.spec.revisionHistoryLimit, 10);
    assert.equal(out.spec.progressDeadlineSeconds, 600);
    assert.deepEqual(out.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal((input as J).spec.replicas, undefined, 'pure');
  });
  it('keeps explicit values and Recreate strategy without rollingUpdate', () => {
    const out = applyServerDefaults(deployment({ replicas: 3, strategy: { type: 'Recreate' } })) as J;
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });
  it('defaults the pod template, containers, probes, ports and volumes', () => {
    const s = (applyServerDefaults(deployment()) as J).spec.template.spec;
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.deepEqual(s.securityContext, {});
    const c = s.containers[0];
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.deepEqual(c.readinessProbe, { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, failureThreshold: 3, successThreshold: 1, timeoutSeconds: 1, periodSeconds: 10 });
    assert.equal(s.volumes[0].configMap.defaultMode, 420);
    assert.equal(s.volumes[1].secret.defaultMode, 420);
  });
  it('picks imagePullPolicy from the tag', () => {
    assert.equal(defaultPullPolicy('nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultPullPolicy('registry:5000/nginx'), 'Always');
    assert.equal(defaultPullPolicy('registry:5000/nginx:1.2'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  });
  it('defaults StatefulSet, DaemonSet, ReplicaSet', () => {
    const sts = applyServerDefaults({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {}, spec: { template: { spec: pod() } } }) as J;
    assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
    assert.equal(sts.spec.revisionHistoryLimit, 10);
    assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    const ds = applyServerDefaults({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: {}, spec: { template: { spec: pod() } } }) as J;
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.template.spec.dnsPolicy, 'ClusterFirst');
    const rs = applyServerDefaults({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: {}, spec: { template: { spec: pod() } } }) as J;
    assert.equal(rs.spec.replicas, 1);
  });
  it('defaults Job and CronJob, and the pod template of the CronJob but not its JobSpec (as the real server)', () => {
    const job = applyServerDefaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: {}, spec: { template: { spec: { ...pod(), restartPolicy: 'Never' } } } }) as J;
    assert.equal(job.spec.backoffLimit, 6);
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    const cj = applyServerDefaults({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: {}, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: pod() } } } } }) as J;
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined, 'the real server leaves the jobTemplate JobSpec alone');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.containers[0].terminationMessagePolicy, 'File');
  });
  it('defaults Service fields but never allocates a clusterIP', () => {
    const svc = applyServerDefaults({ apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } }) as J;
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
    assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }]);
    assert.equal(svc.spec.clusterIP, undefined);
    const plain = applyServerDefaults({ apiVersion: 'v1', kind: 'Service', metadata: {}, spec: {} }) as J;
    assert.equal(plain.spec.type, 'ClusterIP');
  });
  it('folds Secret stringData into base64 data, stringData winning', () => {
    const s = applyServerDefaults({ apiVersion: 'v1', kind: 'Secret', metadata: {}, data: { a: 'b2xk', keep: 'eA==' }, stringData: { a: 'new', n: 1234 } } as KubeObject) as J;
    assert.deepEqual(s.data, { a: Buffer.from('new').toString('base64'), keep: 'eA==', n: Buffer.from('1234').toString('base64') });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
  });
  it('defaults webhook configurations per API version', () => {
    const w = applyServerDefaults({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: {}, webhooks: [{ name: 'a', clientConfig: { service: { name: 's', namespace: 'n' } }, rules: [{ operations: ['CREATE'] }] }] } as KubeObject) as J;
    assert.equal(w.webhooks[0].timeoutSeconds, 10);
    assert.equal(w.webhooks[0].clientConfig.service.port, 443);
    assert.equal(w.webhooks[0].rules[0].scope, '*');
    assert.equal(w.webhooks[0].reinvocationPolicy, 'Never');
  });
  it('defaults an empty RBAC apiGroup as the server does (roleRef always; subjects of kind User and Group)', () => {
    const rb = applyServerDefaults({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r' }, roleRef: { apiGroup: '', kind: 'Role', name: 'x' }, subjects: [{ apiGroup: '', kind: 'User', name: 'jane' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'n' }] } as unknown as KubeObject) as J;
    assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(rb.subjects.map((s: J) => s.apiGroup), ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
  });
});
