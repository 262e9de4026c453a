// The pre/post normalization pipeline applied to desired, live and predicted objects.
import type { KubeObject } from '../model';
import { clone, isObject } from '../k8s/json';
import { defaultPortProtocols, normalizeConfigMapNulls, dropLastApplied, dropNamespaceAndEmptyAnnotations, dropServerMetadata, dropStatus, normalizeRoleRules, normalizeSecret, pruneEmptyInPlace, sortEndpoints } from './rules';

export interface NormalizeOptions {
  ignoreAggregatedRoles?: boolean;
  /** Keep the top-level `status` (Argo CD `ignoreResourceStatusField` not ignoring it for this object). */
  keepStatus?: boolean;
}

/**
 * A shallow view without managedFields (N1) and status (N4), which the pipeline drops anyway: they are most
 * of a live object's bytes, so not worth copying first.
 */
function withoutDroppedParts(obj: KubeObject, keepStatus: boolean): KubeObject {
  const hasManagedFields = isObject(obj.metadata) && 'managedFields' in obj.metadata;
  if (!hasManagedFields && (keepStatus || !('status' in obj))) return obj;
  const out: KubeObject = { ...obj };
  if (!keepStatus) delete out.status;
  if (hasManagedFields) {
    out.metadata = { ...obj.metadata };
    delete out.metadata.managedFields;
  }
  return out;
}

/** N1–N5, N7, N10–N12 on a copy. */
export function normalizeObject(obj: KubeObject, opts: NormalizeOptions = {}): KubeObject {
  let o = clone(withoutDroppedParts(obj, !!opts.keepStatus));
  o = dropServerMetadata(o);
  o = dropNamespaceAndEmptyAnnotations(o);
  o = dropLastApplied(o);
  if (opts.keepStatus) {
    const status = o.status;
    o = dropStatus(o);
    if (status !== undefined) o.status = status;
  } else o = dropStatus(o);
  o = normalizeSecret(o);
  o = normalizeConfigMapNulls(o);
  o = defaultPortProtocols(o);
  o = sortEndpoints(o);
  o = normalizeRoleRules(o, !!opts.ignoreAggregatedRoles);
  o = pruneEmptyInPlace(o); // o is our copy
  // pruning can empty `metadata.annotations`; keep `metadata` itself (KubeObject requires it)
  if (o.metadata === undefined) o.metadata = {};
  return o;
}
