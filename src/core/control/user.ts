// Who is acting, for audit records: `git config user.email`, else the OS user.
import * as os from 'node:os';
import type { ProcessRunner } from '../ports';

export async function detectUser(runner: ProcessRunner, opts: { cwd?: string; signal?: AbortSignal } = {}): Promise<string> {
  try {
    const r = await runner.run('git', ['config', 'user.email'], { cwd: opts.cwd, signal: opts.signal });
    const email = r.stdout.trim();
    if (r.code === 0 && email) return email;
  } catch {}
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
