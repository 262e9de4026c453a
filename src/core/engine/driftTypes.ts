// What one drift computation produces, per cluster context and app; the tree, decorations and CLI read this.
import type { App, GitOpsError, KubeObject, ResourceDiff } from '../model';
import type { AppState } from './appState';

export interface AppDrift {
  app: App;
  /** The live Application / Kustomization object, when the app is controller-managed and found in the cluster. */
  liveApp?: KubeObject;
  /** Context the app's objects are read from, when not the app's own (an Argo CD destination cluster). */
  liveContext?: string;
  state: AppState;
  resources: ResourceDiff[];
  /** Render and per-app fetch problems; the app is still shown with what could be computed. */
  errors: GitOpsError[];
  skipped: { file: string; reason: string }[];
  /** How the app was rendered, when it matters (e.g. helm capabilities not from its destination cluster). */
  notes?: string[];
  /**
   * Rendered but not diffed yet (a progress report while its cluster is computed): no resources are known, it is
   * never in sync. Only in snapshots passed to ComputeOptions.onProgress.
   */
  loading?: boolean;
}

export interface ClusterDrift {
  context: string;
  server?: string;
  apps: AppDrift[];
  /**
   * Workspace apps this cluster does not run: Argo CD / Flux apps whose object is not in it, folders none of whose
   * objects exist in it (they belong to other clusters, or are not deployed yet).
   */
  notDeployed?: App[];
  /** Set when the whole cluster could not be read (unreachable, 401…). */
  error?: GitOpsError;
  /** Not computed yet (a progressive snapshot shows the clusters that finished first); never "in sync". */
  loading?: boolean;
}

export interface DriftTimings {
  discoverMs: number;
  renderMs: number;
  fetchMs: number;
  diffMs: number;
  totalMs: number;
}

export interface DriftSnapshot {
  clusters: ClusterDrift[];
  computedAt: string;
  timings: DriftTimings;
}
