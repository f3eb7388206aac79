/**
 * What rules read of an exec's canonical reading (exec-canonical.ts; event-fields.ts wires them):
 * - `execCommandReadings`: the values `attrs.exec.command` fans over — the argv elements, then the
 *   canonical words argv does not already hold (short-flag clusters `-sT` also as `-s` `-T`), then
 *   one line per simple command read from a script (its words joined by single spaces, so
 *   `contains: 'curl -T'` sees `c''url\t-T`), one line per pipeline (exec-pipelines.ts), then the
 *   texts run as scripts that no word spells (payloads). No line is made of an argv that runs no
 *   shell: argv is not text, and its joined words are a reading the rules were not written for
 *   (`tar cf - …/ckpt/…` would read as "packs checkpoints", MLS-EXFIL-013, on every `kubectl cp`).
 *   The shell's own option words (`-c`) are left out: beside the script's words they would read as
 *   the script's flags (`sh -c 'tar xf a.tar'` is no `tar -c`).
 * - `execIndirectReading`: the value of `attrs.exec.indirect` — false when the exec runs only what
 *   its words spell, else `true` and the kinds of text it ran: `decoded` (no word spells it: base64,
 *   hex, rev, printf escapes…, MITRE T1140; `exec(base64.b64decode(…))` in interpreter code),
 *   `literal` (spelled: a here-doc or here-string fed to a shell, `eval 'words'`, an echoed literal
 *   piped into a shell, a command interpreter code runs, `python3 -c 'os.system("…")'`; see
 *   exec-interpreter.ts), `runtime` (it depends on values known only when it runs:
 *   `eval "$(ssh-agent -s)"`, `eval "$x"`, `os.system(sys.argv[1])`).
 * - `canonicalExecAllowed`: a spec's exec allow list must also allow the shell's canonical command
 *   line (`sh -c <script as read>`, and as read with its variables expanded; a wrapper's command
 *   line likewise: `cmd /c <line as read>`, `su -c …`, `env -S …`), no bound may have cut
 *   the script short, and no text no word spells may have run.
 */
import { MAX_LEAVES } from './field-test.js';
import type { ExecCanonical } from './exec-canonical-view.js';
import type { ShellScript } from './shell-words.js';

/** How the text an indirect reading ran came about (`ExecCanonical.indirectKinds` bits). */
export const INDIRECT_DECODED = 1;
export const INDIRECT_LITERAL = 2;
export const INDIRECT_RUNTIME = 4;
/** The names rules match, bit by bit. */
export const INDIRECT_KINDS = ['decoded', 'literal', 'runtime'] as const;

/** Values `execCommandReadings` adds beyond argv. */
const MAX_EXTRA = 1024;

/** `attrs.exec.indirect` for each set of kinds: built once, shared (rules never change a value). */
const INDIRECT_VALUES: ReadonlyArray<false | readonly unknown[]> = Array.from({ length: 1 << INDIRECT_KINDS.length }, (_, bits) =>
  Object.freeze([true, ...INDIRECT_KINDS.filter((_k, i) => (bits & (1 << i)) !== 0)]),
);

/**
 * `a` followed by the values of `b` it does not hold yet, in order, `max` values at most: `a` itself
 * when `b` adds none (neither array is changed, so either may be shared).
 */
export function unionOf(a: readonly string[], b: readonly string[], max = Number.POSITIVE_INFINITY): readonly string[] {
  let out: string[] | null = null;
  for (const v of b) {
    const cur = out ?? a;
    if (cur.length >= max) break;
    if (!cur.includes(v)) (out ??= a.slice()).push(v);
  }
  return out ?? a;
}

/** Words joined by single spaces, empty words left out. */
export function joinWords(words: readonly string[], end = words.length): string {
  let s = '';
  for (let i = 0; i < end; i++) {
    const w = words[i]!;
    if (w !== '') s = s ? `${s} ${w}` : w;
  }
  return s;
}

/** A script's commands joined by their operators (`;` for newlines), one space apart. */
export function scriptLine(s: ShellScript): string {
  let text = s.lead ? `${s.lead} ` : '';
  for (let i = 0; i < s.commands.length; i++) {
    text += joinWords(s.commands[i]!);
    const op = s.ops[i]!;
    if (op === ';' || op === '\n') text += '; ';
    else if (op) text += ` ${op.indexOf('\n') < 0 ? op : op.split('\n').join(';')} `;
  }
  return text.trimEnd();
}

