// The offline drift verdict for one object (diff-semantics §3): would applying desired change live?
import type { KubeObject, ResourceDiff } from '../model';
import { groupOf, isGitOpsError, refOf } from '../model';
import { applyServerDefaults, applyServerDefaultsInPlace } from '../k8s/defaults';
import { isObject } from '../k8s/json';
import { attributor } from '../k8s/fieldsV1';
import { diffValues, type ChangesContext, type FieldChangeEx } from './changes';
import { applyIgnoreRules, FLUX_SSA, fluxMerges, fluxSsaPolicy, removeTrustedManagerFields, trustedManagersFor, valueAtFieldPath } from './ignore';
import { compareOptionsOf } from './ignoreSources';
import { findLiveOnly } from './liveOnly';
import { mergeObjects } from './merge';
import { normalizeObject } from './normalize';
import { isHumanManager, statusIgnored, type DiffOptions } from './options';
import { ownershipOf, type Ownership } from './ownership';
import { pruneEmptyInPlace } from './rules';
import { maskSecretsInPlace } from './secrets';
import { normalizeForDisplay } from './display';
import { isClusterScoped } from '../render/clusterScoped';

export interface ResourceDiffEx extends ResourceDiff {
  changes: FieldChangeEx[];
  /** How many changes are live-only hand edits (they alone make the status Modified). */
  liveOnly: number;
  ownership?: Ownership['source'];
  manager?: string;
}

const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'extensions', 'admissionregistration.k8s.io', 'rbac.authorization.k8s.io']);

/** N5 on an object the pipeline owns (pruned in place). */
function finish(obj: KubeObject): KubeObject {
  const out = pruneEmptyInPlace(obj);
  if (!isObject(out.metadata)) out.metadata = {};
  return out;
}

/** Re-reads change values from the masked display objects so Secret values never leave. */
function maskChanges(changes: FieldChangeEx[], p: KubeObject, l: KubeObject): FieldChangeEx[] {
  return changes.map((c) => {
    const out: FieldChangeEx = { ...c };
    delete out.desired;
    delete out.live;
    const d = c.desired !== undefined ? valueAtFieldPath(p, c.fieldPath) : undefined;
    const lv = c.live !== undefined ? valueAtFieldPath(l, c.fieldPath) : undefined;
    if (d !== undefined) out.desired = d;
    if (lv !== undefined) out.live = lv;
    return out;
  });
}

/**
 * Pipeline: normalize D and L (N1–N5, N7, N10–N12) → ownership O from live managedFields (our Apply entry)
 * or last-applied → P = merge(L, D, O) → server defaults on P and L → ignore rules (N14–N16) → changes
 * L→P with attribution → live-only hand edits → mask Secrets (N17) last. Never throws: failures are `Unknown`.
 */
