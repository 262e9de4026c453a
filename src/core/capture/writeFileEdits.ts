// Writes planned edits to the working tree without git (capture without --commit); all-or-nothing.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitOpsError } from '../model';
import { throwIfAborted } from '../ports';
import type { FileEdit } from './captureTypes';

/** Refuses when a file changed since planning; restores every file already written if a later write fails. */
export async function writeFileEdits(edits: FileEdit[], signal?: AbortSignal): Promise<void> {
  for (const e of edits) {
    throwIfAborted(signal);
    const now = await readFile(e.file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (now !== e.before) throw new GitOpsError('conflict', `${e.file} changed since the capture was planned; plan it again`, { file: e.file });
  }
  const done: FileEdit[] = [];
  try {
    for (const e of edits) {
      await mkdir(path.dirname(e.file), { recursive: true });
      done.push(e);
      await writeFile(e.file, e.after);
    }
  } catch (err) {
    for (const e of done) await (e.before === undefined ? rm(e.file, { force: true }) : writeFile(e.file, e.before)).catch(() => undefined);
    throw new GitOpsError('internal', `Writing the capture failed; files restored: ${(err as Error).message}`, { cause: err });
  }
}
