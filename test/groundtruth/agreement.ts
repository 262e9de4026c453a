// The ground-truth run (issue 13 items 3-4): apply the corpus to a real kube-apiserver as the GitOps controllers do
// (server-side apply, field manager argocd-controller / kustomize-controller, force), diff Git vs live offline, make
// human and controller edits, and compare the offline verdict, changed paths and attributed manager with what the
// server itself says an apply of the Git object would change (a server-side dry-run apply by the controller's
// field manager, compared with live; and `kubectl diff --server-side`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/core/model';
import { groupOf } from '../../src/core/model';
import { diffResource, type ResourceDiffEx } from '../../src/core/diff';
import { diffValues } from '../../src/core/diff/changes';
import { normalizeObject } from '../../src/core/diff/normalize';
import { mapWithConcurrency } from '../../src/core/kube/concurrency';
import { APPLY_PATCH, KubeApiError, KubeRest } from '../emulator/controllers/kube-rest';
import { collectCorpus, type CorpusObject } from './corpus';
import { EDIT_NS, EDITS, editTarget, kubectl } from './edits';
import { GEN_NS } from './generated';

export interface Disagreement {
  what: string;
  offline: string[];
  truth: string[];
  note?: string;
}

export interface AgreementReport {
  corpus: number;
  /** Objects the server took (the rest: kind not served, or rejected by validation: counted with reasons). */
  applied: number;
  notApplied: Record<string, number>;
  edits: number;
  /** Edits after which the server says the controller's next apply changes something (the rest: edits it keeps). */
  editsReverted: number;
  /** Comparisons: every applied object right after the apply, and every edited object after its edit. */
  compared: number;
  verdictAgree: number;
  pathAgree: number;
  attributionAgree: number;
  attributionTotal: number;
  /** Offline says drift where the server says an apply changes nothing. */
  noise: number;
  /** The server says an apply changes something where offline says Synced. */
  missed: number;
  /** `kubectl diff --server-side` agrees with the dry-run apply (edited objects). */
  kubectlDiffAgree: number;
  disagreements: Disagreement[];
  ms: { render: number; apply: number; compare: number; edits: number };
}

const SETUP_MANAGER = 'gt-setup';

function stripForApply(o: KubeObject): KubeObject {
  const { status: _s, ...rest } = o as KubeObject & { status?: unknown };
  const { resourceVersion: _r, uid: _u, managedFields: _m, creationTimestamp: _c, generation: _g, selfLink: _l, ...metadata } = o.metadata as Record<string, unknown>;
  return { ...rest, metadata } as KubeObject;
}

/** The paths an apply would change: dry-run result vs live, both from the server, under the display normalization. */
function truthPaths(dryRun: KubeObject, live: KubeObject): string[] {
  const group = groupOf(live.apiVersion ?? '');
  return diffValues(normalizeObject(dryRun), normalizeObject(live), { group, kind: live.kind }).map((c) => c.path);
}

function offlinePaths(d: ResourceDiffEx): string[] {
  return d.changes.filter((c) => c.category !== 'live-only').map((c) => c.path);
}

const show = (v: unknown) => (v === undefined ? '∅' : JSON.stringify(v).slice(0, 60));

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** The managers whose managedFields entries an edit added or changed. */
function editManagers(before: KubeObject, after: KubeObject, controller: string): string[] {
  const key = (e: Record<string, unknown>) => `${e.manager}\u0000${e.operation}\u0000${e.subresource ?? ''}`;
  const old = new Map((before.metadata.managedFields ?? []).map((e) => [key(e as Record<string, unknown>), JSON.stringify(e.fieldsV1)]));
  return [
    ...new Set(
      (after.metadata.managedFields ?? [])
        .filter((e) => old.get(key(e as Record<string, unknown>)) !== JSON.stringify(e.fieldsV1))
        .map((e) => e.manager ?? '')
        .filter((m) => m !== controller),
    ),
  ];
}

