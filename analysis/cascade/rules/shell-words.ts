/**
 * A bounded reader of POSIX shell words (XCU 2.2 Quoting, 2.3 Token Recognition), for reading an
 * exec's `sh -c` script the way the shell runs it rather than as the attacker spelled it (MITRE
 * T1027: `c''url`, `"curl"`, `c\url`, `curl${IFS}-T`, a tab or a newline instead of a space).
 *
 * Handled: blanks (space, tab) between words; single quotes; double quotes (backslash escapes only
 * `$` `` ` `` `"` `\` and newline); backslash escapes and line continuations; bash/ksh/zsh ANSI-C
 * quoting `$'…'` (ansi-c-quote.ts); `$IFS`,
 * `${IFS}` and `${IFS<op>…}` unquoted as a field break (2.6.5 Field Splitting of the default IFS);
 * comments; the operators `;` `;;` `&` `&&` `|` `||` `|&` `(` `)` `` ` `` and newline as command
 * separators (an unquoted `$(` or `` ` `` that may name the command is a `(`: its body is read as
 * commands; one among a command's arguments, `curl -s $(…) -T f URL`, is taken as inside double
 * quotes, below, and the command goes on with its words); redirection operators as
 * words of their own; here-documents (XCU 2.7.4, shell-heredoc.ts): the body after `<<word` /
 * `<<-word` is no command of the script, it is handed back (`heredocs`) with the command that reads
 * it (a `<<` inside `$((…))` or `((…))` is a shift, not a here-doc). Nothing else is expanded: other parameters, globs, `~`, and command
 * substitutions inside double quotes stay as written — the bodies of the latter are handed back
 * (`substitutions`) so a caller may read them as scripts too.
 *
 * Bounded: the first MAX_SCRIPT_CHARS characters, MAX_SCRIPT_WORDS words and MAX_SCRIPT_COMMANDS
 * commands (a budget the caller may share between nested scripts); past a bound the reader keeps
 * what it read and says `truncated`. It never throws and is linear in the script's length.
 *
 * This reader expands nothing; shell-expand.ts extends it to expand parameters (shell-vars.ts).
 */

import { readAnsiC } from './ansi-c-quote.js';
import { HereDocQueue, NO_HEREDOCS } from './shell-heredoc.js';
import { closeBacktick, closeBrace, closeParen, ifsLength } from './shell-spans.js';
import { isAssignment, MAX_SCRIPT_CHARS, MAX_SUBSTITUTIONS, REDIRECTION_WORDS, shellBudget, type ShellBudget, type ShellScript } from './shell-script.js';

export {
  isAssignment, MAX_SCRIPT_CHARS, MAX_SCRIPT_COMMANDS, MAX_SCRIPT_WORDS, MAX_SUBSTITUTIONS, REDIRECTION_WORDS, shellBudget,
  WORD_DECODED, WORD_EXPANDED, WORD_OPAQUE, type HereDoc, type ShellBudget, type ShellExpansions, type ShellScript,
} from './shell-script.js';

const NO_WORDS: readonly string[] = [];

/** Reserved words a command follows (XCU 2.4): the word after them may still name the command. */
const COMMAND_PREFIXES: ReadonlySet<string> = new Set(['!', 'if', 'then', 'else', 'elif', 'while', 'until', 'do', '{', 'time']);

/** The value of the default IFS, what `"${IFS}"` stands for inside double quotes. */
const IFS_VALUE = ' \t\n';

// Unquoted character classes (ASCII); everything else is an ordinary word character.
const ORDINARY = 0;
const BLANK = 1;
const NEWLINE = 2;
const OPERATOR = 3;
const SPECIAL = 4; // ' " \ $
const CLASS = new Uint8Array(128);
CLASS[0x20] = BLANK;
CLASS[0x09] = BLANK;
CLASS[0x0a] = NEWLINE;
for (const c of ';&|()<>`') CLASS[c.charCodeAt(0)] = OPERATOR;
for (const c of '\'"\\$') CLASS[c.charCodeAt(0)] = SPECIAL;

/** Reads one script. `budget` bounds words and commands (share it between nested scripts). */
export function readShellScript(script: string, budget: ShellBudget = shellBudget()): ShellScript {
  return new WordReader(script, budget).read();
}

