// Shared data shapes of the drift engine. Editor-agnostic: the extension, the CLI and tests all speak these.

/** A Kubernetes object as plain JSON (what YAML parsing or the API gives). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Identity of an object: group (empty for core), kind, namespace (empty for cluster-scoped), name. */
export interface ObjectRef {
  group: string;
  version?: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Where a rendered object came from in the workspace: absolute file, YAML document index, 1-based lines. */
export interface SourceLocation {
  file: string;
  documentIndex: number;
  startLine: number;
  endLine: number;
}

export interface RenderedObject {
  object: KubeObject;
  /** Absent for objects produced by generators, helm charts, or when the origin could not be matched. */
  source?: SourceLocation;
}

export type AppKind = 'argo-application' | 'flux-kustomization' | 'flux-helmrelease' | 'folder';
export type SourceType = 'directory' | 'kustomize' | 'helm' | 'unknown';

/** A GitOps app found in the workspace (or the cluster) with the folder that renders its desired state. */
export interface App {
  /** Stable id, e.g. `argo:argocd/guestbook`, `flux:flux-system/apps`, `folder:apps/web`. */
  id: string;
  name: string;
  kind: AppKind;
  /** Namespace of the Application / Kustomization object itself. */
  namespace?: string;
  /** Absolute path of the folder to render; undefined when the repo is not in the workspace. */
  path?: string;
  sourceType: SourceType;
  repoURL?: string;
  targetRevision?: string;
  /** Namespace objects without one land in (Argo destination.namespace / Flux targetNamespace). */
  destinationNamespace?: string;
  /** Argo `spec.source.directory` options. */
  directory?: { recurse?: boolean; include?: string; exclude?: string };
  /** Manifest file that declares the app (Application / Kustomization), when in the workspace. */
  definedIn?: SourceLocation;
  /** The declaring object itself (Application / Kustomization), for ignoreDifferences etc. */
  definition?: KubeObject;
  /**
   * Multi-source Application: one entry per rendered source (each a single-source App); the app's objects are all
   * of theirs. `$ref/...` value files are resolved to absolute paths in the ref source's checkout.
   */
  sources?: App[];
  /** Absolute `$ref` value files (checked to lie in their own repository when resolved). */
  refValueFiles?: string[];
  /** `namespace/name` of the ApplicationSet that generates this Application. */
  appSet?: string;
  /** The ApplicationSet itself when it has a clusters generator (each cluster expands it with its own Secrets). */
  appSetDefinition?: KubeObject;
  /** Root of the repository checkout the app's paths are relative to (Flux source root, Argo repo root). */
  repoRoot?: string;
  /** Flux: the GitRepository's `spec.ignore` (gitignore rules source-controller applies after the `.sourceignore` files). */
  sourceIgnore?: string;
  /** Flux `spec.dependsOn`: `namespace/name` of the Kustomizations / HelmReleases this one waits for. */
  dependsOn?: string[];
  /** Why the app cannot be rendered, when it cannot (e.g. "needs helm", "repo not in workspace"). */
  problem?: string;
  /** Flux HelmRelease apps: the release and where its chart comes from. */
  helmRelease?: HelmReleaseInfo;
}

/** A Flux HelmRelease's Helm release (helm-controller's GetReleaseName / GetReleaseNamespace / GetStorageNamespace). */
export interface HelmReleaseInfo {
  releaseName: string;
  /** Namespace the chart is installed into: `targetNamespace`, else the HelmRelease's. */
  releaseNamespace: string;
  /** Namespace of Helm's release Secrets: `storageNamespace`, else the HelmRelease's. */
  storageNamespace: string;
  /** Where the chart comes from, for people: `GitRepository flux-system/repo ./charts/web`, `HelmRepository flux-system/podinfo chart podinfo 6.x`. */
  chartSource: string;
  /** True when the chart folder is in the workspace (App.path); else the desired state is the release stored in the cluster. */
  local: boolean;
  /** Flux `chart.spec.valuesFiles`, absolute (they replace the chart's values.yaml when given). */
  valuesFiles?: string[];
  ignoreMissingValuesFiles?: boolean;
  /**
   * A chart from a HelmRepository / OCIRepository found in helm's local cache: the archive (also App.path), rendered
   * unpacked; its `valuesFiles` (`chartValuesFiles`) are inside the chart.
   */
  archive?: string;
  chartValuesFiles?: string[];
  /** For a cached chart: where it comes from and the version the cached index resolved (see helmRepoCache). */
  chartRequest?: { sourceKind: string; url: string; chart: string; version?: string; resolved: string };
}

export type ResourceStatus = 'Synced' | 'Modified' | 'MissingLive' | 'ExtraLive' | 'Unknown';
export type ChangeCategory = 'modified' | 'live-only' | 'missing' | 'extra';

export interface FieldChange {
  /** Path naming list items by key, e.g. `spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value`. */
  path: string;
  category: ChangeCategory;
  desired?: unknown;
  live?: unknown;
  /** Field manager that last wrote the live field, and when (ISO time). */
  manager?: string;
  time?: string;
}

export interface ResourceDiff {
  ref: ObjectRef;
  app?: string;
  status: ResourceStatus;
  reason?: string;
  changes: FieldChange[];
  source?: SourceLocation;
  /** Normalized desired (predicted live) and live objects for display; Secret values masked. */
  desired?: KubeObject;
  live?: KubeObject;
  mode?: 'offline' | 'server-side';
}

export interface DriftSummary {
  synced: number;
  modified: number;
  missingLive: number;
  extraLive: number;
  unknown: number;
}

/** Typed failure reasons every layer understands; the editor maps them to messages. */
export type ErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'unreachable'
  | 'timeout'
  | 'cancelled'
  | 'invalid'
  | 'parse'
  | 'render'
  | 'git'
  | 'untrusted'
  | 'unsupported'
  | 'internal';

export class GitOpsError extends Error {
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details?: { verb?: string; resource?: string; status?: number; file?: string; line?: number; cause?: unknown },
  ) {
    super(message);
    this.name = 'GitOpsError';
  }
}

export function isGitOpsError(e: unknown): e is GitOpsError {
  return e instanceof GitOpsError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'GitOpsError');
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function versionOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

export function refOf(obj: KubeObject, defaultNamespace = ''): ObjectRef {
  return {
    group: groupOf(obj.apiVersion ?? ''),
    version: versionOf(obj.apiVersion ?? ''),
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? defaultNamespace,
    name: obj.metadata?.name ?? '',
  };
}

/** `group/kind/namespace/name` (core group empty), the key used across the engine and by the CLI. */
export function refKey(r: ObjectRef): string {
  return `${r.group}/${r.kind}/${r.namespace}/${r.name}`;
}
