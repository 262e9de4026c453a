// The write paths of the API (create, update, patch, delete, status and scale subresources), independent of
// HTTP: every write goes through `commit`, which keeps server-owned fields, defaults, generation,
// managedFields and resourceVersion the way kube-apiserver does.
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { ApiError, alreadyExists, invalid, notFound, qualifiedResource, staleConflict } from './apiStatus';
import { ObjectStore, type Obj } from './objectStore';
import { crdListTypes, type PatchEngine } from './patchEngine';
import { apiVersionOf, resourceKey, type ResourceType, type TypeRegistry, typesFromCrd } from './resourceTypes';
import { pruneUnknownBuiltinFields } from './builtinFields';
import { pruneUnknownFields } from './unknownFields';
import { serviceIpFamilies, withServerDefaults } from './serverDefaults';
import { sortKeysDeep } from './util/json';
import { requiredScalarZeros } from './schema/builtinSchema';

export interface WriteContext {
  manager: string;
  dryRun: boolean;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** Filled with `Warning` header texts (unknown fields under fieldValidation=Warn). */
  warnings: string[];
  now: Date;
  /** False when an API request named no fieldManager (the manager then comes from the User-Agent; apply refuses). */
  fieldManagerParam?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CRD_GROUP = 'apiextensions.k8s.io';

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (isObj(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : 1))) : val));
}

/** Everything but metadata (and status, when it has its own subresource): what bumps `generation`. */
/**
 * Kinds whose registry strategy also bumps generation on annotation changes: Deployments, whose annotations are
 * copied to their ReplicaSets (pkg/registry/apps/deployment/strategy.go PrepareForUpdate; checked against the real
 * server by differential.test.ts — DaemonSets do not).
 */
const GENERATION_ON_ANNOTATIONS = new Set(['apps/Deployment']);

function specPart(o: Obj, t: ResourceType): string {
  const { metadata, status, ...rest } = o;
  const annotations = GENERATION_ON_ANNOTATIONS.has(`${t.group}/${t.kind}`) ? { annotations: metadata?.annotations ?? {} } : {};
  return stableJson({ ...(t.statusSubresource ? rest : { ...rest, status }), ...annotations });
}

function getPath(o: Obj, dotted: string): unknown {
  return dotted
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((cur, k) => (isObj(cur) ? cur[k] : undefined), o);
}

function setPath(o: Obj, dotted: string, v: unknown): void {
  const parts = dotted.split('.').filter(Boolean);
  let cur = o;
  for (const k of parts.slice(0, -1)) cur = isObj(cur[k]) ? cur[k] : (cur[k] = {});
  cur[parts[parts.length - 1]] = v;
}

export class ResourceOps {
  private nextClusterIp = 1;

  constructor(
    readonly store: ObjectStore,
    readonly types: TypeRegistry,
    private readonly engine: PatchEngine,
    /** Called when the served types change (CRD created/updated/deleted). */
    private readonly onTypesChanged: () => void,
  ) {
    // Resume IP allocation after any Services loaded from a state file.
    for (const { obj } of store.list('/services')) {
      const m = /^10\.96\.(\d+)\.(\d+)$/.exec(String(obj.spec?.clusterIP ?? ''));
      if (m) this.nextClusterIp = Math.max(this.nextClusterIp, Number(m[1]) * 256 + Number(m[2]) + 1);
    }
  }

  get(t: ResourceType, ns: string | undefined, name: string): Obj {
    const obj = this.store.get(resourceKey(t), ns, name);
    if (!obj) throw notFound(t, name);
    return obj;
  }

  // ---- create / update -------------------------------------------------------------------------------

