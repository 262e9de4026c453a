// Parses API discovery documents into ResourceType entries.
import type { ResourceType, TypeRef } from './types';
import { GitOpsError } from '../model';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Entries of an APIResourceList, without subresources (`deployments/scale`). */
export function parseResourceList(group: string, version: string, preferred: boolean, doc: unknown): ResourceType[] {
  const resources = ((doc as { resources?: ApiResource[] })?.resources ?? []).filter((r) => !r.name.includes('/'));
  return resources.map((r) => ({ group, version, kind: r.kind, resource: r.name, namespaced: !!r.namespaced, verbs: r.verbs ?? [], preferred }));
}

export interface GroupVersions {
  group: string;
  versions: string[];
  preferred: string;
}

/** Group/version pairs of an APIGroupList. */
export function parseGroupList(doc: unknown): GroupVersions[] {
  const groups = (doc as { groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version: string } }> })?.groups ?? [];
  return groups.map((g) => {
    const versions = (g.versions ?? []).map((v) => v.version);
    return { group: g.name, versions, preferred: g.preferredVersion?.version ?? versions[0] ?? '' };
  });
}

/**
 * Picks the entry for a group/kind: the given version, else the preferred one, else any. A version the cluster
 * does not serve falls back to the preferred one (the API server converts; e.g. Flux v2 objects on an older Flux).
 */
export function findResourceType(all: readonly ResourceType[], type: TypeRef): ResourceType {
  const matches = all.filter((r) => r.group === type.group && r.kind === type.kind);
  const hit = (type.version && matches.find((r) => r.version === type.version)) || matches.find((r) => r.preferred) || matches[0];
  if (!hit) {
    const gv = type.group ? `${type.group}/${type.version ?? '*'}` : (type.version ?? 'v1');
    throw new GitOpsError('notFound', `The cluster does not serve ${type.kind} (${gv})`, { resource: `${type.kind}.${type.group}` });
  }
  return hit;
}

/** RBAC-style name of a resource type, e.g. `applications.argoproj.io`, `pods`. */
export function rbacName(r: Pick<ResourceType, 'resource' | 'group'>): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** URL path of a collection or object. */
export function resourcePath(r: ResourceType, namespace?: string, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${r.resource}${obj}`;
}
