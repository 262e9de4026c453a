// Which file and line set a field's effective desired value in a kustomize app (issue 17.8): the root-most
// kustomization entry that changes it (`replicas:`, `images:`, a patch file or an inline patch) wins over the base
// resource file, as kustomize applies the overlay's transformers after its bases'. Same provenance capture uses.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CaptureOrigin } from '../capture/captureTypes';
import { parseFieldPath, type PathSegment as FieldSegment } from '../capture/fieldPath';
import { parseImageRef } from '../capture/imageRef';
import { patchDocumentFor, readKustomization } from '../capture/kustomizeFiles';
import { readYamlPath } from '../capture/yamlEdit';
import type { FieldChange, ResourceDiff } from '../model';
import { lineFinder, type PathSegment } from '../yaml/lineOfPath';
import { toYamlPath } from './sourceAnnotations';

export interface FieldSetter {
  /** Absolute file that sets the effective value. */
  file: string;
  /** 1-based line of the setting in that file. */
  line: number;
  via: 'replicas' | 'images' | 'patch';
}

export type KustomizeOrigin = Extract<CaptureOrigin, { kind: 'kustomize' }>;
/** Text of a workspace file (unsaved editor contents first), undefined when it cannot be read. */
export type ReadText = (file: string) => string | undefined;

