// Server-side apply and the field-manager handover Flux performs before applying.
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { APPLY_PATCH, JSON_PATCH, KubeRest } from './kube-rest';
import { removalOps } from './fields-removal';
import { deepMerge } from './object-compare';

export interface ApplyOptions {
  fieldManager: string;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** PATCH application/apply-patch+yaml with force, as argocd-controller and kustomize-controller do. */
export async function serverSideApply(rest: KubeRest, obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
  const path = await rest.objectPath(obj, opts.signal);
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = obj.metadata;
  const { status: _s, ...body } = { ...obj, metadata } as KubeObject;
  return rest.call('PATCH', path, {
    body,
    contentType: APPLY_PATCH,
    query: { fieldManager: opts.fieldManager, force: 'true', dryRun: opts.dryRun ? 'All' : undefined },
    signal: opts.signal,
  });
}

/**
 * Moves the fields owned by managers matching `shouldTakeOver` (non-subresource entries) into `manager`'s
 * Apply entry with a JSON patch on metadata.managedFields, like fluxcd/pkg ssa PatchReplaceFieldsManagers.
 * The next apply by `manager` then drops those fields when Git does not declare them.
 * Returns true when a patch was sent.
 */
export async function takeOverFields(
  rest: KubeRest,
  live: KubeObject,
  manager: string,
  shouldTakeOver: (name: string) => boolean,
  signal?: AbortSignal,
  desired?: KubeObject,
): Promise<boolean> {
  const entries = live.metadata.managedFields ?? [];
  const taken = entries.filter((e) => !e.subresource && e.manager !== manager && shouldTakeOver(e.manager ?? ''));
  if (taken.length === 0) return false;
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  let fields: Record<string, unknown> = (mine?.fieldsV1 as Record<string, unknown>) ?? {};
  for (const e of taken) fields = deepMerge(fields, (e.fieldsV1 as Record<string, unknown>) ?? {});
  const merged: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: mine?.apiVersion ?? live.apiVersion,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  };
  const rest_ = entries.filter((e) => e !== mine && !taken.includes(e));
  const path = await rest.objectPath(live, signal);
  await rest.call('PATCH', path, {
    body: [
      { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/managedFields', value: [...rest_, merged] },
    ],
    contentType: JSON_PATCH,
    signal,
  });
  const after = await rest.getOrUndefined<KubeObject>(path, signal);
  const stillTheirs = (after?.metadata.managedFields ?? []).filter((e) => !e.subresource && e.manager !== manager && shouldTakeOver(e.manager ?? ''));
  if (after && stillTheirs.length && desired) {
    // The server ignored the managedFields write (the emulator may); remove what the handover would have.
    const ops = stillTheirs.flatMap((e) => removalOps((e.fieldsV1 as Record<string, any>) ?? {}, after, desired));
    const unique = [...new Map(ops.map((o) => [o.path, o])).values()];
    if (unique.length) await rest.call('PATCH', path, { body: unique, contentType: JSON_PATCH, query: { fieldManager: manager }, signal });
  }
  return true;
}
