// Writes planned edits to the working tree all-or-nothing: every new content goes to a temporary file next to its
// target first (a full disk, a read-only file or directory fails there, before anything changed), then the
// temporary files are renamed over the targets; a failure puts back exactly the files already replaced.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, readdir, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitOpsError } from '../model';
import { throwIfAborted } from '../ports';
import type { FileEdit } from './captureTypes';

/** Edits whose new contents sit in temporary files, ready to be renamed over their targets. */
export interface PreparedEdits {
  /** Renames every temporary file over its target; on a failure undoes the renames done and throws. */
  apply(): Promise<void>;
  /** Removes the temporary files (and directories made for them) of edits not applied. */
  discard(): Promise<void>;
  /** Puts back the files `apply` replaced or created; returns the problems (naming the file), if any. */
  undo(): Promise<string[]>;
  /** Files actually written by `apply` (and not undone). */
  readonly written: readonly string[];
}

interface Item {
  edit: FileEdit;
  /** Where the content goes: the real path of an existing file (a symlink stays a symlink). */
  target: string;
  temp: string;
  mode?: number;
}

const errText = (e: unknown): string => (e as Error).message;

/** Writes each edit's new content beside its target. Throws naming the file when one cannot be written; nothing is left behind then. */
export async function prepareFileEdits(edits: readonly FileEdit[], signal?: AbortSignal): Promise<PreparedEdits> {
  const items: Item[] = [];
  const createdDirs: string[] = [];
  const cleanup = async (): Promise<void> => {
    for (const i of items) await rm(i.temp, { force: true }).catch(() => undefined);
    for (const d of createdDirs.reverse()) await removeEmptyDirs(d);
  };
  for (const edit of edits) {
    try {
      throwIfAborted(signal);
      let target = path.resolve(edit.file);
      let mode: number | undefined;
      if (edit.before !== undefined) {
        target = await realpath(target);
        // A rename would replace a read-only file: respect its protection instead.
        await access(target, constants.W_OK);
        mode = (await stat(target)).mode & 0o7777;
      } else {
        const made = await mkdir(path.dirname(target), { recursive: true });
        if (made) createdDirs.push(made);
      }
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.gitops-drift-${randomBytes(4).toString('hex')}.tmp`);
      items.push({ edit, target, temp, mode });
      await writeFile(temp, edit.after, { flag: 'wx' });
      if (mode !== undefined) await chmod(temp, mode);
    } catch (e) {
      await cleanup();
      if (signal?.aborted) throw new GitOpsError('cancelled', 'Capture cancelled; nothing was changed', { cause: e });
      throw new GitOpsError('internal', `Cannot write ${edit.file}: ${errText(e)}. Nothing was changed.`, { file: edit.file, cause: e });
    }
  }
  const applied: Item[] = [];
  const undo = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const i of applied.splice(0).reverse()) {
      try {
        if (i.edit.before === undefined) await rm(i.target, { force: true });
        else {
          const back = `${i.temp}.orig`;
          await writeFile(back, i.edit.before, { flag: 'w' });
          if (i.mode !== undefined) await chmod(back, i.mode);
          await rename(back, i.target);
        }
      } catch (e) {
        problems.push(`could not restore ${i.edit.file}: ${errText(e)}`);
      }
    }
    for (const d of [...createdDirs].reverse()) await removeEmptyDirs(d);
    return problems;
  };
  return {
    get written() {
      return applied.map((i) => i.edit.file);
    },
    async apply() {
      for (const i of items) {
        try {
          await rename(i.temp, i.target);
          applied.push(i);
        } catch (e) {
          const problems = await undo();
          await cleanup();
          const rolled = problems.length ? ` Restoring the others failed: ${problems.join('; ')}` : ' No file was changed.';
          throw new GitOpsError('internal', `Cannot write ${i.edit.file}: ${errText(e)}.${rolled}`, { file: i.edit.file, cause: e });
        }
      }
    },
    async discard() {
      const pending = items.filter((i) => !applied.includes(i));
      for (const i of pending) await rm(i.temp, { force: true }).catch(() => undefined);
      if (!applied.length) for (const d of [...createdDirs].reverse()) await removeEmptyDirs(d);
    },
    undo,
  };
}

/** Refuses when a file changed since planning; writes every file or none. */
export async function writeFileEdits(edits: FileEdit[], signal?: AbortSignal): Promise<void> {
  for (const e of edits) {
    throwIfAborted(signal);
    const now = await readFile(e.file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (now !== e.before) throw new GitOpsError('conflict', `${e.file} changed since the capture was planned; plan it again`, { file: e.file });
  }
  const prepared = await prepareFileEdits(edits, signal);
  await prepared.apply();
}

/** Removes `dir` and its subdirectories if they hold no files (rmdir refuses non-empty directories). */
async function removeEmptyDirs(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await removeEmptyDirs(path.join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}
