/**
 * The word reader (shell-words.ts) in expand mode: parameters expanded as XCU 2.6.2 says, with
 * the values a caller knows (`ShellExpansions`, shell-vars.ts). `$name` and `${name}` outside
 * single quotes are asked for; a known value is field-split by the default IFS when unquoted
 * (2.6.5: never re-read for operators, quotes or further expansions), kept whole inside double
 * quotes and in an assignment's value (2.9.1). A command substitution in an assignment's value is
 * asked for as one expansion (`x=$(… | base64 -d)`) instead of being read as commands. What is not
 * known stays as written, and its word is marked opaque. A quoted `"$@"` whose positional
 * parameters are known gives one word per parameter (`ShellExpansions.fields`). Each word's WORD_*
 * bits and each command read go back to the caller (`ShellExpansions.command`).
 */
import { isAssignment, WORD_EXPANDED, WORD_OPAQUE, type ShellBudget, type ShellExpansions, type ShellScript } from './shell-script.js';
import { closeBacktick, closeParen, parameterName } from './shell-spans.js';
import { WordReader } from './shell-words.js';

/** Reads one script expanding what `x` knows (see the header); `budget` as for `readShellScript`. */
export function readShellScriptExpanding(script: string, budget: ShellBudget, x: ShellExpansions): ShellScript {
  return new ExpandingReader(script, budget, x).read();
}

class ExpandingReader extends WordReader {
  protected override readonly expanding = true;
  /** WORD_* bits of the current word and of the command's words so far. */
  private flags = 0;
  private cmdFlags: number[] = [];
  /** Every word of the command so far is an assignment. */
  private assigning = true;

  constructor(script: string, budget: ShellBudget, private readonly x: ShellExpansions) {
    super(script, budget);
  }

  protected override wordEnded(word: string): void {
    this.cmdFlags.push(this.flags);
    this.flags = 0;
    if (!isAssignment(word)) this.assigning = false;
  }

  protected override commandEnded(words: readonly string[], op: string): void {
    if (words.length === 0) {
      this.x.command(words, [], op);
      return;
    }
    this.x.command(words, this.cmdFlags, op);
    this.cmdFlags = [];
    this.assigning = true;
  }

  /** The current word is an assignment's value (`NAME=` so far, after assignments only). */
  private inAssignment(): boolean {
    return this.inWord && this.assigning && isAssignment(this.word);
  }

  protected override substituted(start: number, open: number, tick: boolean): boolean {
    if (!this.inAssignment()) return false;
    const s = this.s;
    const end = tick ? closeBacktick(s, open) : closeParen(s, open);
    const v = this.x.output(s.slice(open + 1, end));
    if (v !== undefined) this.expanded(v, true);
    else {
      this.word += s.slice(start, end + 1);
      this.flags |= WORD_OPAQUE;
      this.inWord = true;
    }
    this.i = end + 1;
    return true;
  }

  protected override parameter(i: number, quoted: boolean): boolean {
    const p = parameterName(this.s, i);
    if (p.end < 0) return false;
    if (quoted && p.spec === '@' && this.x.fields !== undefined) {
      const list = this.x.fields('@');
      if (list !== undefined) {
        this.spread(list);
        this.i = p.end;
        return true;
      }
    }
    const v = this.x.parameter(p.spec);
    if (v === undefined) {
      this.flags |= WORD_OPAQUE;
      return false;
    }
    this.expanded(v, quoted || this.inAssignment());
    this.i = p.end;
    return true;
  }

  /** Puts `"$@"`'s fields into the word: the first joins it, each next one starts a word of its own. */
  private spread(list: readonly string[]): void {
    const f = WORD_EXPANDED | this.x.lastFlags;
    for (let k = 0; k < list.length && !this.stopped; k++) {
      if (k > 0) this.endWord();
      this.word += list[k]!;
      this.inWord = true;
      this.flags |= f;
    }
  }

  /** Puts a known value into the word: whole, or split into fields at blanks and newlines. */
  private expanded(v: string, whole: boolean): void {
    const f = WORD_EXPANDED | this.x.lastFlags;
    let from = 0;
    for (let k = whole ? v.length : 0; k <= v.length && !this.stopped; k++) {
      const c = k < v.length ? v.charCodeAt(k) : -1;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== -1) continue;
      if (k > from || whole) {
        this.word += v.slice(from, k);
        this.inWord = true;
        this.flags |= f;
      }
      if (c !== -1) this.endWord();
      from = k + 1;
    }
  }
}
