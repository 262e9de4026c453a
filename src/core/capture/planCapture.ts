// Turns selected drift changes into file edits, choosing the file that really decides each field in the repo.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { GitOpsError, type FieldChange, type KubeObject, type ResourceDiff } from '../model';
import { throwIfAborted } from '../ports';
import type { CaptureOrigin, CapturePlan, CaptureTarget, FileEdit, PlannedChange, RefusedChange } from './captureTypes';
import { parseFieldPath, type PathSegment } from './fieldPath';
import { inferHelmValue } from './helmValues';
import { parseImageRef } from './imageRef';
import { patchDocumentFor, patchTouches, readKustomization, type KustomizationInfo } from './kustomizeFiles';
import { refusalReason } from './preselect';
import { applyYamlEdits, parseYamlDocuments, readYamlPath, type YamlEdit } from './yamlEdit';
import { argoImageDecision, substitutionDecision } from './controllerOverrides';

export interface PlanCaptureInput {
  diff: ResourceDiff;
  /** The changes the user chose (see `preselectChanges`); each must be one of `diff.changes`. */
  changes: FieldChange[];
  /** Defaults to a plain file from `diff.source`. */
  origin?: CaptureOrigin;
  signal?: AbortSignal;
  /**
   * The app's rendered desired objects. An image change becomes a kustomize `images:` entry only when they show no
   * other object using that image; without them, a patch scoped to this object is written instead.
   */
  appObjects?: KubeObject[];
  /** Reads a file, undefined when it does not exist. Defaults to the file system. */
  readFile?: (file: string, signal?: AbortSignal) => Promise<string | undefined>;
}

