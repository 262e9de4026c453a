// Read-modify-write with a resourceVersion precondition: on 409 read again and retry a bounded number of times.
import { GitOpsError, isGitOpsError } from '../model';
import { throwIfAborted } from '../ports';

export async function withConflictRetry<T>(what: string, attempt: () => Promise<T>, opts: { attempts?: number; signal?: AbortSignal } = {}): Promise<T> {
  const max = opts.attempts ?? 3;
  let last: unknown;
  for (let i = 0; i < max; i++) {
    throwIfAborted(opts.signal);
    try {
      return await attempt();
    } catch (e) {
      // Only an HTTP 409 is a stale read; other conflicts (an operation already running) are answers, not races.
      if (!isGitOpsError(e) || e.reason !== 'conflict' || e.details?.status !== 409) throw e;
      last = e;
    }
  }
  throw new GitOpsError('conflict', `${what}: the object kept changing under us (${max} attempts, each with a fresh resourceVersion); try again`, { cause: last, status: 409 });
}
