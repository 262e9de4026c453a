// Normalization rules of diff-semantics §5 that rewrite an object. Each mutates the copy it is given
// (the pipeline clones once); N6, N8, N9, N13, N19 are comparisons and live in equivalence.ts.
import type { KubeObject } from '../model';
import { groupOf } from '../model';
import { canonicalJson, isObject, type JsonObject } from '../k8s/json';
import { foldSecretStringData } from '../k8s/defaults';
import { podSpecPath } from '../k8s/listKeys';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'selfLink', 'creationTimestamp', 'managedFields'];

/** N1: server-generated metadata, top level and the `creationTimestamp: null` of nested templates. */
export function dropServerMetadata(obj: KubeObject): KubeObject {
  if (isObject(obj.metadata)) for (const k of SERVER_METADATA) delete obj.metadata[k];
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata') dropNestedCreationTimestamps(v);
  return obj;
}

function dropNestedCreationTimestamps(v: unknown): void {
  if (Array.isArray(v)) for (const c of v) dropNestedCreationTimestamps(c);
  else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const c = v[k];
      if (k === 'metadata' && isObject(c)) delete c.creationTimestamp;
      if (typeof c === 'object' && c !== null) dropNestedCreationTimestamps(c);
    }
  }
}

/** N2: namespace is never compared (live always has one); an empty or null annotations map is dropped. */
export function dropNamespaceAndEmptyAnnotations(obj: KubeObject): KubeObject {
  if (!isObject(obj.metadata)) return obj;
  delete obj.metadata.namespace;
  const a = obj.metadata.annotations as unknown;
  if (a === null || a === undefined || (isObject(a) && Object.keys(a).length === 0)) delete obj.metadata.annotations;
  return obj;
}

/** N3: the last-applied annotation is ownership data (and embeds Secret values), not desired state. */
export function dropLastApplied(obj: KubeObject): KubeObject {
  const a = obj.metadata?.annotations;
  if (isObject(a) && LAST_APPLIED in a) {
    delete a[LAST_APPLIED];
    if (Object.keys(a).length === 0) delete obj.metadata.annotations;
  }
  return obj;
}

/** N4: status is not desired state (also the `status` of StatefulSet volumeClaimTemplates). */
export function dropStatus(obj: KubeObject): KubeObject {
  delete obj.status;
  const spec = obj.spec;
  if (isObject(spec) && Array.isArray(spec.volumeClaimTemplates)) for (const v of spec.volumeClaimTemplates) if (isObject(v)) delete v.status;
  return obj;
}

/** N5: `null`, `{}` and `[]` equal absent (Go omitempty); applied bottom-up so emptied parents go too. */
export function pruneEmpty<T>(v: T): T {
  const prune = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map((i) => (isObject(i) || Array.isArray(i) ? prune(i) : i));
    if (!isObject(x)) return x;
    const out: JsonObject = {};
    for (const [k, c] of Object.entries(x)) {
      const p = prune(c);
      if (p === null || p === undefined) continue;
      if (Array.isArray(p) && p.length === 0) continue;
      if (isObject(p) && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  };
  return prune(v) as T;
}

const isEmpty = (p: unknown): boolean => p === null || p === undefined || (Array.isArray(p) && p.length === 0) || (isObject(p) && Object.keys(p).length === 0);

/** pruneEmpty on a value the caller owns, without the copy (the root itself stays even when emptied). */
export function pruneEmptyInPlace<T>(v: T): T {
  pruneInPlace(v);
  return v;
}

function pruneInPlace(x: unknown): void {
  if (Array.isArray(x)) {
    for (const i of x) if (typeof i === 'object' && i !== null) pruneInPlace(i);
  } else if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const c = x[k];
      if (typeof c === 'object' && c !== null) pruneInPlace(c);
      if (isEmpty(c)) delete x[k];
    }
  }
}

/** N7: Secret `stringData` folded into base64 `data` (stringData wins), null values become "". */
export function normalizeSecret(obj: KubeObject): KubeObject {
  if (groupOf(obj.apiVersion ?? '') !== '' || obj.kind !== 'Secret') return obj;
  foldSecretStringData(obj);
  if (isObject(obj.data)) for (const k of Object.keys(obj.data)) if (obj.data[k] === null) obj.data[k] = '';
  return obj;
}

/** N7b: a `null` ConfigMap value is stored as "" (Go decodes null into a string as its zero value; the real server does). */
export function normalizeConfigMapNulls(obj: KubeObject): KubeObject {
  if (groupOf(obj.apiVersion ?? '') !== '' || obj.kind !== 'ConfigMap') return obj;
  if (isObject(obj.data)) for (const k of Object.keys(obj.data)) if (obj.data[k] === null) obj.data[k] = '';
  return obj;
}

function defaultProtocol(ports: unknown): void {
  if (Array.isArray(ports)) for (const p of ports) if (isObject(p) && p.protocol === undefined) p.protocol = 'TCP';
}

/** N10: ports default to TCP (also their list-map key) for containers, Services and Endpoints. */
export function defaultPortProtocols(obj: KubeObject): KubeObject {
  const group = groupOf(obj.apiVersion ?? '');
  if (group === '' && obj.kind === 'Service' && isObject(obj.spec)) defaultProtocol(obj.spec.ports);
  if (group === '' && obj.kind === 'Endpoints' && Array.isArray(obj.subsets)) for (const s of obj.subsets) if (isObject(s)) defaultProtocol(s.ports);
  const pod = podSpecPath(obj.kind);
  let spec: unknown = obj;
  for (const p of pod ?? []) spec = isObject(spec) ? spec[p] : undefined;
  if (pod && isObject(spec)) {
    for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
      const cs = spec[list];
      if (Array.isArray(cs)) for (const c of cs) if (isObject(c)) defaultProtocol(c.ports);
    }
  }
  return obj;
}

const byCanonical = (a: unknown, b: unknown): number => (canonicalJson(a) < canonicalJson(b) ? -1 : canonicalJson(a) > canonicalJson(b) ? 1 : 0);

/** N11: Endpoints subsets, addresses and ports in one deterministic order (the API server repacks them). */
export function sortEndpoints(obj: KubeObject): KubeObject {
  if (groupOf(obj.apiVersion ?? '') !== '' || obj.kind !== 'Endpoints' || !Array.isArray(obj.subsets)) return obj;
  for (const s of obj.subsets) {
    if (!isObject(s)) continue;
    for (const k of ['addresses', 'notReadyAddresses', 'ports']) if (Array.isArray(s[k])) (s[k] as unknown[]).sort(byCanonical);
  }
  obj.subsets.sort(byCanonical);
  return obj;
}

/** N12: `rules: []` == null; optionally ignore rules of aggregated ClusterRoles (the controller fills them). */
export function normalizeRoleRules(obj: KubeObject, ignoreAggregated: boolean): KubeObject {
  if (groupOf(obj.apiVersion ?? '') !== 'rbac.authorization.k8s.io' || (obj.kind !== 'Role' && obj.kind !== 'ClusterRole')) return obj;
  if (obj.rules === null || (Array.isArray(obj.rules) && obj.rules.length === 0)) delete obj.rules;
  if (ignoreAggregated && isObject(obj.aggregationRule)) delete obj.rules;
  return obj;
}