async function fsRead(file: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Plans a capture; never writes. Refused changes (Secret data, helm/generated without a mapping) produce no edits. */
export async function planCapture(input: PlanCaptureInput): Promise<CapturePlan> {
  const { diff, signal } = input;
  const origin = input.origin ?? originFromDiff(diff);
  const files = new FileSet(input.readFile ?? fsRead, signal);
  const captured: PlannedChange[] = [];
  const refused: RefusedChange[] = [];
  const explanation: string[] = [];

  let writable: FieldChange[] = [];
  for (const c of input.changes) {
    const why = refusalReason(diff.ref, c);
    if (why) refused.push({ change: c, reason: why });
    else writable.push(c);
  }

  // Fields the controller sets over the files (Argo CD image overrides, Flux substitution variables) go there.
  if ((origin.kind === 'plain' || origin.kind === 'kustomize') && origin.overrides) {
    const file = origin.kind === 'plain' ? origin.file : origin.resourceFile;
    const text = await files.require(file);
    const rest: FieldChange[] = [];
    for (const c of writable) {
      const decision = (IMAGE_PATH.test(c.path) ? argoImageDecision(c, origin.overrides) : undefined) ?? substitutionDecision(c, readYamlPath(text, origin.documentIndex, c.path), origin.overrides);
      if (!decision) rest.push(c);
      else if (decision.kind === 'refuse') refused.push({ change: c, reason: decision.reason });
      else {
        await files.edit(decision.file, decision.documentIndex, [{ op: 'set', path: decision.path, value: decision.value }]);
        captured.push({ change: c, target: decision.target, file: decision.file, action: actionOf(c) });
        explanation.push(`${c.path}: ${decision.note}`);
      }
    }
    writable = rest;
  }

  if (origin.kind === 'generated') {
    for (const c of writable) refused.push({ change: c, reason: `produced by ${origin.generator ?? 'a generator'}; change its input instead` });
    explanation.push(`${diff.ref.kind} ${diff.ref.name} is generated${origin.generator ? ` by ${origin.generator}` : ''}: nothing is written. Change the generator's input so it produces the live values.`);
  } else if (origin.kind === 'helm') {
    await planHelm(origin, signal, diff, writable, files, captured, refused, explanation);
  } else if (origin.kind === 'plain') {
    for (const c of writable) {
      await files.edit(origin.file, origin.documentIndex, [resourceEdit(c, parseFieldPath(c.path), diff.live)]);
      captured.push({ change: c, target: 'resource', file: origin.file, action: actionOf(c) });
    }
  } else {
    await planKustomize(origin, diff, writable, files, captured, refused, explanation, input.appObjects);
  }

  const edits = files.edits();
  for (const e of edits) {
    const fields = captured.filter((p) => p.file === e.file);
    explanation.push(`${e.before === undefined ? 'Create' : 'Edit'} ${e.file}: ${fields.map((p) => `${p.change.path} (${describeTarget(p.target)})`).join(', ')}`);
  }
  for (const r of refused) explanation.push(`Not captured: ${r.change.path}: ${r.reason}`);
  return { edits, captured, refused, explanation };
}

/** The origin implied by a diff's source location (a plain YAML document). */
export function originFromDiff(diff: ResourceDiff): CaptureOrigin {
  if (!diff.source) throw new GitOpsError('invalid', `${diff.ref.kind} ${diff.ref.name} has no source file in the workspace; cannot capture it`);
  return { kind: 'plain', file: diff.source.file, documentIndex: diff.source.documentIndex };
}

function describeTarget(t: CaptureTarget): string {
  return { resource: 'in place', images: 'kustomize images:', replicas: 'kustomize replicas:', patch: 'strategic-merge patch', 'helm-values': 'Helm values', 'argo-images': "Argo CD's kustomize.images", substitution: 'Flux substitution variable' }[t];
}

const actionOf = (c: FieldChange): 'set' | 'delete' => (c.live === undefined ? 'delete' : 'set');
const toEdit = (c: FieldChange, segs: PathSegment[] = parseFieldPath(c.path), live?: KubeObject): YamlEdit => {
  if (c.live === undefined) return { op: 'delete', path: segs };
  // A new list item goes where live has it, not at the end.
  const order = segs[segs.length - 1]?.kind === 'match' && live ? valueAt(live, segs.slice(0, -1)) : undefined;
  return { op: 'set', path: segs, value: c.live, ...(Array.isArray(order) ? { order } : {}) };
};

/**
 * Positions shift when list items come and go, so a change inside a list addressed by index sets the whole live
 * list (item by item, keeping unchanged lines) when the live object is known.
 */
function resourceEdit(c: FieldChange, segs: PathSegment[], live: KubeObject | undefined): YamlEdit {
  const firstIndex = segs.findIndex((s) => s.kind === 'index');
  if (firstIndex >= 0 && live) {
    const list = valueAt(live, segs.slice(0, firstIndex));
    if (Array.isArray(list)) return { op: 'set', path: segs.slice(0, firstIndex), value: list };
  }
  return toEdit(c, segs, live);
}

/** Files read once and edited in memory; produces before/after pairs. */
class FileSet {
  private readonly texts = new Map<string, { before: string | undefined; text: string | undefined }>();
  constructor(
    private readonly read: (file: string, signal?: AbortSignal) => Promise<string | undefined>,
    private readonly signal?: AbortSignal,
  ) {}

  async get(file: string): Promise<string | undefined> {
    throwIfAborted(this.signal);
    let e = this.texts.get(file);
    if (!e) {
      const t = await this.read(file, this.signal);
      e = { before: t, text: t };
      this.texts.set(file, e);
    }
    return e.text;
  }

  async require(file: string): Promise<string> {
    const t = await this.get(file);
    if (t === undefined) throw new GitOpsError('notFound', `${file} does not exist`, { file });
    return t;
  }

  async edit(file: string, documentIndex: number, edits: YamlEdit[]): Promise<void> {
    const t = await this.require(file);
    this.set(file, applyYamlEdits(t, documentIndex, edits));
  }

  set(file: string, text: string): void {
    const e = this.texts.get(file);
    this.texts.set(file, { before: e?.before, text });
  }

  edits(): FileEdit[] {
    const out: FileEdit[] = [];
    for (const [file, e] of this.texts) if (e.text !== undefined && e.text !== e.before) out.push({ file, before: e.before, after: e.text });
    return out;
  }
}

const IMAGE_PATH = /(^|\.)(containers|initContainers|ephemeralContainers)\[name=[^\]]+\]\.image$/;

