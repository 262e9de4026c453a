// Public surface of the control layer (what the extension and the CLI call).
export * from './constants';
export * from './argo-sync';
export * from './argo-pause';
export * from './argo-wait';
export * from './flux';
export * from './warnings';
export * from './breakglass';
export * from './live-edit';
export * from './find-app';
export * from './production';
export * from './productionGuard';
export * from './timeSpan';
export * from './user';
export { withConflictRetry } from './conflict-retry';
export * from './liveEditBody';
export * from './identity';
export * from './events';
export * from './syncWindows';
