// Kustomize folders and manifest folders that no Argo/Flux app points at become "folder" apps.
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from '../model';
import { isRemoteResource, readKustomization } from '../render/kustomizeTree';
import type { WorkspaceScan } from './scanWorkspace';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function kind(p: string): 'dir' | 'file' | undefined {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

export interface FolderAppInput {
  scan: WorkspaceScan;
  roots: string[];
  /** Apps found so far; their folders are not folder apps. */
  apps: App[];
}

/**
 * Kustomize roots (kustomization folders no other kustomization includes), Helm charts and plain manifest
 * folders, minus what an app already renders. Ids are `folder:<path relative to its workspace root>`.
 */
export async function folderApps({ scan, roots, apps }: FolderAppInput): Promise<App[]> {
  const absRoots = roots.map((r) => path.resolve(r));
  const rel = (dir: string) => {
    const root = absRoots.filter((r) => isInside(dir, r)).sort((a, b) => b.length - a.length)[0] ?? '';
    return path.relative(root, dir).split(path.sep).join('/') || '.';
  };
  const appDirs = new Set(apps.map((a) => a.path).filter((p): p is string => !!p));
  // An app with a problem (e.g. it tracks another branch) does not vouch for everything below its folder.
  const recursiveAppDirs = apps.filter((a) => a.path && a.directory?.recurse && !a.problem).map((a) => a.path as string);
  const chartDirs = scan.chartDirs;
  const inChart = (dir: string) => chartDirs.some((c) => isInside(dir, c) && c !== dir);
  const referencedDirs = new Set<string>();
  const referencedFiles = new Set<string>();
  const kustomizeDirs = new Set<string>();
  for (const kfile of scan.kustomizationFiles) {
    const dir = path.dirname(kfile);
    kustomizeDirs.add(dir);
    let spec;
    try {
      spec = await readKustomization(kfile);
    } catch {
      continue; // A broken kustomization still counts as a folder app; rendering will report the error.
    }
    for (const entry of [...spec.resources, ...spec.components]) {
      if (isRemoteResource(entry)) continue;
      const p = path.resolve(dir, entry);
      const k = kind(p);
      if (k === 'dir') referencedDirs.add(p);
      else if (k === 'file') referencedFiles.add(p);
    }
    for (const f of spec.patchFiles) referencedFiles.add(path.resolve(dir, f));
  }
  // A folder declaring Flux Kustomizations is a cluster folder: some cluster's root Kustomization applies it and
  // everything below it (often from outside Git, `flux bootstrap`), so nothing in it is a folder app of its own.
  // A workspace root is only excluded itself: its subfolders may hold unrelated manifests.
  const fluxClusterDirs = apps
    .filter((a) => a.kind === 'flux-kustomization' && a.definedIn)
    .map((a) => path.dirname(a.definedIn!.file));
  const inFluxClusterDir = (dir: string) => fluxClusterDirs.some((c) => dir === c || (isInside(dir, c) && !absRoots.includes(c)));
  const covered = (dir: string) => appDirs.has(dir) || recursiveAppDirs.some((r) => isInside(dir, r)) || inChart(dir) || inFluxClusterDir(dir);
  const result: App[] = [];
  const add = (dir: string, sourceType: App['sourceType']) => {
    const r = rel(dir);
    result.push({ id: `folder:${r}`, name: r === '.' ? path.basename(dir) : r, kind: 'folder', path: dir, sourceType });
  };
  // Components (`kind: Component`) are only built as part of a kustomization that names them.
  const componentDirs = new Set<string>();
  for (const kfile of scan.kustomizationFiles) {
    const text = await fs.readFile(kfile, 'utf8').catch(() => '');
    if (/^kind:\s*["']?Component["']?\s*$/m.test(text)) componentDirs.add(path.dirname(kfile));
  }
  for (const dir of [...kustomizeDirs].sort()) {
    if (!referencedDirs.has(dir) && !componentDirs.has(dir) && !covered(dir)) add(dir, 'kustomize');
  }
  for (const dir of [...new Set(chartDirs)].sort()) {
    if (!kustomizeDirs.has(dir) && !covered(dir) && !referencedDirs.has(dir)) add(dir, 'helm');
  }
  for (const [dir, files] of [...scan.manifestFiles.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (kustomizeDirs.has(dir) || chartDirs.includes(dir) || covered(dir) || referencedDirs.has(dir)) continue;
    // Files that a kustomization pulls in (e.g. `../common/cm.yaml`) belong to that kustomization.
    if (files.every((f) => referencedFiles.has(f))) continue;
    add(dir, 'directory');
  }
  return result;
}
