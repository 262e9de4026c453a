// CLI commands that change things (capture, Argo CD / Flux controls, breakglass).
import type { CliIo } from './cli';

export const ACTION_COMMANDS = [] as const;

export async function runActionCommand(cmd: string, _argv: string[], io: CliIo): Promise<number> {
  io.err(`gitops-drift: ${cmd} is not available yet\n`);
  return 2;
}
