// A Prompter for tests of the flows: answers each prompt from a script, in order, by prompt id, and records what was
// asked (ids, titles, messages, details, items, buttons). An unexpected prompt fails the test.
import { strict as assert } from 'node:assert';
import type { FlowDeps, Prompter, PromptItem, RunWithProgress } from '../../src/core/flows/types';
import type { Actor } from '../../src/core/control/identity';

export interface Asked {
  id: string;
  kind: 'confirm' | 'typed' | 'pickOne' | 'pickMany' | 'input';
  text: string;
  detail?: string;
  options: string[];
  picked?: string[];
}

/** By prompt id: the label / button / text to answer, 'picked' (a multi-pick's preselection), or undefined (cancel). */
export type Step = [id: string, answer: string | string[] | undefined];

export class ScriptedPrompter implements Prompter {
  readonly asked: Asked[] = [];
  readonly notices: { severity: string; message: string }[] = [];
  private readonly steps: Step[];
  constructor(steps: Step[]) {
    this.steps = [...steps];
  }
  private answer(a: Asked): string | string[] | undefined {
    this.asked.push(a);
    const step = this.steps.shift();
    assert.ok(step, `unexpected prompt ${a.id}: ${a.text}`);
    assert.equal(a.id, step[0], `prompt order: expected ${step[0]}, got ${a.id} (${a.text})`);
    return step[1];
  }
  done(): void {
    assert.deepEqual(this.steps.map((s) => s[0]), [], `prompts that were not asked; asked: ${this.asked.map((a) => a.id).join(', ')}`);
  }
  async confirm(p: Parameters<Prompter['confirm']>[0]) {
    const a = this.answer({ id: p.id, kind: 'confirm', text: p.message, detail: p.detail, options: p.actions });
    if (a !== undefined) assert.ok(p.actions.includes(a as string), `${p.id}: no button ${a} (${p.actions.join(' | ')})`);
    return a as string | undefined;
  }
  async typedConfirmation(p: Parameters<Prompter['typedConfirmation']>[0]) {
    return this.answer({ id: p.id, kind: 'typed', text: p.title, detail: p.prompt, options: [] }) as string | undefined;
  }
  async pickOne<T>(p: { id: string; title: string; items: PromptItem<T>[] }) {
    const a = this.answer({ id: p.id, kind: 'pickOne', text: p.title, options: p.items.map((i) => i.label) });
    if (a === undefined) return undefined;
    const hit = p.items.find((i) => i.label === a);
    assert.ok(hit, `${p.id}: no item ${a}`);
    return hit;
  }
  async pickMany<T>(p: { id: string; title: string; items: PromptItem<T>[] }) {
    const picked = p.items.filter((i) => i.picked).map((i) => i.label);
    const a = this.answer({ id: p.id, kind: 'pickMany', text: p.title, options: p.items.map((i) => i.label), picked });
    if (a === undefined) return undefined;
    const labels = a === 'picked' ? picked : Array.isArray(a) ? a : [a];
    return p.items.filter((i) => labels.includes(i.label));
  }
  async input(p: Parameters<Prompter['input']>[0]) {
    const a = this.answer({ id: p.id, kind: 'input', text: p.title, detail: p.prompt, options: [] });
    if (typeof a === 'string') assert.equal(p.validate?.(a), undefined, `${p.id}: ${a} is refused`);
    return a as string | undefined;
  }
  notify(severity: string, message: string) {
    this.notices.push({ severity, message });
  }
}

export const immediateProgress: RunWithProgress = (_title, work) => work({ report: () => {} }, new AbortController().signal);

export function testDeps(prompter: Prompter, extra: Partial<FlowDeps> = {}): FlowDeps & { logs: string[] } {
  const logs: string[] = [];
  const actor: Actor = { user: 'test-admin', gitUser: 'sre@example.test' };
  return { prompter, withProgress: immediateProgress, actor: async () => actor, log: (m) => logs.push(m), logs, ...extra };
}
