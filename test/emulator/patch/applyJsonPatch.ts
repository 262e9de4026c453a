// RFC 6902 JSON patch, with the apiserver's status codes: a malformed patch is 400, one that fails to apply is 422.
import { applyPatch, JsonPatchError, Operation, validate } from 'fast-json-patch';
import { clone } from '../util/json';
import { PatchError } from './patchError';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Returns a new object; `obj` is not modified. */
export function applyJsonPatch<T>(obj: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const [i, op] of ops.entries()) {
    const o = op as { op?: unknown; path?: unknown };
    if (typeof o !== 'object' || o === null || typeof o.op !== 'string' || !OPS.has(o.op) || typeof o.path !== 'string') {
      throw new PatchError(400, `invalid JSON patch operation at index ${i}: ${JSON.stringify(op)}`);
    }
  }
  const doc = clone(obj);
  // Without a document, validate() checks only the shape of each operation (missing value/from…).
  const structural = validate(ops as Operation[]);
  if (structural) throw new PatchError(400, `invalid JSON patch: ${structural.message.split('\n')[0]}`);
  try {
    return applyPatch(doc, ops as Operation[], true, true, true).newDocument;
  } catch (e) {
    const msg = e instanceof JsonPatchError ? describe(e) : String(e);
    // The real server drops the reason (patch.go: NewGenericServerResponse(422, …, "") → no cause, details {}).
    throw new PatchError(422, JSON_PATCH_FAILED, [], msg);
  }
}

/** The message kube-apiserver answers to a JSON patch that does not apply (a failed `test`, a missing path…). */
export const JSON_PATCH_FAILED = 'the server rejected our request due to an error in our request';

function describe(e: JsonPatchError): string {
  const op = e.operation as { op?: string; path?: string; from?: string } | undefined;
  switch (e.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${op?.path} failed: test operation failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op?.op} operation does not apply: doc is missing path: "${op?.path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op?.op} operation does not apply: doc is missing from path: "${op?.from}": missing value`;
    default:
      return e.message.split('\n')[0];
  }
}
