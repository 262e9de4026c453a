// Values a controller sets on top of the rendered files (issue 14 item 6): an Argo CD Application's
// `kustomize.images` override (what Argo CD Image Updater writes) and Flux `postBuild` substitution variables. A
// capture of such a field must write where the value is decided — the Application manifest's images entry, the
// Kustomization's `postBuild.substitute` variable — or refuse and say where; writing the rendered file instead would
// be undone by the override at the next sync, or replace a `${var}` by a constant.
import type { App, FieldChange } from '../model';
import type { PathSegment } from './fieldPath';
import { parseImageRef } from './imageRef';
import { asObj as obj } from '../k8s/json';
import * as path from 'node:path';

/** One source's `kustomize.images` override; `file` undefined when it cannot be edited here. */
export interface ArgoImagesOverride {
  images: string[];
  file?: string;
  documentIndex?: number;
  path: PathSegment[];
  /** `spec.sources[i]` of a multi-source Application. */
  source?: string;
  where: string;
}

export interface CaptureOverrides {
  /**
   * The Argo CD Application's `kustomize.images` override of the source that renders the object; for a multi-source
   * Application whose rendering source is unknown, every kustomize source's (an image one of them sets is refused).
   */
  argoImages?: ArgoImagesOverride;
  argoImagesOfSources?: ArgoImagesOverride[];
  /** Flux post-build substitution of the Kustomization: inline variables (editable in `file`) and sources. */
  fluxVariables?: { inline: Record<string, unknown>; from: string[]; file?: string; documentIndex?: number; where: string };
}

const key = (k: string): PathSegment => ({ kind: 'key', key: k });

const isInside = (file: string, dir: string): boolean => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * A multi-source Application's kustomize.images overrides: of the source whose folder holds `objectFile` (the
 * rendered object's file), else of every kustomize source (then which one renders the object is unknown).
 */
function multiSourceImages(app: App, spec: Record<string, unknown>, file: string | undefined, documentIndex: number | undefined, where: string, objectFile?: string): Pick<CaptureOverrides, 'argoImages' | 'argoImagesOfSources'> {
  const sources = (spec.sources as unknown[]).map(obj);
  const entries: (ArgoImagesOverride & { dir?: string })[] = [];
  sources.forEach((s, i) => {
    const images = obj(s.kustomize).images;
    if (!Array.isArray(images) || !images.length) return;
    // The sub-app that renders this source (same repository and path), when it is a kustomize source.
    const sub = app.sources?.find((a) => {
      const one = obj(obj(a.definition?.spec).source);
      return one.repoURL === s.repoURL && one.path === s.path && one.chart === s.chart;
    });
    if (sub && sub.sourceType !== 'kustomize') return;
    const source = `spec.sources[${i}]`;
    entries.push({ images: images.map(String), file, documentIndex, path: [key('spec'), key('sources'), { kind: 'index', index: i }, key('kustomize'), key('images')], source, where, dir: sub?.path });
  });
  const strip = ({ dir: _dir, ...e }: ArgoImagesOverride & { dir?: string }): ArgoImagesOverride => e;
  const mine = objectFile ? entries.filter((e) => e.dir && isInside(objectFile, e.dir)).sort((a, b) => b.dir!.length - a.dir!.length)[0] : undefined;
  if (mine) return { argoImages: strip(mine) };
  // A known file under no source with an override: none applies to the object.
  if (objectFile && app.sources?.some((a) => a.path && isInside(objectFile, a.path))) return {};
  return entries.length ? { argoImagesOfSources: entries.map(strip) } : {};
}

/**
 * What the app's controller sets over its files (undefined: nothing). `objectFile`: the file of the rendered object
 * (which source of a multi-source Application renders it); `imagesFile`: the `.argocd-source[-<app>].yaml` whose
 * `kustomize.images` applies (argoImagesOverrideFile).
 */
export function captureOverrides(app: App, objectFile?: string, imagesFile?: { file: string; images: string[] }): CaptureOverrides | undefined {
  const def = app.definition;
  if (!def) return undefined;
  const spec = obj(def.spec);
  const file = app.appSet ? undefined : app.definedIn?.file;
  const documentIndex = app.definedIn?.documentIndex;
  const name = `${def.kind} ${def.metadata?.namespace ? `${def.metadata.namespace}/` : ''}${def.metadata?.name ?? app.name}`;
  const where = app.appSet ? `the template of ApplicationSet ${app.appSet}` : app.definedIn ? `${name} (${app.definedIn.file})` : `${name} (in the cluster only)`;
  const out: CaptureOverrides = {};
  // Argo CD applies kustomize.images only to a kustomize source.
  if (app.kind === 'argo-application' && Array.isArray(spec.sources) && spec.sources.length) {
    Object.assign(out, multiSourceImages(app, spec, file, documentIndex, where, objectFile));
  } else if (app.kind === 'argo-application' && app.sourceType === 'kustomize') {
    const images = obj(obj(spec.source).kustomize).images;
    // An override file in the app folder (Argo CD Image Updater's git write-back, `argocd app set`) wins over the
    // Application's list: its entry is the one to change.
    if (imagesFile?.images.length) {
      out.argoImages = { images: imagesFile.images, file: imagesFile.file, documentIndex: 0, path: [key('kustomize'), key('images')], where: `${path.basename(imagesFile.file)} (Argo CD's parameter override file)` };
    } else if (Array.isArray(images) && images.length) {
      out.argoImages = { images: images.map(String), file, documentIndex, path: [key('spec'), key('source'), key('kustomize'), key('images')], where };
    }
  }
  if (app.kind === 'flux-kustomization') {
    const post = obj(spec.postBuild);
    const from = Array.isArray(post.substituteFrom) ? post.substituteFrom.map((s) => `${obj(s).kind ?? 'ConfigMap'} ${obj(s).name ?? '?'}`) : [];
    const inline = obj(post.substitute);
    if (from.length || Object.keys(inline).length) out.fluxVariables = { inline, from, file, documentIndex, where };
  }
  return out.argoImages || out.argoImagesOfSources || out.fluxVariables ? out : undefined;
}

