// Caches what is derived from a file (its parsed objects, a kustomization spec) until the file changes, so
// apps sharing bases, and renders after an unrelated edit, do not read and parse the same files again.
import { promises as fs } from 'node:fs';

interface Entry<T> {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  value: T;
}

export class FileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** `maxEntries` bounds memory; the oldest entries go first. */
  constructor(private readonly maxEntries = 20000) {}

  /** The value for `file`, derived again by `derive` when its size, mtime or ctime changed. */
  async get(file: string, derive: (text: string) => T): Promise<T> {
    const st = await fs.stat(file);
    const hit = this.entries.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.size === st.size) return hit.value;
    const value = derive(await fs.readFile(file, 'utf8'));
    this.entries.delete(file);
    this.entries.set(file, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
