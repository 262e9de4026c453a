// One call for the editor command and the CLI: choose changes, plan, then plan-only, write, or commit (and push).
import path from 'node:path';
import type { FieldChange, ResourceDiff } from '../model';
import { systemClock, type Clock } from '../ports';
import { buildBranchName } from '../git/branchName';
import { captureCommit, type CaptureCommitResult } from '../git/captureCommit';
import { formatCaptureMessage } from '../git/captureMessage';
import type { CaptureOrigin, CapturePlan } from './captureTypes';
import { planCapture } from './planCapture';
import { preselectChanges } from './preselect';
import { writeFileEdits } from './writeFileEdits';

export interface CaptureLiveChangesInput {
  diff: ResourceDiff;
  /** Default: the changes written by human managers (`preselectChanges`). */
  changes?: FieldChange[];
  humanManagers?: string[];
  origin?: CaptureOrigin;
  /** `plan`: nothing written; `write`: working tree only; `commit`: new branch + commit of the edited files. */
  mode: 'plan' | 'write' | 'commit';
  repoDir?: string;
  branch?: string;
  branchPattern?: string;
  /** kubeconfig context, for the commit message. */
  context?: string;
  push?: boolean;
  allowDirty?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface CaptureLiveChangesResult {
  plan: CapturePlan;
  message: string;
  branch?: string;
  commit?: CaptureCommitResult;
}

export async function captureLiveChanges(input: CaptureLiveChangesInput): Promise<CaptureLiveChangesResult> {
  const { diff } = input;
  const changes = input.changes ?? preselectChanges(diff, input.humanManagers);
  const plan = await planCapture({ diff, changes, origin: input.origin, signal: input.signal });
  const captured = plan.captured.map((p) => p.change);
  const message = formatCaptureMessage({ ref: diff.ref, changes: captured, app: diff.app, context: input.context });
  if (input.mode === 'plan' || plan.edits.length === 0) return { plan, message };
  if (input.mode === 'write') {
    await writeFileEdits(plan.edits, input.signal);
    return { plan, message };
  }
  const branch =
    input.branch ??
    buildBranchName({ pattern: input.branchPattern, app: diff.app, kind: diff.ref.kind, name: diff.ref.name, namespace: diff.ref.namespace, now: (input.clock ?? systemClock).now() });
  const repoDir = input.repoDir ?? repoDirOf(plan.edits);
  const commit = await captureCommit({ repoDir, files: plan.edits, branch, message, push: input.push, allowDirty: input.allowDirty, signal: input.signal });
  return { plan, message, branch, commit };
}

/** Any existing directory of the edited files lies in the repository (captureCommit finds its top level). */
function repoDirOf(edits: CapturePlan['edits']): string {
  return path.dirname((edits.find((e) => e.before !== undefined) ?? edits[0]).file);
}
