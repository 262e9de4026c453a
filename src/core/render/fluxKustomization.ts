// The kustomization Flux's kustomize-controller builds for a Kustomization (github.com/fluxcd/pkg/kustomize
// Generator.GenerateManifest, v1.35.6): the folder's own kustomization file, or one generated over every manifest
// below the path, with the spec fields written into it in place — `targetNamespace` → `namespace`, `namePrefix` /
// `nameSuffix` replace the file's own, `patches` / `components` (local, relative; `ignoreMissingComponents`) /
// `patchesStrategicMerge` / `patchesJson6902` are appended, `images` merged by name.
import type { IgnoreMatcher } from './sourceIgnore';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { GitOpsError } from '../model';
import { throwIfAborted } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import { KUSTOMIZATION_FILES } from './detectSourceType';
import { type JsonObject as Obj, asObj } from '../k8s/json';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What source-controller leaves out of every artifact (its default ignore list), as far as manifests go. */
const DEFAULT_IGNORED = [/^\.git$/, /^\.github$/, /^\.circleci$/, /^\.travis\.yml$/, /^\.gitlab-ci\.yml$/, /^appveyor\.yml$/, /^\.drone\.yml$/, /^cloudbuild\.yaml$/, /^codeship-services\.yml$/, /^codeship-steps\.yml$/, /^\.goreleaser\.yml$/, /^\.sops\.yaml$/, /^\.flux\.yaml$/];
const ignored = (name: string) => DEFAULT_IGNORED.some((re) => re.test(name));

async function kustomizationFileIn(dir: string): Promise<string | undefined> {
  for (const f of KUSTOMIZATION_FILES) {
    const p = path.join(dir, f);
    const st = await fs.stat(p).catch(() => undefined);
    if (st?.isFile()) return p;
  }
  return undefined;
}

/**
 * Flux's scanManifests: walks `base` in lexical order; a subfolder holding a kustomization file is one resource
 * (not descended into); `.yaml`/`.yml` files are resources when they decode as Kubernetes YAML, and a file that
 * does not is an error (Flux fails the build the same way).
 */
async function scanManifests(base: string, signal?: AbortSignal, sourceIgnore?: SourceIgnore): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    throwIfAborted(signal);
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (ignored(e.name)) continue;
      const p = path.join(dir, e.name);
      const st = await fs.stat(p).catch(() => undefined);
      // Left out of the artifact by a `.sourceignore`: Flux never sees it.
      if (sourceIgnore && st && sourceIgnore.match(path.relative(sourceIgnore.root, p).split(path.sep).join('/'), st.isDirectory())) continue;
      if (st?.isDirectory()) {
        if (await kustomizationFileIn(p)) out.push(p);
        else await walk(p);
        continue;
      }
      const ext = path.extname(e.name);
      if (!st?.isFile() || (ext !== '.yaml' && ext !== '.yml')) continue;
      const parsed = parseManifests(await fs.readFile(p, 'utf8'), p);
      const reason = parsed.errors[0]?.message ?? parsed.skipped.find((s) => /kind|apiVersion|metadata|not a map/i.test(s.reason))?.reason;
      if (reason) {
        throw new GitOpsError('render', `failed to decode Kubernetes YAML from ${p}: ${reason}`, { file: p });
      }
      out.push(p);
    }
  };
  await walk(base);
  return out;
}

