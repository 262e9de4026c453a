// The production guard decision: does a destructive action need the typed app-name confirmation?
// Hub and spoke: an Argo CD Application listed in a management cluster (`mgmt`) changes objects in its destination
// cluster (`prod-eu`). Either of them matching the production pattern asks for the confirmation.
import type { KubeObject } from '../model';
import { isProductionContext } from './production';

export interface GuardTarget {
  /** The context the Application / Kustomization object is read and patched in. */
  context: string;
  /** The context whose objects the action changes, when it is another one (an Argo CD destination cluster). */
  destinationContext?: string;
  /**
   * The app object (live, or its definition), for its Argo CD `spec.destination.name`: an unresolved destination
   * whose cluster name looks like production is still guarded.
   */
  appObject?: KubeObject;
}

export interface GuardDecision {
  /** True when the typed confirmation is needed. */
  confirm: boolean;
  /** The names that matched the production pattern (context first, then the destination), for the prompt. */
  production: string[];
}

/** Argo CD `spec.destination` of an Application object that deploys to another cluster (server URL and/or cluster name). */
export function argoDestinationOf(obj: KubeObject | undefined): { server?: string; name?: string } | undefined {
  if (obj?.kind !== 'Application') return undefined;
  const d = (obj.spec as { destination?: { server?: unknown; name?: unknown } } | undefined)?.destination;
  const server = typeof d?.server === 'string' && d.server ? d.server : undefined;
  const name = typeof d?.name === 'string' && d.name ? d.name : undefined;
  if ((!server && !name) || server === 'https://kubernetes.default.svc' || name === 'in-cluster') return undefined;
  return { ...(server ? { server } : {}), ...(name ? { name } : {}) };
}

export function productionGuard(t: GuardTarget, pattern: string | undefined): GuardDecision {
  const dest = argoDestinationOf(t.appObject);
  const candidates = [t.context, t.destinationContext, dest?.name].filter((c): c is string => !!c);
  const production = [...new Set(candidates.filter((c) => isProductionContext(c, pattern)))];
  return { confirm: production.length > 0, production };
}

/** "production context prod-eu", "production contexts mgmt-prod, prod-eu". */
export function describeProduction(d: GuardDecision): string {
  return `production context${d.production.length > 1 ? 's' : ''} ${d.production.join(', ')}`;
}

/** The control actions the editor and the CLI offer, by what they do to the controller or the cluster. */
export type ControlAction =
  | 'sync'
  | 'sync-prune'
  | 'sync-dry-run'
  | 'refresh'
  | 'terminate'
  | 'pause-auto-sync'
  | 'resume-auto-sync'
  | 'skip-reconcile-on'
  | 'skip-reconcile-off'
  | 'flux-suspend'
  | 'flux-resume'
  | 'flux-reconcile'
  | 'breakglass-start';

/**
 * Which actions need the production guard (the typed app name on production contexts, --yes in a non-interactive
 * CLI). Changing who drives the cluster is deliberate in both directions: resuming auto-sync or a Flux object makes the
 * controller apply Git (and prune) at once, just as pausing takes it away.
 */
const GUARDED: Record<ControlAction, boolean> = {
  sync: false,
  'sync-prune': true,
  'sync-dry-run': false,
  refresh: false,
  terminate: false,
  'pause-auto-sync': true,
  'resume-auto-sync': true,
  'skip-reconcile-on': true,
  'skip-reconcile-off': true,
  'flux-suspend': true,
  'flux-resume': true,
  'flux-reconcile': false,
  'breakglass-start': true,
};

export function actionNeedsGuard(action: ControlAction): boolean {
  return GUARDED[action];
}
