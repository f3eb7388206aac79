/**
 * A command glob (wildcard.ts `compileCommandGlob`: `*` and `?` never stand for a shell control
 * character) with two or more stars, matched by simulating its automaton (glob-automaton.ts): one
 * pass over the command by code point, time O(command × pattern) whatever the input. The one
 * RegExp it replaces backtracks: each `[^;&|…]*` retries every split, O(n^k) for k stars on a
 * command that fails (measured: `sh -c python * * * --x` took 104 ms on a 1 KB command; the
 * canonical shell line a spec also tests can be 4 KB). The command is the attacker's.
 */
import { globAutomatonMatcher, type GlobState } from './glob-automaton.js';

/** One step of the pattern: a literal code point, any one non-control code point (`?`), or a star. */
export type CommandGlobToken = { lit: string } | 'one' | 'star';

/**
 * Characters a POSIX shell reads as control, which a command glob's star or `?` never takes:
 * command chaining (`;`, `&`, `|`, newline), redirects and substitution (`` ` ``, `$`, `<`, `>`).
 */
export const SHELL_CONTROL_CHARS = ';&|`$<>\r\n';
const CONTROL = [...SHELL_CONTROL_CHARS].map((c) => c.charCodeAt(0));

/** A whole-command test of `tokens` (code points; stars not adjacent). */
export function commandGlobMatcher(tokens: readonly CommandGlobToken[]): (command: string) => boolean {
  const states = tokens.map((t): GlobState => (typeof t === 'string' ? t : { lit: t.lit.codePointAt(0)! }));
  return globAutomatonMatcher(states, CONTROL, true);
}