/** kustomize's Selector fields from a Flux patch target. */
function adaptSelector(t: unknown): Obj | undefined {
  if (t === undefined || t === null) return undefined;
  const o = asObj(t);
  const out: Obj = {};
  for (const k of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']) if (str(o[k])) out[k] = o[k];
  return out;
}

/** A component path Flux accepts: local and relative (fluxcd/pkg/kustomize IsLocalRelativePath). */
export function isLocalRelativePath(p: string): boolean {
  for (const prefix of ['git::', 'gh:', 'ssh://', 'https://', 'http://', 'git@', 'github.com:', 'github.com/']) {
    if (prefix.length < p.length && p.slice(0, prefix.length).toLowerCase() === prefix) return false;
  }
  return !path.isAbsolute(p) && !path.isAbsolute(p.toLowerCase().replace(/^file:\/\//, ''));
}

export interface FluxKustomizationFile {
  /** The kustomization text Flux builds (written into the app folder, in the shadow tree). */
  text: string;
  /** The file it stands for (existing, or `kustomization.yaml` when generated). */
  file: string;
  generated: boolean;
}

/** The kustomization file Flux writes into `dir` for a Kustomization with this `spec`. */
/** The repository's `.sourceignore` patterns (sourceIgnore.ts) and the root their paths are relative to. */
export interface SourceIgnore {
  root: string;
  match: IgnoreMatcher;
}

export async function fluxKustomizationFile(dir: string, spec: Obj, signal?: AbortSignal, sourceIgnore?: SourceIgnore): Promise<FluxKustomizationFile> {
  const existing = await kustomizationFileIn(dir);
  let kus: Obj;
  let generated = false;
  if (existing) {
    const parsed = parse(await fs.readFile(existing, 'utf8')) as unknown;
    kus = { ...asObj(parsed) };
  } else {
    generated = true;
    const files = await scanManifests(dir, signal, sourceIgnore);
    kus = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
    // Flux writes `./<path below the folder>`; an empty folder gets a placeholder namespace and no resources.
    if (files.length === 0) kus.namespace = '_placeholder';
    else kus.resources = files.map((f) => `./${path.relative(dir, f).split(path.sep).join('/')}`);
  }
  if (kus.apiVersion === undefined) kus.apiVersion = 'kustomize.config.k8s.io/v1beta1';
  if (kus.kind === undefined) kus.kind = 'Kustomization';
  if (typeof spec.targetNamespace === 'string') kus.namespace = spec.targetNamespace;
  if (typeof spec.namePrefix === 'string') kus.namePrefix = spec.namePrefix;
  if (typeof spec.nameSuffix === 'string') kus.nameSuffix = spec.nameSuffix;
  const append = (field: string, items: unknown[]) => {
    if (items.length > 0) kus[field] = [...(Array.isArray(kus[field]) ? (kus[field] as unknown[]) : []), ...items];
  };
  append(
    'patches',
    (Array.isArray(spec.patches) ? spec.patches : []).map(asObj).map((p) => {
      const target = adaptSelector(p.target);
      return target ? { patch: p.patch, target } : { patch: p.patch };
    }),
  );
  const components: string[] = [];
  for (const c of Array.isArray(spec.components) ? spec.components : []) {
    if (typeof c !== 'string') continue;
    if (!isLocalRelativePath(c)) throw new GitOpsError('render', `component path '${c}' must be local and relative`, { file: dir });
    if (spec.ignoreMissingComponents === true && !(await fs.stat(path.join(dir, c)).catch(() => undefined))) continue;
    components.push(c);
  }
  append('components', components);
  append('patchesStrategicMerge', Array.isArray(spec.patchesStrategicMerge) ? spec.patchesStrategicMerge : []);
  append(
    'patchesJson6902',
    (Array.isArray(spec.patchesJson6902) ? spec.patchesJson6902 : []).map(asObj).map((p) => ({ patch: JSON.stringify(p.patch ?? []), target: adaptSelector(p.target) })),
  );
  const images = Array.isArray(kus.images) ? (kus.images as Obj[]).map((i) => ({ ...asObj(i) })) : [];
  for (const im of (Array.isArray(spec.images) ? spec.images : []).map(asObj)) {
    const i = images.findIndex((x) => x.name === im.name);
    if (i >= 0) {
      if (str(im.newName)) images[i].newName = im.newName;
      if (str(im.newTag) || str(im.digest)) {
        images[i].newTag = str(im.newTag) || undefined;
        images[i].digest = str(im.digest) || undefined;
      }
    } else {
      const n: Obj = { name: im.name };
      for (const k of ['newName', 'newTag', 'digest']) if (str(im[k])) n[k] = im[k];
      images.push(n);
    }
  }
  if (images.length > 0) kus.images = images.map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined && v !== '')));
  return { text: stringify(kus), file: existing ?? path.join(dir, 'kustomization.yaml'), generated };
}
