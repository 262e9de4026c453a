// Test helper: a file or directory that cannot be written, also when the tests run as root.
import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';

/** Makes a file or directory unwritable, even for root (immutable flag); false when this machine cannot. */
export function makeUnwritable(p: string): boolean {
  if (process.getuid?.() !== 0) {
    chmodSync(p, statSync(p).isDirectory() ? 0o555 : 0o444);
    return true;
  }
  try {
    execFileSync('chattr', ['+i', p], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeWritable(p: string): void {
  if (process.getuid?.() === 0) execFileSync('chattr', ['-i', p], { stdio: 'ignore' });
  else chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
}
