// The workflow layer (issue 17): one function per action, shared by the editor and the CLI. See types.ts.
export * from './types';
export * from './steps';
export * from './syncFlow';
export * from './refreshFlow';
export * from './pauseFlow';
export * from './resumeFlow';
export * from './reconcileFlow';
export * from './breakglassFlow';
export * from './captureResourceFlow';
export * from './liveSaveFlow';
