// The one table of command ids. package.json contributes exactly these (checked by a unit test), and
// activation registers a handler for each (checked by an integration test in the real host).
export const COMMAND_IDS = [
  'gitopsDrift.refresh',
  'gitopsDrift.selectContexts',
  'gitopsDrift.toggleDriftedOnly',
  'gitopsDrift.findResource',
  'gitopsDrift.filterNamespace',
  'gitopsDrift.openDiff',
  'gitopsDrift.openLive',
  'gitopsDrift.revealSource',
  'gitopsDrift.captureLive',
  'gitopsDrift.sync',
  'gitopsDrift.syncResource',
  'gitopsDrift.refreshApp',
  'gitopsDrift.hardRefreshApp',
  'gitopsDrift.terminateOperation',
  'gitopsDrift.pauseAutoSync',
  'gitopsDrift.resumeAutoSync',
  'gitopsDrift.skipReconcileOn',
  'gitopsDrift.skipReconcileOff',
  'gitopsDrift.reconcile',
  'gitopsDrift.reconcileWithSource',
  'gitopsDrift.suspend',
  'gitopsDrift.resume',
  'gitopsDrift.breakglassStart',
  'gitopsDrift.breakglassEnd',
  'gitopsDrift.showOutput',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
