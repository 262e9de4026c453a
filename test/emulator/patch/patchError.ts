// The error every patch/apply engine throws: carries the HTTP status the emulator answers with (patchEngine.ts maps
// it to a Status: 400 BadRequest, 409 Conflict, 415 UnsupportedMediaType, 422 Invalid, with the causes).

/** A `metav1.StatusCause` as the real apiserver puts in `details.causes`. */
export interface StatusCause {
  type: string;
  message: string;
  field?: string;
}

/** A short name of the failure per status (what callers and tests match on; the HTTP Status carries its own reason). */
export type PatchErrorReason = 'invalid' | 'conflict' | 'unsupported';

const REASON_BY_STATUS: Record<number, PatchErrorReason> = { 400: 'invalid', 409: 'conflict', 415: 'unsupported', 422: 'invalid' };

export class PatchError extends Error {
  readonly reason: PatchErrorReason;
  constructor(
    readonly status: 400 | 409 | 415 | 422,
    message: string,
    readonly causes: StatusCause[] = [],
    /** Why, when `message` is the real server's generic one (for logs and tests; not sent to clients). */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PatchError';
    this.reason = REASON_BY_STATUS[status];
  }
}

export function isPatchError(e: unknown): e is PatchError {
  return e instanceof PatchError;
}
