// Reads the live counterpart of every desired object with one LIST per resource type (and namespace), not a GET
// per object, and finds the objects an app tracks that Git no longer declares (prune candidates).
import { GitOpsError, groupOf, isGitOpsError, refKey, type App, type KubeObject, type ObjectRef, type RenderedObject } from '../model';
import { throwIfAborted } from '../ports';
import { mapWithConcurrency } from './concurrency';
import { findResourceType } from './discovery';
import { DEFAULT_ARGO_NAMESPACE, argoInstanceName, argoTrackingApp, fluxLabelSelector, fluxOwner, isTrackedBy, managedRefsOf } from './tracking';
import type { KubeClient, ResourceType } from './types';

export interface FetchLiveStateInput {
  client: KubeClient;
  apps: readonly App[];
  /** Rendered desired objects per app id. */
  desired: ReadonlyMap<string, readonly RenderedObject[]> | Readonly<Record<string, readonly RenderedObject[]>>;
  signal?: AbortSignal;
  /** Parallel requests; default 4. */
  concurrency?: number;
  /** Argo CD control-plane namespace (decides tracking instance names); default `argocd`. */
  argoNamespace?: string;
  /** A type listed in more namespaces than this is listed cluster-wide once. Default 5. */
  maxNamespacesPerType?: number;
  /**
   * One deadline for the whole read (discovery, LISTs, GETs); default 120 s. When it passes, every request still
   * running is aborted and the call fails with a timeout naming the requests that were still waiting.
   */
  deadlineMs?: number;
}

export interface LiveFailure {
  appId?: string;
  /** refKey of the desired object whose live state is unknown, when it is about one object. */
  key?: string;
  error: GitOpsError;
}

export interface LiveState {
  /** Live object of each desired object that exists, keyed by refKey (namespace filled from the app's destination). */
  live: Map<string, KubeObject>;
  /** Every desired object's key → the app id that declares it and its full ref. */
  desired: Map<string, { appId: string; ref: ObjectRef }>;
  /** Live objects tracked by an app but not declared by it. */
  extra: Array<{ appId: string; key: string; ref: ObjectRef; object: KubeObject }>;
  /**
   * Objects or types whose live state could not be read (unknown kind, forbidden list, ...). A failed LIST is
   * reported once per app it was for (appId set, no key): that app's prune candidates of the type are unknown.
   */
  failures: LiveFailure[];
  /**
   * The LISTs that succeeded, by type and namespace ('' = all namespaces or cluster-scoped): what the caller may
   * watch to keep this state current. A user whose RBAC stops at some namespaces gets per-namespace scopes here.
   */
  scopes: Array<{ type: ResourceType; namespace: string }>;
  stats: { lists: number; gets: number };
}

interface ListPlan {
  rt: ResourceType;
  /** '' = all namespaces (or cluster-scoped). */
  namespace: string;
  /** undefined = plain list (covers everything in scope). */
  labelSelector?: string;
  apps: Set<string>;
}

/** GETs per type after a forbidden LIST; the rest of that type's objects are reported unknown. */
const MAX_FALLBACK_GETS = 50;

const typeKey = (rt: ResourceType): string => `${rt.group}/${rt.kind}`;

function desiredOf(input: FetchLiveStateInput, appId: string): readonly RenderedObject[] {
  const d = input.desired;
  return (d instanceof Map ? d.get(appId) : (d as Record<string, readonly RenderedObject[]>)[appId]) ?? [];
}

const DEFAULT_DEADLINE_MS = 120_000;

/** Requests in flight, so a deadline can say which step was slow. */
type Pending = Set<string>;

async function tracked<T>(pending: Pending, step: string, p: () => Promise<T>): Promise<T> {
  pending.add(step);
  try {
    return await p();
  } finally {
    pending.delete(step);
  }
}

