// Shapes of a capture plan: which files change and why. Editor-agnostic; the UI shows them before writing.
import type { FieldChange, ResourceDiff } from '../model';
import type { CaptureOverrides } from './controllerOverrides';
import type { PathSegment } from './fieldPath';

/** One file the capture writes. `before` undefined means the file is created. Paths are absolute. */
export interface FileEdit {
  file: string;
  before: string | undefined;
  after: string;
}

/**
 * Where the captured object came from in the repo.
 * - `plain`: a YAML file applied as is.
 * - `kustomize`: the base resource file and the kustomization files from the app root (`chain[0]`) down to the
 *   one listing the resource (last). `chain.length > 1` means the app root is an overlay.
 * - `helm`: `chart` is the chart directory; a field is written to a values file only when the chart maps it to one
 *   value unambiguously: `locate` (the release rendered again per candidate value, see helmReleaseCapture.ts),
 *   `valueMappings` (field path → values file + path), else the template reading of helmValues.ts.
 * - `overrides`: what the app's controller sets over these files (Argo CD `kustomize.images`, Flux substitution
 *   variables; see controllerOverrides.ts): such fields are written there, or refused with where to change them.
 * - `generated`: produced by a generator (configMapGenerator, a plugin...): never written.
 */
export type CaptureOrigin =
  | { kind: 'plain'; file: string; documentIndex: number; overrides?: CaptureOverrides }
  | { kind: 'kustomize'; resourceFile: string; documentIndex: number; chain: string[]; overrides?: CaptureOverrides }
  | { kind: 'helm'; chart?: string; valuesFiles?: string[]; valueMappings?: Record<string, { file: string; path: string }>; locate?: HelmValueLocator }
  | { kind: 'generated'; generator?: string };

/** Where a field rendered by a chart is written: a value in a file, a refusal saying where it is decided, or no mapping. */
export type HelmValueDecision =
  | { kind: 'edit'; file: string; documentIndex: number; path: PathSegment[]; value: unknown; note: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'none'; reason: string };

/** Finds the chart value behind each change (keyed by field path). */
export type HelmValueLocator = (diff: ResourceDiff, changes: FieldChange[], signal?: AbortSignal) => Promise<Map<string, HelmValueDecision>>;

export type CaptureTarget = 'resource' | 'images' | 'replicas' | 'patch' | 'helm-values' | 'argo-images' | 'substitution';

export interface PlannedChange {
  change: FieldChange;
  target: CaptureTarget;
  file: string;
  /** What is written: a value, or removal of the field. */
  action: 'set' | 'delete';
}

export interface RefusedChange {
  change: FieldChange;
  reason: string;
}

export interface CapturePlan {
  edits: FileEdit[];
  captured: PlannedChange[];
  refused: RefusedChange[];
  /** Human-readable lines: which file changes and why, or why nothing is written. */
  explanation: string[];
}
