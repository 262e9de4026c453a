// `npm run bench`: the drift engine on 50 apps × 100 objects (5,000 objects, plain and kustomize) with ~2% drift,
// against the API emulator in a separate process. Prints numbers; asserts nothing (targets are in the README).
//   cold / warm full diff, render / fetch / diff split, peak RSS, the floor (one LIST of everything + one YAML
//   parse of everything), kubectl diff --server-side per object on a 500-object subset, and the tree's longest
//   synchronous step for 5,000 resources.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { DriftEngine } from '../src/core/engine/driftEngine';
import { createKubeClient } from '../src/core/kube/http-kube-client';
import { listContexts } from '../src/core/kube/kube-config';
import type { KubeObject } from '../src/core/model';
import { nodeProcessRunner } from '../src/core/ports';
import { parseManifests } from '../src/core/yaml/parseManifests';
import { DriftTreeModel, type DriftNode } from '../src/extension/tree/driftTreeModel';

const APPS = Number(process.env.BENCH_APPS ?? 50);
const PER_APP = Number(process.env.BENCH_OBJECTS_PER_APP ?? 100);
const KUBECTL_SUBSET = Number(process.env.BENCH_KUBECTL_SUBSET ?? 500);
const REPO_URL = 'https://git.example.com/bench/gitops.git';
const repoRoot = path.resolve(__dirname, '..');

function objectsFor(app: string, ns: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < PER_APP; i++) {
    const name = `${app}-obj-${i}`;
    const labels = { app: app, tier: i % 2 ? 'web' : 'worker' };
    if (i % 3 === 0) {
      out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { 'config.yaml': `level: info\nindex: ${i}\n`, MODE: 'production' } });
    } else if (i % 3 === 1) {
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    } else {
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns, labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: `registry.example.com/${app}:1.${i}.0`,
                  ports: [{ containerPort: 8080, name: 'http' }],
                  env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'INDEX', value: String(i) }],
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                  readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
                },
              ],
            },
          },
        },
      });
    }
  }
  return out;
}