export async function fetchLiveState(input: FetchLiveStateInput): Promise<LiveState> {
  const deadlineMs = input.deadlineMs ?? DEFAULT_DEADLINE_MS;
  throwIfAborted(input.signal);
  // The caller's signal stops everything; the deadline stops it too, even when a request ignores its signal.
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const pending: Pending = new Set();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const steps = [...pending];
      const slow = steps.length ? ` (still waiting for: ${steps.slice(0, 3).join('; ')}${steps.length > 3 ? `; and ${steps.length - 3} more` : ''})` : '';
      const e = new GitOpsError('timeout', `fetching live state for ${input.client.contextName} took longer than ${deadlineMs / 1000} s${slow}`);
      reject(e);
      ac.abort(e);
    }, deadlineMs);
  });
  try {
    return await Promise.race([fetchWithin({ ...input, signal: ac.signal }, pending), deadline]);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
}

async function fetchWithin(input: FetchLiveStateInput, pending: Pending): Promise<LiveState> {
  const { client, signal } = input;
  const argoNs = input.argoNamespace ?? DEFAULT_ARGO_NAMESPACE;
  const maxNs = input.maxNamespacesPerType ?? 5;
  const out: LiveState = { live: new Map(), desired: new Map(), extra: [], failures: [], scopes: [], stats: { lists: 0, gets: 0 } };
  const types = await tracked(pending, 'API discovery', () => client.discover(signal));
  const resolve = (group: string, kind: string): ResourceType | undefined => {
    try {
      return findResourceType(types, { group, kind });
    } catch {
      return undefined;
    }
  };

  // 1. Where each app's objects live: (type, namespace) pairs from the desired objects and from what the app says it manages.
  // appsByNs: which apps have objects of the type in each namespace ('' = cluster-scoped / all).
  const scopes = new Map<string, { rt: ResourceType; namespaces: Set<string>; plainApps: Set<string>; selectorApps: Map<string, string>; appsByNs: Map<string, Set<string>> }>();
  const addScope = (rt: ResourceType, ns: string, app: App): void => {
    const k = typeKey(rt);
    const s = scopes.get(k) ?? { rt, namespaces: new Set<string>(), plainApps: new Set<string>(), selectorApps: new Map<string, string>(), appsByNs: new Map<string, Set<string>>() };
    scopes.set(k, s);
    const nsKey = rt.namespaced ? ns : '';
    s.namespaces.add(nsKey);
    s.appsByNs.set(nsKey, (s.appsByNs.get(nsKey) ?? new Set<string>()).add(app.id));
    const sel = fluxLabelSelector(app);
    // Argo annotation tracking cannot be selected server-side, so Argo apps need plain lists.
    if (sel) s.selectorApps.set(app.id, sel);
    else s.plainApps.add(app.id);
  };
  const desiredKeysByApp = new Map<string, Set<string>>();
  for (const app of input.apps) {
    const keys = new Set<string>();
    desiredKeysByApp.set(app.id, keys);
    const defaultNs = app.destinationNamespace || 'default';
    for (const r of desiredOf(input, app.id)) {
      const obj = r.object;
      const group = groupOf(obj.apiVersion ?? '');
      const rt = resolve(group, obj.kind);
      const ns = obj.metadata.namespace || defaultNs;
      const ref: ObjectRef = { group, version: obj.apiVersion?.split('/').pop(), kind: obj.kind, namespace: rt && !rt.namespaced ? '' : ns, name: obj.metadata.name ?? '' };
      const key = refKey(ref);
      keys.add(key);
      out.desired.set(key, { appId: app.id, ref });
      if (!rt) {
        out.failures.push({ appId: app.id, key, error: new GitOpsError('notFound', `The cluster does not serve ${obj.kind}${group ? `.${group}` : ''} (is its CRD installed?)`) });
        continue;
      }
      addScope(rt, ref.namespace, app);
    }
    for (const m of managedRefsOf(app)) {
      const rt = resolve(m.group, m.kind);
      if (rt) addScope(rt, m.namespace, app);
    }
  }

  // 2. One LIST per type and namespace (or cluster-wide when the namespaces are many).
  const plans: ListPlan[] = [];
  for (const s of scopes.values()) {
    const nsList = s.rt.namespaced && s.namespaces.size <= maxNs ? [...s.namespaces] : [''];
    for (const ns of nsList) {
      if (s.plainApps.size) {
        plans.push({ rt: s.rt, namespace: ns, apps: new Set([...s.plainApps, ...s.selectorApps.keys()]) });
        continue;
      }
      const bySelector = new Map<string, Set<string>>();
      for (const [appId, sel] of s.selectorApps) bySelector.set(sel, (bySelector.get(sel) ?? new Set()).add(appId));
      for (const [sel, apps] of bySelector) plans.push({ rt: s.rt, namespace: ns, labelSelector: sel, apps });
    }
  }
  const listed = new Map<string, KubeObject>();
  const coveredByPlainList = new Set<string>();
  const runPlans = (todo: ListPlan[]) =>
    mapWithConcurrency(
      todo,
      input.concurrency ?? 4,
      async (p) => {
        try {
          out.stats.lists++;
          const step = `list ${p.rt.kind}${p.rt.group ? `.${p.rt.group}` : ''}${p.namespace ? ` in namespace ${p.namespace}` : ''}${p.labelSelector ? ` (${p.labelSelector})` : ''}`;
          const r = await tracked(pending, step, () => client.list(p.rt, { namespace: p.namespace || undefined, labelSelector: p.labelSelector, signal }));
          return { plan: p, items: r.items as KubeObject[] | undefined, error: undefined as GitOpsError | undefined };
        } catch (e) {
          if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
          return { plan: p, items: undefined, error: isGitOpsError(e) ? e : new GitOpsError('internal', String(e), { cause: e }) };
        }
      },
      signal,
    );
  const results = await runPlans(plans);
  // A user whose RBAC stops at some namespaces may not list a namespaced type across all of them: list it in each
  // namespace the apps use instead (the objects there stay readable, the rest fail one by one below).
  const perNamespace: ListPlan[] = [];
  for (const r of results) {
    if (r.error?.reason !== 'forbidden' || !r.plan.rt.namespaced || r.plan.namespace) continue;
    for (const ns of scopes.get(typeKey(r.plan.rt))?.namespaces ?? []) if (ns) perNamespace.push({ ...r.plan, namespace: ns });
    r.error = undefined; // superseded by the per-namespace lists (and the GETs after them)
  }
  if (perNamespace.length) results.push(...(await runPlans(perNamespace)));
  for (const r of results) {
    if (r.error) {
      // Every app this LIST was for has lost the objects it tracks there (its prune candidates): each app is told,
      // so the result is "unknown" for it, never a clean "in sync".
      const where = `${r.plan.rt.kind}${r.plan.rt.group ? `.${r.plan.rt.group}` : ''}${r.plan.namespace ? ` in namespace ${r.plan.namespace}` : ''}`;
      const message = `cannot list ${where}, so objects of that type the app tracks but Git no longer declares are unknown: ${r.error.message}`;
      // A LIST of one namespace concerns only the apps with objects there.
      const inNs = r.plan.namespace ? scopes.get(typeKey(r.plan.rt))?.appsByNs.get(r.plan.namespace) : undefined;
      for (const appId of r.plan.apps) if (!inNs || inNs.has(appId)) out.failures.push({ appId, error: new GitOpsError(r.error.reason, message, { ...r.error.details, cause: r.error }) });
    }
    else if (r.items && !out.scopes.some((s) => typeKey(s.type) === typeKey(r.plan.rt) && s.namespace === r.plan.namespace)) out.scopes.push({ type: r.plan.rt, namespace: r.plan.namespace });
  }
  const refOfLive = (rt: ResourceType, obj: KubeObject): ObjectRef => ({ group: rt.group, version: rt.version, kind: rt.kind, namespace: rt.namespaced ? (obj.metadata.namespace ?? '') : '', name: obj.metadata.name ?? '' });
  for (const { plan, items } of results) {
    if (!items) continue;
    if (!plan.labelSelector) coveredByPlainList.add(`${typeKey(plan.rt)}|${plan.namespace}`);
    for (const obj of items) listed.set(refKey(refOfLive(plan.rt, obj)), obj);
  }

  // 3. Desired objects no list returned: a GET only when no successful plain list covered their scope, and never
  // after a LIST the server refused for load (429, 5xx, timeout): one GET per object would only add to it. Only a
  // forbidden LIST (RBAC may allow get but not list) is followed by GETs, at most MAX_FALLBACK_GETS per type.
  const failedLists = results.filter((r) => r.error);
  const fallbackGets = new Map<string, number>();
  const toGet: Array<{ key: string; ref: ObjectRef; appId: string; rt: ResourceType }> = [];
  for (const [key, d] of out.desired) {
    const obj = listed.get(key);
    if (obj) {
      out.live.set(key, obj);
      continue;
    }
    const rt = resolve(d.ref.group, d.ref.kind);
    if (!rt) continue;
    const covered = coveredByPlainList.has(`${typeKey(rt)}|${d.ref.namespace}`) || coveredByPlainList.has(`${typeKey(rt)}|`);
    if (covered) continue;
    const failed = failedLists.filter((r) => typeKey(r.plan.rt) === typeKey(rt) && (!r.plan.namespace || r.plan.namespace === d.ref.namespace) && r.plan.apps.has(d.appId));
    const overload = failed.find((r) => r.error!.reason !== 'forbidden');
    if (overload) {
      const e = overload.error!;
      out.failures.push({ appId: d.appId, key, error: new GitOpsError(e.reason, `not read: listing ${rt.kind} failed and objects are not read one by one after that: ${e.message}`, { ...e.details, cause: e }) });
      continue;
    }
    if (failed.length) {
      const n = fallbackGets.get(typeKey(rt)) ?? 0;
      if (n >= MAX_FALLBACK_GETS) {
        const e = failed[0].error!;
        out.failures.push({ appId: d.appId, key, error: new GitOpsError(e.reason, `not read: listing ${rt.kind} is forbidden and only the first ${MAX_FALLBACK_GETS} objects of that type are read one by one: ${e.message}`, { ...e.details, cause: e }) });
        continue;
      }
      fallbackGets.set(typeKey(rt), n + 1);
    }
    toGet.push({ key, ref: d.ref, appId: d.appId, rt });
  }
  await mapWithConcurrency(
    toGet,
    input.concurrency ?? 4,
    async (g) => {
      try {
        out.stats.gets++;
        const step = `get ${g.rt.kind}${g.rt.group ? `.${g.rt.group}` : ''} ${g.ref.namespace ? `${g.ref.namespace}/` : ''}${g.ref.name}`;
        out.live.set(g.key, await tracked(pending, step, () => client.get({ ...g.ref, version: g.rt.version }, signal)));
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'notFound') return;
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        out.failures.push({ appId: g.appId, key: g.key, error: isGitOpsError(e) ? e : new GitOpsError('internal', String(e), { cause: e }) });
      }
    },
    signal,
  );
  throwIfAborted(signal);

  // 4. Tracked by an app but not declared by it: prune candidates.
  // Each object names its owner (tracking id / Flux labels) once; looking the owner up by name keeps this linear
  // in the number of objects instead of objects × apps.
  const byOwner = new Map<string, App[]>();
  for (const app of input.apps) {
    const owner = app.kind === 'argo-application' ? `argo|${argoInstanceName(app.name, app.namespace, argoNs)}` : app.kind === 'flux-kustomization' ? `flux|${app.namespace ?? ''}/${app.name}` : app.kind === 'flux-helmrelease' ? `flux-hr|${app.namespace ?? ''}/${app.name}` : undefined;
    if (owner) byOwner.set(owner, [...(byOwner.get(owner) ?? []), app]);
  }
  const seenExtra = new Set<string>();
  for (const { plan, items } of results) {
    for (const obj of items ?? []) {
      const argo = argoTrackingApp(obj, !plan.rt.namespaced);
      const flux = fluxOwner(obj);
      const fluxKey = flux ? `${flux.kind === 'Kustomization' ? 'flux' : 'flux-hr'}|${flux.namespace}/${flux.name}` : undefined;
      const candidates = [...(argo ? (byOwner.get(`argo|${argo}`) ?? []) : []), ...(fluxKey ? (byOwner.get(fluxKey) ?? []) : [])];
      if (!candidates.length) continue;
      const ref = refOfLive(plan.rt, obj);
      const key = refKey(ref);
      for (const app of candidates) {
        if (!plan.apps.has(app.id) || desiredKeysByApp.get(app.id)?.has(key) || seenExtra.has(`${app.id}|${key}`)) continue;
        if (isTrackedBy(app, obj, !plan.rt.namespaced, argoNs)) {
          seenExtra.add(`${app.id}|${key}`);
          out.extra.push({ appId: app.id, key, ref, object: obj });
        }
      }
    }
  }
  return out;
}
