// The ports every workflow takes (issue 17, "one workflow layer"): what differs between the editor and the CLI.
// A flow asks its questions only through the Prompter, shows progress and is cancelled through FlowProgress /
// AbortSignal, and reports through the Prompter's notify. The editor implements the Prompter with quick picks,
// input boxes and modal dialogs; the CLI with a terminal and its flags (`--yes`, `--confirm NAME`, …).
//
// Prompts carry a stable `id` (e.g. `sync.mode`, `guard.production`) and descriptive titles: hosts and tests
// answer by id or by label, never through a command argument.
import type { KubeObject, ObjectRef } from '../model';
import type { KubeClient } from '../kube/types';
import type { Actor } from '../control/identity';

export interface PromptItem<T> {
  label: string;
  description?: string;
  detail?: string;
  /** Preselected in a multi-pick. */
  picked?: boolean;
  value: T;
}

export interface ConfirmPrompt {
  id: string;
  /** The question, one line (the dialog's message). */
  message: string;
  /** Why, what happens, what is at stake (the dialog's detail). */
  detail?: string;
  /** The buttons, first = the usual "go ahead". Cancel is always offered by the host (answer undefined). */
  actions: string[];
  /** Severity of the question: a warning dialog or an information dialog. */
  severity?: 'warning' | 'info';
  /**
   * The action a non-interactive host may take when the user said "yes to everything" (CLI `--yes`). Absent: `--yes`
   * does not answer this prompt.
   */
  yesAction?: string;
}

export interface TypedConfirmationPrompt {
  id: string;
  title: string;
  prompt: string;
  /** What must be typed exactly (the app name). */
  expected: string;
}

export interface PickPrompt<T> {
  id: string;
  title: string;
  placeHolder?: string;
  items: PromptItem<T>[];
}

export interface InputPrompt {
  id: string;
  title: string;
  prompt: string;
  value?: string;
  placeHolder?: string;
  /** An error message for an invalid value, else undefined. */
  validate?(value: string): string | undefined;
}

export type NotifySeverity = 'info' | 'warning' | 'error';

/** The questions a flow can ask. Every answer may be undefined: the user cancelled (the flow stops, changing nothing). */
export interface Prompter {
  /** Returns the chosen action label. */
  confirm(p: ConfirmPrompt): Promise<string | undefined>;
  /** Returns what was typed (the flow compares it with `expected`). */
  typedConfirmation(p: TypedConfirmationPrompt): Promise<string | undefined>;
  pickOne<T>(p: PickPrompt<T>): Promise<PromptItem<T> | undefined>;
  pickMany<T>(p: PickPrompt<T>): Promise<PromptItem<T>[] | undefined>;
  input(p: InputPrompt): Promise<string | undefined>;
  /** A message that needs no answer (a result, a warning that the flow goes on after). */
  notify(severity: NotifySeverity, message: string, detail?: string): void;
}

export interface FlowProgress {
  report(message: string): void;
}

/** Runs the part of a flow that changes things, with progress and cancellation (a notification, a terminal). */
export type RunWithProgress = <T>(title: string, work: (progress: FlowProgress, signal: AbortSignal) => Promise<T>) => Promise<T>;

/** What one flow will change if it goes ahead (filled in by the impact-preview provider). */
export interface ImpactPreview {
  /** One line, e.g. "reverts 2 live edits, prunes 1 object". */
  summary: string;
  /** One line per object or field. */
  lines: string[];
  /** Live edits the action would revert that are not in Git: the host offers "Capture these first". */
  reverts?: { ref: ObjectRef; paths: string[] }[];
}

export type PreviewAction = 'sync' | 'sync-prune' | 'resume' | 'reconcile' | 'breakglass-end';

export interface PreviewRequest {
  action: PreviewAction;
  target: FlowTarget;
  /** Selective sync: only these resources. */
  resources?: ObjectRef[];
}

/**
 * The ports of every control flow. `preview` is the optional impact-preview step: flows that change what the
 * controller applies (sync, resume, reconcile, breakglass end) call it before acting and show its result through
 * the Prompter (`preview.<action>` prompt); without it the step is skipped.
 */
export interface FlowDeps {
  prompter: Prompter;
  withProgress: RunWithProgress;
  /** The acting cluster user (SelfSubjectReview) with git identity second, for the context `client` talks to. */
  actor(client: KubeClient, signal?: AbortSignal): Promise<Actor>;
  /** The production pattern (regular expression on context / destination names). */
  productionPattern?: string;
  /** Diagnostics (the editor's output channel, the CLI's stderr). */
  log(message: string): void;
  /** Impact preview (see PreviewRequest); undefined: no preview step. */
  preview?(req: PreviewRequest, signal: AbortSignal): Promise<ImpactPreview | undefined>;
  /** "Capture these first" at the preview: captures the human live edits the action would undo (the flow then stops). */
  captureFirst?(target: FlowTarget, reverts: NonNullable<ImpactPreview['reverts']>, signal: AbortSignal): Promise<void>;
  now?(): Date;
}

/** The app object a control flow acts on, resolved by the host (tree node, picker, CLI name). */
export interface FlowTarget {
  /** Client of the context the app object lives in. */
  client: KubeClient;
  context: string;
  ref: ObjectRef;
  /** Display name (the app name). */
  name: string;
  /** The context whose objects the action changes when it is another one (Argo CD destination cluster). */
  destinationContext?: string;
  /** The app object as last seen (for the guard's destination name); flows read it fresh where it matters. */
  appObject?: KubeObject;
}

/** What a flow that stopped because the user said no returns. */
export interface Cancelled {
  cancelled: true;
  /** Why, for the CLI's message (e.g. "the confirmation did not match podinfo"). */
  why?: string;
}

export const cancelled = (why?: string): Cancelled => ({ cancelled: true, ...(why ? { why } : {}) });

export function isCancelled(v: unknown): v is Cancelled {
  return !!v && typeof v === 'object' && (v as Cancelled).cancelled === true;
}
