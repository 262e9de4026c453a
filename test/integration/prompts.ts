// Answers the extension's real prompts inside the extension host (issue 17.2): the quick picks, input boxes and modal
// dialogs the commands show go through `vscode.window`, which the suites share with the extension; this replaces
// those functions for the duration of a test, checks each prompt against what the test expects (title / message,
// items, buttons) and answers it by label, the way a person would. Commands get no answers as arguments.
// Non-modal notifications are shown in the workbench, recorded, and answered as dismissed; an error notification
// fails the test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export type PromptKind = 'quickPick' | 'input' | 'dialog';

export interface SeenPrompt {
  kind: PromptKind | 'notification';
  /** Quick pick / input box title, or the dialog's / notification's message. */
  text: string;
  detail?: string;
  /** Quick pick item labels or dialog buttons. */
  options: string[];
  /** Preselected items of a multi-pick. */
  picked?: string[];
  /** Input box: what validateInput said about the answer. */
  validation?: string;
}

export interface Expectation {
  kind: PromptKind;
  /** Matched against the title (quick pick, input) or the message (dialog). */
  match: RegExp;
  /**
   * The answer: an item / button label, several labels (multi-pick), 'picked' (take the preselection of a
   * multi-pick), text for an input box, or undefined to cancel (Escape).
   */
  answer: string | string[] | undefined;
  /** Extra checks on the prompt as shown. */
  check?(p: SeenPrompt): void;
}

type Win = typeof vscode.window;
type Patched = Pick<Win, 'showQuickPick' | 'showInputBox' | 'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage'>;

const labelOf = (item: string | vscode.QuickPickItem | vscode.MessageItem): string => (typeof item === 'string' ? item : (item as { label?: string; title?: string }).label ?? (item as vscode.MessageItem).title);

/**
 * Runs `fn` while the prompts are answered from `script`, in order. Fails when a prompt comes that the script does
 * not expect, when it does not match, or when expected prompts did not come. Answers all prompts seen.
 */
export async function withPrompts<T>(script: Expectation[], fn: () => Thenable<T> | Promise<T>): Promise<{ result: T; seen: SeenPrompt[] }> {
  const win = vscode.window as unknown as Record<keyof Patched, unknown>;
  const original: Patched = {
    showQuickPick: vscode.window.showQuickPick,
    showInputBox: vscode.window.showInputBox,
    showWarningMessage: vscode.window.showWarningMessage,
    showInformationMessage: vscode.window.showInformationMessage,
    showErrorMessage: vscode.window.showErrorMessage,
  };
  const queue = [...script];
  const seen: SeenPrompt[] = [];
  const failures: string[] = [];
  const next = (p: SeenPrompt, kind: PromptKind): Expectation | undefined => {
    seen.push(p);
    const e = queue.shift();
    if (!e) {
      failures.push(`unexpected ${kind} "${p.text}" (${p.options.join(' | ')})`);
      return undefined;
    }
    if (e.kind !== kind || !e.match.test(p.text)) {
      failures.push(`expected ${e.kind} ${e.match}, got ${kind} "${p.text}" (${p.options.join(' | ')})`);
      return undefined;
    }
    try {
      e.check?.(p);
    } catch (err) {
      failures.push(`${kind} "${p.text}": ${(err as Error).message}`);
    }
    return e;
  };

  win.showQuickPick = async (itemsOrPromise: unknown, options?: vscode.QuickPickOptions & { canPickMany?: boolean }) => {
    const items = (await Promise.resolve(itemsOrPromise as readonly (string | vscode.QuickPickItem)[])) ?? [];
    const p: SeenPrompt = { kind: 'quickPick', text: options?.title ?? options?.placeHolder ?? '', options: items.map(labelOf), picked: options?.canPickMany ? items.filter((i) => typeof i !== 'string' && i.picked).map(labelOf) : undefined };
    const e = next(p, 'quickPick');
    if (!e || e.answer === undefined) return undefined;
    if (options?.canPickMany) {
      const labels = e.answer === 'picked' ? (p.picked ?? []) : Array.isArray(e.answer) ? e.answer : [e.answer];
      for (const l of labels) if (!p.options.includes(l)) failures.push(`quick pick "${p.text}" has no item "${l}" (${p.options.join(' | ')})`);
      return items.filter((i) => labels.includes(labelOf(i)));
    }
    const hit = items.find((i) => labelOf(i) === e.answer);
    if (!hit) failures.push(`quick pick "${p.text}" has no item "${String(e.answer)}" (${p.options.join(' | ')})`);
    return hit;
  };
  win.showInputBox = async (options?: vscode.InputBoxOptions) => {
    const p: SeenPrompt = { kind: 'input', text: options?.title ?? options?.prompt ?? '', detail: options?.prompt, options: [] };
    const e = next(p, 'input');
    if (!e || e.answer === undefined) return undefined;
    const text = String(e.answer);
    const v = await Promise.resolve(options?.validateInput?.(text));
    p.validation = typeof v === 'string' ? v : (v as vscode.InputBoxValidationMessage | undefined)?.message;
    // The real input box does not accept a value its validation rejects (Enter does nothing): the user cancels.
    return p.validation ? undefined : text;
  };
  const message = (kind: 'warning' | 'info' | 'error') =>
    (async (text: string, ...rest: unknown[]) => {
      const options = rest[0] && typeof rest[0] === 'object' && !('title' in (rest[0] as object)) ? (rest.shift() as vscode.MessageOptions) : undefined;
      const buttons = rest as (string | vscode.MessageItem)[];
      if (!options?.modal) {
        seen.push({ kind: 'notification', text, options: buttons.map(labelOf) });
        const show = kind === 'warning' ? original.showWarningMessage : kind === 'info' ? original.showInformationMessage : original.showErrorMessage;
        // Shown in the workbench, but answered at once as "dismissed": a command that awaits its error message
        // (showError) would otherwise never finish, and the test would time out instead of naming the error.
        void (show as (m: string, ...items: unknown[]) => Thenable<unknown>)(text, ...buttons);
        if (kind === 'error') failures.push(`error notification: ${text}`);
        return undefined;
      }
      const p: SeenPrompt = { kind: 'dialog', text, detail: options.detail, options: buttons.map(labelOf) };
      const e = next(p, 'dialog');
      if (!e || e.answer === undefined) return undefined;
      const hit = buttons.find((b) => labelOf(b) === e.answer);
      if (!hit) failures.push(`dialog "${text}" has no button "${String(e.answer)}" (${p.options.join(' | ')})`);
      return hit;
    }) as never;
  win.showWarningMessage = message('warning');
  win.showInformationMessage = message('info');
  win.showErrorMessage = message('error');
  let result: T;
  try {
    result = await fn();
  } finally {
    Object.assign(win, original);
  }
  assert.deepEqual(failures, [], `prompts seen: ${JSON.stringify(seen, null, 1)}`);
  assert.deepEqual(queue.map((e) => `${e.kind} ${e.match}`), [], `expected prompts that did not come; seen: ${JSON.stringify(seen, null, 1)}`);
  return { result, seen };
}

export const pick = (match: RegExp, answer: string | string[] | undefined, check?: Expectation['check']): Expectation => ({ kind: 'quickPick', match, answer, check });
export const input = (match: RegExp, answer: string | undefined, check?: Expectation['check']): Expectation => ({ kind: 'input', match, answer, check });
export const dialog = (match: RegExp, answer: string | undefined, check?: Expectation['check']): Expectation => ({ kind: 'dialog', match, answer, check });
