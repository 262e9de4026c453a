// The CLI's side of the workflow layer (src/core/flows): the Prompter on a terminal. A prompt is answered, in order,
// by the command's flags (`answers`, by prompt id), by `--yes` where the prompt allows it (never the production
// guard's typed name: that is `--confirm NAME`), or on a TTY by asking. Without a TTY an unanswered prompt refuses
// with what to pass, instead of hanging.
import { createInterface } from 'node:readline/promises';
import { GitOpsError } from '../core/model';
import type { ConfirmPrompt, FlowProgress, InputPrompt, PickPrompt, Prompter, PromptItem, RunWithProgress, TypedConfirmationPrompt } from '../core/flows/types';
import type { CliIo } from './cli';

export type PromptDescription = ConfirmPrompt | TypedConfirmationPrompt | PickPrompt<unknown> | InputPrompt;

/** An answer from the flags: an action / item label, labels for a multi-pick, text for an input. */
export type FlagAnswer = string | string[] | undefined;

export interface CliPrompterOptions {
  io: CliIo;
  /** `--yes`: take each confirmation's `yesAction`. */
  yes: boolean;
  /** Answers from the flags, by prompt id (return undefined to leave the prompt to --yes / the terminal). */
  answers?: Record<string, (p: PromptDescription) => FlagAnswer>;
  /** What to pass when the prompt cannot be asked (no TTY), by prompt id. */
  hints?: Record<string, string>;
  /** Reads one line from the terminal (tests replace it). */
  ask?(question: string): Promise<string>;
}

const DEFAULT_HINTS: Record<string, string> = {
  'guard.production': 'pass --confirm <app name>',
  'sync.mode': 'pass --prune or --dry-run',
  'pause.warnings': 'pass --yes to go ahead anyway, or --pause-parents to pause the parent too',
  syncWindow: 'pass --yes to go ahead anyway',
  'skipReconcile.warning': 'pass --yes',
  'breakglass.reason': 'pass --reason TEXT',
  'breakglass.end': 'pass --capture (capture, then resume), --no-capture (resume; the controller reverts them), --no-resume, or --yes (capture and resume)',
  'capture.includeDirty': 'commit or stash them first, or pass --allow-dirty to include them',
  'capture.stack': 'go back to where the first capture started (git switch …) and capture again, or pass --stack to build on it',
};

async function readLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

export function cliPrompter(opts: CliPrompterOptions): Prompter {
  const { io } = opts;
  const ask = opts.ask ?? readLine;
  const flag = (p: PromptDescription) => opts.answers?.[p.id]?.(p);
  const refuse = (p: PromptDescription, text: string): never => {
    const hint = opts.hints?.[p.id] ?? DEFAULT_HINTS[p.id] ?? 'run it on a terminal to answer';
    throw new GitOpsError('invalid', `${text}\nThis needs an answer: ${hint}`);
  };
  const numbered = <T>(items: PromptItem<T>[]) => items.map((it, i) => `  ${i + 1}) ${it.label}${it.description ? ` — ${it.description}` : ''}`).join('\n');
  const byLabel = <T>(items: PromptItem<T>[], label: string, p: PromptDescription) => items.find((i) => i.label === label) ?? refuse(p, `"${label}" is not one of: ${items.map((i) => i.label).join(', ')}`);

  return {
    async confirm(p) {
      const text = `${p.message}${p.detail ? `: ${p.detail}` : ''}`;
      if (!p.actions.length) {
        io.err(`${text}\n`);
        return undefined;
      }
      const given = flag(p);
      if (typeof given === 'string') return given;
      if (opts.yes && p.yesAction) {
        io.err(`${text}\n→ ${p.yesAction} (--yes)\n`);
        return p.yesAction;
      }
      if (!io.isTTY) return refuse(p, text);
      const choices = p.actions.map((a, i) => `  ${i + 1}) ${a}`).join('\n');
      const answer = await ask(`${text}\n${choices}\n  0) Cancel\nChoose: `);
      return p.actions[Number(answer) - 1] ?? p.actions.find((a) => a.toLowerCase() === answer.toLowerCase());
    },
    async typedConfirmation(p) {
      const given = flag(p);
      if (typeof given === 'string') return given;
      if (!io.isTTY) return refuse(p, `${p.title}: the app name must be typed to confirm.`);
      return ask(`${p.title}. Type the app name (${p.expected}) to confirm: `);
    },
    async pickOne<T>(p: PickPrompt<T>) {
      const given = flag(p as PickPrompt<unknown>);
      if (typeof given === 'string') return byLabel(p.items, given, p as PickPrompt<unknown>);
      if (p.items.length === 1) return p.items[0];
      if (!io.isTTY) return refuse(p as PickPrompt<unknown>, `${p.title}:\n${numbered(p.items)}`);
      const n = Number(await ask(`${p.title}:\n${numbered(p.items)}\nWhich one? `));
      return p.items[n - 1];
    },
    async pickMany<T>(p: PickPrompt<T>) {
      const given = flag(p as PickPrompt<unknown>);
      if (Array.isArray(given)) return given.map((l) => byLabel(p.items, l, p as PickPrompt<unknown>));
      const preselected = p.items.filter((i) => i.picked);
      if (!io.isTTY || opts.yes) return preselected;
      const list = p.items.map((it, i) => `  ${i + 1}) [${it.picked ? 'x' : ' '}] ${it.label}${it.description ? ` — ${it.description}` : ''}`).join('\n');
      const answer = await ask(`${p.title}:\n${list}\nEnter to take the marked ones, or numbers separated by commas: `);
      if (!answer) return preselected;
      return answer.split(/[\s,]+/).map((n) => p.items[Number(n) - 1]).filter((x): x is PromptItem<T> => !!x);
    },
    async input(p) {
      const given = flag(p);
      const check = (v: string) => p.validate?.(v);
      if (typeof given === 'string') {
        const error = check(given);
        if (error) throw new GitOpsError('invalid', `${p.title}: ${error}`);
        return given;
      }
      if (!io.isTTY) {
        if (p.value !== undefined && !check(p.value)) return p.value;
        return refuse(p, `${p.title}: ${p.prompt}`);
      }
      for (let tries = 0; tries < 3; tries++) {
        const v = (await ask(`${p.title} — ${p.prompt}${p.value ? ` [${p.value}]` : ''}: `)) || p.value || '';
        const error = check(v);
        if (!error) return v;
        io.err(`${error}\n`);
      }
      return undefined;
    },
    notify(severity, message, detail) {
      io.err(`${severity === 'info' ? '' : `${severity}: `}${message}${detail ? `\n${detail}` : ''}\n`);
    },
  };
}

/** Progress on stderr; Ctrl-C aborts the running step (which puts back what it changed) instead of killing it. */
export function cliProgress(io: CliIo): RunWithProgress {
  return async (title, work) => {
    const ac = new AbortController();
    const onInterrupt = (): void => ac.abort();
    process.once('SIGINT', onInterrupt);
    const progress: FlowProgress = { report: (m) => io.err(`${m}\n`) };
    try {
      io.err(`${title}…\n`);
      return await work(progress, ac.signal);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  };
}
