// A small GitOps world for the reliability suites: a git repository with two Argo CD Applications of plain
// manifests (web: a Deployment and a ConfigMap; api: a ConfigMap) and a cluster (emulator or real kube-apiserver,
// KUBE_BACKEND) where both run, web's Deployment carrying a kubectl edit (replicas 2 → 5) to capture.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIo } from '../../src/cli/cli';
import type { KubeObject } from '../../src/core/model';
import { startTestCluster, type KubeBackend, type TestCluster } from '../backend/testCluster';
import { KubeRest } from '../emulator/controllers/kube-rest';

export const REPO_URL = 'https://git.example.invalid/acme/reliability.git';
export const CRD_DIR = path.resolve(__dirname, '../emulator/demo/crds');

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export const WEB_DEPLOYMENT = `# web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: rel-web
spec:
  replicas: 2 # baseline
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
const WEB_CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: rel-web
data:
  mode: prod
`;
const API_CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: rel-api
data:
  mode: prod
`;

export function application(name: string, appPath: string, namespace: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: REPO_URL, targetRevision: 'main', path: appPath, ...extra },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: { automated: { prune: true, selfHeal: false } },
    },
  } as KubeObject;
}

const applicationYaml = (name: string, appPath: string, namespace: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${REPO_URL}
    targetRevision: main
    path: ${appPath}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${namespace}
  syncPolicy:
    automated: {prune: true, selfHeal: false}
`;

/** The repository: argocd/{web,api}.yaml and apps/{web,api}; committed on main with origin = REPO_URL. */
export function createRepo(dir: string): string {
  fs.mkdirSync(path.join(dir, 'argocd'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'apps/web'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'apps/api'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'argocd/web.yaml'), applicationYaml('web', 'apps/web', 'rel-web'));
  fs.writeFileSync(path.join(dir, 'argocd/api.yaml'), applicationYaml('api', 'apps/api', 'rel-api'));
  fs.writeFileSync(path.join(dir, 'apps/web/deployment.yaml'), WEB_DEPLOYMENT);
  fs.writeFileSync(path.join(dir, 'apps/web/config.yaml'), WEB_CONFIG);
  fs.writeFileSync(path.join(dir, 'apps/api/config.yaml'), API_CONFIG);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Reliability Test');
  git(dir, 'config', 'user.email', 'reliability@example.invalid');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'remote', 'add', 'origin', REPO_URL);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** Live objects as Argo CD would have applied them (tracking annotation), from the repository's manifests. */
export function tracked(app: string, obj: KubeObject): KubeObject {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const id = `${app}:${group}/${obj.kind}:${obj.metadata.namespace}/${obj.metadata.name}`;
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), 'argocd.argoproj.io/tracking-id': id } } };
}

export interface World {
  backend: KubeBackend;
  cluster: TestCluster;
  kubeconfigPath: string;
  context: string;
  rest: KubeRest;
  stop(): Promise<void>;
}

const deployment = (replicas: number): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'rel-web' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  }) as KubeObject;
const configMap = (name: string, namespace: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { mode: 'prod' } }) as KubeObject;

/** The cluster side: CRDs, both Applications (Synced/Healthy), their objects applied by argocd-controller, then a kubectl edit. */
export async function startWorld(opts: { backend?: KubeBackend } = {}): Promise<World> {
  const cluster = await startTestCluster({ crdDir: CRD_DIR, backend: opts.backend });
  try {
    const status = { sync: { status: 'Synced', revision: 'main' }, health: { status: 'Healthy' } };
    await cluster.seed([{ ...application('web', 'apps/web', 'rel-web'), status } as KubeObject, { ...application('api', 'apps/api', 'rel-api'), status } as KubeObject], 'argocd-server');
    await cluster.seed([tracked('web', deployment(2)), tracked('web', configMap('web-config', 'rel-web')), tracked('api', configMap('api-config', 'rel-api'))], 'argocd-controller');
    const rest = await KubeRest.fromKubeconfig(cluster.kubeconfigPath);
    await kubectlEdit(rest, 5);
    return { backend: cluster.backend, cluster, kubeconfigPath: cluster.kubeconfigPath, context: cluster.contextName, rest, stop: () => cluster.stop() };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** `kubectl scale`-like edit of web's replicas as field manager kubectl-edit (an Update). */
export async function kubectlEdit(rest: KubeRest, replicas: number): Promise<void> {
  await rest.call('PATCH', '/apis/apps/v1/namespaces/rel-web/deployments/web', { body: { spec: { replicas } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'kubectl-edit' } });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in process, bounded: a run that has not finished by `deadlineMs` fails with a message naming the
 * command (not a mocha timeout). Ctrl-C handlers the CLI installs are its own business.
 */
export async function cli(args: string[], opts: { deadlineMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const o = { stdout: '', stderr: '', env: { ...process.env, KUBECONFIG: '', ...opts.env }, cwd: opts.cwd ?? process.cwd(), isTTY: false } as unknown as CliIo & { stdout: string; stderr: string };
  o.out = (s) => (o.stdout += s);
  o.err = (s) => (o.stderr += s);
  const deadline = opts.deadlineMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: gitops-drift ${args.join(' ')} did not finish within ${deadline / 1000} s (stdout: ${o.stdout.slice(0, 300)} stderr: ${o.stderr.slice(0, 300)})`)), deadline);
  });
  try {
    const code = await Promise.race([main(args, o), hang]);
    return { code, stdout: o.stdout, stderr: o.stderr };
  } finally {
    clearTimeout(timer);
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
