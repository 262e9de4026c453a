export * from './repoInfo';
export * from './argoApps';
export * from './fluxApps';
export * from './scanWorkspace';
export * from './folderApps';
export * from './discoverApps';
export * from './appsFromCluster';
export * from './appsForCluster';
