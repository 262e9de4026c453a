import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/core/model';
import { crdListTypeResolver } from '../../../src/core/k8s/crdListTypes';
import { listTypeAt } from '../../../src/core/k8s/listKeys';

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'things.x.io' },
  spec: {
    group: 'x.io',
    names: { kind: 'Thing' },
    versions: [
      { name: 'v1alpha1', storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { items: { type: 'array', 'x-kubernetes-list-type': 'set' } } } } } } },
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
                  items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object', properties: { tags: { type: 'array', 'x-kubernetes-list-type': 'set' } } } },
                  plain: { type: 'array' },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describe('k8s/crdListTypes', () => {
  it('reads list types from the storage version, stepping through array items', () => {
    const r = crdListTypeResolver([crd]);
    assert.deepEqual(r('x.io', 'Thing', ['spec', 'items']), { type: 'map', keys: ['id'] });
    assert.deepEqual(r('x.io', 'Thing', ['spec', 'items', 'tags']), { type: 'set' });
    assert.equal(r('x.io', 'Thing', ['spec', 'plain']), undefined);
    assert.equal(r('x.io', 'Other', ['spec', 'items']), undefined);
    assert.deepEqual(listTypeAt('x.io', 'Thing', ['spec', 'plain'], r), { type: 'atomic' });
  });
  it('reads the shared ApplicationSet CRD (declared atomic lists vs undeclared ones)', () => {
    const file = path.resolve(__dirname, '../../emulator/demo/crds/argocd-applicationset-crd.yaml');
    const r = crdListTypeResolver([parse(fs.readFileSync(file, 'utf8')) as KubeObject]);
    // declared atomic and undeclared both mean atomic (the compact schema keeps only what differs from the default)
    assert.deepEqual(listTypeAt('argoproj.io', 'ApplicationSet', ['spec', 'generators', 'clusters', 'selector', 'matchExpressions'], r), { type: 'atomic' });
    assert.deepEqual(listTypeAt('argoproj.io', 'ApplicationSet', ['spec', 'generators'], r), { type: 'atomic' });
    assert.equal(r('argoproj.io', 'ApplicationSet', ['spec', 'generators']), undefined);
  });
});
