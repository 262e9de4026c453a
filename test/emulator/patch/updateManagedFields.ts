// managedFields after an Update (PUT / any non-apply PATCH / create), as the apiserver's field manager computes them.
import { groupOf, type KubeObject, type ManagedFieldsEntry } from '../types';
import { capUpdateManagers } from './capUpdateManagers';
import { clone, isObject } from '../util/json';
import { decodeManagedFields, encodeManagedFields, formatTime, managerId, stripUntracked, type ManagerState } from './managedFieldsEntries';
import { compare } from './typedWalk';
import { withZeroValue, type ListTypeResolver, type TypeContext } from './schemaInfo';

export interface UpdateOptions {
  manager: string;
  operation?: 'Update';
  /** apiVersion the client wrote with, e.g. `apps/v1`. */
  apiVersion: string;
  /** RFC 3339 time (or Date); written at second precision. */
  time: string | Date;
  subresource?: string;
  /** False for custom resources without a status subresource: then `status` is tracked like any field. */
  statusSubresource?: boolean;
  listTypes?: ListTypeResolver;
}

/**
 * New managedFields for `after` written by `opts.manager`. Changed fields (all set fields on create) move to this
 * manager's Update entry and out of every other entry; removed fields leave every entry; empty entries vanish.
 * Entries come from `after` when a main-resource write carried non-empty ones (clients may edit them), else from
 * `before`; `[{}]` resets them to none. A no-op write changes nothing.
 */
export function updateManagedFields(before: KubeObject | undefined, after: KubeObject, opts: UpdateOptions): ManagedFieldsEntry[] {
  const ctx: TypeContext = { group: groupOf(after.apiVersion ?? opts.apiVersion), kind: after.kind, listTypes: opts.listTypes };
  const sent = after.metadata?.managedFields;
  if (!opts.subresource && Array.isArray(sent) && sent.length > 0 && sent.every((e) => isObject(e) && Object.keys(e).length === 0)) return [];
  const existing = !opts.subresource && Array.isArray(sent) && sent.length > 0 ? sent : (before?.metadata?.managedFields ?? []);
  const states = decodeManagedFields(existing);
  const c = compare(ctx, withZeroValue(ctx, comparable(before ?? {})), withZeroValue(ctx, comparable(after)));
  const changed = stripUntracked(c.added.union(c.modified), opts.subresource, opts.statusSubresource);
  const removed = stripUntracked(c.removed, opts.subresource, opts.statusSubresource);
  if (changed.isEmpty() && removed.isEmpty()) return clone(existing);

  const id = managerId({ ...opts, operation: 'Update' });
  for (const [key, s] of states) {
    if (key === id) continue;
    s.set = s.set.difference(changed).difference(removed);
  }
  const mine: ManagerState = states.get(id) ?? { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource, set: changed };
  mine.set = mine.set.difference(removed).union(changed);
  // Only a write that took fields refreshes the writer's time (a pure removal does not).
  if (!changed.isEmpty()) mine.time = formatTime(opts.time);
  states.set(id, mine);
  capUpdateManagers(states);
  return encodeManagedFields(states.values());
}

/** The object as the field manager sees it: no managedFields, and template `creationTimestamp: null` dropped. */
export function comparable(obj: unknown): unknown {
  const o = clone(obj) as Record<string, unknown>;
  if (isObject(o.metadata)) delete o.metadata.managedFields;
  const dropNullTimestamps = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(dropNullTimestamps);
    else if (isObject(v)) {
      if (isObject(v.metadata) && v.metadata.creationTimestamp === null) delete v.metadata.creationTimestamp;
      Object.values(v).forEach(dropNullTimestamps);
    }
  };
  dropNullTimestamps(o);
  return o;
}
