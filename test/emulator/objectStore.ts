// In-memory object store: objects indexed by resource and namespace/name, one cluster-wide resourceVersion
// counter, and a bounded event history that watches resume from.
//
// Stored objects are never mutated in place: writers build a new object and `put` it, so a LIST can
// serialize the stored objects (cached JSON text) without copying them.

export type Obj = Record<string, any>;
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  /** resourceKey (`group/plural`) of the object. */
  rkey: string;
  obj: Obj;
  /** The object before this event (MODIFIED/DELETED), for selector transitions. */
  prev?: Obj;
}

interface Entry {
  obj: Obj;
  json?: string;
}

export interface StoreSnapshot {
  resourceVersion: number;
  objects: { rkey: string; object: Obj }[];
}

export type StoreListener = (e: StoreEvent) => void;

export class ObjectStore {
  private rv: number;
  private readonly data = new Map<string, Map<string, Entry>>();
  private readonly history: StoreEvent[] = [];
  /** Highest resourceVersion whose event has been dropped from history; watches from before it get 410. */
  private compactedRv: number;
  private readonly listeners = new Set<StoreListener>();

  constructor(
    private readonly historyLimit = 10000,
    startRv = 1000,
  ) {
    this.rv = startRv;
    this.compactedRv = startRv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Oldest resourceVersion a watch may still resume from. */
  get oldestResumableRv(): number {
    return this.compactedRv;
  }

  static key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  get(rkey: string, ns: string | undefined, name: string): Obj | undefined {
    return this.data.get(rkey)?.get(ObjectStore.key(ns, name))?.obj;
  }

  /** Objects of a resource (optionally one namespace), in key order like etcd, with cached JSON. */
  list(rkey: string, ns?: string): { obj: Obj; json(): string }[] {
    const m = this.data.get(rkey);
    if (!m) return [];
    const prefix = ns === undefined ? undefined : `${ns}/`;
    const keys = [...m.keys()].filter((k) => prefix === undefined || k.startsWith(prefix)).sort();
    return keys.map((k) => {
      const e = m.get(k)!;
      return {
        obj: e.obj,
        json: () => (e.json ??= JSON.stringify(e.obj)),
      };
    });
  }

  count(): number {
    let n = 0;
    for (const m of this.data.values()) n += m.size;
    return n;
  }

  /** Takes the next resourceVersion; writers stamp it on the object they then `put`. */
  nextRv(): number {
    return ++this.rv;
  }

  /** Stores an object stamped with `rv` (from `nextRv`) and emits ADDED/MODIFIED. */
  put(rkey: string, obj: Obj, rv: number): void {
    let m = this.data.get(rkey);
    if (!m) this.data.set(rkey, (m = new Map()));
    const k = ObjectStore.key(obj.metadata?.namespace, obj.metadata.name);
    const prev = m.get(k)?.obj;
    m.set(k, { obj });
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', rv, rkey, obj, prev });
  }

  /** Removes an object; the DELETED event carries its last state with a new resourceVersion. */
  remove(rkey: string, ns: string | undefined, name: string): Obj | undefined {
    const m = this.data.get(rkey);
    const k = ObjectStore.key(ns, name);
    const prev = m?.get(k)?.obj;
    if (!m || !prev) return undefined;
    m.delete(k);
    const rv = this.nextRv();
    const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', rv, rkey, obj, prev });
    return obj;
  }

  /** Events of one resource after `rv`, or 'gone' when history no longer reaches back that far. */
  eventsSince(rkey: string, rv: number): StoreEvent[] | 'gone' {
    if (rv < this.compactedRv) return 'gone';
    // History is ordered by rv: binary search the first event after rv.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo).filter((e) => e.rkey === rkey);
  }

  /** Drops all history (like etcd compaction): watches from any earlier resourceVersion get 410. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1].rv;
    }
    for (const l of this.listeners) l(e);
  }

  snapshot(): StoreSnapshot {
    const objects: StoreSnapshot['objects'] = [];
    for (const [rkey, m] of this.data) for (const e of m.values()) objects.push({ rkey, object: e.obj });
    return { resourceVersion: this.rv, objects };
  }

  /** Loads a snapshot into an empty store without emitting events. */
  load(s: StoreSnapshot): void {
    for (const { rkey, object } of s.objects) {
      let m = this.data.get(rkey);
      if (!m) this.data.set(rkey, (m = new Map()));
      m.set(ObjectStore.key(object.metadata?.namespace, object.metadata.name), { obj: object });
    }
    this.rv = Math.max(this.rv, s.resourceVersion);
    this.compactedRv = this.rv;
  }
}
