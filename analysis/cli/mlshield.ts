/**
 * `mlshield`: the headless front end of the engine. Each subcommand lives in its own module and
 * returns an exit code (EXIT in exit-codes.ts); nothing here calls process.exit.
 */
import { EXIT } from './exit-codes.js';
import { TOOL_VERSION } from '../core/version.js';
import { COMMANDS } from './commands.js';

function usage(): string {
  const lines = [
    `mlshield ${TOOL_VERSION} — forensic workbench for ML training clusters`,
    '',
    'Usage: mlshield <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(19)} ${c.summary}`),
    '',
    'Run `mlshield <command> --help` for a command\'s options.',
  ];
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? EXIT.OK : EXIT.ERROR;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`mlshield: unknown command '${name}'\n\n${usage()}`);
    return EXIT.ERROR;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    process.stderr.write(`mlshield ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.MLSHIELD_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return EXIT.ERROR;
  }
}
