// Which changes a capture may offer, and which it preselects (those written by people, not controllers).
import type { FieldChange, ObjectRef, ResourceDiff } from '../model';

/** A manager is human when it is kubectl (`kubectl-edit`, `kubectl-scale`, `kubectl-client-side-apply`...) or listed. */
export function isHumanManager(manager: string | undefined, humanManagers: readonly string[] = []): boolean {
  if (!manager) return false;
  return manager.startsWith('kubectl') || humanManagers.includes(manager);
}

const SERVER_OWNED = /^(status(\.|\[|$)|metadata\.(managedFields|resourceVersion|uid|generation|creationTimestamp|selfLink|deletionTimestamp|ownerReferences)(\.|\[|$))/;

/** Why a change must never be written to Git, or undefined when it may be. */
export function refusalReason(ref: ObjectRef, change: FieldChange): string | undefined {
  if (ref.group === '' && ref.kind === 'Secret' && /^(data|stringData)(\.|\[|$)/.test(change.path)) {
    return 'Secret data is never written from the cluster into Git';
  }
  if (/^(apiVersion|kind|metadata\.(name|namespace))$/.test(change.path)) return 'the identity of the object, not a field to capture';
  if (SERVER_OWNED.test(change.path)) return 'set by the API server or controllers, not configuration';
  if (change.path === 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]' || change.path.includes('last-applied-configuration')) {
    return 'kubectl bookkeeping, not configuration';
  }
  return undefined;
}

/** Changes that can be captured at all (Secret data and server-owned fields are never offered). */
export function offerableChanges(diff: ResourceDiff): FieldChange[] {
  return diff.changes.filter((c) => refusalReason(diff.ref, c) === undefined);
}

/** The default selection: offerable changes last written by a human manager. */
export function preselectChanges(diff: ResourceDiff, humanManagers: readonly string[] = []): FieldChange[] {
  return offerableChanges(diff).filter((c) => isHumanManager(c.manager, humanManagers));
}
