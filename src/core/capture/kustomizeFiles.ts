// Reading kustomization files for capture: which entries (images, replicas, patches) already affect an object.
import path from 'node:path';
import { parseYamlDocuments, readYamlPath } from './yamlEdit';
import type { PathSegment } from './fieldPath';

export interface KustomizationInfo {
  file: string;
  images: Array<{ name?: string; newName?: string; newTag?: string; digest?: string }>;
  replicas: Array<{ name?: string; count?: number }>;
  /** Strategic-merge patch files (absolute) listed under `patches:` (path form) or `patchesStrategicMerge:`. */
  patchFiles: Array<{ file: string; target?: { kind?: string; name?: string } }>;
}

export function readKustomization(file: string, text: string): KustomizationInfo {
  const doc = (parseYamlDocuments(text, file)[0]?.toJS() ?? {}) as Record<string, unknown>;
  const dir = path.dirname(file);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const patchFiles: KustomizationInfo['patchFiles'] = [];
  for (const p of list(doc.patches)) {
    if (p && typeof p === 'object' && typeof (p as { path?: unknown }).path === 'string') {
      const e = p as { path: string; target?: { kind?: string; name?: string } };
      patchFiles.push({ file: path.resolve(dir, e.path), target: e.target });
    }
  }
  for (const p of list(doc.patchesStrategicMerge)) if (typeof p === 'string' && !p.includes('\n')) patchFiles.push({ file: path.resolve(dir, p) });
  return {
    file,
    images: list(doc.images) as KustomizationInfo['images'],
    replicas: list(doc.replicas) as KustomizationInfo['replicas'],
    patchFiles,
  };
}

/** Index of the document in a patch file that patches `kind`/`name`, or -1 (JSON 6902 patches are lists: skipped). */
export function patchDocumentFor(text: string, kind: string, name: string, target?: { kind?: string; name?: string }): number {
  if (target && ((target.kind && target.kind !== kind) || (target.name && target.name !== name))) return -1;
  let docs;
  try {
    docs = parseYamlDocuments(text);
  } catch {
    return -1;
  }
  return docs.findIndex((d) => {
    const o = d.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return false;
    if (target?.kind || target?.name) return true;
    return o.kind === kind && o.metadata?.name === name;
  });
}

export function patchTouches(text: string, documentIndex: number, segs: PathSegment[]): boolean {
  return readYamlPath(text, documentIndex, segs) !== undefined;
}
