// Lookup of the latest drift snapshot by source file and by resource, shared by decorations, hover, CodeLens
// and commands. Built once per snapshot frame, then patched app by app (snapshotChanges.ts): one watch event
// touches the entries of the app it changed, not the 20,000 others.
import type { AppDrift, DriftSnapshot } from '../core/engine/driftTypes';
import type { ObjectRef, ResourceDiff } from '../core/model';
import { refKey } from '../core/model';
import type { AppChange } from './snapshotChanges';

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

const before = (a: Entry, b: Entry) => a.ord - b.ord || a.pos - b.pos;

function insertSorted(list: Entry[], e: Entry): void {
  let i = list.length;
  while (i > 0 && before(e, list[i - 1]) < 0) i--;
  list.splice(i, 0, e);
}

export class DriftIndex {
  private byFile = new Map<string, Entry[]>();
  private byKey = new Map<string, Entry>();
  /** Per context and ref, the entries of every app that has it, in snapshot order (`appId: '*'` takes the first). */
  private byRef = new Map<string, Entry[]>();
  private apps = new Map<string, AppEntries>();
  private drifted = 0;
  private flat?: IndexedResource[];
  private _snapshot?: DriftSnapshot;
  /** Bumped by every patch: caches derived from the index compare it. */
  version = 0;

  constructor(snapshot?: DriftSnapshot) {
    this._snapshot = snapshot;
    let ord = 0;
    for (const c of snapshot?.clusters ?? []) for (const drift of c.apps) this.add(c.context, drift, ord++);
  }

  get snapshot(): DriftSnapshot | undefined {
    return this._snapshot;
  }

  /**
   * Takes the next snapshot of the same frame (the same clusters and apps in the same order; else build a new
   * index) where only `changes` differ: their entries are replaced, everything else stays.
   */
  patch(snapshot: DriftSnapshot | undefined, changes: readonly AppChange[]): void {
    this._snapshot = snapshot;
    if (!changes.length) return;
    this.version++;
    this.flat = undefined;
    for (const ch of changes) {
      const old = this.apps.get(`${ch.context}\u0000${ch.before.app.id}`);
      if (!old) throw new Error(`drift index: ${ch.before.app.id} in ${ch.context} is not indexed`);
      this.remove(old);
      this.add(ch.context, ch.after, old.ord);
    }
  }

  private add(context: string, drift: AppDrift, ord: number): void {
    const appKey = `${context}\u0000${drift.app.id}`;
    const entries: AppEntries = { context, drift, ord, all: [], unique: new Map(), drifted: 0 };
    drift.resources.forEach((diff, pos) => {
      const rk = refKey(diff.ref);
      const e: Entry = { context, drift, diff, ord, pos, key: rk };
      entries.all.push(e);
      entries.unique.set(rk, e);
      this.byKey.set(`${appKey}\u0000${rk}`, e);
      const refId = `${context}\u0000${rk}`;
      const list = this.byRef.get(refId);
      if (!list) this.byRef.set(refId, [e]);
      else if (!list.some((x) => x.drift === drift)) insertSorted(list, e);
      if (diff.source) {
        const files = this.byFile.get(diff.source.file);
        if (!files) this.byFile.set(diff.source.file, [e]);
        else insertSorted(files, e);
      }
    });
    for (const e of entries.unique.values()) if (e.diff.status !== 'Synced') entries.drifted++;
    this.drifted += entries.drifted;
    // A patched app is set again under its key: it keeps its place in the Map's (snapshot) order.
    this.apps.set(appKey, entries);
  }

  private remove(a: AppEntries): void {
    const appKey = `${a.context}\u0000${a.drift.app.id}`;
    for (const e of a.all) {
      this.byKey.delete(`${appKey}\u0000${e.key}`);
      const refId = `${a.context}\u0000${e.key}`;
      const list = this.byRef.get(refId);
      if (list) {
        const rest = list.filter((x) => x.drift !== a.drift);
        if (rest.length) this.byRef.set(refId, rest);
        else this.byRef.delete(refId);
      }
      if (e.diff.source) {
        const files = this.byFile.get(e.diff.source.file);
        if (files) {
          const rest = files.filter((x) => x !== e);
          if (rest.length) this.byFile.set(e.diff.source.file, rest);
          else this.byFile.delete(e.diff.source.file);
        }
      }
    }
    this.drifted -= a.drifted;
  }

  forFile(file: string): readonly IndexedResource[] {
    return this.byFile.get(file) ?? [];
  }

  /** The resources of one app (one per ref), in order. */
  appResources(context: string, appId: string): readonly IndexedResource[] {
    const a = this.apps.get(`${context}\u0000${appId}`);
    return a ? [...a.unique.values()] : [];
  }

  /** `appId: '*'` finds the resource in whichever app has it; a named app must still have it (no guessing). */
  resource(loc: ResourceLocator): IndexedResource | undefined {
    if (loc.appId === '*') return this.byRef.get(`${loc.context}\u0000${refKey(loc.ref)}`)?.[0];
    return this.byKey.get(`${loc.context}\u0000${loc.appId}\u0000${refKey(loc.ref)}`);
  }

  app(context: string, appId: string): { context: string; drift: AppDrift } | undefined {
    const a = this.apps.get(`${context}\u0000${appId}`);
    return a && { context: a.context, drift: a.drift };
  }

  allApps(): { context: string; drift: AppDrift }[] {
    return [...this.apps.values()].map((a) => ({ context: a.context, drift: a.drift }));
  }

  /** One entry per app and resource, in snapshot order. */
  allResources(): readonly IndexedResource[] {
    if (!this.flat) {
      const out: IndexedResource[] = [];
      for (const a of this.apps.values()) for (const e of a.unique.values()) out.push(e);
      this.flat = out;
    }
    return this.flat;
  }

  driftedCount(): number {
    return this.drifted;
  }
}
