// Shapes shared by the renderers (directory, kustomize, helm).
import type { GitOpsError, RenderedObject } from '../model';
import type { ProcessRunner } from '../ports';
import type { ObjectLookup } from './fluxVariables';

/** A rendered object plus, for kustomize apps, the kustomization files from the app root down to its resource file. */
export interface SourcedObject extends RenderedObject {
  /** Absolute paths: root `kustomization.yaml`, each overlay/base `kustomization.yaml` below it, then the resource file. */
  kustomizeChain?: string[];
}

export interface RenderResult {
  objects: SourcedObject[];
  skipped: { file: string; reason: string }[];
  errors: GitOpsError[];
  /** Flux post-build variables whose values came from a Secret: objects holding them must not be shown unmasked. */
  secretVariables?: string[];
  /** What the app should say about how it was rendered (e.g. whose helm capabilities were used). */
  notes?: string[];
}

export interface RenderDeps {
  runner: ProcessRunner;
  /** Path of `kustomize` (or of `kubectl`, which is then run as `kubectl kustomize`). */
  kustomizePath?: string;
  helmPath?: string;
  /** False in an untrusted workspace: kustomize and helm are never run. */
  trusted: boolean;
  signal?: AbortSignal;
  /** Deadline of each kustomize/helm run; default GITOPS_DRIFT_RENDER_TIMEOUT seconds, else 60 s. */
  timeoutMs?: number;
  /** Reads Flux substituteFrom ConfigMaps/Secrets from the cluster; without it the workspace's manifests are used. */
  lookupObject?: ObjectLookup;
  /** Reads substituteFrom / valuesFrom objects the workspace does not hold from the cluster (after the workspace). */
  clusterLookup?: ObjectLookup;
  /** The destination cluster's version and API versions, for Argo CD helm sources that do not set their own. */
  capabilities?: HelmCapabilities;
}

/** `helm template --kube-version / --api-versions` of a destination cluster. */
export interface HelmCapabilities {
  kubeVersion?: string;
  apiVersions?: string[];
}
