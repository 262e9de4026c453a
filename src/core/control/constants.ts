// Names written to or read from the cluster by the control actions (see docs/reference/gitops-controllers.md).
import type { TypeRef } from '../kube/types';

export const ARGO_GROUP = 'argoproj.io';
export const APPLICATION: TypeRef = { group: ARGO_GROUP, version: 'v1alpha1', kind: 'Application' };
export const APPLICATIONSET: TypeRef = { group: ARGO_GROUP, version: 'v1alpha1', kind: 'ApplicationSet' };

export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
export const SKIP_RECONCILE_ANNOTATION = 'argocd.argoproj.io/skip-reconcile';
/** Where a pause that had to remove `automated` keeps the settings to restore. */
export const PAUSED_AUTOMATED_ANNOTATION = 'gitops-drift.dev/paused-automated';
export const BREAKGLASS_ANNOTATION = 'gitops-drift.dev/breakglass';
/** Who paused auto-sync / suspended a Flux object from here: JSON `{ user, gitUser?, at }` (cluster user first). */
export const PAUSED_BY_ANNOTATION = 'gitops-drift.dev/paused-by';

export const FLUX_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
export const FLUX_FORCE_AT = 'reconcile.fluxcd.io/forceAt';
export const FLUX_RESET_AT = 'reconcile.fluxcd.io/resetAt';

/** Field manager for control patches; not a `kubectl*` name, so kustomize-controller does not take the fields over. */
export const CONTROL_FIELD_MANAGER = 'gitops-drift';
/** Field manager for live edits saved during a breakglass (server-side apply). */
export const BREAKGLASS_FIELD_MANAGER = 'gitops-drift-breakglass';

export const FINAL_OPERATION_PHASES = ['Succeeded', 'Failed', 'Error'] as const;