function generateRepo(dir: string): { objects: { app: string; object: KubeObject }[]; applications: KubeObject[] } {
  const objects: { app: string; object: KubeObject }[] = [];
  const applications: KubeObject[] = [];
  fs.mkdirSync(path.join(dir, 'argocd'), { recursive: true });
  for (let a = 0; a < APPS; a++) {
    const app = `app-${String(a).padStart(2, '0')}`;
    const ns = `bench-${app}`;
    const kustomize = a % 2 === 1;
    const appDir = path.join(dir, 'apps', app);
    fs.mkdirSync(appDir, { recursive: true });
    const objs = objectsFor(app, ns);
    const files: string[] = [];
    for (let f = 0; f < 10; f++) {
      const file = `resources-${f}.yaml`;
      files.push(file);
      fs.writeFileSync(path.join(appDir, file), `# ${app} part ${f}\n` + objs.slice(f * (PER_APP / 10), (f + 1) * (PER_APP / 10)).map((o) => stringify(o)).join('---\n'));
    }
    if (kustomize) fs.writeFileSync(path.join(appDir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }));
    objects.push(...objs.map((object) => ({ app, object })));
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: app, namespace: 'argocd' },
      spec: { project: 'default', source: { repoURL: REPO_URL, path: `apps/${app}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: ns } },
    };
    applications.push(application);
    fs.writeFileSync(path.join(dir, 'argocd', `${app}.yaml`), stringify(application));
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', REPO_URL);
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'add', '.');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '-m', 'bench repo');
  return { objects, applications };
}

const ms = (t: number) => `${t.toFixed(0)} ms`;

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-bench-'));
  const repo = path.join(work, 'repo');
  fs.mkdirSync(repo);
  const { objects, applications } = generateRepo(repo);
  console.log(`repository: ${APPS} apps × ${PER_APP} objects = ${objects.length} objects (${Math.ceil(APPS / 2)} plain, ${Math.floor(APPS / 2)} kustomize) in ${repo}`);

  const inputFile = path.join(work, 'cluster-input.json');
  fs.writeFileSync(inputFile, JSON.stringify({ objects, applications, crdFile: path.resolve(repoRoot, 'test/emulator/demo/crds/argocd-application-crd.yaml'), driftEvery: 50 }));
  const cluster = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'bench-cluster.ts'), inputFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<{ kubeconfigPath: string; drifted: number }>((resolve, reject) => {
    createInterface({ input: cluster.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
    cluster.once('exit', (code) => reject(new Error(`bench cluster exited with ${code}`)));
  });
  const context = listContexts({ kubeconfig: ready.kubeconfigPath }).current;
  console.log(`cluster: emulator seeded (${ready.drifted} objects drifted by kubectl-edit)\n`);

  try {
    const engine = new DriftEngine({ roots: [repo], clientFor: (c) => createKubeClient({ kubeconfig: ready.kubeconfigPath, context: c }), runner: nodeProcessRunner, trusted: true });
    const t0 = performance.now();
    const cold = await engine.compute([context]);
    const coldMs = performance.now() - t0;
    const resources = cold.clusters[0].apps.flatMap((a) => a.resources);
    const found = resources.filter((r) => r.status !== 'Synced').length;
    console.log(`cold: ${ms(coldMs)}  (discover ${ms(cold.timings.discoverMs)}, render ${ms(cold.timings.renderMs)}, fetch ${ms(cold.timings.fetchMs)}, diff ${ms(cold.timings.diffMs)}); ${resources.length} resources, ${found} drifted`);
    if (process.env.BENCH_DEBUG) for (const r of resources.filter((x) => x.status !== 'Synced').slice(0, 3)) console.log(JSON.stringify({ ref: r.ref, status: r.status, reason: r.reason, changes: r.changes.slice(0, 4) }));
    if (cold.clusters[0].error) console.log(`  cluster error: ${cold.clusters[0].error.message}`);

    const t1 = performance.now();
    const warm = await engine.compute([context]);
    const warmMs = performance.now() - t1;
    console.log(`warm (renders cached, live listed again): ${ms(warmMs)}  (render ${ms(warm.timings.renderMs)}, fetch ${ms(warm.timings.fetchMs)}, diff ${ms(warm.timings.diffMs)})`);
    const t2 = performance.now();
    await engine.compute([context], { reuseLive: true });
    const rediffMs = performance.now() - t2;
    console.log(`re-diff only (after a watch event): ${ms(rediffMs)}`);

    // Floor: one LIST of every type in the cluster's bench namespaces plus one YAML parse of every file.
    const client = createKubeClient({ kubeconfig: ready.kubeconfigPath, context });
    const tf = performance.now();
    let listed = 0;
    for (const kind of [{ group: '', kind: 'ConfigMap' }, { group: '', kind: 'Service' }, { group: 'apps', kind: 'Deployment' }]) listed += (await client.list(kind)).items.length;
    const listMs = performance.now() - tf;
    const tp = performance.now();
    let parsed = 0;
    for (const dir of fs.readdirSync(path.join(repo, 'apps'))) {
      for (const f of fs.readdirSync(path.join(repo, 'apps', dir))) parsed += parseManifests(fs.readFileSync(path.join(repo, 'apps', dir, f), 'utf8'), f).docs.length;
    }
    const parseMs = performance.now() - tp;
    const floor = listMs + parseMs;
    console.log(`floor: ${ms(floor)} (LIST ${listed} objects ${ms(listMs)} + parse ${parsed} documents ${ms(parseMs)}); cold/floor ${(coldMs / floor).toFixed(2)}×, warm/floor ${(warmMs / floor).toFixed(2)}×`);
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

    // kubectl diff --server-side on a subset.
    const subset = objects.slice(0, KUBECTL_SUBSET).map((o) => o.object);
    const subsetFile = path.join(work, 'subset.yaml');
    fs.writeFileSync(subsetFile, subset.map((o) => stringify(o)).join('---\n'));
    const tk = performance.now();
    try {
      execFileSync('kubectl', ['--kubeconfig', ready.kubeconfigPath, 'diff', '--server-side', '--force-conflicts', '-f', subsetFile], { stdio: 'ignore', timeout: 600000 });
    } catch {
      // exit 1 = differences found, which is expected
    }
    const kubectlMs = performance.now() - tk;
    const perObjKubectl = kubectlMs / subset.length;
    const perObjOurs = coldMs / resources.length;
    const perObjWarm = warmMs / resources.length;
    console.log(`kubectl diff --server-side: ${subset.length} objects in ${ms(kubectlMs)} = ${perObjKubectl.toFixed(2)} ms/object; gitops-drift cold ${perObjOurs.toFixed(3)} ms/object → ${(perObjKubectl / perObjOurs).toFixed(0)}× faster, warm ${perObjWarm.toFixed(3)} ms/object → ${(perObjKubectl / perObjWarm).toFixed(0)}× faster`);

    // Tree: the longest synchronous step when expanding everything (the extension host must not block > 100 ms).
    const model = new DriftTreeModel(cold, { driftedOnly: false });
    let longest = 0;
    let nodes = 0;
    const walk = (n: DriftNode) => {
      const t = performance.now();
      const kids = model.children(n);
      for (const k of kids) model.present(k);
      longest = Math.max(longest, performance.now() - t);
      nodes += kids.length;
      kids.forEach(walk);
    };
    for (const r of model.roots()) walk(r);
    console.log(`tree: ${nodes} nodes, longest synchronous step ${longest.toFixed(1)} ms`);
    console.log(`\ntargets: cold ≤ 2000 ms, warm ≤ 300 ms, ≤ 1.5× floor, ≥ 20× faster per object than kubectl diff, tree step ≤ 100 ms`);
  } finally {
    cluster.stdin!.end();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(async () => (await import('./bench-agreement')).benchAgreement()).catch((e) => {
  console.error(e);
  process.exit(1);
});
