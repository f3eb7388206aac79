/**
 * What the shell word reader (shell-words.ts) reads into and is bounded by: the read script
 * (`ShellScript`: simple commands, operators, here-docs, substitution bodies), the budget nested
 * scripts share, and the interface through which a caller makes it expand parameters
 * (`ShellExpansions`, shell-vars.ts). Bounds are XCU-agnostic sizes chosen for exec argv scripts.
 */
import type { HereDoc } from './shell-heredoc.js';

export const MAX_SCRIPT_CHARS = 4096;
export const MAX_SCRIPT_WORDS = 256;
export const MAX_SCRIPT_COMMANDS = 32;
/** Command substitutions inside double quotes handed back per script. */
export const MAX_SUBSTITUTIONS = 8;

/** The redirection operators the reader hands back as words of their own. */
export const REDIRECTION_WORDS: ReadonlySet<string> = new Set(['<', '<<', '<<-', '<<<', '<&', '<>', '>', '>>', '>&', '>|', '&>', '&>>']);

/** What reading may still produce; shared by the scripts nested in one command. */
export interface ShellBudget {
  words: number;
  commands: number;
  /** Set when a bound cut a script short. */
  truncated: boolean;
}

/** Bits a reader in expand mode keeps per word (`ShellExpansions.command`). */
export const WORD_OPAQUE = 1; // an expansion left as written (its value is not known)
export const WORD_EXPANDED = 2; // a known value was put in
export const WORD_DECODED = 4; // …one a decoder computed (`ShellExpansions.lastFlags`)

/** What a reader asks about expansions, and what it reports (shell-words.ts header, XCU 2.6.2). */
export interface ShellExpansions {
  /** The value of `$name` or `${spec}` (`spec`: the text between the braces), else undefined (left as written). */
  parameter(spec: string): string | undefined;
  /** The output of a command substitution (its body as written) in an assignment's value, else undefined. */
  output(body: string): string | undefined;
  /**
   * The fields of a quoted `"$@"` (each positional parameter a word of its own, XCU 2.5.2), else
   * undefined (left as written). Unquoted `$@` and `$*` are asked of `parameter`.
   */
  fields?(spec: '@'): readonly string[] | undefined;
  /** WORD_* bits the last value `parameter`, `fields` or `output` gave adds to its word. */
  readonly lastFlags: number;
  /** A simple command was read (`words` empty: operators alone), with its words' WORD_* bits and the operator after it. */
  command(words: readonly string[], flags: readonly number[], op: string): void;
}

/** A shell variable assignment word (XCU 2.9.1: `NAME=value`; bash `NAME+=value`). */
export function isAssignment(w: string): boolean {
  const c = w.charCodeAt(0);
  if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
  for (let i = 1; i < w.length && i < 256; i++) {
    const d = w.charCodeAt(i);
    if (d === 0x3d) return true; // =
    if (d === 0x2b && w.charCodeAt(i + 1) === 0x3d) return true; // +=
    if (!((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || d === 0x5f)) return false;
  }
  return false;
}

export function shellBudget(): ShellBudget {
  return { words: MAX_SCRIPT_WORDS, commands: MAX_SCRIPT_COMMANDS, truncated: false };
}

export interface ShellScript {
  /** The simple commands in order, each its words (quotes removed, escapes decoded; never empty). */
  commands: string[][];
  /** ops[i]: the operators after commands[i] up to the next command, space-joined ('' for none). */
  ops: string[];
  /** Operators before the first command (`( curl …`), space-joined. */
  lead: string;
  /** Bodies of `"$(…)"` and `` "`…`" `` as written (and those in unquoted here-docs), to read as scripts of their own. */
  substitutions: string[];
  /** Here-doc bodies in order, each with the index in `commands` of the command that reads it. */
  heredocs: readonly HereDoc[];
  /** The script holds a command substitution, `$(…)` or `` `…` ``, quoted or not (a caller's cheap test). */
  substitutes: boolean;
}

export type { HereDoc };
