// The small Kubernetes API surface the engine needs; implemented over HTTP (http-kube-client.ts) and faked in tests.
import type { KubeObject, ObjectRef } from '../model';

/** A group/kind, optionally pinned to a version; resolved through discovery. */
export interface TypeRef {
  group: string;
  version?: string;
  kind: string;
}

/** One served resource type as discovery describes it. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
  /** True when this is the group's preferred version. */
  preferred: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions {
  type: PatchType;
  fieldManager: string;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
  dryRun?: boolean;
  /** Precondition: the patch fails with `conflict` unless the object still has this resourceVersion. */
  resourceVersion?: string;
  signal?: AbortSignal;
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  /** The full current state: sent after the initial list and after every relist (410 Gone). */
  | { type: 'SYNC'; items: KubeObject[] };

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  onEvent(event: WatchEvent): void;
  /** Told about each failure before the watch reconnects; a non-retryable failure (forbidden, notFound) stops it. */
  onError?(error: Error, willRetry: boolean): void;
  signal?: AbortSignal;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A stream silent for this long is treated as dead and reopened (default 330 s). */
  idleTimeoutMs?: number;
}

export interface Disposable {
  dispose(): void;
}

export interface KubeClient {
  /** Context name the client talks to (never the kubeconfig's current-context unless asked). */
  readonly contextName: string;
  /** API server URL; discovery is cached per server. */
  readonly server: string;
  discover(signal?: AbortSignal): Promise<ResourceType[]>;
  /** Resolve a group/kind to its resource type; throws `notFound` when the cluster does not serve it. */
  resolve(type: TypeRef, signal?: AbortSignal): Promise<ResourceType>;
  list(type: TypeRef, opts?: ListOptions): Promise<ListResult>;
  get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject>;
  patch(ref: ObjectRef, body: unknown, opts: PatchOptions): Promise<KubeObject>;
  /**
   * POST a new object, or a review that is only ever created (SelfSubjectReview); answers the server's object.
   * Optional: test doubles may leave it out, and callers then fall back.
   */
  create?(type: TypeRef, body: unknown, opts?: { namespace?: string; fieldManager?: string; signal?: AbortSignal }): Promise<KubeObject>;
  watch(type: TypeRef, opts: WatchOptions): Disposable;
  /**
   * GET a non-resource path (`/version`, `/openapi/v3/...`, query included) and answer its JSON body. Optional:
   * without it the cluster's OpenAPI is not read (the shipped snapshot answers).
   */
  getPath?(path: string, signal?: AbortSignal): Promise<unknown>;
}

export const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};