  create(t: ResourceType, ns: string | undefined, body: unknown, ctx: WriteContext): Obj {
    const obj = this.checkBody(t, ns, body, undefined);
    if (!obj.metadata.name) {
      if (typeof obj.metadata.generateName === 'string' && obj.metadata.generateName) {
        obj.metadata.name = obj.metadata.generateName + Math.random().toString(36).slice(2, 7);
      } else throw invalid(t, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    }
    if (this.store.get(resourceKey(t), ns, obj.metadata.name)) throw alreadyExists(t, obj.metadata.name);
    return this.commit(t, undefined, obj, ctx);
  }

  update(t: ResourceType, ns: string | undefined, name: string, body: unknown, ctx: WriteContext, sub?: 'status'): Obj {
    const obj = this.checkBody(t, ns, body, name);
    const live = this.get(t, ns, name);
    this.checkResourceVersion(t, live, obj);
    return this.commit(t, live, obj, ctx, sub);
  }

  // ---- patch -----------------------------------------------------------------------------------------

  patch(t: ResourceType, ns: string | undefined, name: string, type: PatchType, raw: string, ctx: WriteContext & { force: boolean }, sub?: 'status'): { obj: Obj; created: boolean } {
    const live = this.store.get(resourceKey(t), ns, name);
    if (type === 'apply') return this.apply(t, ns, name, live, raw, ctx, sub);
    if (!live) throw notFound(t, name);
    const patched = this.applyPatch(t, live, type, parseJson(raw));
    const obj = this.checkBody(t, ns, patched, name);
    this.checkResourceVersion(t, live, obj);
    return { obj: this.commit(t, live, obj, ctx, sub), created: false };
  }

  private applyPatch(t: ResourceType, live: Obj, type: Exclude<PatchType, 'apply'>, patch: unknown): Obj {
    const base = structuredClone(live);
    if (type === 'json') return this.engine.jsonPatch(base, patch);
    if (!isObj(patch)) throw new ApiError('BadRequest', 'json: cannot unmarshal array into Go value of type map[string]interface {}');
    if (type === 'merge') return this.engine.mergePatch(base, patch);
    if (t.crd) {
      throw new ApiError(
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    return this.engine.strategicMergePatch(base, patch, { group: t.group, kind: t.kind, version: t.version });
  }

  private apply(t: ResourceType, ns: string | undefined, name: string, live: Obj | undefined, raw: string, ctx: WriteContext & { force: boolean }, sub?: 'status'): { obj: Obj; created: boolean } {
    if (!ctx.manager || ctx.manager === '__unset__' || ctx.fieldManagerParam === false) {
      throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ field: 'fieldManager', message: 'Required value: is required for apply patch', reason: 'FieldValueRequired' }]);
    }
    let applied: unknown;
    try {
      applied = YAML.parse(raw);
    } catch (e) {
      throw new ApiError('BadRequest', `error decoding YAML: ${(e as Error).message}`);
    }
    const cfg = this.checkBody(t, ns, applied, name);
    // A resourceVersion in the applied configuration is a precondition, as for an update.
    if (live) this.checkResourceVersion(t, live, cfg);
    if (!live && sub) throw notFound(t, name);
    if (!live && ns !== undefined) this.requireNamespace(ns);
    this.validateFields(t, name, unknownFieldsPruned(t, cfg), ctx);
    const r = this.engine.apply(live, cfg, {
      manager: ctx.manager,
      force: ctx.force,
      group: t.group,
      kind: t.kind,
      apiVersion: apiVersionOf(t),
      time: rfc3339(ctx.now),
      listTypes: crdListTypes(t.schema),
      ...(sub ? { subresource: sub } : {}),
    });
    const obj = structuredClone(r.object);
    obj.metadata = { ...obj.metadata, managedFields: r.managedFields };
    return { obj: this.commit(t, live, obj, ctx, sub, true), created: !live };
  }

  // ---- scale subresource -----------------------------------------------------------------------------

