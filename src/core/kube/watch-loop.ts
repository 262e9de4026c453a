// The watch state machine: list, stream events, reconnect with backoff, relist when the server says 410 Gone.
import type { Readable } from 'node:stream';
import { GitOpsError, isGitOpsError, type KubeObject } from '../model';
import type { Disposable, ListResult, WatchOptions } from './types';

export interface WatchTransport {
  list(signal: AbortSignal): Promise<ListResult>;
  /** Opens a watch stream from a resourceVersion; newline-delimited JSON events. */
  stream(resourceVersion: string, signal: AbortSignal): Promise<Readable>;
  opts: WatchOptions;
}

const FATAL = new Set(['forbidden', 'notFound', 'invalid', 'cancelled']);

function isGone(e: unknown): boolean {
  return isGitOpsError(e) && e.details?.status === 410;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

type ObjectEvent = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void;

/** Handles one line of a watch stream; throws on an ERROR event (410 Gone included). */
function handleLine(line: string, onRv: (rv: string) => void, onObject: ObjectEvent): void {
  if (!line.trim()) return;
  const ev = JSON.parse(line) as { type: string; object: KubeObject & { code?: number; message?: string } };
  if (ev.type === 'ERROR') {
    const code = ev.object?.code ?? 500;
    throw new GitOpsError(code === 410 ? 'conflict' : 'unreachable', `watch error ${code}: ${ev.object?.message ?? ''}`, { status: code });
  }
  const newRv = ev.object?.metadata?.resourceVersion as string | undefined;
  if (newRv) onRv(newRv);
  if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') onObject(ev.type, ev.object);
}

/** Reads one stream to its end, handing each event and each new resourceVersion (bookmarks too) over as it comes. */
async function consume(stream: Readable, idleMs: number, onRv: (rv: string) => void, onObject: ObjectEvent): Promise<void> {
  // A half-open connection sends nothing forever; the server's own timeout (300 s) and bookmarks keep a live one busy.
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => stream.destroy(Object.assign(new Error('watch stream idle'), { code: 'ETIMEDOUT' })), idleMs);
  };
  let buf = '';
  try {
    arm();
    for await (const chunk of stream) {
      arm();
      buf += (chunk as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          handleLine(line, onRv, onObject);
        } catch (e) {
          stream.destroy();
          throw e;
        }
      }
    }
    handleLine(buf, onRv, onObject);
  } catch (e) {
    if (isGitOpsError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new GitOpsError(code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', `watch stream failed: ${(e as Error).message}`, { cause: e });
  } finally {
    if (idle) clearTimeout(idle);
  }
}

export function runWatch(t: WatchTransport): Disposable {
  const { opts } = t;
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const initial = opts.initialBackoffMs ?? 500;
  const max = opts.maxBackoffMs ?? 30_000;

  const loop = async (): Promise<void> => {
    let rv: string | undefined;
    let backoff = initial;
    // A server that answers 410 even right after a relist must not make us relist in a tight loop.
    let goneInARow = 0;
    while (!ac.signal.aborted) {
      try {
        if (rv === undefined) {
          const l = await t.list(ac.signal);
          rv = l.resourceVersion;
          opts.onEvent({ type: 'SYNC', items: l.items });
          backoff = initial;
        }
        const stream = await t.stream(rv, ac.signal);
        // The resourceVersion is kept as events arrive, so a dropped connection resumes after the last one seen.
        await consume(stream, opts.idleTimeoutMs ?? 330_000, (v) => (rv = v), (type, object) => {
          backoff = initial;
          goneInARow = 0;
          opts.onEvent({ type, object });
        });
        // A clean end is the server's watch timeout: reconnect from where we were, at once.
      } catch (e) {
        if (ac.signal.aborted) break;
        if (isGone(e)) {
          rv = undefined;
          if (++goneInARow > 1) {
            await sleep(backoff, ac.signal);
            backoff = Math.min(backoff * 2, max);
          }
          continue;
        }
        const fatal = isGitOpsError(e) && FATAL.has(e.reason);
        opts.onError?.(e as Error, !fatal);
        if (fatal) break;
        await sleep(backoff, ac.signal);
        backoff = Math.min(backoff * 2, max);
      }
    }
  };
  void loop().catch((e) => opts.onError?.(e as Error, false));
  return {
    dispose() {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      ac.abort();
    },
  };
}
