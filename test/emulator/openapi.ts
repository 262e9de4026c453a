// /openapi/v3 documents. kubectl needs them for apply/edit/diff and sends fieldValidation=Strict only when
// the patch operation declares that parameter. Built-in kinds get permissive schemas; CRD kinds their own.
import { createHash } from 'node:crypto';
import { type ResourceType, type TypeRegistry } from './resourceTypes';

const BUILTIN_PACKAGES: Record<string, string> = {
  '': 'io.k8s.api.core',
  apps: 'io.k8s.api.apps',
  batch: 'io.k8s.api.batch',
  'networking.k8s.io': 'io.k8s.api.networking',
  'rbac.authorization.k8s.io': 'io.k8s.api.rbac',
  autoscaling: 'io.k8s.api.autoscaling',
  policy: 'io.k8s.api.policy',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
};

/** The schema name the real server uses, e.g. `io.k8s.api.apps.v1.Deployment`, `io.argoproj.v1alpha1.Application`. */
export function schemaName(t: ResourceType): string {
  const pkg = BUILTIN_PACKAGES[t.group] ?? t.group.split('.').reverse().join('.');
  return `${pkg}.${t.version}.${t.kind}`;
}

/** `api/v1` or `apis/<group>/<version>`: the keys of the /openapi/v3 index. */
export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const QUERY = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

function operations(t: ResourceType, collection: boolean): Record<string, unknown> {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
  const body = { content: { 'application/json': { schema: ref } }, required: true };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const op = (action: string, params: string[], extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${t.kind}`,
    parameters: params.map(QUERY),
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const write = ['dryRun', 'fieldManager', 'fieldValidation'];
  if (collection) {
    return {
      get: op('list', ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'watch']),
      post: op('post', write, { requestBody: body }),
    };
  }
  return {
    get: op('get', []),
    put: op('put', write, { requestBody: body }),
    patch: op('patch', [...write, 'force'], {
      requestBody: {
        content: Object.fromEntries(
          ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((c) => [c, { schema: { type: 'object' } }]),
        ),
        required: true,
      },
    }),
    delete: op('delete', ['dryRun', 'propagationPolicy', 'gracePeriodSeconds']),
  };
}

function schemaFor(t: ResourceType): Record<string, unknown> {
  const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
  if (t.schema) return { ...t.schema, 'x-kubernetes-group-version-kind': gvk };
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': gvk,
  };
}

export function groupVersionDocument(reg: TypeRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = reg.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const prefix = `/${gvPath(group, version)}`;
  for (const t of types) {
    const base = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}` : `${prefix}/${t.plural}`;
    paths[base] = operations(t, true);
    paths[`${base}/{name}`] = operations(t, false);
    schemas[schemaName(t)] = schemaFor(t);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas } };
}

/** Cache of serialized documents, rebuilt when the type table changes (CRDs added/removed). */
export class OpenApiCache {
  private docs = new Map<string, string>();
  private indexJson?: string;

  invalidate(): void {
    this.docs = new Map();
    this.indexJson = undefined;
  }

  document(reg: TypeRegistry, group: string, version: string): string | undefined {
    const key = gvPath(group, version);
    let json = this.docs.get(key);
    if (json === undefined) {
      const doc = groupVersionDocument(reg, group, version);
      if (!doc) return undefined;
      json = JSON.stringify(doc);
      this.docs.set(key, json);
    }
    return json;
  }

  index(reg: TypeRegistry): string {
    if (this.indexJson) return this.indexJson;
    const paths: Record<string, unknown> = {};
    const gvs = new Set(reg.all().map((t) => `${t.group}|${t.version}`));
    for (const gv of gvs) {
      const [group, version] = gv.split('|');
      const doc = this.document(reg, group, version)!;
      const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
      paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
    }
    this.indexJson = JSON.stringify({ paths });
    return this.indexJson;
  }
}
