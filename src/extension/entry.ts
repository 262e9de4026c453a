// The extension's entry point (package.json `main`, dist/extension.js): registers a handler for every command and
// returns. The extension proper (extension.ts, dist/extension-full.js: the engine, YAML, the Kubernetes client —
// nearly all of the code) is loaded right after activation, so that activation stays short (issue 16: ≤ 50 ms,
// everything heavy after the first paint). A command run before that, or a use of the API, loads it at once.
import * as vscode from 'vscode';
import { COMMAND_IDS } from './commandIds';
import type { GitOpsDriftApi } from './extension';

type Handler = (...args: unknown[]) => unknown;

export interface LazyTimings {
  /** Loading and running the extension proper (after activation), in ms; undefined until loaded. */
  loadMs?: number;
}

export function activate(context: vscode.ExtensionContext): GitOpsDriftApi & { lazy: LazyTimings } {
  const handlers = new Map<string, Handler>();
  const lazy: LazyTimings = {};
  let api: GitOpsDriftApi | undefined;
  const load = (): GitOpsDriftApi => {
    if (!api) {
      const t0 = performance.now();
      // A separate bundle on purpose (esbuild.js): required at run time, not bundled in here.
      const full = require('./extension-full.js') as typeof import('./extension');
      api = full.activate(context, { registerCommand: (id, fn) => (handlers.set(id, fn), { dispose: () => handlers.delete(id) }) });
      lazy.loadMs = Math.round(performance.now() - t0);
    }
    return api;
  };
  for (const id of COMMAND_IDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, (...args: unknown[]) => {
        load();
        return handlers.get(id)?.(...args);
      }),
    );
  }
  const timer = setTimeout(load, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  return {
    lazy,
    commands: COMMAND_IDS,
    get session() {
      return load().session;
    },
    get tree() {
      return load().tree;
    },
    get history() {
      return load().history;
    },
    decorationsFor: (uri) => load().decorationsFor(uri),
    diagnosticsFor: (uri) => load().diagnosticsFor(uri),
  };
}

export function deactivate(): void {}