async function planKustomize(
  origin: Extract<CaptureOrigin, { kind: 'kustomize' }>,
  diff: ResourceDiff,
  changes: FieldChange[],
  files: FileSet,
  captured: PlannedChange[],
  refused: RefusedChange[],
  explanation: string[],
  appObjects: KubeObject[] | undefined,
): Promise<void> {
  if (origin.chain.length === 0) throw new GitOpsError('invalid', 'A kustomize origin needs at least the kustomization that lists the resource');
  const resourceText = await files.require(origin.resourceFile);
  // Overlays refer to the object by its name in the base (before namePrefix/nameSuffix).
  const baseName = String(readYamlPath(resourceText, origin.documentIndex, 'metadata.name') ?? diff.ref.name);
  const kind = diff.ref.kind;
  const overlay = origin.chain.length > 1;
  for (const c of changes) {
    // Re-read each time: an earlier change may have added a patch or an entry these files now list.
    const infos: KustomizationInfo[] = [];
    for (const k of origin.chain) infos.push(readKustomization(k, await files.require(k)));
    const segs = parseFieldPath(c.path);
    const action = actionOf(c);

    // Only the app's own kustomization (infos[0]) is written: lower ones are shared with other overlays, and the
    // root's entries and patches apply after theirs anyway.
    const root = infos[0];
    if (IMAGE_PATH.test(c.path) && typeof c.live === 'string') {
      const baseImage = readYamlPath(resourceText, origin.documentIndex, segs);
      // The image name as it reaches the root: renamed by any lower `images:` entries on the way up.
      let entering = typeof baseImage === 'string' ? parseImageRef(baseImage).name : undefined;
      for (const k of infos.slice(1).reverse()) entering = k.images.find((i) => i.name === entering)?.newName ?? entering;
      const owned = entering !== undefined && root.images.some((i) => i.name === entering);
      // `images:` retags every object using the image, so a new entry is only safe when nothing else uses it.
      const others = typeof c.desired === 'string' && appObjects ? imageUsers(appObjects, parseImageRef(c.desired).name, diff) : undefined;
      if (owned && others?.length) explanation.push(`The images: entry for ${entering} in ${root.file} also sets the image of ${others.join(', ')}.`);
      if (entering !== undefined && (owned || (overlay && others?.length === 0))) {
        const live = parseImageRef(c.live);
        const entry: Record<string, string> = { name: entering };
        if (live.name !== entering) entry.newName = live.name;
        if (live.tag !== undefined) entry.newTag = live.tag;
        if (live.digest !== undefined) entry.digest = live.digest;
        await files.edit(root.file, 0, [{ op: 'set', path: [{ kind: 'key', key: 'images' }, { kind: 'match', match: { name: entering } }], value: entry }]);
        captured.push({ change: c, target: 'images', file: root.file, action });
        continue;
      }
    }

    if (c.path === 'spec.replicas' && typeof c.live === 'number' && (overlay || root.replicas.some((r) => r.name === baseName))) {
      await files.edit(root.file, 0, [{ op: 'set', path: [{ kind: 'key', key: 'replicas' }, { kind: 'match', match: { name: baseName } }], value: { name: baseName, count: c.live } }]);
      captured.push({ change: c, target: 'replicas', file: root.file, action });
      continue;
    }

    // A patch already setting this field wins over the resource file; otherwise overlays get (or reuse) a patch.
    let patch = await findPatch([root], files, kind, baseName, segs);
    if (!patch && overlay) patch = (await findPatch([root], files, kind, baseName)) ?? (await newPatch(root.file, files, diff, kind, baseName));
    if (patch) {
      const edit = patchEdit(c, segs, diff.live);
      if (!edit) {
        refused.push({ change: c, reason: 'cannot be expressed in a strategic-merge patch here (list position or set item removal); edit the base' });
        continue;
      }
      await files.edit(patch.file, patch.documentIndex, [edit]);
      if (edit.op === 'set' && c.live !== undefined) await keepListOrder(files, patch, segs, parseDoc(resourceText, origin.documentIndex), diff.live);
      captured.push({ change: c, target: 'patch', file: patch.file, action });
      continue;
    }

    await files.edit(origin.resourceFile, origin.documentIndex, [resourceEdit(c, segs, diff.live)]);
    captured.push({ change: c, target: 'resource', file: origin.resourceFile, action });
  }
}

function parseDoc(text: string, documentIndex: number): unknown {
  return parseYamlDocuments(text)[documentIndex]?.toJS();
}

/**
 * kustomize puts a patch's list items first and the base's remaining items after them, so a patch naming only
 * `sidecar` would move it before `web` (a real change for env, whose order matters). Each keyed list the patch
 * touches therefore lists the base items too, as key-only stubs, in the live order.
 */
