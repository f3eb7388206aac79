/**
 * What an interpreter one-liner runs (MITRE T1059.006 Python, T1059.007 JavaScript, T1059 Perl,
 * Ruby, PHP; T1140 when it decodes its payload first): `python3 -c 'import os;
 * os.system("curl -T …")'`, `perl -e 'exec "/bin/sh -i"'`, `ruby -e '`curl …`'`, `node -e
 * "require('child_process').execSync('…')"`, `php -r 'system("…");'`. Given the interpreter word
 * (by base name: python, python3, python3.11, pypy3, perl, perl5.36, ruby, node, nodejs, php…) and
 * its argv, the inline code (`-c`; `-e` / `-E`; `-e` / `--eval` / `-p` / `--print`; `-r` / `-B` /
 * `-R` / `-E`; in option clusters too: `python3 -Ic`, `perl -we`, `ruby -rsocket -e`) is read by a
 * small tokenizer of its language (exec-interpreter-lex*.ts) and the calls that run commands are
 * found (exec-interpreter-calls.ts): each gives a shell command line or an argv, with how its text
 * came about (INDIRECT_* bits: literal when the code spells it, decoded when a decoder made it,
 * runtime when part of it is known only when the code runs). Code run by `exec` / `eval` is read
 * again as the same language, to MAX_CODE_DEPTH, its runs marked as that code was.
 *
 * A script file (`python3 train.py`) or a module (`python3 -m pip`) is no inline code: nothing is
 * read. Code an interpreter reads from stdin (`programOperand`: none, `-`) is read by the caller
 * with `readCode` when the shell script spells or decodes it (a here-doc, `echo … | base64 -d |
 * python3`; exec-canonical.ts). Bounded: the code text to MAX_SCRIPT_CHARS (a cut one is
 * `truncated`, and since its unread part may run anything, `runtime`), MAX_CODE_READS texts read,
 * MAX_RUNS runs per text. Never throws.
 */
import { readCalls, type CodeRun } from './exec-interpreter-calls.js';
import { lexScript } from './exec-interpreter-lex.js';
import { lexPython } from './exec-interpreter-lex-python.js';
import type { Lang } from './exec-interpreter-token.js';
import { isIoNumber } from './exec-decode-stage.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';
import { MAX_SCRIPT_CHARS, REDIRECTION_WORDS } from './shell-script.js';

export type { CodeRun } from './exec-interpreter-calls.js';
export type { Lang } from './exec-interpreter-token.js';

/** Code run by exec / eval read again, nested at most this deep. */
export const MAX_CODE_DEPTH = 3;
/** Code texts read per interpreter command (its own and those it runs). */
export const MAX_CODE_READS = 8;
/** Runs kept per interpreter command. */
const MAX_TOTAL_RUNS = 32;

export interface InterpreterReading {
  lang: Lang;
  /** Commands the code runs, in the order its text has them. */
  runs: CodeRun[];
  /** INDIRECT_* bits of everything the code runs (0: it runs nothing this reading knows of). */
  kinds: number;
  truncated: boolean;
}

const FAMILIES: ReadonlyArray<[string, Lang]> = [
  ['python', 'python'], ['pypy', 'python'], ['perl', 'perl'], ['ruby', 'ruby'], ['nodejs', 'js'], ['node', 'js'], ['php', 'php'],
];

/** The language of an interpreter's base name (`python3.11`, `perl5.36.0`, `nodejs`, `php8.2`), or null. */
export function interpreterLanguage(name: string): Lang | null {
  const c = name.charCodeAt(0);
  // The hot path (every command of every script): one compare for most tool words.
  if (c !== 0x70 && c !== 0x6e && c !== 0x72) return null;
  for (const [stem, lang] of FAMILIES) {
    if (!name.startsWith(stem)) continue;
    for (let i = stem.length; i < name.length; i++) {
      const d = name.charCodeAt(i);
      if (!((d >= 0x30 && d <= 0x39) || d === 0x2e)) return null;
    }
    return lang;
  }
  return null;
}

