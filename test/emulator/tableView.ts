// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` answers (what `kubectl get` prints): server-side columns for
// common built-in kinds, a CRD's additionalPrinterColumns, Name/Age for the rest.
import type { Obj } from './objectStore';
import type { PrinterColumn, ResourceType } from './resourceTypes';

interface Column {
  name: string;
  type: string;
  format?: string;
  priority: number;
  cell(o: Obj, now: Date): unknown;
}

/** Like k8s.io/apimachinery duration.HumanDuration, which `kubectl get` shows as AGE. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(s / 3600);
  const d = Math.floor(h / 24);
  const y = Math.floor(d / 365);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  if (y < 8) return `${y}y${d % 365}d`;
  return `${y}y`;
}

const age = (o: Obj, now: Date) => (o.metadata?.creationTimestamp ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>');
const col = (name: string, cell: Column['cell'], priority = 0, type = 'string'): Column => ({ name, type, priority, cell });
const NAME: Column = { ...col('Name', (o) => o.metadata?.name), format: 'name' };
const AGE = col('Age', age);

const BUILTIN: Record<string, Column[]> = {
  'apps/Deployment': [
    NAME,
    col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`),
    col('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, 0, 'integer'),
    col('Available', (o) => o.status?.availableReplicas ?? 0, 0, 'integer'),
    AGE,
    col('Containers', (o) => (o.spec?.template?.spec?.containers ?? []).map((c: Obj) => c.name).join(','), 1),
    col('Images', (o) => (o.spec?.template?.spec?.containers ?? []).map((c: Obj) => c.image).join(','), 1),
    col('Selector', (o) => Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(','), 1),
  ],
  '/Service': [
    NAME,
    col('Type', (o) => o.spec?.type ?? 'ClusterIP'),
    col('Cluster-IP', (o) => o.spec?.clusterIP ?? '<none>'),
    col('External-IP', (o) => (o.spec?.externalIPs ?? []).join(',') || '<none>'),
    col('Port(s)', (o) => (o.spec?.ports ?? []).map((p: Obj) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>'),
    AGE,
  ],
  '/ConfigMap': [NAME, col('Data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 0, 'integer'), AGE],
  '/Secret': [NAME, col('Type', (o) => o.type ?? 'Opaque'), col('Data', (o) => Object.keys(o.data ?? {}).length, 0, 'integer'), AGE],
  '/Namespace': [NAME, col('Status', (o) => o.status?.phase ?? 'Active'), AGE],
};

/** Minimal JSONPath for printer columns: `.a.b`, `[0]`, and `[?(@.type=="Ready")]` filters. */
export function evalJsonPath(o: unknown, path: string): unknown {
  const tokens = path.replace(/^\{|\}$/g, '').match(/\.[^.[]+|\[\?\(@\.[^=]+=="[^"]*"\)\]|\[\d+\]/g) ?? [];
  let cur: unknown = o;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    const filter = /^\[\?\(@\.([^=]+)=="([^"]*)"\)\]$/.exec(t);
    if (filter) cur = Array.isArray(cur) ? cur.find((x) => (x as Obj)?.[filter[1]] === filter[2]) : undefined;
    else if (t.startsWith('[')) cur = Array.isArray(cur) ? cur[Number(t.slice(1, -1))] : undefined;
    else cur = (cur as Obj)[t.slice(1)];
  }
  return cur;
}

function crdColumns(cols: PrinterColumn[]): Column[] {
  return [
    NAME,
    ...cols.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'date' : c.type,
      priority: c.priority ?? 0,
      cell: (o: Obj, now: Date) => {
        const v = evalJsonPath(o, c.jsonPath);
        if (c.type === 'date' && typeof v === 'string') return humanDuration(now.getTime() - Date.parse(v));
        return v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : v;
      },
    })),
  ];
}

function columnsFor(t: ResourceType): Column[] {
  if (t.printerColumns?.length) return crdColumns(t.printerColumns);
  return BUILTIN[`${t.group}/${t.kind}`] ?? [NAME, AGE];
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept.split(',')[0]);
}

/** A meta.k8s.io/v1 Table of `objects`; rows carry PartialObjectMetadata unless includeObject=Object. */
export function toTable(t: ResourceType, objects: Obj[], listMeta: Obj, includeObject: string | null, now = new Date()): Obj {
  const cols = columnsFor(t);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o, now)),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
