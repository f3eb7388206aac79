/**
 * cmd.exe's variables in a `/c` command line (exec-cmd.ts), expanded as cmd expands them. The
 * model followed is the one measured in "How does the Windows Command Interpreter (CMD.EXE) parse
 * scripts?" (Stack Overflow question 4094699, answers by jeb and dbenham; command-line mode), with
 * `cmd /?`, `set /?` and `call /?`:
 * - Phase 1, percent expansion, runs once over the WHOLE line before any of its commands runs:
 *   `%name%` becomes the variable's value; in command-line mode (`cmd /c`, not a batch file) an
 *   undefined name is kept as written (`%a%` stays `%a%`) and the scan goes on at its closing `%`;
 *   `%%` is no escape. So `set a=cu& %a%rl` does NOT see the `a` it sets: phase 1 read the
 *   environment's `a`. Every `%name%` pair therefore depends on the environment the exec runs in
 *   (unknown here, `%COMSPEC%` included): the reading keeps it as written (the value of an
 *   undefined name) and counts the reading as runtime (INDIRECT_RUNTIME), so no allow list
 *   vouches for it. `%~dp0` style modifiers (a batch parameter or a `for` variable) are runtime too.
 * - `call` repeats phase 1 over its own command when it runs (its phase 6), and reads the result
 *   as a command line again: `set a=cu&& set b=rl&& call %a%%b% -T …` runs `curl -T …`, the
 *   values being those the line's own `set` commands gave (`set name=value`, the value being the
 *   rest of the command, trailing blanks included; `set "name=value"` up to the last quote).
 *   A value `set /a` computes or `set /p` reads is not known: runtime.
 * - Phase 5, delayed expansion (only under `cmd /v:on`): `!name!` becomes the value when that
 *   command runs, after the line was split into commands (a value's `&` separates nothing);
 *   an undefined name becomes nothing. Without `/v:on` or `/v:off` the registry decides
 *   (`DelayedExpansion`): a line with a `!name!` pair is read as written and counted runtime.
 * - `%name:~start,len%` and `%name:old=new%` of a value the line set are applied.
 * Not modelled: the caret doubling of `call`, `^` escapes in phase 5, `set` with redirections.
 * Bounded: MAX_VARS names, MAX_EXPANDED_CHARS characters expanded per line; never throws.
 */
import { INDIRECT_RUNTIME } from './exec-readings.js';
import { MAX_SCRIPT_CHARS } from './shell-script.js';

/** Names one line may set (later `set`s of new names are read as unknown values). */
const MAX_VARS = 64;
/** Characters all expansions of one line may write (calls, delayed expansion): past that, runtime. */
const MAX_EXPANDED_CHARS = 4 * MAX_SCRIPT_CHARS;

/** What one cmd line's reading knows and found (shared by its nested readings: `call`, `for /f`). */
export class CmdState {
  /** INDIRECT_* bits the reading found (runtime: a value from the environment). */
  kinds = 0;
  /** Values the line's own `set` commands gave, by lower-cased name; null: set to an unknown value. */
  private readonly vars = new Map<string, string | null>();
  private left = MAX_EXPANDED_CHARS;
  /** `cmd /v:on` (true), `/v:off` (false), neither (null: the registry decides). */
  constructor(readonly delayed: boolean | null = null) {}

  /** Records the `set` a command's text (carets read, quotes kept) runs, if it is one. */
  set(raw: string): void {
    let s = raw.trimStart();
    while (s.charAt(0) === '@') s = s.slice(1);
    if (s.length < 4 || s.slice(0, 3).toLowerCase() !== 'set' || (s.charAt(3) !== ' ' && s.charAt(3) !== '\t')) return;
    s = s.slice(4).trimStart();
    let unknown = false;
    while (s.charAt(0) === '/' && s.length > 1) {
      unknown = true; // `set /a` computes, `set /p` reads stdin
      const k = s.search(/[ \t]/);
      s = k < 0 ? '' : s.slice(k).trimStart();
    }
    if (s.charAt(0) === '"') {
      const last = s.lastIndexOf('"');
      s = last > 0 ? s.slice(1, last) : s.slice(1);
    }
    const eq = s.indexOf('=');
    if (eq <= 0) return;
    const name = s.slice(0, eq).toLowerCase();
    if (!this.vars.has(name) && this.vars.size >= MAX_VARS) unknown = true;
    if (unknown) {
      this.kinds |= INDIRECT_RUNTIME;
      if (this.vars.size < MAX_VARS) this.vars.set(name, null);
      return;
    }
    this.vars.set(name, s.slice(eq + 1, eq + 1 + MAX_SCRIPT_CHARS));
  }

