// Server-side apply (application/apply-patch+yaml) with the apiserver's ownership, pruning and conflict rules.
import { groupOf, type KubeObject, type ManagedFieldsEntry } from '../types';
import { pathToString, type FieldPath } from './fieldSet';
import { clone, isObject } from '../util/json';
import { decodeManagedFields, encodeManagedFields, formatTime, managerId, stripUntracked, type ManagerState } from './managedFieldsEntries';
import { mergeApplied, removePaths } from './mergeApplied';
import { PatchError } from './patchError';
import { withZeroValue, type ListTypeResolver, type TypeContext } from './schemaInfo';
import { compare, toFieldSet } from './typedWalk';
import { capUpdateManagers } from './capUpdateManagers';
import { allowedConflictsFromLastApplied, syncLastApplied, UPGRADING_MANAGER } from './lastApplied';
import { comparable } from './updateManagedFields';

export interface ApplyOptions {
  manager: string;
  force?: boolean;
  /** Defaults to the applied object's group / kind. */
  group?: string;
  kind?: string;
  apiVersion: string;
  time: string | Date;
  subresource?: string;
  /** False for custom resources without a status subresource: then `status` is applied and tracked. */
  statusSubresource?: boolean;
  listTypes?: ListTypeResolver;
}

export interface ApplyResult {
  /** The new object, `metadata.managedFields` included. */
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

export interface ApplyConflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** As the apiserver prints it: `.spec.replicas`. */
  field: string;
  path: FieldPath;
}

/** 409 with one `FieldManagerConflict` cause per field, worded like the apiserver. */
export class ApplyConflictError extends PatchError {
  constructor(readonly conflicts: ApplyConflict[]) {
    super(409, conflictMessage(conflicts), conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`, field: c.field })));
  }
}

/**
 * Applies `applied` for `opts.manager`. Its fields become that manager's Apply set; fields it applied last time
 * and dropped now are removed unless someone else owns them; changing a field another manager owns is a conflict
 * unless `force` (which takes the field over). On the main resource `status` stays as it was.
 */
export function serverSideApply(live: KubeObject | undefined, applied: unknown, opts: ApplyOptions): ApplyResult {
  if (!isObject(applied)) throw new PatchError(400, 'apply patch must be a JSON or YAML object');
  const cfg = applied as unknown as KubeObject;
  if (isObject(cfg.metadata) && cfg.metadata.managedFields != null) throw new PatchError(400, 'metadata.managedFields must be nil');
  if (typeof cfg.apiVersion !== 'string' || typeof cfg.kind !== 'string') throw new PatchError(400, 'apply patch must set apiVersion and kind');
  const ctx: TypeContext = { group: opts.group ?? groupOf(cfg.apiVersion), kind: opts.kind ?? cfg.kind, listTypes: opts.listTypes };
  const sub = opts.subresource;

  const liveObj = (live ? comparable(live) : {}) as Record<string, unknown>;
  const config = comparable(cfg) as Record<string, unknown>;
  const merged = mergeApplied(ctx, liveObj, config) as Record<string, unknown>;

  const states = decodeManagedFields(live?.metadata?.managedFields);
  const id = managerId({ manager: opts.manager, operation: 'Apply', subresource: sub });
  const previous = states.get(id);
  const statusSub = opts.statusSubresource ?? true;
  const applySet = stripUntracked(toFieldSet(ctx, config), sub, statusSub);

  // Prune what this manager applied before and dropped now, unless anyone (this config included) still owns it.
  if (previous) {
    const others = [...states.entries()].filter(([k]) => k !== id).map(([, s]) => s.set);
    const owned = applySet.union(...others).coverage();
    const prune = previous.set.difference(applySet).toArray().filter((p) => !owned(p));
    removePaths(ctx, merged, prune);
  }
  // What the endpoint does not write comes back from live: status on the main resource, spec on /status.
  const reset = !sub && statusSub ? 'status' : sub === 'status' ? 'spec' : undefined;
  if (reset) {
    if (liveObj[reset] === undefined) delete merged[reset];
    else merged[reset] = clone(liveObj[reset]);
  }

  const c = compare(ctx, withZeroValue(ctx, liveObj), withZeroValue(ctx, merged));
  const changed = stripUntracked(c.added.union(c.modified), sub, statusSub);
  const removed = stripUntracked(c.removed, sub, statusSub);
  let conflicts: ApplyConflict[] = [];
  for (const [k, s] of states) {
    if (k === id) continue;
    for (const p of s.set.intersection(changed).toArray()) conflicts.push(conflictOf(s, p));
  }
  if (conflicts.length > 0 && !opts.force && opts.manager === UPGRADING_MANAGER) {
    const allowed = allowedConflictsFromLastApplied(ctx, liveObj);
    conflicts = conflicts.filter((c) => !allowed.has(c.path));
  }
  if (conflicts.length > 0 && !opts.force) throw new ApplyConflictError(conflicts);

  for (const [k, s] of states) if (k !== id) s.set = s.set.difference(changed).difference(removed);
  // The apiserver stamps the time only when the object changed (a no-op apply may still change ownership).
  const noop = live !== undefined && previous !== undefined && changed.isEmpty() && removed.isEmpty();
  const mine: ManagerState = { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, subresource: sub, set: applySet, time: noop ? previous.time : formatTime(opts.time) };
  states.set(id, mine);
  capUpdateManagers(states);
  const managedFields = encodeManagedFields(states.values());

  if (opts.manager === UPGRADING_MANAGER) syncLastApplied(liveObj, config, merged);
  const object = merged as unknown as KubeObject;
  object.metadata = { ...(isObject(object.metadata) ? object.metadata : {}), managedFields } as KubeObject['metadata'];
  return { object, managedFields };
}

function conflictOf(s: ManagerState, p: FieldPath): ApplyConflict {
  return { manager: s.manager, operation: s.operation, apiVersion: s.apiVersion, subresource: s.subresource, field: pathToString(p), path: p };
}

/** printManager from k8s.io/apiserver fieldmanager: Update managers carry their apiVersion. */
function printManager(c: Omit<ApplyConflict, 'field' | 'path'>): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  return c.operation === 'Update' ? `${s} using ${c.apiVersion}` : s;
}

function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0])}: ${conflicts[0].field}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(printManager(c), [...(byManager.get(printManager(c)) ?? []), c.field]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const f of byManager.get(m)!) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