/** The reader; exported for shell-expand.ts, which overrides its expansion hooks (protected). */
export class WordReader {
  protected readonly s: string;
  protected i = 0;
  protected word = '';
  protected inWord = false;
  private cmd: string[] = [];
  private pendingOps = '';
  protected stopped = false;
  /** The current word has a quoted part (a quoted here-doc delimiter keeps its body literal). */
  private quoted = false;
  /** The next word ends `<<` (0) or `<<-` (1); -1 otherwise. */
  private delimFor = -1;
  private pending: HereDocQueue | null = null;
  /** Inside `$((…))` / `((…))` up to this index: `<<` is a shift there. */
  private arithmeticTo = -1;
  private readonly out: ShellScript = { commands: [], ops: [], lead: '', substitutions: [], heredocs: NO_HEREDOCS, substitutes: false };
  /** The hooks below are called (shell-expand.ts overrides them); a plain reader tests this flag only. */
  protected readonly expanding: boolean = false;

  constructor(script: string, private readonly budget: ShellBudget) {
    if (script.length > MAX_SCRIPT_CHARS) {
      this.s = script.slice(0, MAX_SCRIPT_CHARS);
      budget.truncated = true;
    } else this.s = script;
  }

  read(): ShellScript {
    const s = this.s;
    const n = s.length;
    while (this.i < n && !this.stopped) {
      const c = s.charCodeAt(this.i);
      const cls = c < 128 ? CLASS[c]! : ORDINARY;
      if (cls === ORDINARY) {
        if (c === 0x23 && !this.inWord) this.comment();
        else this.ordinaryRun();
      } else if (cls === BLANK) {
        this.endWord();
        this.i++;
      } else if (cls === NEWLINE) {
        this.endCommand('\n');
        this.i++;
        if (this.pending !== null && this.pending.size > 0) this.i = this.pending.read(this.s, this.i, this.out, MAX_SUBSTITUTIONS);
      } else if (cls === OPERATOR) this.operator(c);
      else this.special(c);
    }
    this.endCommand('');
    return this.out;
  }