async function keepListOrder(files: FileSet, patch: PatchDoc, segs: PathSegment[], base: unknown, live: KubeObject | undefined): Promise<void> {
  for (let j = 0; j < segs.length; j++) {
    const seg = segs[j];
    if (seg.kind !== 'match') continue;
    const listPath = segs.slice(0, j);
    const keys = Object.keys(seg.match);
    const keyOf = (it: unknown): string | undefined =>
      it && typeof it === 'object' && !Array.isArray(it) && keys.every((k) => (it as Record<string, unknown>)[k] !== undefined)
        ? keys.map((k) => String((it as Record<string, unknown>)[k])).join('\0')
        : undefined;
    const text = await files.require(patch.file);
    const current = readYamlPath(text, patch.documentIndex, listPath);
    const baseList = valueAt(base, listPath);
    if (!Array.isArray(current) || !Array.isArray(baseList)) continue;
    const byKey = new Map<string, unknown>();
    for (const it of baseList) {
      const k = keyOf(it);
      if (k !== undefined) byKey.set(k, Object.fromEntries(keys.map((kk) => [kk, (it as Record<string, unknown>)[kk]])));
    }
    for (const it of current) {
      const k = keyOf(it);
      if (k !== undefined) byKey.set(k, it);
    }
    const liveList = live ? valueAt(live, listPath) : undefined;
    const order = [...(Array.isArray(liveList) ? liveList.map(keyOf) : []), ...baseList.map(keyOf), ...current.map(keyOf)];
    const wanted: unknown[] = [];
    const seen = new Set<string>();
    for (const k of order) {
      if (k === undefined || seen.has(k) || !byKey.has(k)) continue;
      seen.add(k);
      wanted.push(byKey.get(k));
    }
    // Items the patch holds without a key (unusual) stay at the end, untouched.
    for (const it of current) if (keyOf(it) === undefined) wanted.push(it);
    if (!isDeepStrictEqual(wanted, current)) await files.edit(patch.file, patch.documentIndex, [{ op: 'set', path: listPath, value: wanted }]);
  }
}

/** `Kind/name` of the other objects with a container image named `name` (any tag or digest). */
function imageUsers(objects: KubeObject[], name: string, diff: ResourceDiff): string[] {
  const out: string[] = [];
  const uses = (v: unknown, key?: string): boolean => {
    if (key === 'image' && typeof v === 'string') return parseImageRef(v).name === name;
    if (Array.isArray(v)) return v.some((x) => uses(x));
    if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => uses(x, k));
    return false;
  };
  for (const o of objects) {
    const same = o.kind === diff.ref.kind && o.metadata?.name === diff.ref.name && (o.metadata?.namespace ?? diff.ref.namespace) === diff.ref.namespace;
    if (!same && uses(o.spec)) out.push(`${o.kind}/${o.metadata?.name}`);
  }
  return out;
}

interface PatchDoc {
  file: string;
  documentIndex: number;
}

/** A strategic-merge patch of the object listed in one of the kustomizations (touching `segs`, when given). */
async function findPatch(infos: KustomizationInfo[], files: FileSet, kind: string, name: string, segs?: PathSegment[]): Promise<PatchDoc | undefined> {
  for (const k of infos) {
    for (const p of k.patchFiles) {
      const text = await files.get(p.file);
      if (text === undefined) continue;
      const documentIndex = patchDocumentFor(text, kind, name, p.target);
      if (documentIndex < 0) continue;
      if (!segs || patchTouches(text, documentIndex, segs)) return { file: p.file, documentIndex };
    }
  }
  return undefined;
}

/** Creates `patch-<kind>-<name>.yaml` next to the overlay kustomization and lists it under `patches:`. */
async function newPatch(kustomization: string, files: FileSet, diff: ResourceDiff, kind: string, name: string): Promise<PatchDoc> {
  const dir = path.dirname(kustomization);
  const stem = `patch-${kind.toLowerCase()}-${name}`.replace(/[^A-Za-z0-9._-]/g, '-');
  let file = path.join(dir, `${stem}.yaml`);
  for (let i = 2; (await files.get(file)) !== undefined; i++) file = path.join(dir, `${stem}-${i}.yaml`);
  const apiVersion = diff.desired?.apiVersion ?? diff.live?.apiVersion ?? (diff.ref.group ? `${diff.ref.group}/${diff.ref.version ?? 'v1'}` : diff.ref.version ?? 'v1');
  files.set(file, `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n`);
  const rel = path.relative(dir, file).split(path.sep).join('/');
  await files.edit(kustomization, 0, [{ op: 'set', path: [{ kind: 'key', key: 'patches' }, { kind: 'match', match: { path: rel } }], value: { path: rel } }]);
  return { file, documentIndex: 0 };
}

