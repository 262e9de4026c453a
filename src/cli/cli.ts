// gitops-drift command line: the same core engine as the editor, for terminals and CI.
async function main(argv: string[]): Promise<number> {
  process.stderr.write(`gitops-drift: no command yet (${argv.join(' ')})\n`);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
