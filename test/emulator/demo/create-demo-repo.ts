// Builds the demo GitOps repository from templates as a real Git repo with a short, reproducible
// history (fixed author and dates, so the commit SHAs are the same on every machine).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const DEMO_REPO_URL = 'https://github.com/example/gitops-demo.git';
const TEMPLATES = path.join(__dirname, 'templates');
const STAGING_KUSTOMIZATION = 'podinfo/overlays/staging/kustomization.yaml';

export interface DemoRepo {
  repoDir: string;
  repoURL: string;
  /** First commit: staging still has the legacy ConfigMap (synced there, then removed from Git). */
  initialCommit: string;
  /** HEAD of `main`. */
  headCommit: string;
}

function copyTemplates(from: string, to: string, repoURL: string): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name === '_history') continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyTemplates(src, dst, repoURL);
    } else fs.writeFileSync(dst, fs.readFileSync(src, 'utf8').replaceAll('{{REPO_URL}}', repoURL));
  }
}

function git(dir: string, args: string[], date?: string): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Demo Author',
    GIT_AUTHOR_EMAIL: 'demo@example.test',
    GIT_COMMITTER_NAME: 'Demo Author',
    GIT_COMMITTER_EMAIL: 'demo@example.test',
    GIT_AUTHOR_DATE: date ?? '2026-01-05T09:00:00Z',
    GIT_COMMITTER_DATE: date ?? '2026-01-05T09:00:00Z',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  return execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', ...args], { cwd: dir, env, encoding: 'utf8' }).trim();
}

/** Creates the repo in `dir` (which must not exist or be empty) and returns its commits. */
export function createDemoRepo(dir: string, repoURL = DEMO_REPO_URL): DemoRepo {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length) throw new Error(`${dir} is not empty`);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['remote', 'add', 'origin', repoURL]);
  copyTemplates(TEMPLATES, dir, repoURL);
  const history = path.join(TEMPLATES, '_history');
  fs.copyFileSync(path.join(history, 'staging-kustomization.yaml'), path.join(dir, STAGING_KUSTOMIZATION));
  fs.copyFileSync(path.join(history, 'legacy-settings.yaml'), path.join(dir, 'podinfo/overlays/staging/legacy-settings.yaml'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'Demo apps: guestbook, podinfo (staging, production), billing, Flux infra'], '2026-01-05T09:00:00Z');
  const initialCommit = git(dir, ['rev-parse', 'HEAD']);
  fs.copyFileSync(path.join(TEMPLATES, STAGING_KUSTOMIZATION), path.join(dir, STAGING_KUSTOMIZATION));
  fs.rmSync(path.join(dir, 'podinfo/overlays/staging/legacy-settings.yaml'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'staging: drop the legacy settings ConfigMap'], '2026-01-06T14:30:00Z');
  return { repoDir: dir, repoURL, initialCommit, headCommit: git(dir, ['rev-parse', 'HEAD']) };
}