const IMAGE_PATH = /(^|\.)(containers|initContainers|ephemeralContainers)\[name=[^\]]+\]\.image$/;

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** JSON pointer of a field, list items by their index in `obj` (the rendered object), for JSON 6902 patches. */
function pointerOf(segs: FieldSegment[], obj: unknown): string | undefined {
  const parts: string[] = [];
  let cur: unknown = obj;
  for (const s of segs) {
    if (s.kind === 'key') {
      parts.push(s.key.replace(/~/g, '~0').replace(/\//g, '~1'));
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s.key] : undefined;
    } else if (s.kind === 'index') {
      parts.push(String(s.index));
      cur = Array.isArray(cur) ? cur[s.index] : undefined;
    } else if (s.kind === 'match') {
      if (!Array.isArray(cur)) return undefined;
      const i = cur.findIndex((it) => it && typeof it === 'object' && Object.entries(s.match).every(([k, v]) => String((it as Record<string, unknown>)[k]) === v));
      if (i < 0) return undefined;
      parts.push(String(i));
      cur = cur[i];
    } else return undefined;
  }
  return '/' + parts.join('/');
}

/** An inline `patches: [{patch: "..."}]` entry of the kustomization that sets the field, with its line. */
function inlinePatchLine(text: string, kind: string, name: string, segs: FieldSegment[], pointer: string | undefined): number | undefined {
  const doc = safe(() => parseYaml(text)) as { patches?: unknown } | undefined;
  const patches = Array.isArray(doc?.patches) ? doc!.patches : [];
  const lineOf = lineFinder(text);
  for (const [i, p] of patches.entries()) {
    if (!p || typeof p !== 'object' || typeof (p as { patch?: unknown }).patch !== 'string') continue;
    const { patch, target } = p as { patch: string; target?: { kind?: string; name?: string } };
    if (target && ((target.kind && target.kind !== kind) || (target.name && target.name !== name))) continue;
    const body = safe(() => parseYaml(patch)) as unknown;
    const keyLine = lineOf(0, ['patches', i, 'patch']);
    if (keyLine === undefined) continue;
    if (Array.isArray(body)) {
      // JSON 6902: an op whose path is the field (or an ancestor of it).
      const op = pointer && body.find((o) => o && typeof o === 'object' && typeof o.path === 'string' && (pointer === o.path || pointer.startsWith(o.path + '/')));
      if (!op) continue;
      const lines = text.split('\n');
      for (let l = keyLine; l < lines.length; l++) if (lines[l].includes(`path: ${op.path}`)) return l + 1;
      return keyLine;
    }
    // Inline strategic merge: the field inside the block (the block starts on the line after `patch: |`).
    if (body && typeof body === 'object' && (!target || !(body as { kind?: string }).kind || (body as { kind?: string }).kind === kind)) {
      const ys = toYamlPath(segs.map(segText).join('.'));
      const inner = ys && lineFinder(patch)(0, ys);
      if (inner !== undefined) return keyLine + inner;
    }
  }
  return undefined;
}

function segText(s: FieldSegment): string {
  if (s.kind === 'key') return /[.[\]]/.test(s.key) ? `[${JSON.stringify(s.key)}]` : s.key;
  if (s.kind === 'index') return `[${s.index}]`;
  if (s.kind === 'value') return `[=${s.value}]`;
  return `[${Object.entries(s.match).map(([k, v]) => `${k}=${v}`).join(',')}]`;
}

/**
 * The kustomization entry or patch that sets `change`'s field for this object, root-most first; undefined when
 * none does (the base resource file sets it, or nothing does: a live-only field).
 */
export function fieldSetter(origin: KustomizeOrigin, diff: ResourceDiff, change: FieldChange, read: ReadText): FieldSetter | undefined {
  const resourceText = read(origin.resourceFile);
  if (resourceText === undefined) return undefined;
  const segs = safe(() => parseFieldPath(change.path));
  const ys = toYamlPath(change.path);
  if (!segs || !ys) return undefined;
  const baseName = String(safe(() => readYamlPath(resourceText, origin.documentIndex, 'metadata.name')) ?? diff.ref.name);
  const kind = diff.ref.kind;
  const baseImage = IMAGE_PATH.test(change.path) ? safe(() => readYamlPath(resourceText, origin.documentIndex, segs)) : undefined;
  const pointer = pointerOf(segs, diff.desired);
  // Image names as they enter each level, bottom-up (a lower `images:` entry may rename).
  const infos = origin.chain.map((file) => {
    const text = read(file);
    return { file, text, info: text === undefined ? undefined : safe(() => readKustomization(file, text)) };
  });
  const entering: (string | undefined)[] = [];
  let name = typeof baseImage === 'string' ? parseImageRef(baseImage).name : undefined;
  for (let i = infos.length - 1; i >= 0; i--) {
    entering[i] = name;
    name = infos[i].info?.images.find((im) => im.name === name)?.newName ?? name;
  }
  for (const [i, { file, text, info }] of infos.entries()) {
    if (!text || !info) continue;
    const lineOf = lineFinder(text);
    if (change.path === 'spec.replicas' && info.replicas.some((r) => r.name === baseName)) {
      const line = lineOf(0, ['replicas', { key: 'name', value: baseName }, 'count']) ?? lineOf(0, ['replicas', { key: 'name', value: baseName }]);
      if (line !== undefined) return { file, line, via: 'replicas' };
    }
    const img = entering[i];
    if (img !== undefined && info.images.some((im) => im.name === img)) {
      const entry: PathSegment[] = ['images', { key: 'name', value: img }];
      const line = lineOf(0, [...entry, 'newTag']) ?? lineOf(0, [...entry, 'digest']) ?? lineOf(0, [...entry, 'newName']) ?? lineOf(0, entry);
      if (line !== undefined) return { file, line, via: 'images' };
    }
    for (const p of info.patchFiles) {
      const ptext = read(p.file);
      if (ptext === undefined) continue;
      const doc = patchDocumentFor(ptext, kind, baseName, p.target);
      const line = doc < 0 ? undefined : lineFinder(ptext)(doc, ys);
      if (line !== undefined) return { file: p.file, line, via: 'patch' };
    }
    const inline = inlinePatchLine(text, kind, baseName, segs, pointer);
    if (inline !== undefined) return { file, line: inline, via: 'patch' };
  }
  return undefined;
}

/** `overlays/production/kustomization.yaml` for a pointer written in `from` (relative to their common folder). */
export function shortPath(file: string, from: string): string {
  const a = path.dirname(from).split(path.sep);
  const b = file.split(path.sep);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return b.slice(i).join('/');
}
