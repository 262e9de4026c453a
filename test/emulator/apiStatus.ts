// Kubernetes `Status` failures: what kubectl and client-node parse to print their usual messages.

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Gone'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

const CODES: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  Forbidden: 403,
  Unauthorized: 401,
  Gone: 410,
  UnsupportedMediaType: 415,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  InternalError: 500,
  Timeout: 504,
  ServiceUnavailable: 503,
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** Thrown by handlers; the router turns it into a `Status` response. */
export class ApiError extends Error {
  readonly code: number;
  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = CODES[reason];
  }

  toStatus(): Record<string, unknown> {
    // Unauthorized from the real server carries reason but no details.
    const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason };
    // StatusDetails fields are omitempty: no `group: ""` for the core group.
    if (this.details) s.details = Object.fromEntries(Object.entries(this.details).filter(([, v]) => v !== '' && v !== undefined));
    s.code = this.code;
    return s;
  }
}

/** `deployments.apps "web" not found` — the resource string the real server uses in messages. */
export function qualifiedResource(t: { group: string; plural: string }): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function notFound(t: { group: string; plural: string }, name: string): ApiError {
  return new ApiError('NotFound', `${qualifiedResource(t)} "${name}" not found`, { name, group: t.group, kind: t.plural });
}

export function alreadyExists(t: { group: string; plural: string }, name: string): ApiError {
  return new ApiError('AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, { name, group: t.group, kind: t.plural });
}

export function staleConflict(t: { group: string; plural: string }, name: string): ApiError {
  return new ApiError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: t.group, kind: t.plural },
  );
}

export function invalid(t: { group: string; kind: string }, name: string, causes: { field: string; message: string; reason?: string }[]): ApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const detail = causes.length > 1 ? `[${summary}]` : summary;
  return new ApiError('Invalid', `${t.kind}${t.group ? `.${t.group}` : ''} "${name}" is invalid: ${detail}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}
