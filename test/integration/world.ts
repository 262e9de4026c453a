// What the integration suites share: the demo world started by scripts/integration.ts, the extension's API,
// kubectl against the world, and polling.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { GitOpsDriftApi } from '../../src/extension/extension';
import type { IndexedResource } from '../../src/extension/driftIndex';
import type { SeededScenarios } from '../emulator/demo/seed-demo-world';

export interface TestWorld {
  kubeconfigPath: string;
  repoDir: string;
  scenarios: SeededScenarios;
  /** The kubeconfig context of the world's cluster: `gitops-demo` on the emulator, `admin` on the real server. */
  contextName: string;
  backend: 'emulator' | 'real';
}

export function world(): TestWorld {
  const raw = process.env.GITOPS_DRIFT_TEST_WORLD;
  assert.ok(raw, 'GITOPS_DRIFT_TEST_WORLD is set by scripts/integration.ts');
  return JSON.parse(raw);
}

export async function extensionApi(): Promise<GitOpsDriftApi> {
  const ext = vscode.extensions.getExtension<GitOpsDriftApi>('gitops-drift.gitops-drift');
  assert.ok(ext, 'extension installed');
  return ext.activate();
}

export function kubectl(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  return execFileSync('kubectl', ['--kubeconfig', world().kubeconfigPath, ...args], { encoding: 'utf8', env: { ...process.env, ...opts.env }, input: opts.input });
}

export function git(args: string[]): string {
  return execFileSync('git', args, { cwd: world().repoDir, encoding: 'utf8' }).trim();
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function findResource(api: GitOpsDriftApi, kind: string, namespace: string, name: string): IndexedResource | undefined {
  return api.session.index.allResources().find((r) => r.diff.ref.kind === kind && r.diff.ref.namespace === namespace && r.diff.ref.name === name);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { editorEnv } from './kubectlEditor';

/** Wider sidebar for screenshots, so the tree's descriptions are readable. */
export async function widenSidebar(steps = 3): Promise<void> {
  await vscode.commands.executeCommand('gitopsDrift.drift.focus');
  for (let i = 0; i < steps; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
}
