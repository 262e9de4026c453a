// `npm start -- --smoke`: opens the running workbench as a user would (headless chromium), clicks the GitOps
// activity bar entry and waits until the Drift view lists every expected app. Resolves with the rows seen; throws
// with the rows seen so far when an app does not show up in time. A screenshot lands in test-results/.
import * as fs from 'node:fs';
import * as path from 'node:path';

const { DEFAULT_CHROMIUM, CHROMIUM_ARGS, VIEWPORT } = require('./run-integration.js');

export interface SmokeOptions {
  url: string;
  /** Names of apps that must appear as rows of the Drift view. */
  apps: string[];
  screenshot: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export async function smokeCheck(opts: SmokeOptions): Promise<string[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(opts.url, { waitUntil: 'domcontentloaded' });
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
    const remaining = () => Math.max(1, deadline - Date.now());
    // The activity bar entry of the extension's view container, as a user clicks it.
    const entry = page.locator('.activitybar [role="tab"][aria-label^="GitOps"], .activitybar a.action-label[aria-label^="GitOps"]').first();
    await entry.waitFor({ state: 'visible', timeout: remaining() });
    log('[smoke] workbench up; opening the GitOps view');
    await entry.click({ timeout: remaining() });
    log('[smoke] clicked');
    // The name part of each row's label (the description, e.g. "Synced · Healthy", is a separate element).
    const names = page.locator('.pane-body .monaco-list-row[role="treeitem"] .label-name');
    let labels: string[] = [];
    for (;;) {
      labels = (await names.allInnerTexts()).map((t: string) => t.replace(/\s+/g, ' ').trim());
      const missing = opts.apps.filter((app) => !labels.includes(app));
      if (!missing.length) break;
      if (Date.now() > deadline) {
        await shoot(page, opts.screenshot);
        throw new Error(`the Drift view did not list ${missing.join(', ')} (rows: ${labels.join(' | ') || 'none'})`);
      }
      if (process.env.GITOPS_SMOKE_DEBUG) log(`[smoke] rows: ${labels.join(' | ')}`);
      // Wait for the tree to change rather than polling on a timer.
      const before = labels.join('\n');
      await page
        .waitForFunction(
          (prev: string) => [...document.querySelectorAll<HTMLElement>('.pane-body .monaco-list-row[role="treeitem"] .label-name')].map((e) => e.innerText.replace(/\s+/g, ' ').trim()).join('\n') !== prev,
          before,
          { timeout: Math.min(5_000, remaining()), polling: 250 },
        )
        .catch(() => {});
    }
    await shoot(page, opts.screenshot);
    log(`[smoke] the Drift view lists ${opts.apps.join(', ')}; screenshot ${path.relative(process.cwd(), opts.screenshot)}`);
    return labels;
  } finally {
    await browser.close().catch(() => {});
  }
}

async function shoot(page: { screenshot(o: { path: string }): Promise<unknown> }, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file }).catch(() => {});
}