export interface RunOptions {
  kubeconfigPath: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function runGroundTruth(opts: RunOptions): Promise<AgreementReport> {
  const log = opts.log ?? (() => undefined);
  const rest = await KubeRest.fromKubeconfig(opts.kubeconfigPath);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-'));
  const t0 = Date.now();
  const corpus = await collectCorpus(opts.signal);
  const generated = corpus.objects.filter((c) => c.origin === 'generated').map((c) => c.object);
  const editObjects: CorpusObject[] = EDITS.map((e) => {
    const base = corpus.objects.find((c) => c.origin === 'generated' && c.object.kind === e.base.kind && c.object.metadata.name === e.base.name)!;
    return { origin: 'generated', from: `edit ${e.id}`, object: editTarget(e, generated), manager: base.manager };
  });
  const all = [...corpus.objects, ...editObjects];
  const tRender = Date.now() - t0;

  // --- apply: CRDs of the repositories first, then namespaces, then everything else, as the controllers would.
  const t1 = Date.now();
  const notApplied: Record<string, number> = {};
  const skip = (why: string) => (notApplied[why] = (notApplied[why] ?? 0) + 1);
  const applyOne = async (c: CorpusObject, dryRun = false): Promise<KubeObject> => {
    const p = await rest.objectPath(c.object);
    return rest.call('PATCH', p, { body: stripForApply(c.object), contentType: APPLY_PATCH, query: { fieldManager: c.manager, force: 'true', ...(dryRun ? { dryRun: 'All' } : {}) } });
  };
  const crds = all.filter((c) => c.object.kind === 'CustomResourceDefinition');
  const applied: { c: CorpusObject; live: KubeObject }[] = [];
  const tryApply = async (c: CorpusObject) => {
    try {
      const info = await rest.resource(c.object.apiVersion ?? '', c.object.kind ?? '');
      if (!info) return skip(`kind not served (${c.object.apiVersion} ${c.object.kind})`);
      if (!info.namespaced) delete c.object.metadata.namespace;
      else c.object.metadata.namespace ??= 'default';
      applied.push({ c, live: await applyOne(c) });
    } catch (e) {
      const body = e instanceof KubeApiError ? (e.body as { reason?: string; message?: string }) : undefined;
      const why = (body?.reason || body?.message || '').replace(/\s+/g, ' ').replace(/\(.*?; /, '(').slice(0, 70);
      skip(e instanceof KubeApiError ? `rejected by the server (${e.status} ${c.object.kind}: ${why})` : `error: ${(e as Error).message.slice(0, 80)}`);
    }
  };
  for (const c of crds) await tryApply(c);
  for (const c of crds.filter((x) => applied.some((a) => a.c === x))) await waitEstablished(rest, c.object);
  const namespaces = new Set<string>([GEN_NS, EDIT_NS]);
  for (const c of all) if (c.object.metadata?.namespace) namespaces.add(c.object.metadata.namespace);
  for (const ns of namespaces) {
    await rest.call('PATCH', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, contentType: APPLY_PATCH, query: { fieldManager: SETUP_MANAGER, force: 'true' } });
    // what the serviceaccount controller would make (Pods need it; the test server runs no controllers)
    await rest.call('PATCH', `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/default`, { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }, contentType: APPLY_PATCH, query: { fieldManager: SETUP_MANAGER, force: 'true' } });
  }
  const rest0 = all.filter((c) => c.object.kind !== 'CustomResourceDefinition');
  await mapWithConcurrency(rest0.filter((c) => c.object.kind === 'Namespace'), 4, tryApply, opts.signal);
  await mapWithConcurrency(rest0.filter((c) => c.object.kind !== 'Namespace'), 6, tryApply, opts.signal);
  const tApply = Date.now() - t1;
  log(`applied ${applied.length} of ${all.length} objects (${tApply} ms)`);

  // --- compare right after the apply (noise), then after each edit.
  const report: AgreementReport = {
    corpus: corpus.objects.length,
    applied: applied.length,
    notApplied,
    edits: 0,
    editsReverted: 0,
    compared: 0,
    verdictAgree: 0,
    pathAgree: 0,
    attributionAgree: 0,
    attributionTotal: 0,
    noise: 0,
    missed: 0,
    kubectlDiffAgree: 0,
    disagreements: [],
    ms: { render: tRender, apply: tApply, compare: 0, edits: 0 },
  };
  const compare = async (c: CorpusObject, what: string, expectManagers?: string[]): Promise<{ truth: string[]; offline: string[] }> => {
    const live = await rest.call('GET', await rest.objectPath(c.object));
    const dry = await applyOne(c, true);
    const truth = truthPaths(dry, live);
    const d = diffResource(c.object, live, { manager: c.manager });
    const offline = offlinePaths(d);
    report.compared++;
    const verdictOk = truth.length > 0 === offline.length > 0 && d.status !== 'Unknown';
    if (verdictOk) report.verdictAgree++;
    else if (offline.length > 0) report.noise++;
    else report.missed++;
    const pathsOk = sameSet(truth, offline);
    if (pathsOk) report.pathAgree++;
    let note: string | undefined;
    if (expectManagers) {
      for (const ch of d.changes) {
        if (ch.category === 'live-only' || ch.category === 'missing' || !truth.includes(ch.path)) continue;
        report.attributionTotal++;
        if (ch.manager && expectManagers.includes(ch.manager)) report.attributionAgree++;
        else note = `${ch.path} attributed to ${ch.manager ?? 'nobody'}, edit made by ${expectManagers.join(', ')}`;
      }
    }
    const detail = d.changes.filter((ch) => ch.category !== 'live-only').map((ch) => `${ch.category} ${ch.path} (git ${show(ch.desired)}, live ${show(ch.live)})`);
    if (!verdictOk || !pathsOk || note) report.disagreements.push({ what, offline: d.status === 'Unknown' ? [`Unknown: ${d.reason}`] : detail, truth, note });
    return { truth, offline };
  };
  const t2 = Date.now();
  await mapWithConcurrency(applied, 6, async ({ c }) => void (await compare(c, `${c.from}: ${c.object.kind} ${c.object.metadata.namespace ?? ''}/${c.object.metadata.name}`)), opts.signal);

