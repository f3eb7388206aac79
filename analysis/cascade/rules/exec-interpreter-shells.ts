/**
 * The POSIX-family shells (their `-c` runs a script; without one they read it from stdin), named
 * once for the canonical reading (exec-canonical.ts, exec-stdin-script.ts) and for interpreter
 * code that hands text to one (awk's `print … | "sh"`, Expect's `spawn sh` then `send`).
 */

/** Shells whose `-c` runs its next operand as a script, and that read their script from stdin without one. */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'lksh', 'pdksh', 'oksh', 'yash', 'posh', 'rbash']);

/** The part of a path after its last `/`. */
const base = (w: string): string => w.slice(w.lastIndexOf('/') + 1);

/**
 * Whether the command line `line` (or argv) runs a shell that reads its script from stdin: its
 * first word a shell, no `-c` and no script operand among the rest (`sh`, `/bin/bash -s`,
 * `sh -i`). What is written to such a command is a script it runs.
 */
export function isStdinShell(line: string | readonly string[]): boolean {
  return stdinShellName(line) !== null;
}

/** The shell `isStdinShell` finds (`/bin/bash -i` gives `bash`), or null. */
export function stdinShellName(line: string | readonly string[]): string | null {
  const words = typeof line === 'string' ? line.trim().split(/[ \t]+/, 16) : line;
  const first = words[0];
  const name = first === undefined ? '' : base(first);
  if (!SHELLS.has(name)) return null;
  for (let k = 1; k < words.length; k++) {
    const w = words[k]!;
    if (w === '-' || w.startsWith('--')) continue;
    if (w.length < 2 || w[0] !== '-' || w.indexOf('c') > 0) return null;
  }
  return name;
}
