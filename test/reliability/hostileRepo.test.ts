// Issue 18 item 20: a hostile repository, through the CLI (`gitops-drift diff` / `apps` / `capture`) against a
// cluster. Each case adds one kind of bad input to the world's repository and asserts: a clear error naming the file
// or object, the rest of the app and the other apps still reported, nothing outside the repository read (a manifest
// and a values file beside the repository carry markers that must never show up), no program from the repository
// run and no repository-provided string passed to helm/kustomize as an option (both run through logging wrappers),
// and an end within a deadline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KubeObject } from '../../src/core/model';
import { application, cli, createRepo, git, kubectlEdit, startWorld, tempDir, tracked, type CliRun, type World } from './world';

interface JsonDiff {
  resources: { kind: string; name: string; app?: string; status: string }[];
  errors?: { app?: string; reason: string; message: string }[];
}

/** Everything a case can lean on. */
interface Ctx {
  repo: string;
  outside: string;
  world: World;
}

interface Case {
  name: string;
  /** Makes the repository hostile; answers live objects to seed for the case (removed afterwards). */
  setup(c: Ctx): KubeObject[] | void;
  /** An error (JSON errors, or stderr) must match, and diff exits 2; none: the input is rendered as the real tools do. */
  error?: RegExp | RegExp[];
  /** Resources (kind/name) that must still be reported, besides web's drifted Deployment (the other app). */
  kept?: string[];
  /** kind/name → status the diff must give (e.g. Synced when the live object holds what kubectl would apply). */
  statuses?: Record<string, string>;
  /** A tool that must have run (through its wrapper), e.g. kustomize for a folder named like an option. */
  ran?: string;
  deadlineMs?: number;
}

const LEAK = 'outside-leak-7f3a';
const VALUES_MARKER = 'values-from-outside-9c1e';

function which(tool: string): string {
  return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', env: process.env }).trim();
}

