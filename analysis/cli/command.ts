/** The shape of one `mlshield` subcommand. */
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line usage: printed as one line, exit 1. */
export class UsageError extends Error {}