/** Python options whose argument is the next word (or the rest of the cluster): -W, -X, and -Q (Python 2). */
const PY_ARG = 'WXQ';
/** Perl switches whose argument is the rest of the cluster (perlrun); -I may take the next word. */
const PERL_REST = 'MmIixdDFV';
/** Ruby switches whose argument is the rest of the cluster or the next word, and those that take the rest only (ruby(1)). */
const RUBY_NEXT = 'rICE';
const RUBY_REST = 'FxWK0T';
/** Node options that take the next word as their value (node(1)). */
const NODE_ARG = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--title', '--env-file', '--inspect-port', '--redirect-warnings', '--cpu-prof-dir', '--heap-prof-dir', '--diagnostic-dir', '--report-dir', '--icu-data-dir', '--openssl-config', '--stack-trace-limit', '--unhandled-rejections']);
/** PHP options that take the next word (php(1)); -r, -B, -R, -E take code. */
const PHP_ARG = 'cdztSF';

/** How many characters of `s` are digits of a switch's number (after `x`, hex digits). */
function digitRun(s: string, hex: boolean): number {
  let n = hex ? 1 : 0;
  while (n < s.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(s[n]!)) n++;
  return n;
}

/** What an interpreter's words say it runs: inline code, the index of its first operand (a script file, `-`), or a module. */
interface InterpreterRun {
  code: string[];
  operand: number;
  module: boolean;
}

/**
 * Reads the options of the interpreter at `t` (redirections skipped): its inline code (several
 * `-e` in order, as Perl and Ruby run them), then where its operands start.
 */
function scanOptions(words: readonly string[], t: number, lang: Lang): InterpreterRun {
  const out: InterpreterRun = { code: [], operand: words.length, module: false };
  const code = out.code;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (isIoNumber(words, j)) j += 2;
    else if (REDIRECTION_WORDS.has(w)) j++;
    else if (w === '--' || w === '-' || w.length < 2 || w[0] !== '-') {
      out.operand = w === '--' ? j + 1 : j;
      return out;
    } else if (lang === 'js') {
      if (w === '-e' || w === '--eval' || w === '-p' || w === '--print' || w === '-pe') {
        if (j + 1 < words.length) code.push(words[j + 1]!);
        return out;
      }
      if (w.startsWith('--eval=') || w.startsWith('--print=')) {
        code.push(w.slice(w.indexOf('=') + 1));
        return out;
      }
      if (NODE_ARG.has(w)) j++;
    } else if (w.startsWith('--')) {
      if (lang === 'python' && w === '--check-hash-based-pycs') j++;
      if (lang === 'ruby' && (w === '--enable' || w === '--disable')) j++;
    } else if (lang === 'php') {
      const o = w[1]!;
      const rest = w.slice(2);
      if ('rBRE'.indexOf(o) >= 0) {
        const c = rest !== '' ? rest : words[++j];
        if (c !== undefined) code.push(c);
        if (o === 'r') return out;
      } else if (o === 'f') {
        out.operand = rest !== '' ? j : j + 1;
        return out;
      } else if (PHP_ARG.indexOf(o) >= 0 && rest === '') j++;
    } else if (lang === 'python') {
      // A cluster: `c` takes the code (the rest of the cluster or the next word), `m` a module.
      for (let k = 1; k < w.length; k++) {
        const o = w[k]!;
        const rest = w.slice(k + 1);
        if (o === 'c' || o === 'm') {
          const arg = rest !== '' ? rest : words[j + 1];
          if (o === 'c' && arg !== undefined) code.push(arg);
          out.module = o === 'm';
          return out;
        }
        if (PY_ARG.indexOf(o) >= 0) {
          if (rest === '') j++;
          break;
        }
      }
    } else j = switchCluster(words, j, lang, code);
  }
  return out;
}

