// Human and controller changes made to live objects with the real kubectl (edit through a scripted editor, scale,
// patch strategic/merge/json, set image|env|resources, label, annotate, rollout restart) and with client-node
// (a /scale write under the HPA's manager name, a merge patch and a server-side apply by other managers).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/core/model';
import { envWithTools, toolPath } from '../cluster/tools';
import { GEN_NS } from './generated';

export const EDIT_NS = 'gt-edit';

export interface EditContext {
  kubeconfigPath: string;
  /** Folder for the editor script and manifests. */
  dir: string;
  client: k8s.KubernetesObjectApi;
}

export interface EditSpec {
  id: string;
  /** Name of the generated object it starts from (namespace gt-gen), copied to namespace gt-edit under `id`. */
  base: { apiVersion: string; kind: string; name: string };
  /** What the edit does to the copy `obj` (already applied by the controller). */
  run(ctx: EditContext, obj: KubeObject): Promise<void>;
}

export function kubectl(ctx: { kubeconfigPath: string }, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(toolPath('kubectl'), ['--kubeconfig', ctx.kubeconfigPath, ...args], { env: { ...envWithTools(process.env), ...env }, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustKubectl(ctx: EditContext, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await kubectl(ctx, args, env);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

const res = (o: KubeObject) => `${o.kind.toLowerCase()}${o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : ''}/${o.metadata.name}`;
const ns = ['-n', EDIT_NS];

/** kubectl edit with KUBE_EDITOR = a node script that applies `expr` (JS over the parsed YAML `o`) to the file. */
function editWith(expr: string): EditSpec['run'] {
  return async (ctx, obj) => {
    const script = path.join(ctx.dir, 'editor.cjs');
    if (!fs.existsSync(script)) {
      const yamlPath = require.resolve('yaml');
      fs.writeFileSync(script, `const fs=require('fs');const Y=require(${JSON.stringify(yamlPath)});const f=process.argv[2];const o=Y.parse(fs.readFileSync(f,'utf8'));new Function('o',process.env.GT_EDIT)(o);fs.writeFileSync(f,Y.stringify(o));\n`);
    }
    await mustKubectl(ctx, ['edit', ...ns, res(obj)], { KUBE_EDITOR: `${process.execPath} ${script}`, GT_EDIT: expr });
  };
}

const run = (...args: string[]): EditSpec['run'] => (ctx, obj) => mustKubectl(ctx, [args[0], ...ns, ...args.slice(1).map((a) => a.replace('{}', res(obj)))]);

const DEP0 = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'deploy-0' };
const DEP1 = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'deploy-1' };

export const EDITS: EditSpec[] = [
  { id: 'edit-replicas', base: DEP1, run: editWith('o.spec.replicas = 7') },
  { id: 'edit-configmap-value', base: { apiVersion: 'v1', kind: 'ConfigMap', name: 'deploy-1-config' }, run: editWith("o.data.LOG_LEVEL = 'debug'") },
  { id: 'edit-add-toleration', base: DEP0, run: editWith("o.spec.template.spec.tolerations = [{ key: 'gpu', operator: 'Exists' }]") },
  { id: 'scale-deployment', base: DEP0, run: run('scale', '{}', '--replicas=5') },
  { id: 'scale-statefulset', base: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'sts-1' }, run: run('scale', '{}', '--replicas=3') },
  { id: 'patch-strategic-env-value', base: DEP1, run: run('patch', '{}', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"MODE","value":"debug"}]}]}}}}') },
  { id: 'patch-strategic-new-env', base: DEP1, run: run('patch', '{}', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"EXTRA","value":"1"}]}]}}}}') },
  { id: 'patch-merge-service-selector', base: { apiVersion: 'v1', kind: 'Service', name: 'svc-1' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"selector":{"canary":"true"}}}') },
  { id: 'patch-merge-configmap-new-key', base: { apiVersion: 'v1', kind: 'ConfigMap', name: 'deploy-0-config' }, run: run('patch', '{}', '--type=merge', '-p', '{"data":{"FEATURE":"on"}}') },
  { id: 'patch-json-image', base: DEP0, run: run('patch', '{}', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.99"}]') },
  { id: 'patch-json-remove-env', base: DEP1, run: run('patch', '{}', '--type=json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/0/env/0"}]') },
  { id: 'patch-json-quantity-respelled', base: DEP1, run: run('patch', '{}', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"1Gi"}]') },
  { id: 'patch-json-quantity-changed', base: DEP1, run: run('patch', '{}', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"2Gi"}]') },
  { id: 'patch-merge-hpa', base: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'hpa-1' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"minReplicas":3}}') },
  { id: 'patch-merge-pdb', base: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: 'pdb-0' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"minAvailable":2}}') },
  { id: 'patch-json-netpol-port', base: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'netpol-1' }, run: run('patch', '{}', '--type=json', '-p', '[{"op":"replace","path":"/spec/ingress/0/ports/1/port","value":9091}]') },
  { id: 'patch-json-ingress-host', base: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'ing-0' }, run: run('patch', '{}', '--type=json', '-p', '[{"op":"replace","path":"/spec/rules/0/host","value":"other.example.com"}]') },
  { id: 'patch-merge-cronjob-suspend', base: { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cron-0' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"suspend":true}}') },
  { id: 'patch-merge-unset-field', base: DEP0, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"revisionHistoryLimit":3,"template":{"spec":{"terminationGracePeriodSeconds":60}}}}') },
  { id: 'patch-merge-application', base: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: 'gt-app-0' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"source":{"targetRevision":"dev"}}}') },
  { id: 'patch-merge-kustomization', base: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'gt-ks-0' }, run: run('patch', '{}', '--type=merge', '-p', '{"spec":{"prune":false}}') },
  { id: 'set-image', base: DEP1, run: run('set', 'image', '{}', 'app=nginx:1.2') },
  { id: 'set-env-existing', base: DEP0, run: run('set', 'env', '{}', '-c', 'app', 'MODE=staging') },
  { id: 'set-env-new', base: DEP0, run: run('set', 'env', '{}', '-c', 'app', 'NEW_VAR=1') },
  { id: 'set-resources', base: DEP1, run: run('set', 'resources', '{}', '-c', 'app', '--limits=cpu=2,memory=2Gi') },
  { id: 'label-overwrite', base: DEP0, run: run('label', '{}', 'app.kubernetes.io/part-of=other', '--overwrite') },
  { id: 'label-new', base: { apiVersion: 'v1', kind: 'ConfigMap', name: 'bin-0' }, run: run('label', '{}', 'team=a') },
  { id: 'annotate-new', base: { apiVersion: 'v1', kind: 'Service', name: 'svc-0' }, run: run('annotate', '{}', 'note=hello') },
  { id: 'annotate-ingress-overwrite', base: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'ing-1' }, run: run('annotate', '{}', 'nginx.ingress.kubernetes.io/rewrite-target=/v2', '--overwrite') },
  { id: 'rollout-restart', base: DEP1, run: run('rollout', 'restart', '{}') },
  {
    id: 'scale-subresource-hpa-manager',
    base: DEP1,
    run: async (ctx, obj) => {
      // What the HPA controller does: write the scale subresource under its own manager name.
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(ctx.kubeconfigPath);
      const apps = kc.makeApiClient(k8s.AppsV1Api);
      await apps.patchNamespacedDeploymentScale({ name: obj.metadata.name ?? '', namespace: EDIT_NS, body: { spec: { replicas: 9 } }, fieldManager: 'horizontal-pod-autoscaler' }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    },
  },
  {
    id: 'client-node-merge-secret',
    base: { apiVersion: 'v1', kind: 'Secret', name: 'secret-0' },
    run: async (ctx, obj) => {
      await ctx.client.patch({ apiVersion: 'v1', kind: 'Secret', metadata: { name: obj.metadata.name, namespace: EDIT_NS }, data: { token: Buffer.from('rotated').toString('base64') } } as k8s.KubernetesObject, undefined, undefined, 'ops-rotation', undefined, k8s.PatchStrategy.MergePatch);
    },
  },
  {
    id: 'client-node-apply-other-manager',
    base: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: 'gt-app-1' },
    run: async (ctx, obj) => {
      // Another applier sets a field Git does not set: it stays theirs, the controller's apply leaves it.
      await ctx.client.patch({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: EDIT_NS, annotations: { 'notifications.argoproj.io/subscribe.on-sync-succeeded.slack': 'team' } } } as k8s.KubernetesObject, undefined, undefined, 'team-operator', true, k8s.PatchStrategy.ServerSideApply);
    },
  },
  {
    id: 'client-node-apply-takes-field',
    base: { apiVersion: 'v1', kind: 'ConfigMap', name: 'deploy-2-config' },
    run: async (ctx, obj) => {
      // Another applier forces a field Git sets: the controller's next apply takes it back.
      await ctx.client.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: obj.metadata.name, namespace: EDIT_NS }, data: { LOG_LEVEL: 'trace' } } as k8s.KubernetesObject, undefined, undefined, 'team-operator', true, k8s.PatchStrategy.ServerSideApply);
    },
  },
];

/** The copy of a generated object an edit works on: namespace gt-edit, named after the edit. */
export function editTarget(spec: EditSpec, generated: KubeObject[]): KubeObject {
  const base = generated.find((o) => o.apiVersion === spec.base.apiVersion && o.kind === spec.base.kind && o.metadata.name === spec.base.name && o.metadata.namespace === GEN_NS);
  if (!base) throw new Error(`edit ${spec.id}: no generated ${spec.base.kind} ${spec.base.name}`);
  const copy = structuredClone(base);
  copy.metadata.name = spec.id;
  copy.metadata.namespace = EDIT_NS;
  return copy;
}
