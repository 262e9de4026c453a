// `npm run tools [-- --force]`: builds the pinned real Kubernetes tools into .tools/bin/ (git-ignored):
//   kubectl + gitops-drift-apiserver (kube-apiserver with embedded etcd), from test/cluster/go.mod
//   (k8s.io/kubernetes v1.37.2), in one `go build`; kustomize and helm by `go install module@version`; the flux CLI
//   (test/flux) and the goTemplate referee (test/gotemplate: text/template + Sprig, as Argo CD's ApplicationSets);
//   the Argo CD referee (test/argocd: argo-cd's repo-server manifest generation, built with Go ARGOCD_GO_TOOLCHAIN).
// Each tool has a stamp file .tools/bin/.<name>.version holding the pinned version and a hash of its
// inputs; a run with nothing changed only prints "up to date". Needs Go (go.mod says which) and the
// Go module proxy. Every child process is spawned with an argument array, never through a shell.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ARGOCD_GO_TOOLCHAIN,
  ARGOCD_VERSION,
  argocdModuleDir,
  clusterModuleDir,
  FLUX_VERSION,
  fluxModuleDir,
  goTemplateModuleDir,
  HELM_VERSION,
  KUBERNETES_VERSION,
  KUSTOMIZE_VERSION,
  SPRIG_VERSION,
  toolPath,
  toolsBinDir,
  type ToolName,
} from '../test/cluster/tools';
import { FLUX_CONTROLLERS, fluxControllerCrdDir, fluxControllersModuleDir, type FluxControllerPin } from '../test/fluxcontrollers/controllers';

interface Group {
  /** What is built, for messages. */
  label: string;
  tools: ToolName[];
  /** Pinned version, written into the stamp. */
  version: string;
  /** Extra text hashed into the stamp (inputs, flags). */
  inputs: () => string;
  build: () => Promise<void>;
}

const force = process.argv.includes('--force');
const binDir = toolsBinDir();
const moduleDir = clusterModuleDir();

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    console.log(`$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${path.relative(process.cwd(), opts.cwd) || '.'})` : ''}`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

function output(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function hashFiles(files: string[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(path.relative(moduleDir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

function goFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.go'))
    .map((e) => path.join(e.parentPath, e.name));
}

const stampFile = (tool: ToolName) => path.join(binDir, `.${tool}.version`);

function stampText(g: Group, goVersion: string): string {
  const hash = createHash('sha256').update(`${g.version}\n${goVersion}\n${g.inputs()}`).digest('hex');
  return `${g.version}\n${hash}\n`;
}

function upToDate(g: Group, stamp: string): boolean {
  return g.tools.every((t) => fs.existsSync(toolPath(t)) && fs.existsSync(stampFile(t)) && fs.readFileSync(stampFile(t), 'utf8') === stamp);
}

/** -X flags that make kubectl and the apiserver report the pinned release instead of v0.0.0-master. */
function kubernetesLdflags(): string {
  const m = /^v(\d+)\.(\d+)\./.exec(KUBERNETES_VERSION);
  if (!m) throw new Error(`bad KUBERNETES_VERSION ${KUBERNETES_VERSION}`);
  // The release's own date (the module proxy's time of k8s.io/kubernetes), so builds are reproducible.
  let buildDate = '1970-01-01T00:00:00Z';
  try {
    const info = JSON.parse(output('go', ['list', '-m', '-json', 'k8s.io/kubernetes'], moduleDir)) as { Version: string; Time?: string };
    if (info.Version !== KUBERNETES_VERSION) throw new Error(`test/cluster/go.mod has k8s.io/kubernetes ${info.Version}, test/cluster/tools.ts says ${KUBERNETES_VERSION}: make them agree`);
    if (info.Time) buildDate = info.Time.replace(/\.\d+Z$/, 'Z');
  } catch (e) {
    if (String(e).includes('make them agree')) throw e;
  }
  const vars: Record<string, string> = {
    gitVersion: KUBERNETES_VERSION,
    gitMajor: m[1],
    gitMinor: m[2],
    gitCommit: '', // the release's commit is not in the module; left empty rather than "$Format:%H$"
    gitTreeState: 'clean',
    buildDate,
  };
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    for (const [k, v] of Object.entries(vars)) flags.push(`-X ${pkg}.${k}=${v}`);
  }
  return flags.join(' ');
}

function goInstall(modulePath: string, version: string, ldflags: string): Promise<void> {
  const args = ['install', '-trimpath'];
  if (ldflags) args.push(`-ldflags=${ldflags}`);
  args.push(`${modulePath}@${version}`);
  return run('go', args, { env: { ...process.env, GOBIN: binDir } });
}

/**
 * flux embeds its install manifests (`cmd/flux/manifests/*.yaml`), which its Makefile generates and the module
 * zip leaves out, so `go install` of the module fails. We build a copy of the module source (at the version
 * test/flux/go.mod pins, checked against its go.sum) with its own go.mod, and a placeholder in place of the install
 * manifests: build and diff, which the referee uses, do not need them (`flux install` in this build has nothing).
 */
