// Kubeconfig writing: one emulator = one cluster/user/context; several emulators merge into one file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import YAML from 'yaml';

export interface KubeconfigEntry {
  /** Used for the cluster, user and context names. */
  name: string;
  server: string;
  caCert: string;
  token: string;
  namespace?: string;
}

function named(e: KubeconfigEntry) {
  return {
    cluster: { name: e.name, cluster: { server: e.server, 'certificate-authority-data': Buffer.from(e.caCert).toString('base64') } },
    user: { name: e.name, user: { token: e.token } },
    context: { name: e.name, context: { cluster: e.name, user: e.name, namespace: e.namespace ?? 'default' } },
  };
}

function upsert<T extends { name: string }>(list: T[] | undefined, item: T): T[] {
  const out = (list ?? []).filter((x) => x.name !== item.name);
  out.push(item);
  return out;
}

/**
 * Adds (or replaces, by name) the entries in the kubeconfig at `path`, creating it if missing.
 * The current context becomes `currentContext`, else stays as it was, else the first entry's (so `kubectl` works at once).
 */
export function mergeKubeconfig(path: string, entries: KubeconfigEntry[], currentContext?: string): void {
  let doc: Record<string, any> = {};
  try {
    doc = (YAML.parse(readFileSync(path, 'utf8')) as Record<string, any>) ?? {};
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  doc.apiVersion = 'v1';
  doc.kind = 'Config';
  doc.preferences ??= {};
  for (const e of entries) {
    const n = named(e);
    doc.clusters = upsert(doc.clusters, n.cluster);
    doc.users = upsert(doc.users, n.user);
    doc.contexts = upsert(doc.contexts, n.context);
  }
  doc['current-context'] = currentContext ?? (doc['current-context'] || entries[0]?.name);
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename, so a reader (kubectl, a watcher in the extension) never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, YAML.stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}

/** Writes a kubeconfig holding exactly these entries (replacing any existing file). */
export function writeKubeconfig(path: string, entries: KubeconfigEntry[], currentContext?: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  mergeKubeconfig(path, entries, currentContext);
}