  scaleOf(t: ResourceType, obj: Obj): Obj {
    const scale = t.scale!;
    let selector = getPath(obj, scale.labelSelectorPath ?? '');
    if (selector === undefined && isObj(obj.spec?.selector?.matchLabels)) {
      selector = Object.entries(obj.spec.selector.matchLabels as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
    }
    const m = obj.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: getPath(obj, scale.specReplicasPath) ?? 0 },
      status: { replicas: getPath(obj, scale.statusReplicasPath) ?? 0, ...(typeof selector === 'string' ? { selector } : {}) },
    };
  }

  /** Applies a patch to a Scale object (autoscaling/v1, a built-in: strategic merge allowed). */
  patchScale(type: Exclude<PatchType, 'apply'>, scale: Obj, patch: unknown): Obj {
    return this.applyPatch({ group: 'autoscaling', version: 'v1', kind: 'Scale' } as ResourceType, scale, type, patch);
  }

  /** PUT or PATCH of `/scale`: the new Scale's replicas go into the parent, recorded under subresource "scale". */
  writeScale(t: ResourceType, ns: string | undefined, name: string, next: (current: Obj) => unknown, ctx: WriteContext): Obj {
    const live = this.get(t, ns, name);
    const current = this.scaleOf(t, live);
    const scale = next(current);
    if (!isObj(scale) || !isObj(scale.spec)) throw new ApiError('BadRequest', 'the body of the request is not a Scale object');
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== live.metadata.resourceVersion) throw staleConflict(t, name);
    const replicas = scale.spec.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
    }
    const obj = structuredClone(live);
    setPath(obj, t.scale!.specReplicasPath, replicas);
    return this.scaleOf(t, this.commit(t, live, obj, ctx, 'scale'));
  }

  // ---- delete ----------------------------------------------------------------------------------------

  /** Deletes now, or marks for deletion when finalizers remain (returns the object then). */
  remove(t: ResourceType, ns: string | undefined, name: string, ctx: WriteContext, preconditions?: { uid?: string; resourceVersion?: string }): { obj: Obj; finalizing: boolean } {
    const live = this.get(t, ns, name);
    if (preconditions?.uid && preconditions.uid !== live.metadata.uid) {
      throw new ApiError('Conflict', `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${live.metadata.uid}`, { name, group: t.group, kind: t.plural });
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== live.metadata.resourceVersion) {
      throw new ApiError('Conflict', `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`, { name, group: t.group, kind: t.plural });
    }
    if ((live.metadata.finalizers ?? []).length > 0) {
      if (live.metadata.deletionTimestamp || ctx.dryRun) return { obj: live, finalizing: true };
      const rv = this.store.nextRv();
      const obj = { ...live, metadata: { ...live.metadata, deletionTimestamp: rfc3339(ctx.now), deletionGracePeriodSeconds: 0, resourceVersion: String(rv) } };
      this.store.put(resourceKey(t), obj, rv);
      return { obj, finalizing: true };
    }
    if (ctx.dryRun) return { obj: live, finalizing: false };
    return { obj: this.purge(t, live), finalizing: false };
  }

  /** Removes an object for good, with what the real controllers would do right after (namespace, CRD cleanup). */
  private purge(t: ResourceType, live: Obj): Obj {
    const name = live.metadata.name as string;
    if (t.group === '' && t.plural === 'namespaces') {
      // The namespace controller empties a deleted namespace before it disappears.
      for (const rt of this.types.all()) {
        if (!rt.namespaced) continue;
        for (const { obj } of this.store.list(resourceKey(rt), name)) this.store.remove(resourceKey(rt), name, obj.metadata.name);
      }
    }
    if (t.group === CRD_GROUP && t.kind === 'CustomResourceDefinition') {
      const removed = this.types.removeCrd(name);
      const seen = new Set<string>();
      for (const rt of removed) {
        if (seen.has(resourceKey(rt))) continue;
        seen.add(resourceKey(rt));
        for (const { obj } of this.store.list(resourceKey(rt))) this.store.remove(resourceKey(rt), obj.metadata.namespace, obj.metadata.name);
      }
      this.onTypesChanged();
    }
    return this.store.remove(resourceKey(t), live.metadata.namespace, name)!;
  }

  // ---- the common write path -------------------------------------------------------------------------

  private commit(t: ResourceType, before: Obj | undefined, candidate: Obj, ctx: WriteContext, sub?: 'status' | 'scale', managedFieldsDone = false): Obj {
    let obj = candidate;
    const name = obj.metadata.name as string;
    if (!NAME_RE.test(name) || name.length > 253) {
      throw invalid(t, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
    }
    if (!before && t.namespaced) this.requireNamespace(obj.metadata.namespace);
    if (!managedFieldsDone) this.validateFields(t, name, unknownFieldsPruned(t, obj), ctx);

    if (sub === 'status' && before) {
      // A status write changes status only.
      obj = { ...structuredClone(before), status: obj.status };
    } else if (t.statusSubresource) {
      // Writes to the main resource never change status when it has its own subresource.
      if (before) {
        if (before.status === undefined) delete obj.status;
        else obj.status = before.status;
      } else if (t.crd) delete obj.status;
      else obj.status = {};
    }

    const meta: Obj = { ...obj.metadata };
    if (before) {
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
        if (before.metadata[k] === undefined) delete meta[k];
        else meta[k] = before.metadata[k];
      }
    } else {
      meta.uid = randomUUID();
      meta.creationTimestamp = rfc3339(ctx.now);
      for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'resourceVersion', 'generation']) delete meta[k];
    }
    if (!managedFieldsDone) {
      // Like kube-apiserver, managedFields a client sends (non-empty, e.g. edited with a JSON patch or an update)
      // are the base of this write's bookkeeping; otherwise the stored ones are. `[{}]` resets them.
      const sent = candidate.metadata.managedFields;
      meta.managedFields = sub === undefined && Array.isArray(sent) && sent.length > 0 ? sent : before?.metadata.managedFields;
    }
    if (meta.managedFields === undefined) delete meta.managedFields;
    obj.metadata = meta;

    if (!t.crd) obj = withServerDefaults(t.group, t.kind, obj);
    this.builtinSideFields(t, before, obj);
    if (before && sub === undefined) checkImmutable(t, before, obj);

    if (t.generation) {
      const prevGen = Number(before?.metadata.generation ?? 0);
      obj.metadata.generation = !before ? 1 : specPart(before, t) !== specPart(obj, t) ? prevGen + 1 : prevGen || 1;
    }

    if (!managedFieldsDone) {
      const managedFields = this.engine.managedFields(before, obj, {
        manager: ctx.manager,
        operation: 'Update',
        apiVersion: apiVersionOf(t),
        time: rfc3339(ctx.now),
        listTypes: crdListTypes(t.schema),
        ...(sub ? { subresource: sub } : {}),
      });
      obj.metadata.managedFields = managedFields;
    }
    if (Array.isArray(obj.metadata.managedFields) && obj.metadata.managedFields.length === 0) delete obj.metadata.managedFields;
    this.strategyFields(t, before, obj);
    obj.metadata = orderMetadata(obj.metadata);

    if (before) {
      // A write that changes nothing is a no-op: same resourceVersion, no event, managedFields untouched.
      const { resourceVersion: _a, managedFields: _ma, ...m1 } = before.metadata;
      const { resourceVersion: _b, managedFields: _mb, ...m2 } = obj.metadata;
      const sameFields = stableJson(_ma ?? []) === stableJson(_mb ?? []);
      if (sameFields && stableJson({ ...before, metadata: m1 }) === stableJson({ ...obj, metadata: m2 })) return before;
      if (before.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0) {
        return ctx.dryRun ? obj : this.purge(t, before);
      }
    }
    // Custom resources are unstructured maps in the real server: its JSON encoder writes their keys sorted.
    const finish = (o: Obj): Obj => (t.crd ? (sortKeysDeep(o) as Obj) : o);
    if (ctx.dryRun) {
      if (!before) delete obj.metadata.resourceVersion;
      else obj.metadata.resourceVersion = before.metadata.resourceVersion;
      return finish(obj);
    }
    const rv = this.store.nextRv();
    obj.metadata.resourceVersion = String(rv);
    obj = finish(obj);
    if (t.group === CRD_GROUP && t.kind === 'CustomResourceDefinition') this.registerCrd(obj);
    this.store.put(resourceKey(t), obj, rv);
    return obj;
  }

  /** Fields the real server fills that are emulator state, not static defaults. */
  private builtinSideFields(t: ResourceType, before: Obj | undefined, obj: Obj): void {
    if (t.crd) return;
    if (t.group === '' && t.plural === 'namespaces') {
      // A default (SetDefaults_Namespace): owned by the writer like any defaulted field.
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    }
    if (t.group === '' && t.plural === 'services' && !before && isObj(obj.status) && Object.keys(obj.status).length === 0) obj.status = { loadBalancer: {} };
    if (t.group === CRD_GROUP && t.kind === 'CustomResourceDefinition') {
      const versions = ((obj.spec?.versions ?? []) as Obj[]).filter((v) => v.storage).map((v) => v.name);
      obj.status = {
        acceptedNames: obj.spec?.names ?? {},
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: obj.metadata.creationTimestamp },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: obj.metadata.creationTimestamp },
        ],
        storedVersions: [...new Set([...(before?.status?.storedVersions ?? []), ...versions])],
      };
    }
  }

  /**
   * What the registry strategies and storages set in PrepareForCreate/PrepareForUpdate/BeforeCreate: after the field
   * manager ran, so no manager owns these fields (namespace finalizers and phase, Service IPs and IP families,
   * the DaemonSet template generation, always-written status counters).
   */
  private strategyFields(t: ResourceType, before: Obj | undefined, obj: Obj): void {
    if (t.crd) return;
    if (t.group === '' && t.plural === 'namespaces') {
      obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
      obj.status = { phase: 'Active', ...before?.status, ...obj.status };
    }
    if (t.group === '' && t.plural === 'services' && isObj(obj.spec) && obj.spec.type !== 'ExternalName') {
      const prevIp = before?.spec?.clusterIP;
      if (prevIp && obj.spec.clusterIP && obj.spec.clusterIP !== prevIp) {
        throw invalid(t, obj.metadata.name, [{ field: 'spec.clusterIPs[0]', message: `Invalid value: []string{"${obj.spec.clusterIP}"}: may not change once set` }]);
      }
      serviceIpFamilies(obj);
      if (!obj.spec.clusterIP) obj.spec.clusterIP = prevIp ?? this.allocateIp();
      if (obj.spec.clusterIP !== 'None' || !obj.spec.clusterIPs) obj.spec.clusterIPs = [obj.spec.clusterIP];
    }
    if (t.group === 'apps' && t.kind === 'DaemonSet') {
      // spec.templateGeneration of the internal type, which v1 carries in this annotation: 1 at creation, +1 on
      // every template change (pkg/registry/apps/daemonset/strategy.go).
      const key = 'deprecated.daemonset.template.generation';
      const prev = Number(before?.metadata.annotations?.[key] ?? 0);
      const templateChanged = before && stableJson(before.spec?.template) !== stableJson(obj.spec?.template);
      const gen = !before || !prev ? Math.max(prev, 1) : templateChanged ? prev + 1 : prev;
      obj.metadata.annotations = { ...obj.metadata.annotations, [key]: String(gen) };
    }
    // Status fields without omitempty are always written by the real server (0 replicas and so on).
    if (isObj(obj.status)) {
      for (const [k, zero] of Object.entries(requiredScalarZeros(t.group, t.kind, ['status'], t.version))) if (obj.status[k] === undefined) obj.status[k] = zero;
    }
  }

  /** Sequential addresses in 10.96.0.0/16 (the default service CIDR), skipping .0 host parts. */
  private allocateIp(): string {
    if ((this.nextClusterIp & 255) === 0) this.nextClusterIp++;
    const n = this.nextClusterIp++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }

  private registerCrd(crd: Obj): void {
    const types = typesFromCrd(crd);
    if (types.length === 0) throw invalid({ group: CRD_GROUP, kind: 'CustomResourceDefinition' }, crd.metadata.name, [{ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' }]);
    this.types.removeCrd(crd.metadata.name);
    for (const rt of types) this.types.add(rt);
    this.onTypesChanged();
  }

  requireNamespace(ns: string | undefined): void {
    if (!ns) throw new ApiError('BadRequest', 'the server could not find the requested resource: a namespace is required');
    if (!this.store.get('/namespaces', undefined, ns)) throw notFound({ group: '', plural: 'namespaces' }, ns);
  }

  private validateFields(t: ResourceType, name: string, unknown: string[], ctx: WriteContext): void {
    if (unknown.length === 0 || ctx.fieldValidation === 'Ignore') return;
    if (ctx.fieldValidation === 'Warn') {
      for (const f of unknown) ctx.warnings.push(`unknown field "${f.slice(1)}"`);
      return;
    }
    if (!t.crd) {
      // The built-in decoder's wording.
      throw new ApiError('BadRequest', `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f.slice(1)}"`).join(', ')}`);
    }
    throw new ApiError('BadRequest', `${t.kind}${t.group ? `.${t.group}` : ''} "${name}" is invalid: ${unknown.map((f) => `${f}: field not declared in schema`).join(', ')}`, {
      name,
      group: t.group,
      kind: t.kind,
      causes: unknown.map((f) => ({ reason: 'FieldValueInvalid', message: `field not declared in schema`, field: f.slice(1) })),
    });
  }

  private checkResourceVersion(t: ResourceType, live: Obj, obj: Obj): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== live.metadata.resourceVersion) throw staleConflict(t, live.metadata.name);
  }

  /** Checks a request body against the URL (kind, apiVersion, name, namespace) and returns a working copy. */
  private checkBody(t: ResourceType, ns: string | undefined, body: unknown, urlName: string | undefined): Obj {
    if (!isObj(body)) throw new ApiError('BadRequest', `the body of the request was not a ${t.kind} object: expected a JSON object`);
    const obj: Obj = structuredClone(body);
    const av = apiVersionOf(t);
    if (obj.kind !== undefined && obj.kind !== t.kind) throw new ApiError('BadRequest', `the kind in the body (${String(obj.kind)}) does not match the kind of the resource ${qualifiedResource(t)} (${t.kind})`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== av) throw new ApiError('BadRequest', `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${av})`);
    obj.kind = t.kind;
    obj.apiVersion = av;
    if (obj.metadata !== undefined && !isObj(obj.metadata)) throw new ApiError('BadRequest', 'metadata must be an object');
    obj.metadata = { ...(obj.metadata ?? {}) };
    if (urlName !== undefined) {
      if (obj.metadata.name === undefined || obj.metadata.name === '') obj.metadata.name = urlName;
      else if (obj.metadata.name !== urlName) throw new ApiError('BadRequest', `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${urlName})`);
    }
    if (typeof obj.metadata.name !== 'string' && obj.metadata.name !== undefined) throw new ApiError('BadRequest', 'metadata.name must be a string');
    if (t.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ns;
    } else delete obj.metadata.namespace;
    return obj;
  }
}

const SELECTOR_IMMUTABLE = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet']);

/** Fields the real validation refuses to change (a frequent cause of failed syncs, so worth being faithful). */
function checkImmutable(t: ResourceType, before: Obj, obj: Obj): void {
  const name = obj.metadata.name as string;
  if (SELECTOR_IMMUTABLE.has(`${t.group}/${t.kind}`) && stableJson(before.spec?.selector) !== stableJson(obj.spec?.selector)) {
    const labels = Object.entries(obj.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `"${k}":"${String(v)}"`).join(', ');
    throw invalid(t, name, [{ field: 'spec.selector', message: `Invalid value: v1.LabelSelector{MatchLabels:map[string]string{${labels}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable` }]);
  }
  if (t.group === '' && (t.kind === 'ConfigMap' || t.kind === 'Secret') && before.immutable === true) {
    for (const f of ['data', 'binaryData']) {
      if (stableJson(before[f]) !== stableJson(obj[f])) throw invalid(t, name, [{ field: f, message: 'Forbidden: field is immutable when `immutable` is set', reason: 'FieldValueForbidden' }]);
    }
    if (obj.immutable !== true) throw invalid(t, name, [{ field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set', reason: 'FieldValueForbidden' }]);
  }
}

/** Unknown fields of a write (removed from `obj`): CRD schema for custom resources, Go types for built-ins. */
function unknownFieldsPruned(t: ResourceType, obj: Obj): string[] {
  if (t.crd) return pruneUnknownFields(obj, t.schema);
  return pruneUnknownBuiltinFields(t, obj);
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ApiError('BadRequest', `error decoding request body: ${(e as Error).message}`);
  }
}

const META_ORDER = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];

/** Metadata keys in the order the real server serializes them (matters for people reading `-o yaml`). */
function orderMetadata(m: Obj): Obj {
  const out: Obj = {};
  for (const k of META_ORDER) if (m[k] !== undefined) out[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in out) && m[k] !== undefined) out[k] = m[k];
  return out;
}
