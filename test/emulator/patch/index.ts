// Pure patch/apply/managedFields engines of the Kubernetes API emulator (no I/O; objects are plain JSON).
// A write handler mirrors the apiserver: patch (json/merge/strategic) → defaults → updateManagedFields(before,
// after) → server allocations (clusterIP…, which no manager owns); an apply-patch goes through serverSideApply,
// then defaults. Errors are PatchError/ApplyConflictError carrying the HTTP status (400/409/415/422) and causes.
export { PatchError, isPatchError } from './patchError';
export type { StatusCause } from './patchError';
export { applyJsonPatch } from './applyJsonPatch';
export { applyMergePatch } from './applyMergePatch';
export { applyStrategicMergePatch } from './applyStrategicMergePatch';
export type { StrategicMergeContext } from './applyStrategicMergePatch';
export { supportsStrategicMerge, zeroValue } from './schemaInfo';
export type { TypeContext } from './schemaInfo';
export { updateManagedFields } from './updateManagedFields';
export type { UpdateOptions } from './updateManagedFields';
export { FieldSet, pathToString, elementKey } from './fieldSet';
export { formatTime, managerId } from './managedFieldsEntries';
export { serverSideApply, ApplyConflictError } from './serverSideApply';
export type { ApplyOptions, ApplyResult, ApplyConflict } from './serverSideApply';
