// One pass over the workspace that classifies YAML/JSON files by cheap text tests, without parsing YAML.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../ports';
import { KUSTOMIZATION_FILES } from '../render/detectSourceType';

export interface WorkspaceScan {
  /** Files that may declare Argo/Flux objects (to be parsed). */
  gitopsFiles: string[];
  kustomizationFiles: string[];
  chartDirs: string[];
  /** Folder → files in it that look like Kubernetes manifests. */
  manifestFiles: Map<string, string[]>;
  /** Folders holding a `.git` (nested checkouts in a multi-repo workspace). */
  gitRoots: string[];
  /** Files that may hold Argo CD cluster Secrets (an ApplicationSet clusters generator reads them offline). */
  clusterSecretFiles: string[];
}

export const SKIP_DIRS = new Set(['node_modules', '.git']);
const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const MAX_BYTES = 2 * 1024 * 1024;

const GITOPS_KINDS = '(Application|ApplicationSet|Kustomization|HelmRelease|HelmChart|GitRepository|HelmRepository|OCIRepository|ArtifactGenerator)';
const GITOPS_KIND = new RegExp(`^\\s*kind:\\s*["']?${GITOPS_KINDS}["']?\\s*(#.*)?$`, 'm');
const GITOPS_KIND_JSON = new RegExp(`"kind"\\s*:\\s*"${GITOPS_KINDS}"`);
const GITOPS_API = /argoproj\.io\/|toolkit\.fluxcd\.io\/|source\.extensions\.fluxcd\.io\//;
const YAML_OBJECT = /^apiVersion:/m;
const CLUSTER_SECRET = /argocd\.argoproj\.io\/secret-type["']?\s*:\s*["']?cluster\b/;
const YAML_KIND = /^kind:/m;
const JSON_OBJECT = /^\s*\{[\s\S]*"apiVersion"\s*:[\s\S]*"kind"\s*:/;

export function mayDeclareGitOpsObject(text: string): boolean {
  return GITOPS_API.test(text) && (GITOPS_KIND.test(text) || GITOPS_KIND_JSON.test(text));
}

export function looksLikeManifest(text: string, file: string): boolean {
  return file.toLowerCase().endsWith('.json') ? JSON_OBJECT.test(text) : YAML_OBJECT.test(text) && YAML_KIND.test(text);
}

export async function scanWorkspace(roots: string[], signal?: AbortSignal): Promise<WorkspaceScan> {
  const scan: WorkspaceScan = { gitopsFiles: [], kustomizationFiles: [], chartDirs: [], manifestFiles: new Map(), gitRoots: [], clusterSecretFiles: [] };
  const walk = async (dir: string): Promise<void> => {
    throwIfAborted(signal);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const candidates: string[] = [];
    if (entries.some((e) => e.name === '.git')) scan.gitRoots.push(dir);
    for (const e of entries) {
      if (!e.isFile()) continue;
      const p = path.join(dir, e.name);
      if ((KUSTOMIZATION_FILES as readonly string[]).includes(e.name)) scan.kustomizationFiles.push(p);
      else {
        if (e.name === 'Chart.yaml') scan.chartDirs.push(dir);
        if (MANIFEST_EXT.test(e.name)) candidates.push(p);
      }
    }
    // Files of one folder are read together: on big repos the walk is I/O-bound, not CPU-bound.
    const texts = await Promise.all(
      candidates.map(async (p) => {
        const st = await fs.stat(p).catch(() => undefined);
        return st && st.size <= MAX_BYTES ? fs.readFile(p, 'utf8').catch(() => undefined) : undefined;
      }),
    );
    candidates.forEach((p, i) => {
      const text = texts[i];
      if (text === undefined) return;
      if (mayDeclareGitOpsObject(text)) scan.gitopsFiles.push(p);
      if (CLUSTER_SECRET.test(text)) scan.clusterSecretFiles.push(p);
      // Dotfiles with apiVersion/kind are tool settings (`.fluxschema.yml`, `.kube-linter.yaml`), not deployables.
      if (!path.basename(p).startsWith('.') && looksLikeManifest(text, p)) scan.manifestFiles.set(dir, [...(scan.manifestFiles.get(dir) ?? []), p]);
    });
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(path.join(dir, e.name));
    }
  };
  for (const r of roots) await walk(path.resolve(r));
  return scan;
}
