// Warnings before a pause that something else would undo: an owning ApplicationSet, an app-of-apps parent with
// auto-sync, a parent Flux Kustomization (flux2 #3462). Reference §3.
import { isGitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { KubeClient } from '../kube/types';
import { argoTrackingApp, DEFAULT_ARGO_NAMESPACE, fluxOwner } from '../kube/tracking';
import { isAutoSyncOn } from './argo-pause';
import { APPLICATION, APPLICATIONSET, BREAKGLASS_ANNOTATION, PAUSED_AUTOMATED_ANNOTATION, SKIP_RECONCILE_ANNOTATION } from './constants';
import { fluxRef, isSuspended } from './flux';

export type PauseWarningCode = 'applicationset-owned' | 'parent-app' | 'parent-kustomization';

export interface PauseWarning {
  code: PauseWarningCode;
  message: string;
  /** True when the pause would be undone: the UI must not patch the app without the user's explicit choice. */
  undoes: boolean;
  /** What the user can do instead (ApplicationSet) or also pause (parents). */
  parent?: ObjectRef;
  route?: string;
}

/** `breakglass` = pause auto-sync plus the audit annotation. */
export type PauseAction = 'auto-sync' | 'skip-reconcile' | 'breakglass';

const appRef = (namespace: string, name: string): ObjectRef => ({ group: APPLICATION.group, version: APPLICATION.version, kind: APPLICATION.kind, namespace, name });

async function getOrUndefined(client: KubeClient, ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref, signal);
  } catch (e) {
    if (isGitOpsError(e) && (e.reason === 'notFound' || e.reason === 'forbidden')) return undefined;
    throw e;
  }
}

/** JSON pointer of an annotation key (`/` escaped as `~1`). */
const annotationPointer = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Annotations the ApplicationSet must keep for an action to stick (it replaces annotations with its template's). */
export function annotationsNeeded(action: PauseAction, supportsEnabled = true): string[] {
  if (action === 'skip-reconcile') return [SKIP_RECONCILE_ANNOTATION];
  const keys = supportsEnabled ? [] : [PAUSED_AUTOMATED_ANNOTATION];
  return action === 'breakglass' ? [...keys, BREAKGLASS_ANNOTATION] : keys;
}

/** Does the ApplicationSet leave this change to `appName` alone (ignoreApplicationDifferences / preservedFields)? */
export function applicationSetCovers(appSet: KubeObject, appName: string, action: PauseAction, supportsEnabled = true): boolean {
  const spec = (appSet.spec ?? {}) as Record<string, any>;
  const rules = ((spec.ignoreApplicationDifferences ?? []) as Array<{ name?: string; jsonPointers?: string[]; jqPathExpressions?: string[] }>).filter((r) => !r.name || r.name === appName);
  const pointerCovered = (p: string) => rules.some((r) => (r.jsonPointers ?? []).some((j) => j === '' || p === j || p.startsWith(`${j}/`)));
  const jqCovered = (p: string) => rules.some((r) => (r.jqPathExpressions ?? []).some((q) => q.trim() === p.replace(/\//g, '.')));
  const preserved = (spec.preservedFields?.annotations ?? []) as string[];
  const annotationsKept = annotationsNeeded(action, supportsEnabled).every((k) => preserved.includes(k) || pointerCovered(annotationPointer(k)));
  if (action === 'skip-reconcile') return annotationsKept;
  return annotationsKept && (pointerCovered('/spec/syncPolicy') || jqCovered('/spec/syncPolicy'));
}

/**
 * `supportsEnabled`: whether the Application CRD has `automated.enabled` (see applicationCrdSupportsAutomatedEnabled);
 * without it the pause also relies on an annotation the ApplicationSet must keep.
 */
export async function pauseWarnings(client: KubeClient, obj: KubeObject, opts: { action?: PauseAction; supportsEnabled?: boolean; argoNamespace?: string; signal?: AbortSignal } = {}): Promise<PauseWarning[]> {
  const out: PauseWarning[] = [];
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace ?? '';
  const argoNs = opts.argoNamespace ?? DEFAULT_ARGO_NAMESPACE;
  if (obj.kind === 'Application') {
    const action = opts.action ?? 'auto-sync';
    const owner = ((obj.metadata.ownerReferences ?? []) as Array<{ kind: string; name: string }>).find((o) => o.kind === 'ApplicationSet');
    if (owner) {
      const setRef = { group: APPLICATIONSET.group, version: APPLICATIONSET.version, kind: 'ApplicationSet', namespace: ns, name: owner.name };
      const appSet = await getOrUndefined(client, setRef, opts.signal);
      const covered = !!appSet && applicationSetCovers(appSet, name, action, opts.supportsEnabled ?? true);
      const what = action === 'skip-reconcile' ? 'the skip-reconcile annotation' : action === 'breakglass' ? 'the syncPolicy change and the breakglass record' : 'the syncPolicy change';
      const keep = annotationsNeeded(action, opts.supportsEnabled ?? true);
      const keepText = keep.length ? ` and list ${keep.map((k) => `"${k}"`).join(', ')} in spec.preservedFields.annotations (Argo CD ≥ 2.7)` : '';
      out.push({
        code: 'applicationset-owned',
        undoes: !covered,
        parent: setRef,
        message: covered
          ? `${ns}/${name} is generated by ApplicationSet ${owner.name}, which is set to leave ${what} alone.`
          : `${ns}/${name} is generated by ApplicationSet ${owner.name}: it will overwrite ${what} within seconds.`,
        route: covered
          ? undefined
          : action === 'skip-reconcile'
            ? `Add "${SKIP_RECONCILE_ANNOTATION}" to spec.preservedFields.annotations of ApplicationSet ${owner.name} (Argo CD ≥ 2.7), in Git.`
            : `Add spec.ignoreApplicationDifferences: [{name: ${name}, jsonPointers: ["/spec/syncPolicy"]}] to ApplicationSet ${owner.name} (Argo CD ≥ 2.9)${keepText}, in Git, then pause; or change the ApplicationSet's template instead.`,
      });
    }
    const parentName = argoTrackingApp(obj);
    if (parentName && parentName !== name) {
      const [pNs, pName] = parentName.includes('_') ? parentName.split('_', 2) : [argoNs, parentName];
      const pRef = appRef(pNs, pName);
      const parent = await getOrUndefined(client, pRef, opts.signal);
      if (parent && isAutoSyncOn(parent)) {
        const selfHeal = (parent.spec as any)?.syncPolicy?.automated?.selfHeal === true;
        out.push({
          code: 'parent-app',
          undoes: selfHeal,
          parent: pRef,
          message: `${ns}/${name} is managed by app-of-apps parent ${pNs}/${pName} with automated sync${selfHeal ? ' and self-heal: it will revert this change' : ': its next sync will revert this change'}. Pause the parent too?`,
        });
      }
    }
  } else if (obj.kind === 'Kustomization' || obj.kind === 'HelmRelease') {
    const owner = fluxOwner(obj);
    if (owner?.kind === 'Kustomization') {
      const pRef = fluxRef('Kustomization', owner.namespace, owner.name);
      const parent = await getOrUndefined(client, pRef, opts.signal);
      if (parent && !isSuspended(parent)) {
        out.push({
          code: 'parent-kustomization',
          undoes: true,
          parent: pRef,
          message: `${obj.kind} ${ns}/${name} is applied by Kustomization ${owner.namespace}/${owner.name}: if Git sets spec.suspend, its next run puts it back (flux2 #3462). Suspend the parent too?`,
        });
      }
    }
  }
  return out;
}