  /** A value the line set, or undefined (the environment's: unknown). */
  private value(name: string): string | undefined {
    const v = this.vars.get(name.toLowerCase());
    return v === null ? undefined : v;
  }

  /** Phase 1 over `text` with the values the line set so far (see the header). */
  percent(text: string): string {
    if (text.indexOf('%') < 0) return text;
    if (text.indexOf('%~') >= 0) this.kinds |= INDIRECT_RUNTIME;
    let out = '';
    let i = 0;
    while (i < text.length) {
      const p = text.indexOf('%', i);
      const k = p < 0 ? -1 : text.indexOf('%', p + 1);
      if (k < 0) return out + text.slice(i);
      out += text.slice(i, p);
      const name = text.slice(p + 1, k);
      const v = name === '' ? undefined : this.lookup(name);
      if (v === undefined) {
        if (name !== '') this.kinds |= INDIRECT_RUNTIME;
        out += `%${name}`;
        i = k; // the closing `%` may open the next name
      } else {
        out += this.spend(v);
        i = k + 1;
      }
    }
    return out;
  }

  /** Phase 5 over one word (only under `/v:on`; see the header): `!name!` pairs expanded. */
  bang(word: string): string {
    if (word.indexOf('!') < 0 || this.delayed === false) return word;
    const k0 = word.indexOf('!');
    if (this.delayed === null) {
      if (word.indexOf('!', k0 + 2) > k0 + 1) this.kinds |= INDIRECT_RUNTIME;
      return word;
    }
    let out = '';
    let i = 0;
    while (i < word.length) {
      const p = word.indexOf('!', i);
      const k = p < 0 ? -1 : word.indexOf('!', p + 1);
      if (k < 0) return out + (p < 0 ? word.slice(i) : word.slice(i, p) + word.slice(p + 1));
      out += word.slice(i, p);
      const v = k > p + 1 ? this.lookup(word.slice(p + 1, k)) : '';
      if (v === undefined) this.kinds |= INDIRECT_RUNTIME;
      else out += this.spend(v);
      i = k + 1;
    }
    return out;
  }

  /** A name's value with `:~start,len` or `:old=new` applied; undefined when not known. */
  private lookup(spec: string): string | undefined {
    if (spec.charAt(0) === '~') return undefined; // a parameter or `for` variable modifier
    const colon = spec.indexOf(':');
    const v = this.value(colon < 0 ? spec : spec.slice(0, colon));
    if (v === undefined || colon < 0) return v;
    const op = spec.slice(colon + 1);
    if (op.charAt(0) === '~') {
      const m = /^~(-?\d{1,6})(?:,(-?\d{1,6}))?$/.exec(op);
      if (m === null) return undefined;
      let from = Number(m[1]);
      if (from < 0) from = Math.max(0, v.length + from);
      const rest = v.slice(from);
      if (m[2] === undefined) return rest;
      const len = Number(m[2]);
      return len < 0 ? rest.slice(0, Math.max(0, rest.length + len)) : rest.slice(0, len);
    }
    const eq = op.indexOf('=');
    if (eq <= 0 || op.charAt(0) === '*') return undefined;
    return replaceAll(v, op.slice(0, eq), op.slice(eq + 1));
  }

  /** A value written out, against the line's budget: past it, nothing and runtime. */
  private spend(v: string): string {
    if (v.length > this.left) {
      this.left = 0;
      this.kinds |= INDIRECT_RUNTIME;
      return '';
    }
    this.left -= v.length;
    return v;
  }

  /** Takes `n` characters of the budget for a nested reading; false (runtime) when it is spent. */
  take(n: number): boolean {
    if (n > this.left) {
      this.left = 0;
      this.kinds |= INDIRECT_RUNTIME;
      return false;
    }
    this.left -= n;
    return true;
  }
}

/** Case-insensitive replace of every `old` in `v` (cmd's `%name:old=new%`). */
function replaceAll(v: string, old: string, by: string): string {
  const low = v.toLowerCase();
  const o = old.toLowerCase();
  let out = '';
  let i = 0;
  for (let k = low.indexOf(o); k >= 0 && out.length <= MAX_SCRIPT_CHARS; k = low.indexOf(o, i)) {
    out += v.slice(i, k) + by;
    i = k + o.length;
  }
  return out + v.slice(i);
}
