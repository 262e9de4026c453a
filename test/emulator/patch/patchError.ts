// The error every patch/apply engine throws: carries the HTTP status the emulator answers with.
import { ErrorReason, GitOpsError } from '../../../src/core/model';

/** A `metav1.StatusCause` as the real apiserver puts in `details.causes`. */
export interface StatusCause {
  type: string;
  message: string;
  field?: string;
}

const REASON_BY_STATUS: Record<number, ErrorReason> = { 400: 'invalid', 409: 'conflict', 415: 'unsupported', 422: 'invalid' };

export class PatchError extends GitOpsError {
  constructor(
    readonly status: 400 | 409 | 415 | 422,
    message: string,
    readonly causes: StatusCause[] = [],
  ) {
    super(REASON_BY_STATUS[status], message, { status });
  }
}

export function isPatchError(e: unknown): e is PatchError {
  return e instanceof PatchError;
}
