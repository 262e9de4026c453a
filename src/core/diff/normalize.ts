// The pre/post normalization pipeline applied to desired, live and predicted objects.
import type { KubeObject } from '../model';
import { clone } from '../k8s/json';
import { defaultPortProtocols, dropLastApplied, dropNamespaceAndEmptyAnnotations, dropServerMetadata, dropStatus, normalizeRoleRules, normalizeSecret, pruneEmpty, sortEndpoints } from './rules';

export interface NormalizeOptions {
  ignoreAggregatedRoles?: boolean;
}

/** N1–N5, N7, N10–N12 on a copy. */
export function normalizeObject(obj: KubeObject, opts: NormalizeOptions = {}): KubeObject {
  let o = clone(obj);
  o = dropServerMetadata(o);
  o = dropNamespaceAndEmptyAnnotations(o);
  o = dropLastApplied(o);
  o = dropStatus(o);
  o = normalizeSecret(o);
  o = defaultPortProtocols(o);
  o = sortEndpoints(o);
  o = normalizeRoleRules(o, !!opts.ignoreAggregatedRoles);
  o = pruneEmpty(o);
  // pruning can empty `metadata.annotations`; keep `metadata` itself (KubeObject requires it)
  if (o.metadata === undefined) o.metadata = {};
  return o;
}
