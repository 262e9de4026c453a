// One capture, start to end, shared by the editor and the CLI: where the object comes from → plan the minimal
// file edits → commit only those files on a new branch (optionally push). Never writes Secret data.
import * as path from 'node:path';
import type { App, FieldChange, ResourceDiff } from '../model';
import { GitOpsError } from '../model';
import type { Clock } from '../ports';
import { systemClock } from '../ports';
import type { CapturePlan } from '../capture/captureTypes';
import { planCapture } from '../capture/planCapture';
import { buildBranchName } from '../git/branchName';
import { captureCommit, type CaptureCommitResult } from '../git/captureCommit';
import { formatCaptureMessage } from '../git/captureMessage';
import type { DriftEngine } from './driftEngine';

export interface CapturePlanInput {
  engine: DriftEngine;
  app: App;
  diff: ResourceDiff;
  changes: FieldChange[];
  signal?: AbortSignal;
}

export async function planResourceCapture(input: CapturePlanInput): Promise<CapturePlan> {
  const origin = await input.engine.captureOrigin(input.app, input.diff.ref, input.signal);
  // Other objects of the app: an `images:` entry in an overlay would retag every object using that image.
  const appObjects = await input.engine.renderedObjects(input.app, input.signal);
  return planCapture({ diff: input.diff, changes: input.changes, origin, appObjects, signal: input.signal });
}

export interface CaptureCommitInput {
  app: App;
  diff: ResourceDiff;
  plan: CapturePlan;
  context: string;
  branchPattern?: string;
  /** Explicit branch name (wins over the pattern). */
  branch?: string;
  push?: boolean;
  /** Deadline of the push (see captureCommit); default 2 minutes. */
  pushTimeoutMs?: number;
  allowDirty?: boolean;
  /** Build on the capture branch HEAD is on (see StackedCaptureError); else such a capture is refused. */
  stack?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
}

export async function commitCapture(input: CaptureCommitInput): Promise<CaptureCommitResult> {
  const { plan, diff, app } = input;
  if (!plan.edits.length) throw new GitOpsError('invalid', `Nothing to capture for ${diff.ref.kind} ${diff.ref.name}: ${plan.explanation.join(' ')}`);
  const now = (input.clock ?? systemClock).now();
  const branch = input.branch ?? buildBranchName({ pattern: input.branchPattern, app: app.name, kind: diff.ref.kind, name: diff.ref.name, namespace: diff.ref.namespace, now });
  const message = formatCaptureMessage({ ref: diff.ref, changes: plan.captured.map((c) => c.change), app: app.name, context: input.context });
  return captureCommit({ repoDir: path.dirname(plan.edits[0].file), files: plan.edits, branch, message, push: input.push, pushTimeoutMs: input.pushTimeoutMs, allowDirty: input.allowDirty, stack: input.stack, signal: input.signal });
}
