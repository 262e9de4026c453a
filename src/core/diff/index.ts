// Public surface of the offline diff engine.
export { diffResource, type ResourceDiffEx } from './diffResource';
export { summarize } from './summarize';
export { normalizeForDisplay } from './display';
export { formatPath, schemaPathOf } from './formatPath';
export type { DiffOptions, IgnoreDifference } from './options';
export type { FieldChangeEx } from './changes';
export { compileJqPath } from './jqPath';
export { ownershipOf, detectApplier, type Ownership } from './ownership';
export { isHumanManager, KNOWN_APPLIERS } from './options';
export { resolveFieldPath, ruleMatches } from './ignore';
export { maskSecrets } from './secrets';