/** An Argo CD image override as written in `kustomize.images`: `name[=newName][:tag][@digest]`. */
function parseOverride(s: string): { name: string; newName?: string; tag?: string; digest?: string } {
  const eq = s.indexOf('=');
  if (eq >= 0) {
    const to = parseImageRef(s.slice(eq + 1));
    return { name: s.slice(0, eq), newName: to.name, tag: to.tag, digest: to.digest };
  }
  return parseImageRef(s);
}

export type OverrideDecision =
  | { kind: 'edit'; file: string; documentIndex: number; path: PathSegment[]; value: unknown; target: 'argo-images' | 'substitution'; note: string }
  | { kind: 'refuse'; reason: string };

/**
 * Where an image change goes when an Argo CD override produces the desired image: that override entry, rewritten
 * to give the live image. Undefined when no override produces it (the files decide).
 */
export function argoImageDecision(c: FieldChange, o: CaptureOverrides | undefined): OverrideDecision | undefined {
  if (typeof c.desired !== 'string' || typeof c.live !== 'string') return undefined;
  const desired = parseImageRef(c.desired);
  const producing = (a: ArgoImagesOverride) =>
    a.images.findIndex((s) => {
      const p = parseOverride(s);
      return (p.newName ?? p.name) === desired.name;
    });
  // Which source renders the object is unknown: an image any source's override sets is refused, naming them.
  const candidates = (o?.argoImagesOfSources ?? []).filter((a) => producing(a) >= 0);
  if (candidates.length) {
    const named = candidates.map((a) => `"${a.images[producing(a)]}" (${a.source} in ${a.where})`).join(' or ');
    return { kind: 'refuse', reason: `the image may be set by Argo CD's kustomize.images override ${named}; change the override of the source that renders this object` };
  }
  const a = o?.argoImages;
  if (!a) return undefined;
  const i = producing(a);
  if (i < 0) return undefined;
  if (a.file === undefined || a.documentIndex === undefined) {
    return { kind: 'refuse', reason: `the image is set by Argo CD's kustomize.images override "${a.images[i]}"${a.source ? ` of ${a.source}` : ''} in ${a.where}; change it there` };
  }
  const from = parseOverride(a.images[i]);
  const live = parseImageRef(c.live);
  const value = `${from.name}${live.name !== from.name ? `=${live.name}` : ''}${live.tag !== undefined ? `:${live.tag}` : ''}${live.digest !== undefined ? `@${live.digest}` : ''}`;
  return { kind: 'edit', file: a.file, documentIndex: a.documentIndex, path: [...a.path, { kind: 'index', index: i }], value, target: 'argo-images', note: `Argo CD's kustomize.images override ${a.images[i]}${a.source ? ` (${a.source})` : ''} → ${value}` };
}

const WHOLE_VAR = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])[^}]*)?\}$/;

/**
 * Where a change goes when the file's value is a Flux substitution (`${var}`): the variable's inline definition in
 * the Kustomization; a refusal naming where it is defined otherwise. Undefined when the value is not substituted.
 */
export function substitutionDecision(c: FieldChange, raw: unknown, o: CaptureOverrides | undefined): OverrideDecision | undefined {
  const f = o?.fluxVariables;
  if (typeof raw !== 'string' || !raw.includes('${')) return undefined;
  if (!f) return undefined;
  const m = WHOLE_VAR.exec(raw.trim());
  if (!m) return { kind: 'refuse', reason: `the value "${raw}" is built from Flux substitution variables; change their definitions in ${f.where}` };
  const name = m[1];
  if (c.live === undefined || (typeof c.live === 'object' && c.live !== null)) {
    return { kind: 'refuse', reason: `the field is the Flux substitution variable \${${name}}; removing it or giving it a structured value is an edit of the manifest itself` };
  }
  const inline = Object.prototype.hasOwnProperty.call(f.inline, name);
  if (!inline && f.from.length) {
    return { kind: 'refuse', reason: `the value comes from the Flux substitution variable \${${name}}, defined in ${f.from.join(' or ')} (substituteFrom); change it there` };
  }
  if (f.file === undefined || f.documentIndex === undefined) {
    return { kind: 'refuse', reason: `the value comes from the Flux substitution variable \${${name}} of ${f.where}; change it there` };
  }
  return {
    kind: 'edit',
    file: f.file,
    documentIndex: f.documentIndex,
    path: [key('spec'), key('postBuild'), key('substitute'), key(name)],
    value: String(c.live),
    target: 'substitution',
    note: `Flux substitution variable ${name} = ${String(c.live)}`,
  };
}