/**
 * The edit expressing a change in a strategic-merge patch: removals become `null` (maps) or `$patch: delete`
 * (list items by merge key); positions in atomic lists are replaced by the whole live list.
 */
function patchEdit(c: FieldChange, segs: PathSegment[], live: KubeObject | undefined): YamlEdit | undefined {
  const firstIndex = segs.findIndex((s) => s.kind === 'index');
  if (firstIndex >= 0) {
    const prefix = segs.slice(0, firstIndex);
    const list = live ? valueAt(live, prefix) : undefined;
    if (!Array.isArray(list)) return undefined;
    return { op: 'set', path: prefix, value: list };
  }
  if (c.live !== undefined) return { op: 'set', path: segs, value: c.live };
  const last = segs[segs.length - 1];
  if (last.kind === 'value') return undefined;
  if (last.kind === 'match') return { op: 'set', path: segs, value: { ...last.match, $patch: 'delete' } };
  return { op: 'set', path: segs, value: null };
}

function valueAt(root: unknown, segs: PathSegment[]): unknown {
  let cur: unknown = root;
  for (const s of segs) {
    if (s.kind === 'key') cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[s.key] : undefined;
    else if (!Array.isArray(cur)) return undefined;
    else if (s.kind === 'index') cur = cur[s.index];
    else if (s.kind === 'value') cur = cur.find((it) => String(it) === s.value);
    else cur = cur.find((it) => it && typeof it === 'object' && Object.entries(s.match).every(([k, v]) => String((it as Record<string, unknown>)[k]) === v));
  }
  return cur;
}

/** Conventional chart values for common fields; only suggestions, since charts may map values any way they like. */
const HELM_HINTS: Array<[RegExp, string]> = [
  [/^spec\.replicas$/, 'replicaCount'],
  [IMAGE_PATH, 'image.repository / image.tag'],
  [/\.resources(\.|$)/, 'resources'],
  [/\.env\[/, 'env / extraEnv'],
  [/^metadata\.(labels|annotations)/, 'podLabels / podAnnotations / commonLabels'],
];

async function planHelm(
  origin: Extract<CaptureOrigin, { kind: 'helm' }>,
  signal: AbortSignal | undefined,
  diff: ResourceDiff,
  changes: FieldChange[],
  files: FileSet,
  captured: PlannedChange[],
  refused: RefusedChange[],
  explanation: string[],
): Promise<void> {
  const chart = origin.chart ?? 'its Helm chart';
  const located = origin.locate && changes.length ? await origin.locate(diff, changes, signal) : undefined;
  for (const c of changes) {
    const decision = located?.get(c.path);
    if (decision?.kind === 'edit') {
      await files.edit(decision.file, decision.documentIndex, [{ op: 'set', path: decision.path, value: decision.value }]);
      captured.push({ change: c, target: 'helm-values', file: decision.file, action: 'set' });
      explanation.push(`${c.path}: ${decision.note}`);
      continue;
    }
    if (decision?.kind === 'refuse') {
      refused.push({ change: c, reason: decision.reason });
      continue;
    }
    const mapping = origin.valueMappings?.[c.path];
    if (mapping && c.live !== undefined) {
      await files.edit(mapping.file, 0, [{ op: 'set', path: mapping.path, value: c.live }]);
      captured.push({ change: c, target: 'helm-values', file: mapping.file, action: 'set' });
      continue;
    }
    const inferred = decision ? decision.reason : origin.chart ? await inferHelmValue(origin.chart, diff.ref.kind, c, origin.valuesFiles, signal) : 'the chart directory is unknown';
    if (typeof inferred !== 'string') {
      await files.edit(inferred.file, 0, [{ op: 'set', path: inferred.path, value: inferred.value }]);
      captured.push({ change: c, target: 'helm-values', file: inferred.file, action: 'set' });
      continue;
    }
    const hint = HELM_HINTS.find(([re]) => re.test(c.path))?.[1];
    const where = origin.valuesFiles?.length ? ` in ${origin.valuesFiles.join(', ')}` : '';
    refused.push({
      change: c,
      reason: `rendered by ${chart}: change the chart value that produces it${hint ? ` (likely \`${hint}\`${where})` : where} to ${JSON.stringify(c.live)}; not written because the mapping is ambiguous (${inferred})`,
    });
  }
  explanation.push(`${diff.ref.kind} ${diff.ref.name} is rendered by ${chart}; only fields that map to one chart value unambiguously are written.`);
}