async function buildFlux(): Promise<void> {
  const mod = `github.com/fluxcd/flux2/v2@${FLUX_VERSION}`;
  const info = JSON.parse(output('go', ['mod', 'download', '-json', mod], fluxModuleDir())) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${mod} failed: ${info.Error ?? 'no Dir'}`);
  const src = path.join(binDir, '..', 'src', `flux2-${FLUX_VERSION}`);
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(info.Dir, src, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    fs.chmodSync(p, e.isDirectory() ? 0o755 : 0o644);
  }
  fs.chmodSync(src, 0o755);
  fs.mkdirSync(path.join(src, 'cmd', 'flux', 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(src, 'cmd', 'flux', 'manifests', 'not-embedded.yaml'), '# gitops-drift builds flux for build/diff only: the install manifests are not embedded.\n');
  await run('go', ['build', '-trimpath', `-ldflags=${fluxLdflags}`, '-o', toolPath('flux'), './cmd/flux'], { cwd: src });
  fs.rmSync(src, { recursive: true, force: true });
}

const fluxLdflags = `-s -w -X main.VERSION=${FLUX_VERSION.replace(/^v/, '')}`;

const helmLdflags = `-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v4/internal/version.gitTreeState=clean`;
let k8sLdflags = '';

const groups: Group[] = [
  {
    label: `kubectl + gitops-drift-apiserver (Kubernetes ${KUBERNETES_VERSION})`,
    tools: ['kubectl', 'gitops-drift-apiserver'],
    version: KUBERNETES_VERSION,
    inputs: () => {
      k8sLdflags ||= kubernetesLdflags();
      return `${k8sLdflags}\n${hashFiles([path.join(moduleDir, 'go.mod'), path.join(moduleDir, 'go.sum'), ...goFiles(path.join(moduleDir, 'cmd'))])}`;
    },
    // One go build for both programs, so the shared k8s.io packages compile once.
    build: () => run('go', ['build', '-trimpath', `-ldflags=${k8sLdflags}`, '-o', binDir + path.sep, './cmd/...', 'k8s.io/kubernetes/cmd/kubectl'], { cwd: moduleDir }),
  },
  {
    label: `kustomize ${KUSTOMIZE_VERSION}`,
    tools: ['kustomize'],
    version: KUSTOMIZE_VERSION,
    inputs: () => '',
    // kustomize reports the module version from its build info: no ldflags needed.
    build: () => goInstall('sigs.k8s.io/kustomize/kustomize/v5', KUSTOMIZE_VERSION, '-s -w'),
  },
  {
    label: `helm ${HELM_VERSION}`,
    tools: ['helm'],
    version: HELM_VERSION,
    inputs: () => helmLdflags,
    build: () => goInstall('helm.sh/helm/v4/cmd/helm', HELM_VERSION, helmLdflags),
  },
  {
    label: `flux ${FLUX_VERSION}`,
    tools: ['flux'],
    version: FLUX_VERSION,
    inputs: () => `${fluxLdflags}\n${hashFiles([path.join(fluxModuleDir(), 'go.mod'), path.join(fluxModuleDir(), 'go.sum')])}`,
    build: buildFlux,
  },
  {
    label: `gotemplate-referee (text/template + sprig ${SPRIG_VERSION})`,
    tools: ['gotemplate-referee'],
    version: SPRIG_VERSION,
    inputs: () => hashFiles(['go.mod', 'go.sum', 'main.go'].map((f) => path.join(goTemplateModuleDir(), f))),
    build: () => run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', toolPath('gotemplate-referee'), '.'], { cwd: goTemplateModuleDir() }),
  },
  argocdRefereeGroup(),
];

/**
 * The Argo CD referee: test/argocd calls argo-cd's reposerver/repository.GenerateManifests (what argocd-repo-server
 * runs per Application) on a local folder. argo-cd v3.6.x's go.mod says `go 1.27.0`, newer than the machine's Go,
 * so this one build runs with GOTOOLCHAIN set (the go command fetches that toolchain from the module proxy).
 */
function argocdRefereeGroup(): Group {
  const dir = argocdModuleDir();
  return {
    label: `argocd-referee (argo-cd ${ARGOCD_VERSION} repo-server manifest generation, ${ARGOCD_GO_TOOLCHAIN})`,
    tools: ['argocd-referee'],
    version: ARGOCD_VERSION,
    inputs: () => `${ARGOCD_GO_TOOLCHAIN}\n${hashFiles(['go.mod', 'go.sum', 'main.go'].map((f) => path.join(dir, f)))}`,
    build: () => run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', toolPath('argocd-referee'), '.'], { cwd: dir, env: { ...process.env, GOTOOLCHAIN: ARGOCD_GO_TOOLCHAIN } }),
  };
}

// ---- The real Flux controllers (issue 14 item 7): source-, kustomize- and helm-controller, one group each. ----
/**
 * A controller module's zip leaves out its `api/` folder (a module of its own), which its go.mod replaces with
 * `./api`: we build a copy of the module source (checked against test/fluxcontrollers/go.sum) with the api module of
 * the same tag copied into `api/`, with the controller's own go.mod and go.sum, CGO off, as its Dockerfile does.
 * Also copies its CRDs (config/crd/bases) to .tools/flux-controllers-crds for the referee.
 */
async function buildFluxController(pin: FluxControllerPin): Promise<void> {
  const pinDir = fluxControllersModuleDir();
  const download = (mod: string): string => {
    const info = JSON.parse(output('go', ['mod', 'download', '-json', mod], pinDir)) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${mod} failed: ${info.Error ?? 'no Dir'}`);
    return info.Dir;
  };
  const src = path.join(binDir, '..', 'src', `${pin.name}-${pin.version}`);
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(download(`${pin.module}@${pin.version}`), src, { recursive: true });
  fs.cpSync(download(`${pin.module}/api@${pin.version}`), path.join(src, 'api'), { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true, recursive: true })) fs.chmodSync(path.join(e.parentPath, e.name), e.isDirectory() ? 0o755 : 0o644);
  fs.chmodSync(src, 0o755);
  const pinSums = fs.readFileSync(path.join(pinDir, 'go.sum'), 'utf8').split('\n');
  for (const [mod, version] of Object.entries(pin.replaces)) {
    await run('go', ['mod', 'edit', `-replace=${mod}=${mod}@${version}`], { cwd: src });
    const sums = pinSums.filter((l) => l.startsWith(`${mod} ${version} `) || l.startsWith(`${mod} ${version}/go.mod `));
    if (sums.length !== 2) throw new Error(`test/fluxcontrollers/go.sum has no sums for ${mod} ${version}`);
    fs.appendFileSync(path.join(src, 'go.sum'), sums.join('\n') + '\n');
  }
  const crds = fluxControllerCrdDir(binDir);
  fs.mkdirSync(crds, { recursive: true });
  for (const f of fs.readdirSync(path.join(src, 'config', 'crd', 'bases'))) fs.copyFileSync(path.join(src, 'config', 'crd', 'bases', f), path.join(crds, f));
  await run('nice', ['-n', '10', 'go', 'build', '-trimpath', '-ldflags=-s -w', '-o', toolPath(pin.name), '.'], { cwd: src, env: { ...process.env, CGO_ENABLED: '0' } });
  fs.rmSync(src, { recursive: true, force: true });
}

