// Argo CD's order of detection: kustomization file, then Chart.yaml, else a plain directory.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SourceType } from '../model';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const p = path.join(dir, name);
    if (await exists(p)) return p;
  }
  return undefined;
}

export async function detectSourceType(dir: string): Promise<SourceType> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) return 'unknown';
  } catch {
    return 'unknown';
  }
  if (await findKustomizationFile(dir)) return 'kustomize';
  if (await exists(path.join(dir, 'Chart.yaml'))) return 'helm';
  return 'directory';
}
