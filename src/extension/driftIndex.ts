// Lookup of the latest drift snapshot by source file and by resource, shared by decorations, hover, CodeLens
// and commands. Built once per snapshot frame, then patched app by app (snapshotChanges.ts): one watch event
// touches the entries of the app it changed, not the 20,000 others.
import type { AppDrift, DriftSnapshot } from '../core/engine/driftTypes';
import type { ObjectRef, ResourceDiff } from '../core/model';
import { refKey } from '../core/model';
import type { SnapshotChanges } from './snapshotChanges';

export interface IndexedResource {
  context: string;
  drift: AppDrift;
  diff: ResourceDiff;
}

/** What command links and tree nodes pass around: JSON-safe, survives a new snapshot. */
export interface ResourceLocator {
  context: string;
  appId: string;
  ref: ObjectRef;
}

export function locatorOf(r: IndexedResource): ResourceLocator {
  return { context: r.context, appId: r.drift.app.id, ref: r.diff.ref };
}

/** An entry with its place in the snapshot (app ordinal, resource position), to keep lists in snapshot order. */
interface Entry extends IndexedResource {
  ord: number;
  pos: number;
  key: string;
}

interface AppEntries {
  context: string;
  drift: AppDrift;
  ord: number;
  /** Every resource of the app, in order (a duplicate ref included, as the file lookup shows both). */
  all: Entry[];
  /** One per ref (the last of duplicates, at the place of the first). */
  unique: Map<string, Entry>;
  drifted: number;
}

/** Apps are ordered by cluster, then by place in the cluster: a replaced cluster keeps the others' ordinals. */
const ordOf = (clusterIndex: number, appIndex: number) => clusterIndex * 0x100000 + appIndex;
const before = (a: Entry, b: Entry) => a.ord - b.ord || a.pos - b.pos;

function insertSorted(list: Entry[], e: Entry): void {
  let i = list.length;
  while (i > 0 && before(e, list[i - 1]) < 0) i--;
  list.splice(i, 0, e);
}

function without<T>(list: T[], drop: (x: T) => boolean): T[] | undefined {
  const rest = list.filter((x) => !drop(x));
  return rest.length ? rest : undefined;
}

export class DriftIndex {
  private byFile = new Map<string, Entry[]>();
  /** Per context, per ref, the entries of every app that has it, in snapshot order (`appId: '*'` takes the first). */
  private byRef = new Map<string, Map<string, Entry[]>>();
  /** Per context, per app id. */
  private apps = new Map<string, Map<string, AppEntries>>();
  private drifted = 0;
  private ordered?: AppEntries[];
  private flat?: IndexedResource[];
  private _snapshot?: DriftSnapshot;
  /** Bumped by every patch that changes something: caches derived from the index compare it. */
  version = 0;

  constructor(snapshot?: DriftSnapshot) {
    this._snapshot = snapshot;
    snapshot?.clusters.forEach((c, ci) => c.apps.forEach((drift, ai) => this.add(c.context, drift, ordOf(ci, ai))));
  }

  get snapshot(): DriftSnapshot | undefined {
    return this._snapshot;
  }

  /**
   * Takes the next snapshot of the same clusters (else build a new index) where only `changes` differ: the
   * clusters it names are indexed again, the apps it names have their entries replaced, everything else stays.
   */
  patch(snapshot: DriftSnapshot | undefined, changes: Pick<SnapshotChanges, 'clusters' | 'apps'>): void {
    const previous = this._snapshot;
    this._snapshot = snapshot;
    if (!changes.apps.length && !changes.clusters.length) return;
    this.version++;
    this.ordered = undefined;
    this.flat = undefined;
    for (const ci of changes.clusters) {
      const context = snapshot!.clusters[ci].context;
      for (const a of this.apps.get(context)?.values() ?? []) this.remove(a);
      this.apps.delete(context);
      if (previous?.clusters[ci]?.context !== context) throw new Error(`drift index: cluster ${ci} is not ${context}`);
      snapshot!.clusters[ci].apps.forEach((drift, ai) => this.add(context, drift, ordOf(ci, ai)));
    }
    for (const ch of changes.apps) {
      const old = this.apps.get(ch.context)?.get(ch.before.app.id);
      if (!old || old.drift !== ch.before) throw new Error(`drift index: ${ch.before.app.id} in ${ch.context} is not indexed as shown`);
      this.remove(old);
      this.add(ch.context, ch.after, old.ord);
    }
  }

