// Flux Kustomization apps: the controller applies spec.targetNamespace, patches, images, name prefix/suffix,
// commonMetadata and components on top of the folder. We reproduce that with a throw-away overlay.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { GitOpsError, type App } from '../model';
import { parseManifests } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';
import { collectKustomizeOrigins, matchOrigin } from './kustomizeTree';
import { renderKustomize, type KustomizeDeps } from './renderKustomize';
import type { RenderResult } from './types';

type Obj = Record<string, unknown>;

const OVERLAY_FIELDS = ['targetNamespace', 'patches', 'images', 'namePrefix', 'nameSuffix', 'commonMetadata', 'components'] as const;

/** True when the Flux Kustomization changes what its folder renders. */
export function fluxNeedsOverlay(app: App): boolean {
  const spec = (app.definition?.spec ?? {}) as Obj;
  return app.kind === 'flux-kustomization' && OVERLAY_FIELDS.some((f) => spec[f] !== undefined && spec[f] !== null);
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

/** The overlay kustomization Flux would effectively build (kustomize-controller `generator.go`). */
export async function fluxOverlay(app: App, overlayDir: string): Promise<Obj> {
  const spec = (app.definition?.spec ?? {}) as Obj;
  const dir = app.path as string;
  const rel = (p: string) => path.relative(overlayDir, p).split(path.sep).join('/');
  // Without a kustomization file Flux includes every manifest below the path.
  const resources = (await findKustomizationFile(dir)) ? [rel(dir)] : (await manifestFiles(dir)).map(rel);
  const k: Obj = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  if (typeof spec.targetNamespace === 'string') k.namespace = spec.targetNamespace;
  if (typeof spec.namePrefix === 'string') k.namePrefix = spec.namePrefix;
  if (typeof spec.nameSuffix === 'string') k.nameSuffix = spec.nameSuffix;
  if (Array.isArray(spec.patches)) k.patches = spec.patches;
  if (Array.isArray(spec.images)) k.images = spec.images;
  if (Array.isArray(spec.components)) k.components = spec.components.filter((c): c is string => typeof c === 'string').map((c) => rel(path.resolve(dir, c)));
  const meta = (spec.commonMetadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  if (meta.labels) k.labels = [{ pairs: meta.labels, includeSelectors: false }];
  if (meta.annotations) k.commonAnnotations = meta.annotations;
  return k;
}

export async function renderFluxKustomization(app: App, deps: KustomizeDeps): Promise<RenderResult> {
  const overlayDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-flux-'));
  try {
    await fs.writeFile(path.join(overlayDir, 'kustomization.yaml'), stringify(await fluxOverlay(app, overlayDir)));
    // Files (not folders) outside the overlay need the restriction lifted, as Flux builds inside the artifact.
    const result = await renderKustomize(overlayDir, { ...deps, extraArgs: ['--load-restrictor', 'LoadRestrictionsNone'], skipSources: true });
    result.errors = result.errors.map((e) => new GitOpsError(e.reason, e.message.split(overlayDir).join(app.path as string), { ...e.details, file: app.path }));
    const origins = await collectKustomizeOrigins(overlayDir, deps.signal).catch(() => []);
    result.objects = result.objects.map(({ object }) => {
      const o = matchOrigin(object, origins);
      // The throw-away overlay is no place to edit: the chain starts at the app's own kustomization.
      return o ? { object, source: o.source, kustomizeChain: o.chain.slice(1) } : { object };
    });
    return result;
  } finally {
    await fs.rm(overlayDir, { recursive: true, force: true });
  }
}
