// Types for scripts/run-integration.js, so TypeScript scripts can start a world first and then run the suites.

export interface RunIntegrationOptions {
  /** Folder opened in the workbench; default: a fresh temp folder (deleted afterwards). */
  workspace?: string;
  /** Environment for code-server and so the extension host (e.g. KUBECONFIG of an emulator). */
  env?: Record<string, string>;
  /** Default: the repo root. */
  extensionPath?: string;
  /** Bundled mocha runner; default: out/test/index.js or out/test/integration/index.js. */
  testsPath?: string;
  /** Where `##screenshot <name>` and final.png land; default: test-results/. */
  screenshotsDir?: string;
  /** Overall limit; default 10 minutes. */
  timeoutMs?: number;
  /** Default false: code-server runs with --disable-workspace-trust. */
  workspaceTrust?: boolean;
  /** User settings merged over code-server.js DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Only tests whose title matches (GITOPS_DRIFT_TEST_GREP). */
  grep?: string;
  /** Default $CHROMIUM_PATH or /usr/bin/chromium. */
  chromiumPath?: string;
  /** Also forward the workbench console and connection chatter. */
  verbose?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Resolves with 0 (passed), 1 (tests failed) or 2 (harness failure: timeout, crash, missing build). */
export declare function runIntegration(options?: RunIntegrationOptions): Promise<number>;
export declare function defaultTestsPath(): string;
export declare function workbenchUrl(serverUrl: string, paths: { workspace: string; extensionPath: string; testsPath: string }): string;
export declare function formatLogArgs(args: unknown): string;
/** Debian's chromium. */
export declare const DEFAULT_CHROMIUM: string;
/** Flags the headless workbench browser runs with on this offline machine. */
export declare const CHROMIUM_ARGS: string[];
export declare const VIEWPORT: { width: number; height: number };
