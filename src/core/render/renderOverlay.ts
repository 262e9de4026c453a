// Controllers change what a folder renders: Flux Kustomization `spec.targetNamespace/patches/images/...` and
// Argo CD `spec.source.kustomize` overrides. We reproduce both with a throw-away overlay kustomization.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { GitOpsError, isGitOpsError, type App } from '../model';
import { parseManifests } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';
import { collectKustomizeOrigins, OriginIndex, treeCacheFor } from './kustomizeTree';
import { renderKustomize, type KustomizeDeps } from './renderKustomize';
import type { RenderResult } from './types';
import { type JsonObject as Obj, asObj, nonEmptyString as str } from '../k8s/json';

const strMap = (v: unknown): Record<string, string> | undefined => {
  const o = asObj(v);
  return Object.keys(o).length > 0 ? (Object.fromEntries(Object.entries(o).map(([k, x]) => [k, String(x)])) as Record<string, string>) : undefined;
};

/**
 * Argo writes images as `kustomize edit set image` strings: `nginx=registry/nginx:1.2`, `nginx:1.2`,
 * `nginx@sha256:...`; kustomize files want `{name, newName, newTag, digest}`.
 */
export function parseImageOverride(s: string): Obj {
  const [name, target] = s.includes('=') ? (s.split('=', 2) as [string, string]) : [undefined, s];
  const at = target.indexOf('@');
  const ref = at >= 0 ? target.slice(0, at) : target;
  const digest = at >= 0 ? target.slice(at + 1) : undefined;
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > ref.lastIndexOf('/');
  const image = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : undefined;
  const out: Obj = { name: name ?? image };
  if (name !== undefined && image !== name) out.newName = image;
  if (tag) out.newTag = tag;
  if (digest) out.digest = digest;
  return out;
}

function fluxFields(spec: Obj, dir: string, rel: (p: string) => string): Obj {
  const k: Obj = {};
  if (str(spec.targetNamespace)) k.namespace = spec.targetNamespace;
  if (str(spec.namePrefix)) k.namePrefix = spec.namePrefix;
  if (str(spec.nameSuffix)) k.nameSuffix = spec.nameSuffix;
  if (Array.isArray(spec.patches) && spec.patches.length > 0) k.patches = spec.patches;
  if (Array.isArray(spec.images) && spec.images.length > 0) k.images = spec.images;
  if (Array.isArray(spec.components) && spec.components.length > 0) k.components = spec.components.filter((c): c is string => typeof c === 'string').map((c) => rel(path.resolve(dir, c)));
  const meta = asObj(spec.commonMetadata);
  const labels = strMap(meta.labels);
  const annotations = strMap(meta.annotations);
  if (labels) k.labels = [{ pairs: labels, includeSelectors: false }];
  if (annotations) k.commonAnnotations = annotations;
  return k;
}

function argoFields(kz: Obj, dir: string, rel: (p: string) => string): Obj {
  const k: Obj = {};
  for (const f of ['namePrefix', 'nameSuffix', 'namespace'] as const) if (str(kz[f])) k[f] = kz[f];
  const labels = strMap(kz.commonLabels);
  const annotations = strMap(kz.commonAnnotations);
  if (labels) k.labels = [{ pairs: labels, includeSelectors: kz.labelWithoutSelector !== true }];
  if (annotations) k.commonAnnotations = annotations;
  if (Array.isArray(kz.images) && kz.images.length > 0) k.images = kz.images.filter((i): i is string => typeof i === 'string').map(parseImageOverride);
  if (Array.isArray(kz.replicas) && kz.replicas.length > 0) k.replicas = kz.replicas.map(asObj).map((r) => ({ name: r.name, count: Number(r.count) }));
  if (Array.isArray(kz.patches) && kz.patches.length > 0) k.patches = kz.patches;
  if (Array.isArray(kz.components) && kz.components.length > 0) k.components = kz.components.filter((c): c is string => typeof c === 'string').map((c) => rel(path.resolve(dir, c)));
  return k;
}

/** Kustomization fields the app's controller adds on top of its folder; empty when it adds none. */
export function overlayFields(app: App, overlayDir = os.tmpdir()): Obj {
  if (!app.path) return {};
  const rel = (p: string) => path.relative(overlayDir, p).split(path.sep).join('/');
  const spec = asObj(app.definition?.spec);
  if (app.kind === 'flux-kustomization') return fluxFields(spec, app.path, rel);
  if (app.kind === 'argo-application' && app.sourceType === 'kustomize') {
    const source = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].map(asObj).find((s) => s.kustomize);
    return source ? argoFields(asObj(source.kustomize), app.path, rel) : {};
  }
  return {};
}

export function needsOverlay(app: App): boolean {
  return Object.keys(overlayFields(app)).length > 0;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

async function manifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== '.git' && e.name !== 'node_modules') out.push(...(await manifestFiles(p)));
    else if (e.isFile() && MANIFEST_EXT.test(e.name)) {
      // Like Flux's generator, only files holding Kubernetes objects; values files etc. would break the build.
      if (parseManifests(await fs.readFile(p, 'utf8'), p).docs.length > 0) out.push(p);
    }
  }
  return out.sort();
}

/** The overlay kustomization the controller effectively builds. */
export async function overlayKustomization(app: App, overlayDir: string): Promise<Obj> {
  const dir = app.path as string;
  const rel = (p: string) => path.relative(overlayDir, p).split(path.sep).join('/');
  // Without a kustomization file Flux includes every manifest below the path.
  const resources = (await findKustomizationFile(dir)) ? [rel(dir)] : (await manifestFiles(dir)).map(rel);
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources, ...overlayFields(app, overlayDir) };
}

export async function renderWithOverlay(app: App, deps: KustomizeDeps): Promise<RenderResult> {
  const overlayDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-overlay-'));
  try {
    await fs.writeFile(path.join(overlayDir, 'kustomization.yaml'), stringify(await overlayKustomization(app, overlayDir)));
    // Files (not folders) outside the overlay need the restriction lifted, as Flux builds inside the artifact.
    const inApp = (e: GitOpsError) => new GitOpsError(e.reason, e.message.split(overlayDir).join(app.path as string), { ...e.details, file: app.path });
    const result = await renderKustomize(overlayDir, { ...deps, extraArgs: ['--load-restrictor', 'LoadRestrictionsNone'], skipSources: true }).catch((e: unknown) => {
      // A deadline names the folder it ran in: the app's, not the throw-away overlay.
      throw isGitOpsError(e) ? inApp(e) : e;
    });
    result.errors = result.errors.map(inApp);
    const origins = new OriginIndex(await collectKustomizeOrigins(overlayDir, deps.signal, deps.treeCache ?? treeCacheFor(deps.runner)).catch(() => []));
    result.objects = result.objects.map(({ object }) => {
      const o = origins.match(object);
      // The throw-away overlay is no place to edit: the chain starts at the app's own kustomization.
      return o ? { object, source: o.source, kustomizeChain: o.chain.slice(1) } : { object };
    });
    return result;
  } finally {
    await fs.rm(overlayDir, { recursive: true, force: true });
  }
}
