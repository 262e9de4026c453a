// Shapes of a capture plan: which files change and why. Editor-agnostic; the UI shows them before writing.
import type { FieldChange } from '../model';
import type { CaptureOverrides } from './controllerOverrides';

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
 *   value unambiguously (see helmValues.ts), or when `valueMappings` (field path → values file + path) says so.
 * - `overrides`: what the app's controller sets over these files (Argo CD `kustomize.images`, Flux substitution
 *   variables; see controllerOverrides.ts): such fields are written there, or refused with where to change them.
 * - `generated`: produced by a generator (configMapGenerator, a plugin...): never written.
 */
export type CaptureOrigin =
  | { kind: 'plain'; file: string; documentIndex: number; overrides?: CaptureOverrides }
  | { kind: 'kustomize'; resourceFile: string; documentIndex: number; chain: string[]; overrides?: CaptureOverrides }
  | { kind: 'helm'; chart?: string; valuesFiles?: string[]; valueMappings?: Record<string, { file: string; path: string }> }
  | { kind: 'generated'; generator?: string };

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