  // --- edits, one per object copy, then the same comparison with attribution, and kubectl diff --server-side.
  const t3 = Date.now();
  const ctx = { kubeconfigPath: opts.kubeconfigPath, dir, client };
  for (const [i, e] of EDITS.entries()) {
    const c = editObjects[i];
    if (!applied.some((a) => a.c === c)) continue;
    const before = await rest.call('GET', await rest.objectPath(c.object));
    try {
      await e.run(ctx, before);
    } catch (err) {
      report.disagreements.push({ what: `edit ${e.id}`, offline: [], truth: [], note: `the edit itself failed: ${(err as Error).message}` });
      continue;
    }
    report.edits++;
    const after = await rest.call('GET', await rest.objectPath(c.object));
    const { truth } = await compare(c, `edit ${e.id} (${c.object.kind})`, editManagers(before, after, c.manager));
    if (truth.length > 0) report.editsReverted++;
    const file = path.join(dir, `${e.id}.yaml`);
    fs.writeFileSync(file, stringify(stripForApply(c.object)));
    const kd = await kubectl(ctx, ['diff', '--server-side', `--field-manager=${c.manager}`, '--force-conflicts', '-f', file]);
    if (kd.code > 1) report.disagreements.push({ what: `kubectl diff for edit ${e.id}`, offline: [], truth, note: kd.stderr.trim().slice(0, 200) });
    else if ((kd.code === 1) === truth.length > 0) report.kubectlDiffAgree++;
    else report.disagreements.push({ what: `kubectl diff --server-side for edit ${e.id}`, offline: [`exit ${kd.code}`], truth, note: 'kubectl diff and the dry-run apply disagree' });
  }
  report.ms.compare = t3 - t2;
  report.ms.edits = Date.now() - t3;
  fs.rmSync(dir, { recursive: true, force: true });
  return report;
}

async function waitEstablished(rest: KubeRest, crd: KubeObject): Promise<void> {
  const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served?: boolean }[] };
  const v = spec.versions.find((x) => x.served !== false)?.name;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await rest.resource(`${spec.group}/${v}`, spec.names.kind)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The table the suite and `npm run bench` print. */
export function formatReport(r: AgreementReport): string {
  const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
  const rows: [string, string][] = [
    ['objects (corpus / applied)', `${r.corpus} / ${r.applied}`],
    ['edits (reverted by the next apply / kept)', `${r.edits} (${r.editsReverted} / ${r.edits - r.editsReverted})`],
    ['comparisons', String(r.compared)],
    ['verdict agreement', `${r.verdictAgree}/${r.compared} (${pct(r.verdictAgree, r.compared)})`],
    ['path agreement', `${r.pathAgree}/${r.compared} (${pct(r.pathAgree, r.compared)})`],
    ['attribution agreement', `${r.attributionAgree}/${r.attributionTotal} (${pct(r.attributionAgree, r.attributionTotal)})`],
    ['noise (offline drift, server: none)', String(r.noise)],
    ['missed (server: drift, offline: none)', String(r.missed)],
    ['kubectl diff --server-side agrees', `${r.kubectlDiffAgree}/${r.edits}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = ['ground truth vs offline diff (real kube-apiserver)', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  const skipped = Object.entries(r.notApplied).sort(([, a], [, b]) => b - a);
  if (skipped.length) lines.push(`  not applied: ${skipped.map(([k, n]) => `${n} ${k}`).join('; ')}`);
  lines.push(`  time: render ${r.ms.render} ms, apply ${r.ms.apply} ms, compare ${r.ms.compare} ms, edits ${r.ms.edits} ms`);
  return lines.join('\n');
}
