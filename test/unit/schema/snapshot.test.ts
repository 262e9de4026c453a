// The shipped schema snapshot is what the generator makes from the vendored OpenAPI documents, and it answers
// like the documents themselves.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateSnapshot, SNAPSHOT_FILE } from '../../../scripts/gen-schema-snapshot';
import { builtinSchema } from '../../../src/core/schema/builtinSchema';
import { crdSchemaSource, crdSchemaSourceFor } from '../../../src/core/schema/crdSchema';
import { fieldSchemaAt } from '../../../src/core/schema/fieldSchema';
import type { KubeObject } from '../../../src/core/model';

describe('schema snapshot', () => {
  it('regenerating src/core/schema/builtinSchema.json from test/fixtures/kubernetes-openapi-v3 gives the same file', function () {
    this.timeout(60000);
    assert.equal(generateSnapshot(), readFileSync(SNAPSHOT_FILE, 'utf8'), 'run: npx tsx scripts/gen-schema-snapshot.ts');
  });
  it('covers the kinds of every vendored GA group, HPA v2 before v1', () => {
    const b = builtinSchema();
    for (const [g, k] of [['', 'Service'], ['apps', 'Deployment'], ['batch', 'CronJob'], ['networking.k8s.io', 'Ingress'], ['policy', 'PodDisruptionBudget'], ['rbac.authorization.k8s.io', 'ClusterRole'], ['autoscaling', 'HorizontalPodAutoscaler'], ['storage.k8s.io', 'StorageClass'], ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'], ['apiextensions.k8s.io', 'CustomResourceDefinition']]) {
      assert.ok(b.has(g, k), `${g}/${k}`);
    }
    // autoscaling/v2 has `metrics` (a list of MetricSpec), v1 does not: the v2 schema is the one read by default
    assert.ok(b.nodeAt('autoscaling', 'HorizontalPodAutoscaler', ['spec', 'metrics']) !== undefined || b.nodeAt('autoscaling', 'HorizontalPodAutoscaler', ['spec', 'metrics', 'resource', 'target', 'averageValue'])?.x === 'q');
    assert.equal(b.fieldAt('autoscaling', 'HorizontalPodAutoscaler', ['spec', 'metrics', 'resource', 'target', 'averageValue'])?.format, 'quantity');
    assert.equal(b.has('example.com', 'Widget'), false);
  });
  it('reads CRD schemas: list and map types, quantities and int-or-string (controller-gen shapes), metadata from ObjectMeta', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'], items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } } },
                      selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
                      memory: { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$', 'x-kubernetes-int-or-string': true },
                      maxUnavailable: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
                      resources: { type: 'object', additionalProperties: { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$', 'x-kubernetes-int-or-string': true } },
                      since: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    } as unknown as KubeObject;
    const s = [crdSchemaSource([crd])];
    assert.deepEqual(fieldSchemaAt('example.com', 'Widget', ['spec', 'ports'], s)?.list, { type: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'selector'], s)?.mapType, 'atomic');
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'memory'], s)?.format, 'quantity');
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'resources', 'cpu'], s)?.format, 'quantity');
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'maxUnavailable'], s)?.format, 'int-or-string');
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'since'], s)?.format, 'date-time');
    assert.deepEqual(fieldSchemaAt('example.com', 'Widget', ['metadata', 'finalizers'], s)?.list, { type: 'set' });
    assert.equal(fieldSchemaAt('example.com', 'Widget', ['spec', 'other'], s), undefined);
    assert.equal(fieldSchemaAt('example.com', 'Gadget', ['spec', 'memory'], s), undefined);
  });
  it('crdSchemaSourceFor: one source per set of CRD objects (by reference), a short JSON identity for memo keys', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'a.x.io' }, spec: { group: 'x.io', names: { kind: 'A' }, versions: [{ name: 'v1', storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'set' } } } } } } }] } } as unknown as KubeObject;
    const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } as KubeObject;
    assert.equal(crdSchemaSourceFor([other]), undefined);
    const a = crdSchemaSourceFor([other, crd]);
    assert.ok(a && a === crdSchemaSourceFor([crd, other]));
    assert.notEqual(crdSchemaSourceFor([structuredClone(crd)]), a, 'another object (e.g. a new live version) is read again');
    assert.ok(JSON.stringify({ schemas: [a] }).length < 100);
    assert.deepEqual(a!.fieldAt('x.io', 'A', ['spec', 'l'])?.list, { type: 'set' });
  });
});
