// Small verbs over the code-server workbench, acting the way a person does: clicks, right-clicks, typing and keys,
// hovering. Every wait is on DOM state (rows, aria labels, texts), never a fixed delay.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';

export interface WorkbenchOptions {
  screenshotsDir: string;
  log?: (line: string) => void;
  /** Default wait for UI state (ms). */
  timeoutMs?: number;
}

const ROW = '.monaco-list-row[role="treeitem"]';
const QUICK_INPUT = '.quick-input-widget';
const DIALOG = '.monaco-dialog-box';
const TOAST = '.notifications-toasts .notification-toast';
/** The label of a quick pick row (its detail line has a .label-name too). */
const PICK_LABEL = '.quick-input-list-row:first-child .label-name';

function normal(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export class Workbench {
  readonly timeoutMs: number;
  private journey = 'journey';
  /** The label of the row whose context menu was used last (see recoverLostRow). */
  private lastMenuRow?: string;
  /** Product issues the journeys worked around, to report at the end of the run. */
  readonly issues: string[] = [];
  private step = 0;
  private readonly log: (line: string) => void;

  constructor(
    readonly page: Page,
    private readonly opts: WorkbenchOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.log = opts.log ?? (() => {});
  }

  /** Screenshots of the next steps go to `<screenshotsDir>/<name>/NN-step.png`. */
  startJourney(name: string): void {
    this.journey = name.replace(/[^A-Za-z0-9._-]+/g, '-');
    this.step = 0;
  }

  async screenshot(step: string): Promise<string> {
    const dir = path.join(this.opts.screenshotsDir, this.journey);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${String(++this.step).padStart(2, '0')}-${step.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    this.log(`    screenshot ${path.relative(process.cwd(), file)}`);
    return file;
  }

  // ---- waiting ----

  /**
   * The pickers a command shows when it was started without its tree row: the tree refreshed (a watch event)
   * between the right-click and the choice, and VS Code hands the command `undefined` for a row it no longer knows.
   */
  private lostRowPicker(): Locator {
    return this.page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: /which app\?$|^(Capture live changes of|Open live object|Reveal source of)…$/ });
  }

  /**
   * Waits until `target` is visible. If a command lost its row instead (see lostRowPicker), the person picks that
   * row's app or resource in the picker and the wait goes on; the product issue is logged and kept in `issues`.
   */
  /** The impact preview shown before a sync, resume or reconcile ("Resume infra: 1 live edit will be reverted"). */
  private previewDialog(): Locator {
    return this.page.locator(`${DIALOG} .dialog-message-text`, { hasText: /^(Sync|Resume|Reconcile) [^:]+: / });
  }

  /** Reads an impact preview and goes on with the action (its verb button), keeping a screenshot of it. */
  private async acceptPreview(): Promise<boolean> {
    const preview = this.previewDialog();
    if (!(await preview.isVisible())) return false;
    const message = normal(await preview.innerText());
    const verb = /^(Sync|Resume|Reconcile) /.exec(message)![1];
    this.log(`    impact preview: ${message}`);
    await this.screenshot('impact-preview');
    await this.page.locator(`${DIALOG} .dialog-buttons .monaco-button`, { hasText: new RegExp(`^\\s*${verb}\\s*$`) }).first().click();
    await preview.waitFor({ state: 'hidden', timeout: this.timeoutMs });
    return true;
  }

  private async waitVisible(target: Locator, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Only visible ones: `.first()` of the union is in document order, and a hidden quick input widget comes first.
      await target.or(this.lostRowPicker()).or(this.previewDialog()).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
      if (await this.acceptPreview()) continue;
      if (await target.first().isVisible()) return;
      if (!(await this.recoverLostRow())) {
        await target.first().waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
        return;
      }
    }
  }

  private async recoverLostRow(): Promise<boolean> {
    const picker = this.lostRowPicker();
    if (!(await picker.isVisible()) || !this.lastMenuRow) return false;
    const title = normal(await picker.innerText());
    const issue = `product issue: "${title}" was asked after choosing a context-menu item on row "${this.lastMenuRow}" (the tree refreshed between the right-click and the choice, and the command got no row)`;
    this.log(`    ${issue}; picking ${this.lastMenuRow}`);
    this.issues.push(issue);
    await this.screenshot('lost-row-picker');
    const row = this.page
      .locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`)
      .filter({ has: this.page.locator(PICK_LABEL, { hasText: new RegExp(`(^|\\s)${escapeRegExp(this.lastMenuRow)}\\s*$`) }) })
      .first();
    await row.click({ timeout: this.timeoutMs });
    await picker.waitFor({ state: 'hidden', timeout: this.timeoutMs });
    return true;
  }

  // ---- the window ----

  /** Reloads the window (a fresh workbench and extension host, as after "Reload Window") and waits for it. */
  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench .activitybar').waitFor({ state: 'visible', timeout: 120_000 });
  }

  /** Drags the side bar's edge to make it wider, so the tree's descriptions are readable in screenshots. */
  async widenSidebar(width = 560): Promise<void> {
    const sidebar = this.page.locator('.part.sidebar');
    await sidebar.waitFor({ state: 'visible', timeout: this.timeoutMs });
    const box = (await sidebar.boundingBox())!;
    if (box.width >= width) return;
    const edge = box.x + box.width;
    await this.page.mouse.move(edge, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  // ---- views and the tree ----

  /**
   * Clicks the activity-bar entry of a view container (e.g. "GitOps") unless it is already showing, and gives the
   * view (e.g. "Drift") the whole side bar: other views of the container are collapsed, as a person does to see
   * more rows.
   */
  async openView(container: string, view: string): Promise<void> {
    const entry = this.page.locator(`.activitybar [role="tab"][aria-label^="${container}"], .activitybar a.action-label[aria-label^="${container}"]`).first();
    await entry.waitFor({ state: 'visible', timeout: 120_000 });
    // The side bar's title names the container ("GITOPS", or "GITOPS: DRIFT" when it holds one view).
    const title = this.page.locator('.part.sidebar .composite.title .title-label', { hasText: new RegExp(`^\\s*${escapeRegExp(container)}`, 'i') }).first();
    // Clicking the entry of the container already showing closes the side bar, and a window still restoring its
    // layout may open it right after a click: click until the container shows, as a person would.
    for (let attempt = 0; !(await title.isVisible()); attempt++) {
      if (attempt === 5) throw new Error(`the ${container} view container did not open`);
      // force: while the extension refreshes, a progress badge covers the icon; a person's click lands on it and
      // reaches the entry all the same.
      await entry.click({ force: true });
      await title.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
    }
    const headers = this.page.locator('.part.sidebar .pane-header[aria-expanded="true"]:not(.hidden)');
    for (let i = 0; i < (await headers.count()); i++) {
      const h = headers.nth(i);
      const label = (await h.getAttribute('aria-label')) ?? '';
      if (!label.toLowerCase().startsWith(view.toLowerCase())) await h.click();
    }
    const own = this.page.locator(`.part.sidebar .pane-header[aria-label^="${view}" i]`).first();
    if ((await own.isVisible()) && (await own.getAttribute('aria-expanded')) === 'false') await own.click();
  }

  /**
   * Waits until the extension is idle: its status bar entry names the cluster and shows no spinning refresh icon
   * (a person waits for the spinner before acting on rows that are about to be replaced).
   */
  async waitForIdle(timeoutMs = 120_000): Promise<void> {
    await this.page
      .locator('.statusbar-item', { hasText: /drifted|in sync/ })
      .filter({ hasNot: this.page.locator('.codicon-modifier-spin, .codicon-sync\\~spin') })
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** A journey's start: a reloaded window, no editors, the Drift view open and wide, the extension idle. */
  async begin(journey: string): Promise<void> {
    this.startJourney(journey);
    await this.reload();
    await this.closeAllEditors();
    await this.openView('GitOps', 'Drift');
    await this.widenSidebar();
    await this.waitForIdle();
    await this.recordNotifications();
  }

  /** Tree rows of the side bar, as their text reads (label, then description). */
  async treeRows(): Promise<string[]> {
    return (await this.page.locator(`.sidebar ${ROW}`).allInnerTexts()).map(normal);
  }

  /**
   * The side-bar tree row whose label is `label` (exact), optionally under an ancestor row labelled `under` and
   * with a description matching `description`. Waits until it exists; expands collapsed ancestors on the way is up
   * to the caller (expand()).
   */
  treeRow(label: string, opts: { description?: string | RegExp } = {}): Locator {
    let row = this.page.locator(`.sidebar ${ROW}`).filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
    if (opts.description !== undefined) row = row.filter({ has: this.page.locator('.label-description', { hasText: opts.description }) });
    return row.first();
  }

  /**
   * The row labelled `path[path.length - 1]` inside the rows labelled by the earlier entries (each one deeper in the
   * tree than the one before), e.g. `['podinfo-staging', 'podinfo']`. Waits until such a row is shown.
   */
  async treeRowAt(path: string[]): Promise<Locator> {
    // Expand the way down, as a person clicks the twisties.
    for (let k = 1; k < path.length; k++) await this.expand(await this.findRow(path.slice(0, k)));
    return this.findRow(path);
  }

  private async findRow(path: string[]): Promise<Locator> {
    const find = (want: string[]) => {
      const rows = [...document.querySelectorAll<HTMLElement>('.sidebar .monaco-list-row[role="treeitem"]')]
        .map((e) => ({ index: Number(e.dataset.index), level: Number(e.getAttribute('aria-level')), label: (e.querySelector('.label-name') as HTMLElement | null)?.innerText.replace(/\s+/g, ' ').trim() ?? '' }))
        .sort((x, y) => x.index - y.index);
      let from = 0;
      let minLevel = 0;
      for (let k = 0; k < want.length; k++) {
        let hit = -1;
        for (let i = from; i < rows.length && rows[i].level > minLevel; i++) {
          if (rows[i].label === want[k]) {
            hit = i;
            break;
          }
        }
        if (hit < 0) return undefined;
        // + 1: waitForFunction waits for a truthy value, and the first row's index is 0.
        if (k === want.length - 1) return rows[hit].index + 1;
        minLevel = rows[hit].level;
        from = hit + 1;
      }
      return undefined;
    };
    let index: number;
    try {
      index = (await (await this.page.waitForFunction(find, path, { timeout: this.timeoutMs })).jsonValue()) as number;
    } catch (e) {
      throw new Error(`no tree row ${path.join(' › ')} (rows: ${(await this.treeRows()).join(' | ')})`, { cause: e });
    }
    return this.page.locator(`.sidebar ${ROW}[data-index="${index - 1}"]`);
  }

  /** Waits for a row and makes sure it is expanded. */
  async expand(row: Locator): Promise<void> {
    await row.waitFor({ state: 'visible', timeout: this.timeoutMs });
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      const el = await row.elementHandle();
      await row.locator('.monaco-tl-twistie').click();
      await this.page.waitForFunction((e) => e?.getAttribute('aria-expanded') === 'true', el, { timeout: this.timeoutMs });
    }
  }

  /** The description (e.g. "Synced · Healthy", "modified · kubectl-edit 2 min ago") of a row. */
  async description(row: Locator): Promise<string> {
    await row.waitFor({ state: 'visible', timeout: this.timeoutMs });
    return normal((await row.locator('.label-description').allInnerTexts()).join(' '));
  }

  /** Waits until a row's description matches (the row is found again on every re-render). */
  async waitForDescription(row: Locator, want: RegExp, timeoutMs = this.timeoutMs): Promise<string> {
    const match = row.locator('.label-description').filter({ hasText: want }).first();
    try {
      await this.waitVisible(match, timeoutMs);
    } catch (e) {
      throw new Error(`row description did not match ${want} within ${timeoutMs} ms (it reads "${await this.description(row).catch(() => '?')}")`, { cause: e });
    }
    return normal(await match.innerText());
  }

  /**
   * Clicks a row to open it (a resource opens its diff) and waits for the editor tab. A click that lands while the
   * tree re-renders the row (a watch event just arrived) only selects it; a person then presses Enter on the
   * selected row, and so does this.
   */
  async openRow(row: Locator, tab: RegExp): Promise<string> {
    await row.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await row.click();
    const opened = this.page.locator('.editor-group-container.active .tabs-container .tab.active').filter({ hasText: tab }).first();
    if (!(await opened.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false))) {
      this.log(`    (the click did not open ${tab}; pressing Enter on the selected row)`);
      await row.focus();
      await this.page.keyboard.press('Enter');
    }
    return this.activeTab(tab);
  }

  /** Clicks a row's inline action (the icon buttons shown on hover), by its title. */
  async inlineAction(row: Locator, title: string): Promise<void> {
    await row.hover();
    const action = row.locator(`.actions .action-label[aria-label="${title}"]`);
    await action.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await action.click();
  }

  // ---- menus ----

  /** Moves the mouse off the rows so that no tooltip covers the row to click next. */
  async dismissHover(): Promise<void> {
    await this.page.mouse.move(1200, 18);
    await this.page.locator('.workbench-hover-container').first().waitFor({ state: 'hidden', timeout: this.timeoutMs }).catch(() => {});
  }

  /** Right-clicks a row and returns the titles of the context menu's items (the menu stays open). */
  async contextMenuItems(row: Locator): Promise<string[]> {
    await this.closeMenu();
    await row.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await this.dismissHover();
    this.lastMenuRow = normal(await row.locator('.label-name').first().innerText());
    await row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    // The tree focuses the row and shows its menu while handling the same right-click; a row with no items shows
    // none. So: wait until the row is focused, let the renderer paint, then the menu is there or there is none.
    await this.page.waitForFunction((el) => el?.classList.contains('focused') === true, await row.elementHandle(), { timeout: this.timeoutMs });
    await this.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    if (!(await menu.isVisible())) return [];
    const items = await menu.locator('.action-item:not(.disabled) .action-label').allInnerTexts();
    return items.map(normal).filter(Boolean);
  }

  /**
   * Right-clicks a row and chooses `item` from its context menu. A tree redraw (a watch event) can close the menu
   * between the right-click and the click on the item; a person then right-clicks again, and so does this. Returns
   * once the menu is gone (the command has started).
   */
  async contextMenu(row: Locator, item: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    for (let attempt = 1; ; attempt++) {
      const items = await this.contextMenuItems(row);
      if (!items.includes(item)) {
        await this.closeMenu();
        throw new Error(`context menu has no "${item}" (items: ${items.join(' | ') || 'none'})`);
      }
      const entry = menu.locator('.action-item .action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(item)}\\s*$`) }).first();
      const clicked = await entry.click({ timeout: 5_000 }).then(() => true, () => false);
      if (clicked) {
        await menu.waitFor({ state: 'hidden', timeout: this.timeoutMs });
        return;
      }
      if (attempt === 3) throw new Error(`the context menu of "${this.lastMenuRow}" closed before "${item}" could be chosen, ${attempt} times`);
      this.log(`    (the context menu closed before "${item}" was chosen; right-clicking again)`);
      await this.closeMenu();
    }
  }

  async closeMenu(): Promise<void> {
    if (!(await this.page.locator('.context-view .monaco-menu').isVisible())) return;
    await this.page.keyboard.press('Escape');
    await this.page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  // ---- quick input ----

  /** Waits for the quick input (pick or input box) and returns its title. */
  async quickInputTitle(): Promise<string> {
    const widget = this.page.locator(QUICK_INPUT);
    await this.waitVisible(widget, this.timeoutMs);
    return normal(await widget.locator('.quick-input-title').innerText().catch(() => ''));
  }

  /** Items of the open quick pick, as their labels read. */
  async quickPickItems(): Promise<string[]> {
    await this.page.locator(`${QUICK_INPUT} .quick-input-list ${'.monaco-list-row'}`).first().waitFor({ state: 'visible', timeout: this.timeoutMs });
    return (await this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row ${PICK_LABEL}`).allInnerTexts()).map(normal);
  }

  /** Chooses the item whose label is `label` in the open single-choice quick pick (clicks it). */
  async quickPick(label: string): Promise<void> {
    const item = this.quickPickRow(label);
    await item.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await item.click();
  }

  private quickPickRow(label: string): Locator {
    return this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ has: this.page.locator(PICK_LABEL, { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) }).first();
  }

  /** In a multi-choice quick pick: the labels currently checked. */
  async quickPickChecked(): Promise<string[]> {
    await this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).first().waitFor({ state: 'visible', timeout: this.timeoutMs });
    const rows = this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
    const out: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const r = rows.nth(i);
      if ((await r.getAttribute('aria-checked')) === 'true') out.push(normal(await r.locator(PICK_LABEL).innerText()));
    }
    return out;
  }

  /** In a multi-choice quick pick: checks (or unchecks) an item by clicking its checkbox. */
  async quickPickCheck(label: string, checked = true): Promise<void> {
    const row = this.quickPickRow(label);
    await row.waitFor({ state: 'visible', timeout: this.timeoutMs });
    if (((await row.getAttribute('aria-checked')) === 'true') !== checked) await row.locator('.monaco-checkbox').first().click();
  }

  /** Presses the quick input's OK button (multi-choice picks) — or Enter when it has none. */
  async quickInputAccept(): Promise<void> {
    const ok = this.page.locator(`${QUICK_INPUT} .quick-input-action .monaco-button, ${QUICK_INPUT} .quick-input-ok .monaco-button`).first();
    if (await ok.isVisible().catch(() => false)) await ok.click();
    else await this.page.keyboard.press('Enter');
  }

  /** Types into the open input box (replacing what is there) and presses Enter. */
  async inputBox(text: string, opts: { title?: RegExp } = {}): Promise<void> {
    // The box of a multi-step input keeps its widget between steps: wait for this step's title, not just any box.
    if (opts.title) await this.waitVisible(this.page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: opts.title }), this.timeoutMs).catch(() => {});
    const title = await this.quickInputTitle();
    if (opts.title && !opts.title.test(title)) throw new Error(`input box "${title}" is not the expected ${opts.title}`);
    const input = this.page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await input.fill(text);
    await input.press('Enter');
  }

  /** Waits until the message under the input box (prompt or validation) matches; returns it. */
  async inputBoxMessage(want: RegExp): Promise<string> {
    const message = this.page.locator(`${QUICK_INPUT} .quick-input-message`).filter({ hasText: want }).first();
    await this.waitVisible(message, this.timeoutMs);
    return normal(await message.innerText());
  }

  async quickInputHidden(): Promise<void> {
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  // ---- dialogs and notifications ----

  /** Waits for a modal dialog; returns its message and detail text. */
  async dialog(): Promise<{ message: string; detail: string; buttons: string[] }> {
    const box = this.page.locator(DIALOG);
    await this.waitVisible(box, this.timeoutMs);
    // A dialog without detail shows its message in the detail element.
    const text = box.locator('.dialog-message-text');
    const message = (await text.count()) ? normal(await text.innerText()) : '';
    const detail = (await box.locator('.dialog-message-detail').innerText().catch(() => '')).trim();
    return {
      message: message || normal(detail),
      detail: message ? detail : '',
      buttons: (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map(normal),
    };
  }

  /** Presses a modal dialog's button by its label. */
  async dialogButton(label: string): Promise<void> {
    const box = this.page.locator(DIALOG);
    await box.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await box.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }).first().click();
    await box.waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  /**
   * Starts recording every notification toast that appears (severity and message), so a journey can assert
   * afterwards that no error was shown between its steps, however briefly.
   */
  async recordNotifications(): Promise<void> {
    // Plain text: the test bundler would wrap named functions in a helper the page does not have.
    await this.page.evaluate(`(() => {
      window.__journeyToasts = [];
      if (window.__journeyObserver) window.__journeyObserver.disconnect();
      // By element and text: the workbench reuses a toast's elements for the next notification.
      const seen = new WeakMap();
      const scan = () => {
        for (const t of document.querySelectorAll('.notification-toast .notification-list-item')) {
          const m = t.querySelector('.notification-list-item-message');
          const message = m ? m.innerText.replace(/\\s+/g, ' ').trim() : '';
          if (!message || seen.get(t) === message) continue;
          seen.set(t, message);
          const icon = (t.querySelector('.notification-list-item-icon') || {}).className || '';
          window.__journeyToasts.push({ severity: /error/.test(icon) ? 'error' : /warning/.test(icon) ? 'warning' : 'info', message });
        }
      };
      window.__journeyObserver = new MutationObserver(scan);
      window.__journeyObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
      scan();
    })()`);
  }

  /** The toasts recorded since recordNotifications(). */
  async recordedNotifications(): Promise<{ severity: string; message: string }[]> {
    return this.page.evaluate(() => (window as unknown as { __journeyToasts?: { severity: string; message: string }[] }).__journeyToasts ?? []);
  }

  /** Waits for a notification toast whose message matches; returns its text. */
  async notification(text: string | RegExp, timeoutMs = this.timeoutMs, opts: { recorded?: boolean } = {}): Promise<string> {
    const toast = this.page.locator(TOAST).filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) }).first();
    if (!opts.recorded) {
      await this.waitVisible(toast, timeoutMs);
      return normal(await toast.locator('.notification-list-item-message').innerText());
    }
    // With `recorded` (a message shown once per journey): a toast can come and go between two polls (VS Code hides toasts, e.g. when a newer one replaces it): what the
    // recorder saw counts too.
    const want = typeof text === 'string' ? (m: string) => m.includes(text) : (m: string) => text.test(m);
    const recorded = async () => (await this.recordedNotifications()).map((n) => n.message).find(want);
    const seen = await recorded();
    if (seen) return seen;
    const controller = { stop: false };
    const fromRecorder = (async () => {
      for (let polls = 1; !controller.stop; polls++) {
        const m = await recorded().catch(() => undefined);
        if (m) return m;
        // The workbench sometimes lists a notification in the notification center without showing its toast (seen
        // right after a modal dialog closes): after 15 s without a toast a person looks in the center, as this does.
        if (polls % 60 === 0) {
          const inCenter = (await this.notificationCenterMessages().catch(() => [])).find(want);
          if (inCenter) {
            this.log(`    (no toast for "${inCenter}"; found in the notification center)`);
            return inCenter;
          }
        }
        await this.page.waitForTimeout(250);
      }
      return undefined;
    })();
    try {
      const first = await Promise.race([this.waitVisible(toast, timeoutMs).then(() => undefined), fromRecorder.then((m) => m ?? new Promise<never>(() => {}))]);
      if (first) return first;
      return normal(await toast.locator('.notification-list-item-message').innerText());
    } finally {
      controller.stop = true;
    }
  }

  /** Opens the notification center (the status bar's bell), which lists every notification of the window. */
  async showNotificationCenter(): Promise<void> {
    await this.page.locator('.statusbar-item[id="status.notifications"] a, .statusbar-item[id="status.notifications"]').first().click({ timeout: 5_000 });
    await this.page.locator('.notifications-center').first().waitFor({ state: 'visible', timeout: 5_000 });
  }

  /** Opens the notification center, reads its messages (newest first) and closes it again. */
  async notificationCenterMessages(): Promise<string[]> {
    await this.showNotificationCenter();
    const center = this.page.locator('.notifications-center').first();
    const messages = (await center.locator('.notification-list-item-message').allInnerTexts()).map(normal);
    await this.page.locator('.statusbar-item[id="status.notifications"] a, .statusbar-item[id="status.notifications"]').first().click({ timeout: 5_000 });
    await center.waitFor({ state: 'hidden', timeout: 5_000 });
    return messages;
  }

  /** The messages of the toasts showing now. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator(`${TOAST} .notification-list-item-message`).allInnerTexts()).map(normal);
  }

  /** Closes every toast (so a later wait cannot match an old one). */
  async clearNotifications(): Promise<void> {
    const toasts = this.page.locator(TOAST);
    while ((await toasts.count()) > 0) {
      const t = toasts.first();
      await t.hover();
      const close = t.locator('.codicon-notifications-clear, .action-label[aria-label^="Clear"]').first();
      // force: a toast still sliding in is never "stable".
      if (await close.isVisible().catch(() => false)) await close.click({ force: true, timeout: 5_000 }).catch(() => {});
      else break;
      await t.waitFor({ state: 'detached', timeout: this.timeoutMs }).catch(() => {});
    }
  }

  // ---- editors ----

  /** Opens a workspace file with Quick Open (Ctrl+P), as a person does, and waits for its tab. */
  async openFile(relPath: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await input.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await input.fill(relPath);
    const base = path.basename(relPath);
    const dir = path.dirname(relPath);
    // The result row for that file (name, then its folder as the description), once the search has answered.
    const row = this.page
      .locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(base)}\\s*$`) }) })
      .filter({ has: this.page.locator('.label-description', { hasText: dir === '.' ? /^/ : dir }) })
      .first();
    await row.click({ timeout: this.timeoutMs });
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${base}"]`).first().waitFor({ state: 'visible', timeout: this.timeoutMs });
  }

  /** Waits until the active editor tab's label matches; returns it. */
  async activeTab(want: RegExp = /./): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active').filter({ hasText: want }).first();
    try {
      await this.waitVisible(tab, this.timeoutMs);
    } catch (e) {
      const now = await this.page.locator('.editor-group-container.active .tabs-container .tab.active').first().innerText().catch(() => 'none');
      throw new Error(`the active editor is "${normal(now)}", not ${want}`, { cause: e });
    }
    return normal(await tab.innerText());
  }

  /** Closes every editor (Ctrl+K Ctrl+W), so a journey starts from an empty editor area. */
  async closeAllEditors(): Promise<void> {
    await this.page.locator('.monaco-workbench').first().click({ position: { x: 5, y: 5 }, force: true }).catch(() => {});
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+W');
    await this.page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: this.timeoutMs });
  }

  /**
   * Opens `relPath`, finds the first line whose text contains `line` (a string: the editor renders spaces as
   * no-break spaces, which only string matching treats as spaces) and hovers the mouse over its text; waits for
   * the hover widget and returns it.
   */
  async hoverAt(relPath: string, line: string): Promise<Locator> {
    await this.openFile(relPath);
    const editor = this.page.locator('.editor-group-container.active .monaco-editor').first();
    const target = editor.locator('.view-lines .view-line', { hasText: line }).first();
    await target.waitFor({ state: 'visible', timeout: this.timeoutMs });
    const text = target.locator('span > span').first();
    // The editor's content hover (not the workbench's tooltips on tabs and rows).
    const hover = this.page.locator('.monaco-editor .monaco-resizable-hover .monaco-hover').filter({ hasText: /\S/ }).first();
    // Rest the mouse on the text; if no hover comes, move it a little, as a person does.
    for (let attempt = 0; ; attempt++) {
      await this.dismissHover();
      // The editor re-renders its lines when decorations arrive (the span found a moment ago may be gone): find
      // the line's text again before each move.
      await text.waitFor({ state: 'visible', timeout: this.timeoutMs });
      const box = await text.boundingBox();
      if (!box) {
        if (attempt === 3) throw new Error(`the line "${line}" of ${relPath} kept being re-rendered`);
        continue;
      }
      await this.page.mouse.move(box.x + box.width / 2 + attempt * 3, box.y + box.height / 2, { steps: 3 });
      if (await hover.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) break;
      if (attempt === 3) throw new Error(`no hover on the line "${line}" of ${relPath}`);
    }
    return hover;
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
