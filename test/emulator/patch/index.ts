// Pure patch/apply/managedFields engines of the Kubernetes API emulator (no I/O; objects are plain JSON).
export { PatchError, isPatchError } from './patchError';
export type { StatusCause } from './patchError';
export { applyJsonPatch } from './applyJsonPatch';
export { applyMergePatch } from './applyMergePatch';
