// Saving a live object from the editor during a breakglass: server-side apply under our own field manager.
import { GitOpsError, refOf, type KubeObject } from '../model';
import type { KubeClient } from '../kube/types';
import { BREAKGLASS_FIELD_MANAGER } from './constants';

/** The object as an apply body: server-owned metadata and status removed (an apply with managedFields is rejected). */
export function toApplyBody(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj as KubeObject & { status?: unknown };
  const { managedFields: _mf, resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _gen, selfLink: _sl, ...metadata } = obj.metadata as Record<string, unknown>;
  return { ...rest, metadata: metadata as KubeObject['metadata'] };
}

/**
 * Applies an edited live object. `force` takes over fields owned by the GitOps controller (the point of a
 * breakglass); `resourceVersion` makes the save fail with `conflict` if someone changed the object since it was opened.
 */
export async function applyLiveEdit(client: KubeClient, edited: KubeObject, opts: { resourceVersion?: string; dryRun?: boolean; signal?: AbortSignal; fieldManager?: string } = {}): Promise<KubeObject> {
  const ref = refOf(edited);
  if (opts.resourceVersion) {
    // The apply body carries the precondition too; this early check also covers servers that ignore it there.
    const live = await client.get(ref, opts.signal);
    if (live.metadata.resourceVersion !== opts.resourceVersion) {
      throw new GitOpsError('conflict', `${ref.kind} ${ref.namespace}/${ref.name} changed since it was opened; reopen it to see the current state`, { status: 409, verb: 'patch' });
    }
  }
  return client.patch(ref, toApplyBody(edited), { type: 'apply', fieldManager: opts.fieldManager ?? BREAKGLASS_FIELD_MANAGER, force: true, dryRun: opts.dryRun, resourceVersion: opts.resourceVersion, signal: opts.signal });
}
