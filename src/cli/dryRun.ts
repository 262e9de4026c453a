// `sync|resume|reconcile --dry-run`: prints what the controller would change right after the action (the impact
// preview: fields reverted with who set them live, objects created and pruned, live-only edits lost), computed from
// the repository's desired state and the cluster. Nothing is sent to the cluster.
import path from 'node:path';
import type { CliIo } from './cli';
import { contextsOf, engineFor } from './cli';
import { GitOpsError, refKey, type ObjectRef } from '../core/model';
import { previewImpact, type ImpactAction, type ImpactPreview } from '../core/forecast/impactPreview';
import type { AppDrift } from '../core/engine/driftTypes';

export interface DryRunInput {
  cmd: 'sync' | 'resume' | 'reconcile';
  /** The resolved app object (Argo Application / Flux Kustomization). */
  ref: ObjectRef;
  values: { repo?: string; kubeconfig?: string; context?: string[]; output?: string; prune?: boolean };
  resources?: ObjectRef[];
}

/** The app whose live object is `ref`, from a drift computation of the repository in that context. */
export function findAppDrift(apps: AppDrift[], ref: ObjectRef): AppDrift | undefined {
  const key = refKey(ref);
  return (
    apps.find((a) => a.liveApp && refKey({ group: ref.group, kind: a.liveApp.kind, namespace: a.liveApp.metadata.namespace ?? '', name: a.liveApp.metadata.name ?? '' }) === key) ??
    apps.find((a) => a.app.name === ref.name && (!a.app.namespace || a.app.namespace === ref.namespace))
  );
}

export function actionOf(input: Pick<DryRunInput, 'cmd' | 'values'>): ImpactAction {
  if (input.cmd === 'sync') return input.values.prune ? 'sync-prune' : 'sync';
  return input.cmd;
}

/** Text (or JSON with `-o json`) of a preview. */
export function formatPreview(app: string, action: ImpactAction, p: ImpactPreview, json: boolean): string {
  if (json) {
    return (
      JSON.stringify(
        {
          app,
          action,
          applied: false,
          summary: p.summary,
          changes: p.items.map((i) => ({ change: i.kind, ...i.ref, ...(i.change ? { path: i.change.path, desired: i.change.desired, live: i.change.live, manager: i.change.manager, time: i.change.time } : {}) })),
          captureFirst: p.reverts,
        },
        null,
        2,
      ) + '\n'
    );
  }
  const verb = { sync: 'sync', 'sync-prune': 'sync with prune', resume: 'resume', reconcile: 'reconcile', 'breakglass-end': 'end breakglass' }[action];
  const capture = p.reverts.length ? [`capture these first: ${p.reverts.map((r) => `${r.ref.kind} ${r.ref.namespace}/${r.ref.name} (${r.paths.join(', ')})`).join('; ')}`] : [];
  return [`${app}: ${verb} — ${p.summary}`, ...p.lines.map((l) => `  ${l}`), ...capture, 'nothing was applied (--dry-run)'].join('\n') + '\n';
}

/** Computes and prints the preview; exit code 0 (nothing applied), 2 when the app's desired state is not here. */
export async function dryRun(input: DryRunInput, io: CliIo): Promise<number> {
  const [context] = contextsOf(input.values, io);
  const engine = engineFor(input.values, io);
  const snap = await engine.compute([context]);
  const cluster = snap.clusters.find((c) => c.context === context);
  if (cluster?.error) throw cluster.error;
  const drift = findAppDrift(cluster?.apps ?? [], input.ref);
  if (!drift) {
    const dir = path.resolve(io.cwd, input.values.repo ?? '.');
    throw new GitOpsError('notFound', `${input.ref.namespace}/${input.ref.name} is not an app of the repository at ${dir}: the preview needs its desired state (pass --repo)`);
  }
  for (const e of drift.errors) io.err(`warning: ${drift.app.name}: ${e.message}\n`);
  const action = actionOf(input);
  const p = previewImpact({ action, drift, resources: input.resources });
  io.out(formatPreview(drift.app.name, action, p, input.values.output === 'json'));
  return drift.errors.length ? 2 : 0;
}

/** `--resource GROUP/KIND/NAMESPACE/NAME` (empty group for core). */
export function parseResourceRef(r: string): ObjectRef {
  const [group, kind, namespace, name] = r.split('/');
  if (!kind || !name) throw new GitOpsError('invalid', `--resource ${r}: use GROUP/KIND/NAMESPACE/NAME (empty group for core)`);
  return { group, kind, namespace, name };
}
