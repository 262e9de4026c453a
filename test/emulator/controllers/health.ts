// Simple health rules in the spirit of gitops-engine's pkg/health: workloads are Progressing until
// their status shows the desired replicas available; everything else present is Healthy.
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface Health {
  status: HealthStatus;
  message?: string;
}

const ORDER: HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export function healthOf(live: Record<string, any> | undefined): Health {
  if (!live) return { status: 'Missing' };
  const kind = live.kind as string;
  const status = live.status as Record<string, any> | undefined;
  if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet') {
    // An emulator that runs no workload controllers leaves status empty; treat that as settled.
    if (!status || Object.keys(status).length === 0) return { status: 'Healthy' };
    const conds = (status.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
    const stuck = conds.find((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded');
    if (stuck) return { status: 'Degraded', message: stuck.message ?? 'Progress deadline exceeded' };
    if (live.spec?.paused) return { status: 'Suspended', message: 'Deployment is paused' };
    if (status.observedGeneration !== undefined && live.metadata?.generation !== undefined && status.observedGeneration < live.metadata.generation)
      return { status: 'Progressing', message: 'Waiting for rollout to finish: observed generation is behind' };
    const want = live.spec?.replicas ?? 1;
    if (status.availableReplicas !== undefined && status.availableReplicas < want)
      return { status: 'Progressing', message: `Waiting for rollout to finish: ${status.availableReplicas} of ${want} updated replicas are available...` };
    return { status: 'Healthy' };
  }
  if (kind === 'PersistentVolumeClaim' && status?.phase === 'Pending') return { status: 'Progressing', message: 'Waiting for volume' };
  if (kind === 'Pod') {
    if (status?.phase === 'Failed') return { status: 'Degraded', message: status.message };
    if (status?.phase === 'Pending') return { status: 'Progressing' };
  }
  return { status: 'Healthy' };
}

/** The worst of several health states (Argo CD's app health aggregation). */
export function worstHealth(list: HealthStatus[]): HealthStatus {
  return list.reduce<HealthStatus>((w, h) => (ORDER.indexOf(h) > ORDER.indexOf(w) ? h : w), 'Healthy');
}
