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

/** Sets `metadata.namespace` on namespaced objects that have none (as Argo CD / Flux targetNamespace do). */
export function defaultNamespace(obj: KubeObject, namespace: string | undefined): KubeObject {
  if (!namespace || obj.metadata.namespace || isClusterScoped(obj.kind)) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}
