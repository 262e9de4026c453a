// Parameter override files in an Argo CD app folder (`argocd app set` and Argo CD Image Updater's git write-back
// write them): `.argocd-source.yaml`, then `.argocd-source-<app instance name>.yaml`, each a JSON merge patch over the
// Application's source. repo-server merges them before it picks the source type and renders (reposerver/repository
// mergeSourceParameters, called by GetAppSourceType); only the tool options change: chart, path, repoURL and
// targetRevision stay the Application's. The merge is Argo's exactly: json-patch MergePatch over the source's JSON, then
// Go's json.Unmarshal of the result into the same source (see decodeInto: nothing set before is ever removed).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitOpsError, type App, type SourceType } from '../model';
import { argoInstanceName } from '../kube/tracking';
import { parseYamlDocuments } from '../yaml/parseManifests';
import { type JsonObject as Obj, asObj, isObject, nonEmptyString as str } from '../k8s/json';

/** RFC 7386 JSON merge patch (evanphx/json-patch MergePatch): objects merge, null deletes, anything else replaces. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

/**
 * Go's encoding/json Unmarshal of `next` into the existing value `prev` (what mergeSourceParameters does after the
 * merge patch, into the same ApplicationSource): object fields and map keys absent from `next` keep their old values
 * (so a `null` in an override file deletes nothing that was set before), array elements are decoded into the old
 * elements at the same index (fields they leave out stay), and the array takes `next`'s length. helm.valuesObject is a
 * runtime.RawExtension, which replaces its content instead.
 */
function decodeInto(prev: unknown, next: unknown, at: string): unknown {
  if (at === 'helm.valuesObject') return next;
  if (isObject(next)) {
    const out: Obj = isObject(prev) ? { ...prev } : {};
    for (const [k, v] of Object.entries(next)) out[k] = decodeInto(out[k], v, at ? `${at}.${k}` : k);
    return out;
  }
  if (Array.isArray(next)) return next.map((v, i) => decodeInto(Array.isArray(prev) ? prev[i] : undefined, v, `${at}[]`));
  return next;
}

/** The files repo-server reads, in its order (the app-specific one last, so it wins). */
export function argoSourceOverrideFiles(app: App): string[] {
  if (!app.path) return [];
  return [path.join(app.path, '.argocd-source.yaml'), path.join(app.path, `.argocd-source-${argoInstanceName(app.name, app.namespace)}.yaml`)];
}

/** ApplicationSource ExplicitType: the one tool section set (plugin too), or an error when more than one is. */
function explicitTypes(source: Obj): string[] {
  return (['kustomize', 'helm', 'directory', 'plugin'] as const).filter((k) => source[k] !== undefined && source[k] !== null);
}

/**
 * The app with its override files merged into `spec.source` (and its directory options and source type following),
 * or the app itself when it has none. A file that is not YAML, or a source (merged or not) that names two tools, is a
 * render error, as in Argo CD (GetAppSourceType: ExplicitType).
 */
export async function withArgoSourceOverrides(app: App): Promise<App> {
  if (app.kind !== 'argo-application' || !app.path || !app.definition) return app;
  const spec = asObj(app.definition.spec);
  const original = asObj(spec.source);
  let merged: unknown = original;
  let changed = false;
  for (const file of argoSourceOverrideFiles(app)) {
    const st = await fs.stat(file).catch(() => undefined);
    if (!st || st.isDirectory()) continue;
    const text = await fs.readFile(file, 'utf8');
    let patch: unknown;
    try {
      const doc = parseYamlDocuments(text).docs[0];
      if (doc && doc.errors.length > 0) throw doc.errors[0];
      patch = doc?.toJS() ?? null;
    } catch (e) {
      throw new GitOpsError('parse', `${path.basename(file)}: ${(e as Error).message}`, { file });
    }
    merged = decodeInto(merged, jsonMergePatch(merged, patch), '');
    changed = true;
  }
  if (!changed) {
    const own = explicitTypes(original);
    if (own.length > 1) throw new GitOpsError('render', `${app.name}: multiple application sources defined: ${own.join(',')}`, { file: app.path });
    return app;
  }
  const source: Obj = { ...asObj(merged) };
  for (const k of ['chart', 'path', 'repoURL', 'targetRevision'] as const) {
    if (original[k] === undefined) delete source[k];
    else source[k] = original[k];
  }
  const types = explicitTypes(source);
  if (types.length > 1) throw new GitOpsError('render', `${app.name}: multiple application sources defined after ${argoSourceOverrideFiles(app).map((f) => path.basename(f)).join(' / ')}: ${types.join(',')}`, { file: app.path });
  const explicit = types[0];
  const sourceType: SourceType = explicit === 'kustomize' || explicit === 'helm' || explicit === 'directory' ? explicit : app.sourceType;
  const dir = asObj(source.directory);
  return {
    ...app,
    sourceType,
    directory: source.directory ? { recurse: dir.recurse === true, include: str(dir.include), exclude: str(dir.exclude) } : app.directory,
    definition: { ...app.definition, spec: { ...spec, source } },
  };
}

/**
 * The override file whose `kustomize.images` list is the one repo-server applies (the last file that sets one: the
 * merge replaces the whole list), with that list; undefined when no override file sets images. Capture edits it
 * there: an image written into the Application or the base would lose to it at the next render.
 */
export async function argoImagesOverrideFile(app: App): Promise<{ file: string; images: string[] } | undefined> {
  let found: { file: string; images: string[] } | undefined;
  for (const { file, patch } of await overridePatches(app)) {
    const images = asObj(asObj(patch).kustomize).images;
    if (Array.isArray(images)) found = { file, images: images.map(String) };
  }
  return found;
}

/** The override files that set helm options (their values then win over the Application's), in merge order. */
export async function argoHelmOverrideFiles(app: App): Promise<string[]> {
  return (await overridePatches(app)).filter(({ patch }) => isObject(asObj(patch).helm)).map(({ file }) => file);
}

async function overridePatches(app: App): Promise<{ file: string; patch: unknown }[]> {
  const out: { file: string; patch: unknown }[] = [];
  for (const file of argoSourceOverrideFiles(app)) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const doc = parseYamlDocuments(text).docs[0];
    if (!doc || doc.errors.length > 0) continue; // rendering reports the broken file
    out.push({ file, patch: doc.toJS() });
  }
  return out;
}
