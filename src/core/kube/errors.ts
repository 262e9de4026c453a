// Maps HTTP statuses and socket failures to GitOpsError reasons, so every caller can tell "forbidden" from "down".
import { GitOpsError } from '../model';

export interface RequestContext {
  /** Kubernetes verb, e.g. `list`, `patch`. */
  verb: string;
  /** Resource as RBAC names it, e.g. `applications.argoproj.io`. */
  resource: string;
  name?: string;
  namespace?: string;
}

function where(ctx: RequestContext): string {
  const name = ctx.name ? ` "${ctx.name}"` : '';
  const ns = ctx.namespace ? ` in namespace "${ctx.namespace}"` : '';
  return `${ctx.resource}${name}${ns}`;
}

function serverMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return undefined;
}

/** Error for a non-2xx answer from the API server. */
export function errorFromStatus(status: number, body: unknown, ctx: RequestContext): GitOpsError {
  const msg = serverMessage(body);
  const suffix = msg ? `: ${msg}` : '';
  const details = { verb: ctx.verb, resource: ctx.resource, status };
  switch (status) {
    case 401:
      return new GitOpsError('unauthorized', `Unauthorized: the cluster rejected the credentials (${ctx.verb} ${where(ctx)})${suffix}`, details);
    case 403:
      return new GitOpsError('forbidden', `Forbidden: you may not ${ctx.verb} ${where(ctx)}${suffix}`, details);
    case 404:
      return new GitOpsError('notFound', `Not found: ${where(ctx)}${suffix}`, details);
    case 409:
      return new GitOpsError('conflict', `Conflict on ${ctx.verb} ${where(ctx)}${suffix}`, details);
    case 410:
      // On a watch: its resourceVersion was compacted away; on a LIST: an expired continue token or resourceVersion.
      if (ctx.verb === 'watch') return new GitOpsError('conflict', `Gone: the watch of ${ctx.resource} is too old and must be relisted${suffix}`, details);
      return new GitOpsError('conflict', `Gone: ${ctx.verb} ${where(ctx)} expired (its resourceVersion or continue token is too old); read it again${suffix}`, details);
    case 408:
    case 504:
      return new GitOpsError('timeout', `Timed out: ${ctx.verb} ${where(ctx)}${suffix}`, details);
    case 400:
    case 415:
    case 422:
      return new GitOpsError('invalid', `Invalid request: ${ctx.verb} ${where(ctx)}${suffix}`, details);
    default:
      if (status >= 500) return new GitOpsError('unreachable', `API server error ${status}: ${ctx.verb} ${where(ctx)}${suffix}`, details);
      return new GitOpsError('internal', `Unexpected HTTP ${status}: ${ctx.verb} ${where(ctx)}${suffix}`, details);
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE']);

/** Error for a request that got no HTTP answer at all. */
export function errorFromNetwork(e: unknown, ctx: RequestContext, server: string, signal?: AbortSignal): GitOpsError {
  const err = e as NodeJS.ErrnoException;
  const details = { verb: ctx.verb, resource: ctx.resource, cause: e };
  if (signal?.aborted || err?.name === 'AbortError') return new GitOpsError('cancelled', `Cancelled: ${ctx.verb} ${where(ctx)}`, details);
  if (err?.code === 'ETIMEDOUT' || err?.name === 'TimeoutError') return new GitOpsError('timeout', `Timed out talking to ${server} (${ctx.verb} ${where(ctx)})`, details);
  if (err?.code && UNREACHABLE_CODES.has(err.code)) return new GitOpsError('unreachable', `Cannot reach the cluster at ${server} (${err.code})`, details);
  if (err?.code && /CERT|SELF_SIGNED|TLS|SSL/i.test(err.code)) {
    return new GitOpsError('unreachable', `TLS error talking to ${server}: ${err.message} (${err.code})`, details);
  }
  return new GitOpsError('unreachable', `Request to ${server} failed: ${err?.message ?? String(e)}`, details);
}