for (const pin of FLUX_CONTROLLERS) {
  groups.push({
    label: `${pin.name} ${pin.version} (Flux ${FLUX_VERSION})`,
    tools: [pin.name],
    version: pin.version,
    inputs: () => `${JSON.stringify(pin.replaces)}\nCGO_ENABLED=0 -s -w\n${hashFiles(['go.mod', 'go.sum'].map((f) => path.join(fluxControllersModuleDir(), f)))}`,
    build: () => buildFluxController(pin),
  });
}
// ---- end of the Flux controllers ----

function fmtSeconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let goVersion: string;
  try {
    goVersion = output('go', ['version']);
  } catch {
    throw new Error('`go` is not on PATH: install Go (see test/cluster/go.mod for the version) to build the Kubernetes tools.');
  }
  fs.mkdirSync(binDir, { recursive: true });
  let built = 0;
  for (const g of groups) {
    const stamp = stampText(g, goVersion);
    if (!force && upToDate(g, stamp)) {
      console.log(`${g.label}: up to date`);
      continue;
    }
    console.log(`${g.label}: building…`);
    const t = Date.now();
    for (const tool of g.tools) fs.rmSync(stampFile(tool), { force: true });
    await g.build();
    for (const tool of g.tools) {
      if (!fs.existsSync(toolPath(tool))) throw new Error(`build finished but ${toolPath(tool)} is missing`);
      fs.writeFileSync(stampFile(tool), stamp);
    }
    built++;
    console.log(`${g.label}: built in ${fmtSeconds(Date.now() - t)}`);
  }
  console.log(built === 0 ? `all tools up to date in ${path.relative(process.cwd(), binDir)}/` : `built ${built} group(s) in ${fmtSeconds(Date.now() - t0)} (${goVersion})`);
  console.log('');
  const show: [ToolName, string[]][] = [
    ['kubectl', ['version', '--client']],
    ['gitops-drift-apiserver', ['--version']],
    ['kustomize', ['version']],
    ['helm', ['version', '--short']],
    ['flux', ['version', '--client']],
    ['argocd-referee', ['--version']],
  ];
  for (const [tool, args] of show) {
    const out = output(toolPath(tool), args).split('\n').filter((l) => l.trim() !== '').join('; ');
    console.log(`${tool.padEnd(24)} ${out}`);
  }
  // The controllers have no --version flag: the pinned version of their stamp.
  for (const pin of FLUX_CONTROLLERS) console.log(`${pin.name.padEnd(24)} ${fs.readFileSync(stampFile(pin.name), 'utf8').split('\n')[0]} (built by npm run tools)`);
  console.log(`\ntotal ${fmtSeconds(Date.now() - t0)}`);
}

main().catch((e) => {
  console.error(`tools: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
