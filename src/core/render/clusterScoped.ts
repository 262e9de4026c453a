// Namespace defaulting needs to know which kinds are cluster-scoped; without a cluster we use a fixed list.
import type { KubeObject } from '../model';

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'PodSecurityPolicy',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ClusterIssuer',
  'ClusterPolicy',
  'GatewayClass',
  'ClusterSecretStore',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/**
 * Sets `metadata.namespace` on namespaced objects that have none (Argo CD destination.namespace), and drops it
 * from cluster-scoped ones: kustomize's `namespace:` also stamps kinds it does not know (ClusterIssuer,
 * GatewayClass), while the API server keeps such objects without a namespace.
 */
export function defaultNamespace(obj: KubeObject, namespace: string | undefined): KubeObject {
  if (isClusterScoped(obj.kind)) {
    if (obj.metadata.namespace === undefined) return obj;
    const { namespace: _dropped, ...metadata } = obj.metadata;
    return { ...obj, metadata };
  }
  if (!namespace || obj.metadata.namespace) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}