describe('reliability: hostile repository (issue 18 item 20)', function () {
  this.timeout(300_000);
  let world: World;
  let outside: string;
  let wrappers: string;
  let argvLog: string;
  const dirs: string[] = [];

  before(async () => {
    world = await startWorld();
    await kubectlEdit(world.rest, 5);
    outside = tempDir('rel-outside-');
    dirs.push(outside);
    // Beside every repository: a manifest, a values file and a script that must never be read or run.
    fs.writeFileSync(path.join(outside, 'leak.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${LEAK}\n  namespace: rel-web\ndata:\n  secret: ${LEAK}\n`);
    fs.writeFileSync(path.join(outside, 'values.yaml'), `marker: ${VALUES_MARKER}\n`);
    // Tools run through wrappers that log every argv (one JSON array per line), then run the pinned tool.
    wrappers = tempDir('rel-wrappers-');
    dirs.push(wrappers);
    argvLog = path.join(wrappers, 'argv.log');
    for (const tool of ['helm', 'kustomize']) {
      const real = which(tool);
      const script = path.join(wrappers, tool);
      fs.writeFileSync(script, `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(argvLog)}, JSON.stringify([${JSON.stringify(tool)}, ...process.argv.slice(2)]) + '\\n');\nconst r = require('child_process').spawnSync(${JSON.stringify(real)}, process.argv.slice(2), { stdio: 'inherit' });\nprocess.exit(r.status ?? 1);\n`);
      fs.chmodSync(script, 0o755);
    }
  });
  after(async () => {
    await world?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({ GITOPS_DRIFT_HELM: path.join(wrappers, 'helm'), GITOPS_DRIFT_KUSTOMIZE: path.join(wrappers, 'kustomize') });
  const toolRuns = (): string[][] => (fs.existsSync(argvLog) ? fs.readFileSync(argvLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);
  const write = (repo: string, rel: string, text: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  const appYaml = (name: string, appPath: string, extra = ''): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.invalid/acme/reliability.git
    targetRevision: main
    path: ${appPath}
${extra}  destination:
    server: https://kubernetes.default.svc
    namespace: rel-web
`;
  const chart = (repo: string, dir: string): void => {
    write(repo, `${dir}/Chart.yaml`, 'apiVersion: v2\nname: evil\nversion: 0.1.0\n');
    write(repo, `${dir}/values.yaml`, 'marker: inside\n');
    write(repo, `${dir}/templates/cm.yaml`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chart-config\n  namespace: rel-web\ndata:\n  marker: {{ .Values.marker | quote }}\n');
  };

  const cases: Case[] = [
    {
      name: 'Argo CD path ../.. (Application in the repository and in the cluster)',
      setup: ({ repo, outside: o }) => {
        const rel = path.relative(repo, o);
        write(repo, 'argocd/escape.yaml', appYaml('escape', rel));
        return [{ ...application('escape', rel, 'rel-web') }];
      },
      error: /escape: path .* is outside the repository/,
      kept: ['ConfigMap/api-config'],
    },
    {
      name: 'Argo CD path ../.. from an Application that exists only in the cluster',
      setup: ({ repo, outside: o }) => [application('cluster-only-escape', path.relative(repo, o), 'rel-web')],
      error: /cluster-only-escape.*outside the repository/,
    },
    {
      name: 'Flux Kustomization spec.path outside the repository',
      setup: ({ repo, outside: o }) => {
        const rel = `./${path.relative(repo, o)}`;
        write(repo, 'clusters/flux.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: reliability\n  namespace: flux-system\nspec:\n  url: https://git.example.invalid/acme/reliability.git\n  interval: 5m\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-escape\n  namespace: flux-system\nspec:\n  path: ${rel}\n  sourceRef:\n    kind: GitRepository\n    name: reliability\n  prune: true\n  interval: 5m\n`);
        return [
          { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'reliability', namespace: 'flux-system' }, spec: { url: 'https://git.example.invalid/acme/reliability.git', interval: '5m', ref: { branch: 'main' } } } as KubeObject,
          { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'flux-escape', namespace: 'flux-system' }, spec: { path: rel, sourceRef: { kind: 'GitRepository', name: 'reliability' }, prune: true, interval: '5m' } } as KubeObject,
        ];
      },
      error: /flux-escape.*outside the repository/,
    },
    {
      // Refused as a whole, as Argo CD's out-of-bounds symlink check does; the other app is kept.
      name: 'a symlink in an app folder that leaves the repository: that app refused, naming the link',
      setup: ({ repo, outside: o }) => fs.symlinkSync(path.join(o, 'leak.yaml'), path.join(repo, 'apps/api/leak.yaml')),
      error: /api: .*leak\.yaml.*outside the repository/,
    },
    {
      name: 'a symlinked folder that leaves the repository',
      setup: ({ repo, outside: o }) => fs.symlinkSync(o, path.join(repo, 'apps/api/shared')),
      error: /api: .*shared.*outside the repository/,
    },
    {
      name: 'helm valueFiles outside the repository (../.., absolute, ~/.kube/config)',
      setup: ({ repo, outside: o }) => {
        chart(repo, 'charts/values-escape');
        const extra = `    helm:\n      valueFiles:\n      - ${path.relative(path.join(repo, 'charts/values-escape'), path.join(o, 'values.yaml'))}\n`;
        write(repo, 'argocd/values-escape.yaml', appYaml('values-escape', 'charts/values-escape', extra));
        write(repo, 'argocd/values-abs.yaml', appYaml('values-abs', 'charts/values-escape', `    helm:\n      valueFiles:\n      - ${path.join(o, 'values.yaml')}\n`));
        write(repo, 'argocd/values-kube.yaml', appYaml('values-kube', 'charts/values-escape', `    helm:\n      valueFiles:\n      - ~/.kube/config\n`));
        return [application('values-escape', 'charts/values-escape', 'rel-web'), application('values-abs', 'charts/values-escape', 'rel-web'), application('values-kube', 'charts/values-escape', 'rel-web')];
      },
      // An absolute value file is relative to the repository root (as repo-server resolves it), so it names a missing
      // file inside the repository; ~ is not expanded (as in Argo CD): a missing file in the chart.
      error: [/values-escape: .*values\.yaml.*outside the repository/, /values-abs: .*rel-hostile-[^/]+\/tmp\/rel-outside-[^/]+\/values\.yaml: no such file/, /values-kube: .*values-escape\/~\/\.kube\/config: no such file/],
    },
    {
      name: 'helm release name like an option (--post-renderer=./evil.sh): refused, never passed to helm',
      setup: ({ repo }) => {
        chart(repo, 'charts/evil');
        write(repo, 'charts/evil/evil.sh', '#!/bin/sh\ntouch "$(dirname "$0")/EVIL-RAN"\ncat\n');
        fs.chmodSync(path.join(repo, 'charts/evil/evil.sh'), 0o755);
        write(repo, 'argocd/evil.yaml', appYaml('evil', 'charts/evil', '    helm:\n      releaseName: --post-renderer=./evil.sh\n'));
        return [application('evil', 'charts/evil', 'rel-web', { helm: { releaseName: '--post-renderer=./evil.sh' } })];
      },
      error: /evil: .*"--post-renderer=\.\/evil\.sh".*not a valid (helm )?release name|release name .*--post-renderer/i,
    },
    {
      name: 'an app folder named like an option (--enable-exec): kustomize gets it after --',
      setup: ({ repo }) => {
        write(repo, 'apps/--enable-exec/kustomization.yaml', 'resources:\n- config.yaml\n');
        write(repo, 'apps/--enable-exec/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: optlike-config\n  namespace: rel-web\ndata:\n  a: "1"\n');
        write(repo, 'argocd/optlike.yaml', appYaml('optlike', 'apps/--enable-exec'));
        return [application('optlike', 'apps/--enable-exec', 'rel-web')];
      },
      // The app renders (its ConfigMap is missing live): the point is how kustomize was called.
      kept: ['ConfigMap/api-config', 'ConfigMap/optlike-config'],
      ran: 'kustomize',
    },
    {
      name: 'a kustomization with two symlinks to "." (a loop): bounded, the output printed and the process done',
      setup: ({ repo }) => {
        write(repo, 'apps/loop/kustomization.yaml', 'resources:\n- config.yaml\n');
        write(repo, 'apps/loop/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loop-config\n  namespace: rel-web\ndata:\n  a: "1"\n');
        fs.symlinkSync('.', path.join(repo, 'apps/loop/a'));
        fs.symlinkSync('.', path.join(repo, 'apps/loop/b'));
        write(repo, 'argocd/loop.yaml', appYaml('loop', 'apps/loop'));
        return [application('loop', 'apps/loop', 'rel-web')];
      },
      kept: ['ConfigMap/api-config', 'ConfigMap/loop-config'],
      ran: 'kustomize',
      deadlineMs: 60_000,
    },
    {
      name: 'a YAML alias bomb: an error naming the file and line, the app\'s other files kept',
      setup: ({ repo }) => {
        const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
        for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
        write(repo, 'apps/api/bomb.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n  namespace: rel-api\ndata:\n  ${lines.join('\n  ')}\n`);
      },
      error: /apps\/api\/bomb\.yaml(:\d+)?.*(alias|expand)/i,
      kept: ['ConfigMap/api-config'],
      deadlineMs: 60_000,
    },
    {
      name: 'a huge file (a 20 MB manifest): handled within the deadline, the other files kept',
      setup: ({ repo }) => {
        const big = 'x'.repeat(1024);
        const rows: string[] = [];
        for (let i = 0; i < 20_000; i++) rows.push(`  k${i}: ${big}`);
        write(repo, 'apps/api/huge.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n  namespace: rel-api\ndata:\n${rows.join('\n')}\n`);
      },
      kept: ['ConfigMap/api-config', 'ConfigMap/huge'],
      deadlineMs: 90_000,
    },
    {
      // kubectl (and Argo CD for a plain folder) read invalid bytes as U+FFFD and apply that: the diff agrees.
      name: 'non-UTF-8 bytes in a plain folder: read as kubectl does (U+FFFD), the live object so applied is Synced',
      setup: ({ repo }) => {
        write(repo, 'apps/api/latin1.yaml', Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: latin1\n  namespace: rel-api\ndata:\n  city: "M'), Buffer.from([0xfc]), Buffer.from('nchen"\n')]));
        return [tracked('api', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'latin1', namespace: 'rel-api' }, data: { city: 'M\uFFFDnchen' } } as KubeObject)];
      },
      kept: ['ConfigMap/api-config'],
      statuses: { 'ConfigMap/latin1': 'Synced' },
    },
    {
      // kubectl keeps the last of duplicate keys: so does the diff (a: "2" live is Synced).
      name: 'duplicate keys in a plain folder: the last wins, as with kubectl',
      setup: ({ repo }) => {
        write(repo, 'apps/api/dup.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  namespace: rel-api\ndata:\n  a: "1"\n  a: "2"\n');
        return [tracked('api', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup', namespace: 'rel-api' }, data: { a: '2' } } as KubeObject)];
      },
      kept: ['ConfigMap/api-config'],
      statuses: { 'ConfigMap/dup': 'Synced' },
    },
    {
      name: 'duplicate keys and non-UTF-8 bytes in a kustomize app: errors naming the file (as kustomize and Argo CD fail)',
      setup: ({ repo }) => {
        write(repo, 'apps/kdup/kustomization.yaml', 'resources:\n- dup.yaml\n');
        write(repo, 'apps/kdup/dup.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kdup\n  namespace: rel-web\ndata:\n  a: "1"\n  a: "2"\n');
        write(repo, 'apps/klatin/kustomization.yaml', 'resources:\n- latin1.yaml\n');
        write(repo, 'apps/klatin/latin1.yaml', Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: klatin\n  namespace: rel-web\ndata:\n  city: "M'), Buffer.from([0xfc]), Buffer.from('nchen"\n')]));
        write(repo, 'argocd/kdup.yaml', appYaml('kdup', 'apps/kdup'));
        write(repo, 'argocd/klatin.yaml', appYaml('klatin', 'apps/klatin'));
        return [application('kdup', 'apps/kdup', 'rel-web'), application('klatin', 'apps/klatin', 'rel-web')];
      },
      // kustomize names the file for bad bytes; for duplicate keys it gives the line, and the error names the folder.
      error: [/kdup: kustomize build \S*apps\/kdup failed: [^\n]*\n\s*line 8: mapping key "a" already defined at line 7/, /klatin: kustomize build \S*apps\/klatin failed: .*invalid leading UTF-8 octet in File: latin1\.yaml/],
      kept: ['ConfigMap/api-config'],
    },
    {
      name: 'a document that is a list, and one that is a scalar: reported like malformed manifests',
      setup: ({ repo }) => {
        write(repo, 'apps/api/list.yaml', '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: in-a-list, namespace: rel-api}\n');
        write(repo, 'apps/api/scalar.yaml', 'just a string\n');
      },
      error: /apps\/api\/(list|scalar)\.yaml(:\d+)?/,
      kept: ['ConfigMap/api-config'],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const repo = createRepo(tempDir('rel-hostile-'));
      dirs.push(repo);
      const seeded = c.setup({ repo, outside, world }) ?? [];
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '--allow-empty', '-m', 'hostile');
      if (seeded.length) await world.cluster.seed(seeded, 'argocd-server');
      fs.rmSync(argvLog, { force: true });
      try {
        const r: CliRun = await cli(['diff', '--repo', repo, '--kubeconfig', world.kubeconfigPath, '-o', 'json'], { deadlineMs: c.deadlineMs ?? 60_000, env: env() });
        const a: CliRun = await cli(['apps', '--repo', repo, '--kubeconfig', world.kubeconfigPath, '-o', 'json'], { deadlineMs: c.deadlineMs ?? 60_000, env: env() });
        const all = r.stdout + r.stderr + a.stdout + a.stderr;
        let d: JsonDiff;
        try {
          d = JSON.parse(r.stdout) as JsonDiff;
        } catch {
          throw new Error(`diff printed no report (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
        }
        const messages = [...(d.errors ?? []).map((e) => `${e.app ?? ''}: ${e.message}`), r.stderr].join('\n');
        if (c.error) {
          for (const re of [c.error].flat()) assert.match(messages, re, `diff errors: ${messages}`);
          assert.equal(r.code, 2, `a refused input is an error (exit 2): ${messages}`);
        } else assert.equal(d.errors, undefined, `no error expected: ${messages}`);
        // The rest is still reported: the other apps (web's kubectl edit) and the named objects.
        assert.equal(d.resources.find((x) => x.kind === 'Deployment' && x.name === 'web')?.status, 'Modified', JSON.stringify(d.resources.map((x) => `${x.kind}/${x.name}`)));
        for (const [k, st] of Object.entries(c.statuses ?? {})) assert.equal(d.resources.find((x) => `${x.kind}/${x.name}` === k)?.status, st, k);
        // It really rendered: the tool ran on a folder (after --), not only to print its version.
        if (c.ran) assert.ok(toolRuns().some((argv) => argv[0] === c.ran && argv.includes('--') && argv.length > argv.indexOf('--') + 1), `${c.ran} rendered: ${JSON.stringify(toolRuns())}`);
        for (const k of c.kept ?? []) assert.ok(d.resources.some((x) => `${x.kind}/${x.name}` === k), `${k} still reported: ${JSON.stringify(d.resources.map((x) => `${x.kind}/${x.name}`))}`);
        // Nothing outside the repository was read, nothing from it run or given to a tool as an option.
        assert.doesNotMatch(all, new RegExp(`${LEAK}|${VALUES_MARKER}`), 'a file outside the repository was read');
        assert.equal(fs.existsSync(path.join(repo, 'charts/evil/EVIL-RAN')), false, 'a script from the repository ran');
        for (const argv of toolRuns()) {
          const end = argv.indexOf('--');
          const options = end < 0 ? argv.slice(1) : argv.slice(1, end);
          for (const o of options) assert.doesNotMatch(o, /post-renderer|enable-exec|evil/, `${argv[0]} got a repository string as an option: ${JSON.stringify(argv)}`);
          // Without -- (e.g. `helm version --short`) nothing from the repository may be on the command line at all.
          if (end < 0) for (const a of argv.slice(1)) assert.ok(!a.includes(repo) && !/post-renderer|enable-exec|evil/.test(a), `${argv[0]} ran without -- before a repository operand: ${JSON.stringify(argv)}`);
        }
        assert.ok([0, 1, 2].includes(a.code), `apps exit ${a.code}: ${a.stderr}`);
      } finally {
        for (const o of seeded) await world.rest.call('DELETE', await world.rest.objectPath(o)).catch(() => undefined);
      }
    });
  }

  it('capture of an object in a file named c/web[1].yaml commits only that file (literal pathspecs), not the user\'s change to c/web1.yaml', async () => {
    const repo = createRepo(tempDir('rel-hostile-pathspec-'));
    dirs.push(repo);
    git(repo, 'mv', 'apps/web/deployment.yaml', 'apps/web/web[1].yaml');
    write(repo, 'apps/web/web1.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-extra\n  namespace: rel-web\ndata:\n  a: "1"\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'glob-like file name');
    fs.appendFileSync(path.join(repo, 'apps/web/web1.yaml'), '  user: "unstaged work"\n');
    const r = await cli(['capture', '--repo', repo, '--kubeconfig', world.kubeconfigPath, '--resource', 'apps/Deployment/rel-web/web', '--commit', '--branch', 'breakglass/pathspec'], { deadlineMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(git(repo, 'show', '--name-only', '--format=', 'HEAD').trim(), 'apps/web/web[1].yaml');
    assert.equal(git(repo, 'status', '--porcelain', '--', 'apps/web/web1.yaml').trim(), 'M apps/web/web1.yaml', 'the user change is still an unstaged change');
    assert.match(fs.readFileSync(path.join(repo, 'apps/web/web1.yaml'), 'utf8'), /unstaged work/);
  });
});
