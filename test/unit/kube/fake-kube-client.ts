// In-memory KubeClient for unit tests: a store with resourceVersions, merge/JSON patch, preconditions,
// scripted failures, and a log of every call (to assert "what was sent").
import * as jsonpatch from 'fast-json-patch';
import { GitOpsError, groupOf, refKey, type KubeObject, type ObjectRef } from '../../../src/core/model';
import { findResourceType } from '../../../src/core/kube/discovery';
import type { Disposable, KubeClient, ListOptions, ListResult, PatchOptions, ResourceType, TypeRef, WatchOptions } from '../../../src/core/kube/types';

export interface Call {
  verb: 'list' | 'get' | 'patch';
  type: string;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  body?: unknown;
  opts?: Omit<PatchOptions, 'signal'>;
}

const T = (group: string, version: string, kind: string, resource: string, namespaced = true): ResourceType => ({ group, version, kind, resource, namespaced, verbs: ['get', 'list', 'watch', 'patch'], preferred: true });

export const FAKE_TYPES: ResourceType[] = [
  T('', 'v1', 'ConfigMap', 'configmaps'),
  T('', 'v1', 'Service', 'services'),
  T('', 'v1', 'Secret', 'secrets'),
  T('', 'v1', 'Namespace', 'namespaces', false),
  T('apps', 'v1', 'Deployment', 'deployments'),
  T('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  T('argoproj.io', 'v1alpha1', 'Application', 'applications'),
  T('argoproj.io', 'v1alpha1', 'ApplicationSet', 'applicationsets'),
  T('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
  T('kustomize.toolkit.fluxcd.io', 'v1', 'Kustomization', 'kustomizations'),
  T('helm.toolkit.fluxcd.io', 'v2', 'HelmRelease', 'helmreleases'),
  T('source.toolkit.fluxcd.io', 'v1', 'GitRepository', 'gitrepositories'),
  T('source.toolkit.fluxcd.io', 'v1', 'HelmChart', 'helmcharts'),
];

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeKubeClient implements KubeClient {
  readonly contextName = 'fake';
  readonly server = 'https://fake.invalid';
  readonly calls: Call[] = [];
  private readonly store = new Map<string, KubeObject>();
  private rv = 100;
  /** Errors to throw, matched by `verb type [name]` prefix, consumed once each. */
  readonly failures: Array<{ match: string; error: GitOpsError }> = [];
  /** Called after each patch, e.g. to play a controller. */
  afterPatch?: (obj: KubeObject, ref: ObjectRef) => void;

  constructor(objects: KubeObject[] = [], readonly types: ResourceType[] = FAKE_TYPES) {
    for (const o of objects) this.put(o);
  }

  private rtOf(t: TypeRef): ResourceType {
    return findResourceType(this.types, t);
  }

  private keyOf(obj: KubeObject): string {
    const rt = this.rtOf({ group: groupOf(obj.apiVersion), kind: obj.kind });
    return refKey({ group: rt.group, kind: rt.kind, namespace: rt.namespaced ? (obj.metadata.namespace ?? '') : '', name: obj.metadata.name ?? '' });
  }

  /** Stores a copy with a fresh resourceVersion (what a controller or kubectl write would do). */
  put(obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    copy.metadata.resourceVersion = String(++this.rv);
    this.store.set(this.keyOf(copy), copy);
    return structuredClone(copy);
  }

  peek(ref: ObjectRef): KubeObject | undefined {
    const rt = this.rtOf(ref);
    const o = this.store.get(refKey({ ...ref, namespace: rt.namespaced ? ref.namespace : '' }));
    return o && structuredClone(o);
  }

  private fail(verb: string, type: string, name?: string): void {
    const i = this.failures.findIndex((f) => `${verb} ${type} ${name ?? ''}`.startsWith(f.match));
    if (i >= 0) throw this.failures.splice(i, 1)[0].error;
  }

  async discover(): Promise<ResourceType[]> {
    return this.types;
  }

  async resolve(type: TypeRef): Promise<ResourceType> {
    return this.rtOf(type);
  }

  async list(type: TypeRef, opts: ListOptions = {}): Promise<ListResult> {
    const rt = this.rtOf(type);
    this.calls.push({ verb: 'list', type: rt.kind, namespace: opts.namespace, labelSelector: opts.labelSelector });
    this.fail('list', rt.kind, opts.namespace ? `in ${opts.namespace}` : undefined);
    const sel = (opts.labelSelector ?? '').split(',').filter(Boolean).map((s) => s.split('='));
    const items = [...this.store.values()].filter(
      (o) => groupOf(o.apiVersion) === rt.group && o.kind === rt.kind && (!opts.namespace || o.metadata.namespace === opts.namespace) && sel.every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    return { items: structuredClone(items), resourceVersion: String(this.rv) };
  }

  async get(ref: ObjectRef, _signal?: AbortSignal): Promise<KubeObject> {
    this.calls.push({ verb: 'get', type: ref.kind, namespace: ref.namespace, name: ref.name });
    this.fail('get', ref.kind, ref.name);
    const o = this.peek(ref);
    if (!o) throw new GitOpsError('notFound', `Not found: ${ref.kind} ${ref.name}`, { status: 404 });
    return o;
  }

  async patch(ref: ObjectRef, body: unknown, opts: PatchOptions): Promise<KubeObject> {
    const { signal: _s, ...rest } = opts;
    this.calls.push({ verb: 'patch', type: ref.kind, namespace: ref.namespace, name: ref.name, body: structuredClone(body), opts: rest });
    this.fail('patch', ref.kind, ref.name);
    const cur = this.peek(ref);
    if (!cur) throw new GitOpsError('notFound', `Not found: ${ref.kind} ${ref.name}`, { status: 404 });
    if (opts.resourceVersion && opts.resourceVersion !== cur.metadata.resourceVersion) {
      throw new GitOpsError('conflict', `Conflict: ${ref.kind} ${ref.name} was modified`, { status: 409, verb: 'patch' });
    }
    let next: KubeObject;
    if (opts.type === 'json') next = jsonpatch.applyPatch(structuredClone(cur), body as jsonpatch.Operation[]).newDocument;
    else if (opts.type === 'merge') next = mergePatch(cur, body) as KubeObject;
    else throw new GitOpsError('unsupported', `fake client does not do ${opts.type} patches`);
    if (opts.dryRun) return next;
    const saved = this.put(next);
    this.afterPatch?.(saved, ref);
    return this.peek(ref) ?? saved;
  }

  watch(_type: TypeRef, _opts: WatchOptions): Disposable {
    return { dispose() {} };
  }
}
