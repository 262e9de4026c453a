// Types for scripts/code-server.js, so TypeScript scripts (e.g. scripts/start.ts) can import it.
import type { ChildProcess } from 'node:child_process';

export declare const CODE_SERVER_VERSION: string;
/** User settings every started code-server gets unless overridden. */
export declare const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;

/** .vscode-test/code-server in the repo, or $GITOPS_DRIFT_CODE_SERVER_DIR. */
export declare function defaultInstallDir(): string;
/** Entry script of a complete install, or undefined. */
export declare function locateCodeServer(dir?: string): string | undefined;
/** Installs (offline-safe, idempotent, locked) and returns the entry script. */
export declare function installCodeServer(options?: {
  dir?: string;
  force?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}): Promise<string>;

export interface StartedCodeServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything code-server printed so far. */
  output(): string;
  /** Ends code-server and everything it spawned; deletes its temp user-data and extensions dirs. */
  stop(): Promise<void>;
}

export declare function startCodeServer(options?: {
  entry?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Added to the environment code-server and its extension host run with. */
  env?: Record<string, string>;
  /** Default false: starts with --disable-workspace-trust. */
  workspaceTrust?: boolean;
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  extraArgs?: string[];
  /** Installed extensions to load (default: a fresh empty temp dir, deleted by stop()). */
  extensionsDir?: string;
  startTimeoutMs?: number;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}): Promise<StartedCodeServer>;