/** `-x` for each ASCII letter x (split clusters without allocating). */
export const SHORT_FLAG: string[] = [];
for (let c = 0x41; c <= 0x7a; c++) SHORT_FLAG[c] = `-${String.fromCharCode(c)}`;

/** `-` and 2–8 ASCII letters: a cluster of short flags (`-sT`, `-czf`). */
export function isFlagCluster(w: string): boolean {
  if (w.length < 3 || w.length > 9 || w.charCodeAt(0) !== 0x2d) return false;
  for (let i = 1; i < w.length; i++) {
    const c = w.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

/**
 * The values a rule's `attrs.exec.command` fans over: `raw` (argv elements, the shell's option
 * words left out), then the canonical words and flag clusters split, then one line per scripted
 * command, one per pipeline, then the payloads; `raw` itself when the reading adds nothing.
 */
export function execCommandReadings(raw: unknown, view: ExecCanonical | null): unknown {
  if (view === null) return raw;
  // No dedupe set (the hot path of every exec event): repeats cost a test each, no more.
  const extra: string[] = [];
  const cmds = view.commands;
  for (let c = 0; c < cmds.length && extra.length < MAX_EXTRA; c++) {
    const words = cmds[c]!;
    // argv itself is already among the values: only the words its reading changed are new.
    const argv = view.scripted[c] ? null : Array.isArray(raw) ? raw : null;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w !== '' && (argv === null || argv[i] !== w)) extra.push(w);
      if (isFlagCluster(w)) for (let k = 1; k < w.length; k++) extra.push(SHORT_FLAG[w.charCodeAt(k)]!);
    }
  }
  for (let c = 0; c < cmds.length && extra.length < MAX_EXTRA; c++) if (view.scripted[c] && cmds[c]!.length > 1) extra.push(joinWords(cmds[c]!));
  for (let p = 0; p < view.pipelines.length && extra.length < MAX_EXTRA; p++) extra.push(view.pipelines[p]!);
  for (let p = 0; p < view.payloads.length && extra.length < MAX_EXTRA; p++) extra.push(view.payloads[p]!);
  if (extra.length > MAX_EXTRA) extra.length = MAX_EXTRA;
  const dropFrom = view.shellOptionsFrom;
  const dropTo = view.shellOptionsTo;
  if (extra.length === 0 && dropFrom < 0) return raw;
  const out: unknown[] = [];
  if (Array.isArray(raw)) {
    const n = Math.min(raw.length, MAX_LEAVES - extra.length);
    for (let i = 0; i < n; i++) if (i < dropFrom || i >= dropTo) out.push(raw[i]);
  } else out.push(raw);
  for (let i = 0; i < extra.length; i++) out.push(extra[i]);
  return out;
}

/**
 * True when a spec's allow test holds for the canonical reading too: a command run through a
 * shell script must be allowed as `<shell> -c <script as read>` (a wrapper's as `cmd /c <line as
 * read>`, `su -c <script as read>`, the words before the script as given) (and as read with its variables
 * expanded, when they were), read in full. (The raw joined text
 * is tested by the caller; an argv that runs no script reads as itself.) A reading that ran text
 * no word spells (`indirect`: eval, a decode pipeline, a here-doc fed to a shell) is never allowed:
 * the allow list names commands as typed, and what such a command runs is decided at run time.
 */
export function canonicalExecAllowed(view: ExecCanonical | null, allowed: (command: string) => boolean): boolean {
  if (view === null) return true;
  if (view.indirect) return false;
  if (view.shellLine === null) return true;
  if (view.truncated || !allowed(view.shellLine)) return false;
  const expanded = view.expandedShellLine;
  return expanded === null || allowed(expanded);
}

/** The value rules read as `attrs.exec.indirect` (see the header): no allocation. */
export function execIndirectReading(view: ExecCanonical | null): false | readonly unknown[] {
  if (view === null || !view.indirect) return false;
  return INDIRECT_VALUES[view.indirectKinds & (INDIRECT_VALUES.length - 1)]!;
}

