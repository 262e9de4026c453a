// Objects as the UI shows them: no server noise, Secret values masked.
import type { KubeObject } from '../model';
import { clone, isObject } from '../k8s/json';
import { dropLastApplied, dropServerMetadata, dropStatus, normalizeSecret } from './rules';
import { maskSecrets } from './secrets';

export function normalizeForDisplay(obj: KubeObject): KubeObject {
  let o = clone(obj);
  o = dropServerMetadata(o);
  o = dropLastApplied(o);
  o = dropStatus(o);
  o = normalizeSecret(o);
  if (!isObject(o.metadata)) o.metadata = {};
  return maskSecrets(o)[0] as KubeObject;
}
