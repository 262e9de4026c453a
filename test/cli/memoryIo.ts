// The CLI's I/O port held in memory, for tests that run `main([...])` and read what it printed.
import type { CliIo } from '../../src/cli/cli';

export type MemoryIo = CliIo & { stdout: string; stderr: string };

export function memoryIo(env: NodeJS.ProcessEnv): MemoryIo {
  const o = { stdout: '', stderr: '', env, cwd: process.cwd(), isTTY: false } as unknown as MemoryIo;
  o.out = (s) => (o.stdout += s);
  o.err = (s) => (o.stderr += s);
  return o;
}
