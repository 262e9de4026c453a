// managedFields entries ⇄ per-manager field sets, keyed the way the apiserver keys them, and written back sorted.
import type { ManagedFieldsEntry } from '../types';
import { FieldSet, type FieldPath } from './fieldSet';

export interface ManagerState {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** BuildManagerIdentifier: manager+operation+subresource, plus apiVersion for Update (appliers keep one entry). */
export function managerId(m: { manager?: string; operation?: string; apiVersion?: string; subresource?: string }): string {
  return JSON.stringify([m.manager ?? '', m.operation ?? '', m.operation === 'Apply' ? '' : (m.apiVersion ?? ''), m.subresource ?? '']);
}

export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Map<string, ManagerState> {
  const out = new Map<string, ManagerState>();
  for (const e of entries ?? []) {
    const state: ManagerState = {
      manager: e.manager ?? '',
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    const id = managerId(state);
    const prev = out.get(id);
    if (prev) prev.set = prev.set.union(state.set);
    else out.set(id, state);
  }
  return out;
}

/** Non-empty entries in the apiserver's order: operation (Apply first), time, manager, apiVersion, subresource. */
export function encodeManagedFields(states: Iterable<ManagerState>): ManagedFieldsEntry[] {
  const list = [...states].filter((s) => !s.set.isEmpty());
  list.sort((p, q) => cmp(p.operation, q.operation) || cmp(seconds(p.time), seconds(q.time)) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return list.map((s) => {
    const e: ManagedFieldsEntry = { manager: s.manager, operation: s.operation, apiVersion: s.apiVersion };
    if (s.time) e.time = s.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = s.set.toFieldsV1();
    if (s.subresource) e.subresource = s.subresource;
    return e;
  });
}

function seconds(t: string | undefined): number {
  const n = t ? Date.parse(t) : NaN;
  return Number.isNaN(n) ? 0 : Math.floor(n / 1000);
}

function cmp<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A managedFields entry the engine cannot read (no HTTP status: the server answers 500, as before). */
export class ManagedFieldsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagedFieldsError';
  }
}

/** RFC 3339 at second precision in UTC, as metav1.Time serialises. */
export function formatTime(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new ManagedFieldsError(`invalid managedFields time: ${String(t)}`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Paths the field manager never tracks (stripMeta), plus what the endpoint resets: `status` everywhere but
 * the status subresource, `spec` there.
 */
export function untrackedPaths(subresource: string | undefined, statusSubresource = true): FieldPath[] {
  const meta = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
  const out: FieldPath[] = [[{ field: 'apiVersion' }], [{ field: 'kind' }], ...meta.map((m) => [{ field: 'metadata' }, { field: m }])];
  if (statusSubresource && subresource !== 'status') out.push([{ field: 'status' }]);
  if (subresource === 'status') out.push([{ field: 'spec' }]);
  return out;
}

/** The untracked paths removed, and the bare `metadata` node (stripMeta drops it as a member too). */
export function stripUntracked(set: FieldSet, subresource: string | undefined, statusSubresource = true): FieldSet {
  const s = set.withoutPrefixes(untrackedPaths(subresource, statusSubresource));
  const metadataNode = [{ field: 'metadata' }];
  return s.has(metadataNode) ? s.difference(new FieldSet([metadataNode])) : s;
}
