// Impact preview (issue 15): before Sync, Resume auto-sync, Resume (Flux), Reconcile and End Breakglass, what the
// controller will change once the action is done — fields reverted (with who set them live and when), objects
// created, objects pruned, live-only human edits lost. It is the revert forecast of the app as it will be right
// after the action (auto-sync back on, suspend off, …): nothing is applied or sent.
import type { AppDrift } from '../engine/driftTypes';
import { appStateOf } from '../engine/appState';
import { parseBreakglass } from '../control/breakglass';
import { rememberedAutomated } from '../control/argo-pause';
import { BREAKGLASS_ANNOTATION, BREAKGLASS_FIELD_MANAGER, PAUSED_AUTOMATED_ANNOTATION, PAUSED_BY_ANNOTATION } from '../control/constants';
import { isHumanManager } from '../capture/preselect';
import type { FieldChange, KubeObject, ObjectRef } from '../model';
import { refKey } from '../model';
import { forecastChange, forecastResource, type ForecastApp } from './revertForecast';

export type ImpactAction = 'sync' | 'sync-prune' | 'resume' | 'reconcile' | 'breakglass-end';

export interface ImpactItem {
  kind: 'revert' | 'create' | 'prune' | 'lose';
  ref: ObjectRef;
  /** The field, for revert / lose. */
  change?: FieldChange;
}

export interface ImpactPreview {
  /** One line, e.g. "reverts 2 fields, prunes 1 object, loses 1 live-only edit". */
  summary: string;
  /** One line per object or field. */
  lines: string[];
  /** Human live edits the action undoes (reverted or lost): what "Capture these first" offers. */
  reverts: { ref: ObjectRef; paths: string[] }[];
  items: ImpactItem[];
}

export interface ImpactInput {
  action: ImpactAction;
  /** The app as last computed (its live object, state and resource diffs). */
  drift: Pick<AppDrift, 'app' | 'liveApp' | 'state' | 'resources'>;
  /** Selective sync: only these resources. */
  resources?: ObjectRef[];
  /** Extra field managers counted as human (gitopsDrift.humanFieldManagers). */
  humanManagers?: readonly string[];
  now?: Date;
}

type Json = Record<string, any>;

/** The live app object as it will be once `action` is done (pure). */
export function appAfter(action: ImpactAction, liveApp: KubeObject | undefined, opts: { prune?: boolean } = {}): KubeObject | undefined {
  if (!liveApp) return undefined;
  const o = structuredClone(liveApp) as KubeObject & { spec?: Json };
  const annotations = { ...(o.metadata.annotations ?? {}) };
  const argo = o.apiVersion?.startsWith('argoproj.io/');
  const record = parseBreakglass(liveApp);
  o.spec = { ...(o.spec ?? {}) };
  if (action === 'sync' || action === 'sync-prune') {
    // A sync applies Git now, whatever the policy: as if self-heal ran, with the sync's own prune option.
    o.spec.syncPolicy = { ...(o.spec.syncPolicy ?? {}), automated: { selfHeal: true, prune: action === 'sync-prune' || !!opts.prune } };
    delete annotations['argocd.argoproj.io/skip-reconcile'];
  } else if (argo) {
    const previous = action === 'breakglass-end' ? record?.previous.automated : (rememberedAutomated(liveApp) ?? o.spec.syncPolicy?.automated);
    const automated = previous ? { ...previous } : undefined;
    if (automated) delete automated.enabled;
    o.spec.syncPolicy = { ...(o.spec.syncPolicy ?? {}), automated: automated ?? null };
  } else {
    o.spec.suspend = action === 'breakglass-end' ? record?.previous.suspend === true : false;
    if (action === 'reconcile') o.spec.suspend = liveApp.spec && (liveApp.spec as Json).suspend === true;
  }
  if (action === 'breakglass-end' || action === 'resume') {
    delete annotations[BREAKGLASS_ANNOTATION];
    delete annotations[PAUSED_AUTOMATED_ANNOTATION];
    delete annotations[PAUSED_BY_ANNOTATION];
  }
  o.metadata = { ...o.metadata, annotations };
  return o;
}

const refText = (r: ObjectRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function valueText(v: unknown): string {
  if (v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function who(c: FieldChange): string {
  return c.manager ? ` (set live by ${c.manager}${c.time ? ` at ${c.time}` : ''})` : '';
}

/** What the controller will change right after the action; nothing is applied. */
export function previewImpact(input: ImpactInput): ImpactPreview {
  const now = input.now ?? new Date();
  const { drift, action } = input;
  const liveAfter = appAfter(action, drift.liveApp);
  const after: ForecastApp = { app: drift.app, liveApp: liveAfter, state: appStateOf(liveAfter, now) };
  const selected = input.resources?.length ? new Set(input.resources.map(refKey)) : undefined;
  // "Now" means at the reconcile the action triggers: a sync or reconcile runs at once, a resume at the next reconcile.
  const happens = (when: string) => when === 'next-reconcile' || when === 'pruned';
  const items: ImpactItem[] = [];
  for (const d of drift.resources) {
    if (selected && !selected.has(refKey(d.ref))) continue;
    if (d.status === 'MissingLive' || d.status === 'ExtraLive') {
      const f = forecastResource(after, d, now);
      if (f && happens(f.when)) items.push({ kind: d.status === 'MissingLive' ? 'create' : 'prune', ref: d.ref });
      continue;
    }
    if (d.status !== 'Modified') continue;
    for (const c of d.changes) {
      const f = forecastChange(after, d, c, now);
      if (happens(f.when)) items.push({ kind: c.category === 'live-only' ? 'lose' : 'revert', ref: d.ref, change: c });
    }
  }
  const lines = items.map((it) => {
    const c = it.change;
    switch (it.kind) {
      case 'revert':
        return `revert  ${refText(it.ref)} ${c!.path}: ${valueText(c!.live)} -> ${valueText(c!.desired)}${who(c!)}`;
      case 'lose':
        return `lose    ${refText(it.ref)} ${c!.path}: ${valueText(c!.live)}${c!.manager ? ` (added live by ${c!.manager}${c!.time ? ` at ${c!.time}` : ''}, not in Git)` : ' (not in Git)'}`;
      case 'create':
        return `create  ${refText(it.ref)}`;
      case 'prune':
        return `prune   ${refText(it.ref)}`;
    }
  });
  const count = (k: ImpactItem['kind']) => items.filter((i) => i.kind === k).length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    count('revert') && `reverts ${plural(count('revert'), 'field', 'fields')}`,
    count('create') && `creates ${plural(count('create'), 'object', 'objects')}`,
    count('prune') && `prunes ${plural(count('prune'), 'object', 'objects')}`,
    count('lose') && `loses ${plural(count('lose'), 'live-only edit', 'live-only edits')}`,
  ].filter(Boolean) as string[];
  const byRef = new Map<string, { ref: ObjectRef; paths: string[] }>();
  for (const it of items) {
    if (!it.change || !isHumanManager(it.change.manager, [BREAKGLASS_FIELD_MANAGER, ...(input.humanManagers ?? [])])) continue;
    const k = refKey(it.ref);
    const e = byRef.get(k) ?? { ref: it.ref, paths: [] };
    e.paths.push(it.change.path);
    byRef.set(k, e);
  }
  return { summary: parts.length ? parts.join(', ') : 'nothing in the cluster changes', lines, reverts: [...byRef.values()], items };
}
