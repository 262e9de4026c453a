// Public surface of the Kubernetes access layer.
export * from './types';
export { createKubeClient, withResourceVersion, type HttpKubeClientOptions, type DiscoveryEntry } from './http-kube-client';
export { loadKubeConfig, listContexts, kubeconfigFiles, type KubeConfigOptions } from './kube-config';
export { errorFromStatus, errorFromNetwork } from './errors';
export { mapWithConcurrency } from './concurrency';
export { findResourceType, rbacName, resourcePath } from './discovery';
export * from './tracking';
export * from './live-state';
export * from './cluster-apps';
