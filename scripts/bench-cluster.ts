// Child process of `npm run bench`: an emulator holding the benchmark's desired objects, applied by
// argocd-controller as Argo CD would (server-side apply, tracking annotation), plus ~2% drift written by
// kubectl-edit. Runs in its own process so the engine's time and memory are measured alone.
// Prints one JSON line {kubeconfigPath, drifted} on stdout once ready; exits when stdin closes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator } from '../test/emulator/emulator';
import type { KubeObject } from '../src/core/model';

interface Input {
  objects: { app: string; object: KubeObject }[];
  applications: KubeObject[];
  crdFile: string;
  driftEvery: number;
  /** Context name of this cluster (several benchmark clusters run side by side). */
  name?: string;
  /** Where to write the kubeconfig (default: next to the input file). */
  kubeconfigPath?: string;
}

async function main(): Promise<void> {
  const input: Input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const emu = await startEmulator({ name: input.name, kubeconfigPath: input.kubeconfigPath ?? path.join(path.dirname(process.argv[2]), 'kubeconfig') });
  const { parseAllDocuments } = await import('yaml');
  const crd = parseAllDocuments(fs.readFileSync(input.crdFile, 'utf8')).map((d) => d.toJSON() as KubeObject);
  emu.seed(crd);
  emu.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }]);
  emu.seed(input.applications, 'argocd-server');
  const ctx = (manager: string) => ({ manager, dryRun: false, fieldValidation: 'Ignore' as const, warnings: [], now: new Date(), force: true });
  const namespaces = new Set(input.objects.map((o) => o.object.metadata.namespace!));
  emu.seed([...namespaces].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  let drifted = 0;
  input.objects.forEach(({ app, object }, i) => {
    const t = emu.types.byKind(object.apiVersion, object.kind)!;
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    const body = { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, 'argocd.argoproj.io/tracking-id': `${app}:${group}/${object.kind}:${object.metadata.namespace}/${object.metadata.name}` } } };
    emu.ops.patch(t, object.metadata.namespace, object.metadata.name!, 'apply', JSON.stringify(body), ctx('argocd-controller'));
    if (i % input.driftEvery === 0) {
      const patch = object.kind === 'ConfigMap' ? { data: { hotfix: 'true' } } : object.kind === 'Deployment' ? { spec: { replicas: 7 } } : { metadata: { labels: { hotfix: 'true' } } };
      emu.ops.patch(t, object.metadata.namespace, object.metadata.name!, 'strategic', JSON.stringify(patch), ctx('kubectl-edit'));
      drifted++;
    }
  });
  process.stdout.write(JSON.stringify({ kubeconfigPath: emu.kubeconfigPath, contextName: emu.contextName, drifted }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void emu.stop().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