  private ordinaryRun(): void {
    const s = this.s;
    let j = this.i + 1;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c < 128 && CLASS[c] !== ORDINARY) break;
      j++;
    }
    this.word += s.slice(this.i, j);
    this.inWord = true;
    this.i = j;
  }

  private comment(): void {
    const nl = this.s.indexOf('\n', this.i);
    this.i = nl < 0 ? this.s.length : nl;
  }

  protected endWord(): void {
    if (!this.inWord) return;
    if (this.budget.words <= 0) {
      this.stop();
      return;
    }
    this.budget.words--;
    this.cmd.push(this.word);
    if (this.expanding) this.wordEnded(this.word);
    if (this.delimFor >= 0) {
      (this.pending ??= new HereDocQueue()).open(this.out.commands.length, this.word, this.delimFor === 1, this.quoted);
      this.delimFor = -1;
    }
    this.word = '';
    this.inWord = false;
    this.quoted = false;
  }

  /** A word that is an operator (redirections): ends the current word, stands alone. */
  private pushWord(w: string): void {
    this.endWord();
    this.word = w;
    this.inWord = true;
    this.endWord();
  }

  private endCommand(op: string): void {
    this.endWord();
    this.delimFor = -1;
    if (this.stopped) return;
    if (this.cmd.length > 0) {
      if (this.budget.commands <= 0) {
        this.stop();
        return;
      }
      this.budget.commands--;
      this.out.commands.push(this.cmd);
      this.out.ops.push(op);
      if (this.expanding) this.commandEnded(this.cmd, op);
      this.cmd = [];
    } else if (op !== '') {
      // No command since the last operator: the operator joins the previous ones.
      const k = this.out.ops.length;
      if (k === 0) this.out.lead = this.out.lead ? `${this.out.lead} ${op}` : op;
      else this.out.ops[k - 1] = this.out.ops[k - 1] ? `${this.out.ops[k - 1]} ${op}` : op;
      if (this.expanding) this.commandEnded(NO_WORDS, op);
    }
  }

  // Expansion hooks (shell-expand.ts): called only when `expanding`; a plain reader expands nothing.
  /** A word was read (pushed to the command). */
  protected wordEnded(_word: string): void {}
  /** A command was read (`words` empty: operators alone). */
  protected commandEnded(_words: readonly string[], _op: string): void {}
  /** A command substitution opening at `open` (`(` or `` ` ``; its `$` or `` ` `` at `start`): true when taken as an expansion. */
  protected substituted(_start: number, _open: number, _tick: boolean): boolean {
    return false;
  }
  /** A `$` at `i`: true when taken as an expansion (the word and `i` moved on). */
  protected parameter(_i: number, _quoted: boolean): boolean {
    return false;
  }

  private stop(): void {
    this.stopped = true;
    this.budget.truncated = true;
    this.cmd = [];
    this.word = '';
    this.inWord = false;
    this.pending = null;
  }

  private operator(c: number): void {
    const s = this.s;
    const next = s.charAt(this.i + 1);
    let op: string;
    switch (c) {
      case 0x3b: // ;
        op = next === ';' ? ';;' : ';';
        break;
      case 0x26: // &
        if (next === '>') {
          this.redirection();
          return;
        }
        op = next === '&' ? '&&' : '&';
        break;
      case 0x7c: // |
        op = next === '|' ? '||' : next === '&' ? '|&' : '|';
        break;
      case 0x3c: // <
      case 0x3e: // >
        this.redirection();
        return;
      default: // ( ) `
        op = s.charAt(this.i);
        if (c === 0x28 && next === '(' && this.i > this.arithmeticTo) this.arithmeticTo = closeParen(s, this.i);
        else if (c === 0x60) {
          this.out.substitutes = true;
          if (this.expanding && this.substituted(this.i, this.i, true)) return;
          if (this.argumentSubstitution(this.i, this.i, true)) return;
        }
    }
    this.i += op.length;
    this.endCommand(op);
  }

  /** `<` `<<` `<<-` `<<<` `<&` `<>` `>` `>>` `>&` `>|` `&>` `&>>`: a word of its own. */
  private redirection(): void {
    const s = this.s;
    let j = this.i + 1;
    const first = s.charAt(this.i);
    if (first === '&') j++; // &> &>>
    const c = s.charAt(j);
    if (first === '<') {
      if (c === '<') {
        j++;
        if (s.charAt(j) === '<' || s.charAt(j) === '-') j++;
      } else if (c === '&' || c === '>') j++;
    } else if (c === '>' || ((first === '>') && (c === '&' || c === '|'))) j++;
    const op = s.slice(this.i, j);
    this.pushWord(op);
    if ((op === '<<' || op === '<<-') && this.i > this.arithmeticTo && !this.stopped) this.delimFor = op.length - 2;
    this.i = j;
  }

  private special(c: number): void {
    const s = this.s;
    if (c === 0x24) {
      this.dollar();
      return;
    }
    if (c === 0x27) {
      // '…': everything literal up to the next quote (an unterminated one: the rest).
      const q = s.indexOf("'", this.i + 1);
      const end = q < 0 ? s.length : q;
      this.word += s.slice(this.i + 1, end);
      this.inWord = true;
      this.quoted = true;
      this.i = end + 1;
    } else if (c === 0x22) this.doubleQuoted();
    else {
      const next = s.charAt(this.i + 1);
      if (next === '\n') {
        // Line continuation: removed; the word goes on (or none begins).
        this.i += 2;
        return;
      }
      // One UTF-16 unit (a surrogate pair's second half follows as an ordinary character); a
      // backslash at the very end stays itself.
      this.word += next === '' ? '\\' : next;
      this.inWord = true;
      this.quoted = true;
      this.i += next === '' ? 1 : 2;
    }
  }

  private dollar(): void {
    const s = this.s;
    const i = this.i;
    const next = s.charAt(i + 1);
    if (next === "'") {
      this.ansiC();
      return;
    }
    if (next === '"') {
      // $"…" (locale translation) reads as "…".
      this.i++;
      this.doubleQuoted();
      return;
    }
    const ifs = ifsLength(s, i);
    if (ifs > 0) {
      this.endWord();
      this.i += ifs;
      return;
    }
    if (next === '(') {
      // $( … ) and $(( … )): the body is read as commands, as for ( … ).
      if (s.charAt(i + 2) !== '(') {
        this.out.substitutes = true;
        if (this.expanding && this.substituted(i, i + 1, false)) return;
        if (this.argumentSubstitution(i, i + 1, false)) return;
      } else if (i > this.arithmeticTo) this.arithmeticTo = closeParen(s, i + 1);
      this.i++;
      return;
    }
    if (this.expanding && this.parameter(i, false)) return;
    this.inWord = true;
    if (next === '{') {
      const end = closeBrace(s, i + 1);
      this.word += s.slice(i, end + 1);
      this.i = end + 1;
      return;
    }
    this.word += '$';
    this.i++;
  }

  private doubleQuoted(): void {
    const s = this.s;
    let i = this.i + 1;
    let w = this.word;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        break;
      }
      if (c === 0x5c) {
        const next = s.charAt(i + 1);
        if (next === '\n') i += 2;
        else if (next === '$' || next === '`' || next === '"' || next === '\\') {
          w += next;
          i += 2;
        } else {
          w += '\\';
          i++;
        }
      } else if (c === 0x24) {
        const ifs = ifsLength(s, i);
        if (ifs > 0) {
          w += IFS_VALUE;
          i += ifs;
        } else if (this.expanding && this.quotedExpansion(w, i)) {
          w = this.word;
          i = this.i;
        } else if (s.charAt(i + 1) === '(') {
          const end = this.substitutionEnd(i + 1, false);
          w += s.slice(i, end + 1);
          i = end + 1;
        } else if (s.charAt(i + 1) === '{') {
          const end = closeBrace(s, i + 1);
          w += s.slice(i, end + 1);
          i = end + 1;
        } else {
          w += '$';
          i++;
        }
      } else if (c === 0x60 && this.expanding && this.quotedExpansion(w, i)) {
        w = this.word;
        i = this.i;
      } else if (c === 0x60) {
        const end = this.substitutionEnd(i, true);
        w += s.slice(i, end + 1);
        i = end + 1;
      } else {
        let j = i + 1;
        while (j < s.length) {
          const d = s.charCodeAt(j);
          if (d === 0x22 || d === 0x5c || d === 0x24 || d === 0x60) break;
          j++;
        }
        w += s.slice(i, j);
        i = j;
      }
    }
    this.word = w;
    this.inWord = true;
    this.quoted = true;
    this.i = i;
  }

  /** In double quotes (the word so far `w`): an expansion at `i` taken through the word itself (`this.word`, `this.i`). */
  private quotedExpansion(w: string, i: number): boolean {
    const word = this.word;
    const at = this.i;
    this.word = w;
    const tick = this.s.charCodeAt(i) === 0x60;
    if (tick || this.s.charAt(i + 1) === '(' ? this.substituted(i, tick ? i : i + 1, tick) : this.parameter(i, true)) return true;
    this.word = word;
    this.i = at;
    return false;
  }

  /**
   * An unquoted command substitution among a command's arguments (`curl -s $(…) -T f URL`; its `$`
   * or `` ` `` at `start`, its `(` or `` ` `` at `open`): taken as inside double quotes, an opaque
   * part of the current word with its body handed back (`substitutions`), so the command goes on
   * with the words after it. Its output runs in a subshell and sets nothing here. False (read as
   * commands, as `( … )`) for one that may name the command (no command word yet: `$(…) -T f`,
   * `x=1 $(…)`, `if $(…)`), or past MAX_SUBSTITUTIONS bodies (read inline, the body is never lost).
   */
  private argumentSubstitution(start: number, open: number, tick: boolean): boolean {
    if (this.out.substitutions.length >= MAX_SUBSTITUTIONS || !this.hasCommandWord()) return false;
    const end = this.substitutionEnd(open, tick);
    this.word += this.s.slice(start, end + 1);
    this.inWord = true;
    this.i = end + 1;
    return true;
  }

  /**
   * True when the command read so far has its command word (XCU 2.9.1): a word that is no
   * assignment, no redirection or its target, and no reserved word that a command follows.
   */
  private hasCommandWord(): boolean {
    const cmd = this.cmd;
    for (let k = 0; k < cmd.length; k++) {
      const w = cmd[k]!;
      if (REDIRECTION_WORDS.has(w)) k++;
      else if (!isAssignment(w) && !COMMAND_PREFIXES.has(w)) return true;
    }
    return false;
  }

  /** The command substitution whose `(` or `` ` `` is at `open`: its body handed back (`substitution`), the index of its closing `)` or `` ` `` returned. */
  private substitutionEnd(open: number, tick: boolean): number {
    const s = this.s;
    const end = tick ? closeBacktick(s, open) : closeParen(s, open);
    this.substitution(s.slice(open + 1, end));
    return end;
  }

  private substitution(body: string): void {
    this.out.substitutes = true;
    if (this.out.substitutions.length < MAX_SUBSTITUTIONS) this.out.substitutions.push(body);
  }

  /** `$'…'` (bash, ksh93, zsh): decoded by ansi-c-quote.ts. */
  private ansiC(): void {
    const r = readAnsiC(this.s, this.i + 2);
    this.word += r.value;
    this.inWord = true;
    this.quoted = true;
    this.i = r.end;
  }
}