/** A Perl or Ruby switch cluster at `j` (perlrun, ruby(1)): code pushed; returns the last index it used. */
function switchCluster(words: readonly string[], j: number, lang: Lang, code: string[]): number {
  const w = words[j]!;
  for (let k = 1; k < w.length; k++) {
    const o = w[k]!;
    const rest = w.slice(k + 1);
    if (o === 'e' || (o === 'E' && lang === 'perl')) {
      const c = rest !== '' ? rest : words[j + 1];
      if (c !== undefined) code.push(c);
      return rest !== '' ? j : j + 1;
    }
    if (lang === 'perl') {
      if (PERL_REST.indexOf(o) >= 0) return o === 'I' && rest === '' ? j + 1 : j;
      // -l[octal], -0[octal] or -0x[hex], -C[number]: digits, then more switches (`-lne`).
      if (o === 'l' || o === '0' || o === 'C') k += digitRun(rest, o === '0' && rest[0] === 'x');
    } else if (RUBY_NEXT.indexOf(o) >= 0) return rest === '' ? j + 1 : j;
    else if (RUBY_REST.indexOf(o) >= 0) return j;
  }
  return j;
}

/** The inline code of the interpreter at `t` (several `-e` joined by newlines), or null when it runs a script file, a module or its stdin. */
export function inlineCode(words: readonly string[], t: number, lang: Lang): string | null {
  const r = scanOptions(words, t, lang);
  return r.code.length > 0 ? r.code.join('\n') : null;
}

/**
 * The operand the interpreter at `t` takes as its program (a script file, `-`; undefined when
 * there is none: it reads its program from stdin, as perlrun, ruby(1), node(1) and php(1) say),
 * or null when it runs inline code or a module instead (exec-stdin-script.ts decides).
 */
export function programOperand(words: readonly string[], t: number, lang: Lang): string | undefined | null {
  const r = scanOptions(words, t, lang);
  return r.code.length > 0 || r.module ? null : words[r.operand];
}

/** The reading of the interpreter command `words` whose tool word (a base name) is at `t`, or null when it runs no inline code. */
export function readInterpreter(words: readonly string[], t: number): InterpreterReading | null {
  const lang = interpreterLanguage(words[t] ?? '');
  if (lang === null) return null;
  const code = inlineCode(words, t, lang);
  return code === null ? null : readCode(code, lang);
}

/** What `code` in `lang` runs (see the header); `how`: INDIRECT_* bits of how the code itself came about (0: spelled). */
export function readCode(code: string, lang: Lang, how = 0): InterpreterReading {
  const out: InterpreterReading = { lang, runs: [], kinds: 0, truncated: false };
  const queue: Array<{ code: string; how: number; depth: number }> = [{ code, how, depth: 0 }];
  for (let reads = 0; reads < queue.length; reads++) {
    if (reads >= MAX_CODE_READS) {
      out.truncated = true;
      break;
    }
    const item = queue[reads]!;
    let text = item.code;
    if (text.length > MAX_SCRIPT_CHARS) {
      text = text.slice(0, MAX_SCRIPT_CHARS);
      out.truncated = true;
      // What the unread part runs is not known before it runs.
      out.kinds |= INDIRECT_RUNTIME | item.how;
    }
    const lexed = lang === 'python' ? lexPython(text) : lexScript(text, lang);
    const read = readCalls(lexed.tokens, lang, text);
    if (lexed.truncated || read.truncated) out.truncated = true;
    // What code that was itself decoded (or is partly unknown) spells came about as that code did.
    out.kinds |= item.how === 0 ? read.kinds : (read.kinds & ~INDIRECT_LITERAL) | (read.kinds === 0 ? 0 : item.how);
    for (const r of read.runs) {
      if (out.runs.length >= MAX_TOTAL_RUNS) {
        out.truncated = true;
        break;
      }
      out.runs.push(item.how === 0 ? r : { line: r.line, argv: r.argv, how: r.how | item.how });
    }
    for (const c of read.codes) {
      if (item.depth + 1 >= MAX_CODE_DEPTH) out.truncated = true;
      else queue.push({ code: c.code, how: c.how | item.how, depth: item.depth + 1 });
    }
  }
  return out;
}
