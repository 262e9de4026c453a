// Turns typed core errors into user messages with an "Open Output" action; the full detail goes to the log.
import * as vscode from 'vscode';
import { isGitOpsError, type GitOpsError } from '../core/model';

const HINTS: Partial<Record<GitOpsError['reason'], string>> = {
  unauthorized: 'Your kubeconfig credentials were rejected (401). Log in again or refresh the token.',
  forbidden: 'Kubernetes RBAC denied this request (403).',
  conflict: 'The object changed on the server meanwhile (409). Refresh and try again.',
  notFound: 'The object no longer exists.',
  unreachable: 'The cluster cannot be reached. Check the context, VPN or port-forward.',
  timeout: 'The cluster did not answer in time.',
  untrusted: 'This workspace is not trusted: kustomize and helm are not run.',
};

export function describeError(e: unknown): string {
  if (isGitOpsError(e)) {
    const hint = HINTS[e.reason];
    return hint && !e.message.includes(hint) ? `${e.message} — ${hint}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export async function showError(log: vscode.LogOutputChannel, action: string, e: unknown): Promise<void> {
  if (isGitOpsError(e) && e.reason === 'cancelled') return;
  const msg = `${action}: ${describeError(e)}`;
  log.error(msg + (e instanceof Error && e.stack ? `\n${e.stack}` : ''));
  const pick = await vscode.window.showErrorMessage(msg, 'Open Output');
  if (pick === 'Open Output') log.show(true);
}

/** Bridges VS Code cancellation to the AbortSignal every core function takes. */
export function toAbortSignal(token?: vscode.CancellationToken): AbortSignal {
  const ctrl = new AbortController();
  if (token) {
    if (token.isCancellationRequested) ctrl.abort();
    token.onCancellationRequested(() => ctrl.abort());
  }
  return ctrl.signal;
}
