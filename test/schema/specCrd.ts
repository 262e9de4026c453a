// A namespaced CustomResourceDefinition with one served storage version whose `spec` has the given properties:
// the envelope the schema tests share; each test says only the fields whose list/map types it is about.
import type { KubeObject } from '../../src/core/model';

export function specCrd(opts: { group: string; kind: string; specProperties: Record<string, unknown>; metadata?: Record<string, unknown> }): KubeObject {
  const plural = `${opts.kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${opts.group}`, ...opts.metadata },
    spec: {
      group: opts.group,
      scope: 'Namespaced',
      names: { kind: opts.kind, plural, singular: opts.kind.toLowerCase(), listKind: `${opts.kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: opts.specProperties } } } } }],
    },
  } as KubeObject;
}
