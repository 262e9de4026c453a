// `npm run emulator -- --kubeconfig <file> [--seed <dir>] [--state <file>] [--port N]`: runs until Ctrl-C.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      seed: { type: 'string' },
      state: { type: 'string' },
      port: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.kubeconfig) {
    console.log('usage: npm run emulator -- --kubeconfig <file> [--seed <dir of manifests>] [--state <file>] [--port N] [--name <context>]');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const emu = await startEmulator({
    kubeconfigPath: resolve(values.kubeconfig),
    seedDir: values.seed ? resolve(values.seed) : undefined,
    stateFile: values.state ? resolve(values.state) : undefined,
    port: values.port ? Number(values.port) : undefined,
    name: values.name,
  });
  console.log(`Kubernetes API emulator listening on ${emu.server}`);
  console.log(`kubeconfig: ${emu.kubeconfigPath}`);
  console.log(`try: KUBECONFIG=${emu.kubeconfigPath} kubectl get namespaces`);
  console.log('Press Ctrl-C to stop.');
  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping${values.state ? ` and saving state to ${values.state}` : ''}`);
    emu.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
