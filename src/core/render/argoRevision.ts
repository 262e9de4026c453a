// ARGOCD_APP_REVISION for the build environment: repo-server sets it to the commit the Application's targetRevision
// resolved to (reposerver/repository newEnv: ARGOCD_APP_REVISION, _SHORT = 7 characters, _SHORT_8 = 8). Locally the
// rendered files are the checkout's, so its HEAD commit is the revision; the two agree when the workspace is at the
// commit Argo CD synced. git runs only for an app whose options mention the variable.
import { promises as fs } from 'node:fs';
import type { App } from '../model';
import { argoSourceOverrideFiles } from './argoSourceOverrides';
import { runLimited } from './spawnLimiter';
import type { RenderDeps } from './types';

/** Whether the Application's (override-merged) source mentions ARGOCD_APP_REVISION anywhere. */
export function mentionsArgoRevision(app: App): boolean {
  const spec = app.definition?.spec as Record<string, unknown> | undefined;
  return JSON.stringify(spec?.source ?? {}).includes('ARGOCD_APP_REVISION');
}

/** The checkout's HEAD commit when the app needs it, else undefined (also when the folder is not a git checkout). */
export async function argoRevision(app: App, deps: Pick<RenderDeps, 'runner' | 'signal' | 'timeoutMs'>): Promise<string | undefined> {
  if (app.kind !== 'argo-application' || !app.repoRoot || !mentionsArgoRevision(app)) return undefined;
  const res = await runLimited(deps.runner, 'git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: app.repoRoot, signal: deps.signal, timeoutMs: deps.timeoutMs }).catch(() => undefined);
  const sha = res?.code === 0 ? res.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/**
 * Whether the app's render depends on the checkout's HEAD (its options or its `.argocd-source*.yaml` files use
 * ARGOCD_APP_REVISION): no hashed file shows a new commit, so such a render is not cached.
 */
export async function dependsOnArgoRevision(app: App): Promise<boolean> {
  if (app.kind !== 'argo-application') return false;
  if (mentionsArgoRevision(app)) return true;
  for (const f of argoSourceOverrideFiles(app)) {
    if ((await fs.readFile(f, 'utf8').catch(() => '')).includes('ARGOCD_APP_REVISION')) return true;
  }
  return false;
}
