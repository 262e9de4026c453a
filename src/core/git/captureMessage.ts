// Commit messages for captures: what changed, from what to what, who changed it live and where.
import type { FieldChange, ObjectRef } from '../model';

export interface CaptureMessageInput {
  ref: ObjectRef;
  changes: FieldChange[];
  app?: string;
  /** kubeconfig context the live values were read from. */
  context?: string;
  cluster?: string;
}

const MAX_VALUE = 200;

function show(v: unknown, secret: boolean): string {
  if (v === undefined) return '(absent)';
  if (secret) return '(hidden)';
  const s = typeof v === 'string' && /^[^\s"'{}[\],#]+$/.test(v) ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

export function formatCaptureMessage(input: CaptureMessageInput): string {
  const { ref } = input;
  const obj = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const n = input.changes.length;
  const subject = `Capture live ${n === 1 ? 'change' : `${n} changes`} to ${obj}`;
  const where = [input.context ? `cluster context ${input.context}` : undefined, input.cluster ? `cluster ${input.cluster}` : undefined, input.app ? `app ${input.app}` : undefined]
    .filter(Boolean)
    .join(', ');
  const secret = ref.group === '' && ref.kind === 'Secret';
  const lines = input.changes.map((c) => {
    const who = [c.manager, c.time].filter(Boolean).join(' at ');
    return `- ${c.path}: ${show(c.desired, secret)} → ${show(c.live, secret)}${who ? ` (${who})` : ''}`;
  });
  return `${subject}\n\nCaptured from the live ${ref.group ? `${ref.group}/` : ''}${obj}${where ? ` (${where})` : ''}:\n${lines.join('\n')}\n`;
}
