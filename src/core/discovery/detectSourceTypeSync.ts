// Synchronous variant of render/detectSourceType for the app converters, which run over cluster lists too.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { SourceType } from '../model';
import { KUSTOMIZATION_FILES } from '../render/detectSourceType';

export function isDirectorySync(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function detectSourceTypeSync(dir: string): SourceType {
  if (!isDirectorySync(dir)) return 'unknown';
  if (KUSTOMIZATION_FILES.some((f) => existsSync(path.join(dir, f)))) return 'kustomize';
  if (existsSync(path.join(dir, 'Chart.yaml'))) return 'helm';
  return 'directory';
}