export function diffResource(desired: KubeObject | undefined, live: KubeObject | undefined, opts: DiffOptions = {}): ResourceDiffEx {
  const base = desired ?? live;
  // A cluster-scoped kind has no namespace, whatever the app's destination namespace.
  const ref = base ? refOf(base, isClusterScoped(base.kind) ? '' : (opts.defaultNamespace ?? '')) : { group: '', kind: '', namespace: '', name: '' };
  if (desired && live && !desired.metadata?.namespace) ref.namespace = live.metadata?.namespace ?? ref.namespace;
  const result: ResourceDiffEx = { ref, app: opts.app, status: 'Unknown', changes: [], liveOnly: 0, mode: 'offline' };
  if (!desired && !live) return { ...result, reason: 'neither desired nor live object given' };

  const flux = fluxSsaPolicy(live, desired);
  if (!live) {
    if (desired) result.desired = normalizeForDisplay(applyServerDefaults(desired));
    return { ...result, status: 'MissingLive', reason: 'not found in the cluster; applying would create it' };
  }
  if (!desired) {
    // Argo CD: an extraneous resource annotated IgnoreExtraneous does not make the app OutOfSync.
    if (compareOptionsOf(live).ignoreExtraneous) return { ...result, status: 'Synced', reason: 'not in Git, ignored (argocd.argoproj.io/compare-options: IgnoreExtraneous)', live: normalizeForDisplay(live) };
    return { ...result, status: 'ExtraLive', reason: 'in the cluster but not in Git (prune candidate)', live: normalizeForDisplay(live) };
  }
  if (flux) {
    const why = flux === 'reconcile: disabled' ? 'kustomize.toolkit.fluxcd.io/reconcile: disabled' : `${FLUX_SSA}: ${flux}`;
    return { ...result, status: 'Synced', reason: `Flux does not reconcile it (${why})`, desired: normalizeForDisplay(desired), live: normalizeForDisplay(live) };
  }

  try {
    const group = groupOf(desired.apiVersion ?? '');
    const ctx: ChangesContext = { group, kind: desired.kind, quantityPaths: opts.quantityPaths, durationPaths: opts.durationPaths, resolver: opts.listTypeResolver, schemas: opts.schemas };
    // Argo CD ignores `/status` through an ignore rule (every kind by default); where it does not, a status declared in
    // Git is compared (one Git leaves out is live's own, never drift).
    const keepStatus = desired.status !== undefined && !statusIgnored(opts.ignoreResourceStatusField, group, desired.kind);
    const nopts = { ignoreAggregatedRoles: opts.ignoreAggregatedRoles, keepStatus };
    const d = normalizeObject(desired, nopts);
    const l = normalizeObject(live, nopts);
    const own = ownershipOf(live, { manager: opts.manager, resolver: opts.listTypeResolver, schemas: opts.schemas });
    // d, l and predicted are this call's own copies (predicted shares nothing with them): changed in place from here.
    let predicted = mergeObjects(l, d, { ...ctx, owned: own.owned }) as KubeObject;
    // The server stores one version and converts on read: a different version of the same group is not drift.
    if (groupOf(live.apiVersion ?? '') === group) predicted.apiVersion = live.apiVersion;
    let current = l;
    // §3.5: the server defaults whatever desired leaves unset; defaulting both sides keeps it symmetric.
    if (BUILTIN_GROUPS.has(group)) {
      predicted = applyServerDefaultsInPlace(predicted);
      current = applyServerDefaultsInPlace(current);
    }
    predicted = finish(predicted);
    current = finish(current);
    // Ignore rules after defaulting, so an ignored field is not re-defaulted on one side only.
    const rules = opts.ignoreDifferences ?? [];
    applyIgnoreRules(predicted, rules, ref, desired);
    applyIgnoreRules(current, rules, ref, desired);
    removeTrustedManagerFields(predicted, current, live, trustedManagersFor(rules, ref, desired), ctx);

    const attribute = attributor(live);
    const changes = diffValues(predicted, current, ctx).map((c) => {
      // a `missing` field is not live yet: nobody wrote it, and an ancestor's owner would mislead
      const who = c.category === 'missing' ? undefined : attribute(c.fieldPath);
      return who ? { ...c, manager: who.manager, time: who.time } : c;
    });
    const covered = new Set(changes.map((c) => c.path));
    const isHuman = (m: string | undefined) => isHumanManager(m, opts) && m !== own.manager;
    // Live-only edits are fields a human manager wrote: with none in managedFields (most objects) there is nothing to walk.
    // Flux `ssa: Merge` keeps other managers' fields: live-only hand edits are not drift there.
    const humanWrote = !fluxMerges(desired, live) && (live.metadata?.managedFields ?? []).some((e) => isHuman(e.manager));
    const defaulted = humanWrote && BUILTIN_GROUPS.has(group) ? finish(applyServerDefaults(d)) : d; // d itself stays undefaulted
    const liveOnly = (humanWrote ? findLiveOnly(d, defaulted, current, { ...ctx, attribute, isHuman }) : []).filter(
      (c) => ![...covered].some((p) => c.path === p || c.path.startsWith(`${p}.`) || c.path.startsWith(`${p}[`)),
    );
    const [mp, ml] = maskSecretsInPlace(predicted, current) as KubeObject[];
    const all = maskChanges([...changes, ...liveOnly], mp, ml);
    return {
      ...result,
      status: all.length > 0 ? 'Modified' : 'Synced',
      changes: all,
      liveOnly: liveOnly.length,
      ownership: own.source,
      manager: own.manager,
      desired: mp,
      live: ml,
    };
  } catch (e) {
    // A bad ignore rule or a malformed object must not break the whole tree: report Unknown with why.
    const why = isGitOpsError(e) || e instanceof Error ? e.message : String(e);
    return { ...result, status: 'Unknown', reason: `could not diff: ${why}` };
  }
}
