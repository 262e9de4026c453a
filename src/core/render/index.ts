export * from './types';
export * from './clusterScoped';
export * from './detectSourceType';
export * from './renderDirectory';
export * from './kustomizeTree';
export * from './renderKustomize';
export * from './renderHelm';
export * from './renderApp';
