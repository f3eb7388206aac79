/**
 * A command glob (wildcard.ts `compileCommandGlob`: `*` and `?` never stand for a shell control
 * character) with two or more stars, matched by simulating its automaton: one pass over the
 * command, keeping the set of pattern positions reached (Thompson's construction; a star loops on
 * its position). Time is O(command × pattern) whatever the input. The one RegExp it replaces
 * backtracks: each `[^;&|…]*` retries every split, O(n^k) for k stars on a command that fails
 * (measured: `sh -c python * * * --x` took 104 ms on a 1 KB command; the canonical shell line a
 * spec also tests can be 4 KB). The command is the attacker's.
 */

/** One step of the pattern: a literal code point, any one non-control code point (`?`), or a star. */
export type CommandGlobToken = { lit: string } | 'one' | 'star';

/**
 * Characters a POSIX shell reads as control, which a command glob's star or `?` never takes:
 * command chaining (`;`, `&`, `|`, newline), redirects and substitution (`` ` ``, `$`, `<`, `>`).
 */
export const SHELL_CONTROL_CHARS = ';&|`$<>\r\n';
const CONTROL = new Set(SHELL_CONTROL_CHARS);

/** A whole-command test of `tokens` (code points; stars not adjacent). */
export function commandGlobMatcher(tokens: readonly CommandGlobToken[]): (command: string) => boolean {
  const m = tokens.length;
  const star = tokens.map((t) => t === 'star');
  // Reaching a star's position also reaches the next one (the star taking nothing).
  const close = (set: Uint8Array): void => {
    for (let j = 0; j < m; j++) if (set[j] && star[j]) set[j + 1] = 1;
  };
  return (command) => {
    let cur = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    cur[0] = 1;
    close(cur);
    for (const c of command) {
      const free = !CONTROL.has(c);
      next.fill(0);
      for (let j = 0; j < m; j++) {
        if (!cur[j]) continue;
        const t = tokens[j]!;
        if (t === 'star') {
          if (free) next[j] = 1;
        } else if (t === 'one' ? free : t.lit === c) next[j + 1] = 1;
      }
      close(next);
      let any = false;
      for (let j = 0; j <= m && !any; j++) any = next[j] === 1;
      if (!any) return false;
      const swap = cur;
      cur = next;
      next = swap;
    }
    return cur[m] === 1;
  };
}
