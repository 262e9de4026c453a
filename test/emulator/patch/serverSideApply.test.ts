import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { ApplyConflictError, applyStrategicMergePatch, serverSideApply, updateManagedFields } from './index';

const corpus = path.resolve(__dirname, '../../fixtures/peer-diff/corpus/gitops-engine');
const load = (f: string): KubeObject => YAML.parse(fs.readFileSync(path.join(corpus, f), 'utf8')) as KubeObject;
const entry = (mf: ManagedFieldsEntry[], manager: string, op?: string) => mf.find((e) => e.manager === manager && (!op || e.operation === op));
type Any = any;

function config(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] },
      },
      ...extra,
    },
  };
}

const opts = (time: string, extra: Record<string, unknown> = {}) => ({ manager: 'kubectl', apiVersion: 'apps/v1', time, ...extra });

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApplyConflictError, `expected ApplyConflictError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a conflict');
}

describe('serverSideApply against real apiserver output', () => {
  for (const name of ['ssd-service', 'smd-deploy', 'smd-service']) {
    it(`creating from ${name}-config gives the argocd-controller Apply entry of ${name}-live`, () => {
      const live = load(`${name}-live.yaml`);
      const real = entry(live.metadata.managedFields!, 'argocd-controller', 'Apply')!;
      const cfg = load(`${name}-config.yaml`);
      const r = serverSideApply(undefined, cfg, { manager: 'argocd-controller', apiVersion: cfg.apiVersion, time: real.time! });
      assert.deepEqual(r.managedFields, [real]);
      assert.equal(JSON.stringify(r.managedFields[0].fieldsV1), JSON.stringify(real.fieldsV1), 'FieldsV1 key order');
      assert.deepEqual(r.object.metadata.managedFields, r.managedFields);
    });
  }

  it('re-applying an unchanged config keeps the entry and its time (ssd-service)', () => {
    const live = load('ssd-service-live.yaml');
    const r = serverSideApply(live, load('ssd-service-config.yaml'), { manager: 'argocd-controller', apiVersion: 'v1', time: '2030-01-01T00:00:00Z' });
    assert.deepEqual(r.managedFields, live.metadata.managedFields);
    assert.deepEqual(r.object, live);
  });
});

describe('serverSideApply scenarios', () => {
  it('creates with an Apply entry in SSA form (no `.` on maps, `.` on list items)', () => {
    const r = serverSideApply(undefined, config(), opts('2026-01-01T00:00:00Z'));
    assert.equal(r.managedFields.length, 1);
    const e = r.managedFields[0];
    assert.deepEqual({ ...e, fieldsV1: undefined }, { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: undefined });
    assert.deepEqual((e.fieldsV1 as Any)['f:metadata'], { 'f:labels': { 'f:app': {} } });
    assert.deepEqual((e.fieldsV1 as Any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}'], {
      '.': {},
      'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} }, 'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
      'f:image': {},
      'f:name': {},
    });
    assert.equal((e.fieldsV1 as Any)['f:spec']['f:selector'] !== undefined, true);
    assert.equal(r.object.spec && (r.object.spec as Any).replicas, 2);
  });

  it('re-applying without a field removes it from the object and the entry', () => {
    const first = serverSideApply(undefined, config(), opts('2026-01-01T00:00:00Z')).object;
    const cfg = config();
    (cfg.spec as Any).template.spec.containers[0].env = [{ name: 'A', value: '1' }];
    delete (cfg.spec as Any).replicas;
    delete cfg.metadata.labels;
    const r = serverSideApply(first, cfg, opts('2026-01-01T00:01:00Z'));
    const o = r.object as Any;
    assert.deepEqual(o.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
    assert.equal('replicas' in o.spec, false);
    assert.equal('labels' in o.metadata, false, 'a map emptied by pruning goes away');
    const fv = JSON.stringify(r.managedFields[0].fieldsV1);
    assert.equal(fv.includes('"B"'), false);
    assert.equal(fv.includes('f:replicas'), false);
    assert.equal(r.managedFields[0].time, '2026-01-01T00:01:00Z');
  });

  it('keeps a dropped field that another manager also owns', () => {
    const first = serverSideApply(undefined, config(), opts('2026-01-01T00:00:00Z')).object;
    // kubectl-edit changes replicas: it now owns it (and kubectl lost it).
    const edited = applyStrategicMergePatch(first, { spec: { replicas: 5 } }, { group: 'apps', kind: 'Deployment' });
    edited.metadata.managedFields = updateManagedFields(first, edited, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: '2026-01-01T00:02:00Z' });
    assert.equal(JSON.stringify(entry(edited.metadata.managedFields, 'kubectl')!.fieldsV1).includes('f:replicas'), false);
    const cfg = config();
    delete (cfg.spec as Any).replicas;
    const r = serverSideApply(edited, cfg, opts('2026-01-01T00:03:00Z'));
    assert.equal((r.object.spec as Any).replicas, 5);
    assert.deepEqual(entry(r.managedFields, 'kubectl-edit')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  it('conflicts on a field another manager changed, with the apiserver message; force takes it over', () => {
    const first = serverSideApply(undefined, config(), opts('2026-01-01T00:00:00Z')).object;
    const edited = applyStrategicMergePatch(first, { spec: { replicas: 5 } }, { group: 'apps', kind: 'Deployment' });
    edited.metadata.managedFields = updateManagedFields(first, edited, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: '2026-01-01T00:02:00Z' });
    const err = conflictOf(() => serverSideApply(edited, config(), opts('2026-01-01T00:03:00Z')));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
    assert.equal(err.status, 409);
    assert.equal(err.reason, 'conflict');
    assert.deepEqual(err.causes, [{ type: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' }]);
    // Applying the value kubectl-edit set is no conflict: both own it.
    const same = config({ replicas: 5 });
    const shared = serverSideApply(edited, same, opts('2026-01-01T00:03:00Z'));
    assert.ok(JSON.stringify(entry(shared.managedFields, 'kubectl-edit')!.fieldsV1).includes('f:replicas'));
    assert.ok(JSON.stringify(entry(shared.managedFields, 'kubectl', 'Apply')!.fieldsV1).includes('f:replicas'));
    // force: kubectl takes replicas back; kubectl-edit's entry, now empty, disappears.
    const forced = serverSideApply(edited, config(), opts('2026-01-01T00:04:00Z', { force: true }));
    assert.equal((forced.object.spec as Any).replicas, 2);
    assert.equal(entry(forced.managedFields, 'kubectl-edit'), undefined);
  });

  it('lists several conflicts grouped by manager, Apply managers without apiVersion', () => {
    const first = serverSideApply(undefined, config(), { manager: 'argocd-controller', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z' }).object;
    const cfg = config({ replicas: 3 });
    (cfg.spec as Any).template.spec.containers[0].image = 'nginx:1.27';
    const err = conflictOf(() => serverSideApply(first, cfg, opts('2026-01-01T00:01:00Z')));
    assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "argocd-controller":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image');
    assert.deepEqual(err.conflicts.map((c) => [c.manager, c.operation, c.field]), [
      ['argocd-controller', 'Apply', '.spec.replicas'],
      ['argocd-controller', 'Apply', '.spec.template.spec.containers[name="app"].image'],
    ]);
  });

  it('merges list maps by SSA keys: the same port over TCP and UDP stays two items, new items keep config order', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 53, protocol: 'TCP' }, { port: 80 }] } };
    const a = serverSideApply(undefined, svc, { manager: 'a', apiVersion: 'v1', time: '2026-01-01T00:00:00Z' }).object;
    const r = serverSideApply(a, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 53, protocol: 'UDP' }, { port: 80, name: 'http' }] } }, { manager: 'b', apiVersion: 'v1', time: '2026-01-01T00:01:00Z' });
    assert.deepEqual((r.object.spec as Any).ports, [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { port: 80, name: 'http' }]);
    assert.deepEqual(entry(r.managedFields, 'b')!.fieldsV1, {
      'f:spec': { 'f:ports': { 'k:{"port":53,"protocol":"UDP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} }, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } } },
    });
    assert.deepEqual(entry(r.managedFields, 'a')!.fieldsV1, {
      'f:spec': { 'f:ports': { 'k:{"port":53,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} }, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } },
    });
  });

  it('ignores status on the main resource and rejects managedFields in the config', () => {
    const live = config();
    live.status = { replicas: 1 };
    const r = serverSideApply(live, { ...config(), status: { replicas: 9 } }, opts('2026-01-01T00:00:00Z'));
    assert.deepEqual(r.object.status, { replicas: 1 });
    assert.equal(JSON.stringify(r.managedFields).includes('f:status'), false);
    assert.throws(() => serverSideApply(undefined, { ...config(), metadata: { name: 'x', managedFields: [] } }, opts('2026-01-01T00:00:00Z')), /managedFields must be nil/);
  });

  it('applies to the status subresource: status owned, spec left as live', () => {
    const live = { ...config(), status: { replicas: 1 } } as KubeObject;
    const r = serverSideApply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 9 }, status: { replicas: 2, readyReplicas: 2 } }, opts('2026-01-01T00:00:00Z', { manager: 'ctrl', subresource: 'status' }));
    assert.equal((r.object.spec as Any).replicas, 2);
    assert.deepEqual(r.object.status, { replicas: 2, readyReplicas: 2 });
    assert.deepEqual(r.managedFields, [{ manager: 'ctrl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } }, subresource: 'status' }]);
  });
});