  private add(context: string, drift: AppDrift, ord: number): void {
    let ofContext = this.apps.get(context);
    if (!ofContext) this.apps.set(context, (ofContext = new Map()));
    let refs = this.byRef.get(context);
    if (!refs) this.byRef.set(context, (refs = new Map()));
    const entries: AppEntries = { context, drift, ord, all: [], unique: new Map(), drifted: 0 };
    const resources = drift.resources;
    for (let pos = 0; pos < resources.length; pos++) {
      const diff = resources[pos];
      const key = refKey(diff.ref);
      const e: Entry = { context, drift, diff, ord, pos, key };
      entries.all.push(e);
      entries.unique.set(key, e);
      const list = refs.get(key);
      if (!list) refs.set(key, [e]);
      else if (!list.some((x) => x.drift === drift)) insertSorted(list, e);
      if (diff.source) {
        const files = this.byFile.get(diff.source.file);
        if (!files) this.byFile.set(diff.source.file, [e]);
        else insertSorted(files, e);
      }
    }
    for (const e of entries.unique.values()) if (e.diff.status !== 'Synced') entries.drifted++;
    this.drifted += entries.drifted;
    ofContext.set(drift.app.id, entries);
  }

  private remove(a: AppEntries): void {
    const refs = this.byRef.get(a.context);
    for (const e of a.all) {
      const list = refs?.get(e.key);
      if (list) {
        const rest = without(list, (x) => x.drift === a.drift);
        if (rest) refs!.set(e.key, rest);
        else refs!.delete(e.key);
      }
      if (e.diff.source) {
        const files = this.byFile.get(e.diff.source.file);
        const rest = files && without(files, (x) => x === e);
        if (rest) this.byFile.set(e.diff.source.file, rest);
        else this.byFile.delete(e.diff.source.file);
      }
    }
    this.apps.get(a.context)?.delete(a.drift.app.id);
    this.drifted -= a.drifted;
  }

  private orderedApps(): AppEntries[] {
    this.ordered ??= [...this.apps.values()].flatMap((m) => [...m.values()]).sort((x, y) => x.ord - y.ord);
    return this.ordered;
  }

  forFile(file: string): readonly IndexedResource[] {
    return this.byFile.get(file) ?? [];
  }

  /** The resources of one app (one per ref), in order. */
  appResources(context: string, appId: string): readonly IndexedResource[] {
    const a = this.apps.get(context)?.get(appId);
    return a ? [...a.unique.values()] : [];
  }

  /** `appId: '*'` finds the resource in whichever app has it; a named app must still have it (no guessing). */
  resource(loc: ResourceLocator): IndexedResource | undefined {
    if (loc.appId === '*') return this.byRef.get(loc.context)?.get(refKey(loc.ref))?.[0];
    return this.apps.get(loc.context)?.get(loc.appId)?.unique.get(refKey(loc.ref));
  }

  app(context: string, appId: string): { context: string; drift: AppDrift } | undefined {
    const a = this.apps.get(context)?.get(appId);
    return a && { context: a.context, drift: a.drift };
  }

  allApps(): { context: string; drift: AppDrift }[] {
    return this.orderedApps().map((a) => ({ context: a.context, drift: a.drift }));
  }

  /** One entry per app and resource, in snapshot order. */
  allResources(): readonly IndexedResource[] {
    if (!this.flat) {
      const out: IndexedResource[] = [];
      for (const a of this.orderedApps()) for (const e of a.unique.values()) out.push(e);
      this.flat = out;
    }
    return this.flat;
  }

  driftedCount(): number {
    return this.drifted;
  }
}
