/**
 * What an interpreter's options say it runs (exec-interpreter.ts): its inline code, where its
 * operands start (a script file, `-`), or that it runs a module. Each language's options as its
 * manual page gives them: python(1), perlrun, ruby(1), node(1), php(1), lua(1) / luajit, Bun's
 * `bun -e` / `--eval` / `--print` and Deno's `deno eval [-p] code`; awk (XCU awk; gawk, mawk,
 * busybox): the program is the first operand unless `-f` / `-E` names a file, `-e` / `--source`
 * adds text (gawk), `-v name=value` assignments a program uses are known values; PowerShell
 * (exec-interpreter-powershell-args.ts), Tcl and Expect (exec-interpreter-tcl.ts), vim / ex and
 * gdb (exec-interpreter-ex.ts).
 */
import { isIoNumber } from './exec-decode-stage.js';
import { gdbOptions, vimOptions } from './exec-interpreter-ex.js';
import { awkAssignment } from './exec-interpreter-lex-awk.js';
import { powershellOptions } from './exec-interpreter-powershell-args.js';
import { tclOptions } from './exec-interpreter-tcl.js';
import type { CodeLang, Lang } from './exec-interpreter-token.js';
import { REDIRECTION_WORDS } from './shell-script.js';

/** What the options of an interpreter say it runs (exec-interpreter-options.ts). */
export interface InterpreterRun {
  /** Inline code texts, in order. */
  code: string[];
  /** INDIRECT_* bits of how the code came about (decoded: `-EncodedCommand`); with no code, a decode that failed. */
  how: number;
  /** Index of the first operand (a script file, `-`), the words' length when none. */
  operand: number;
  /** It runs a module, or takes its program from neither its operands nor stdin (`awk` without `-f`). */
  module: boolean;
}

/** What the options of the interpreter at `t` (its base name `words[t]`, language `lang`) say it runs. */
export function scanOptions(words: readonly string[], t: number, lang: CodeLang): InterpreterRun {
  if (lang === 'python' || lang === 'perl' || lang === 'ruby' || lang === 'php' || lang === 'lua' || (lang === 'js' && words[t] !== 'deno')) return scanLanguage(words, t, lang);
  // The other readers see no redirections (`tclsh <<'EOF'`, `awk … 2>/dev/null`); their operand index maps back.
  let any = false;
  for (let j = t + 1; j < words.length && !any; j++) any = REDIRECTION_WORDS.has(words[j]!);
  if (!any) return scanLanguage(words, t, lang);
  const ws: string[] = [words[t]!];
  const at: number[] = [t];
  for (let j = t + 1; j < words.length; j++) {
    if (isIoNumber(words, j)) j += 2;
    else if (REDIRECTION_WORDS.has(words[j]!)) j++;
    else {
      ws.push(words[j]!);
      at.push(j);
    }
  }
  const r = scanLanguage(ws, 0, lang);
  r.operand = at[r.operand] ?? words.length;
  return r;
}

function scanLanguage(words: readonly string[], t: number, lang: CodeLang): InterpreterRun {
  const name = words[t] ?? '';
  switch (lang) {
    case 'powershell':
      return powershellOptions(words, t, name.startsWith('powershell'));
    case 'tcl':
      return tclOptions(words, t, name === 'expect');
    case 'vim':
      return vimOptions(words, t, name === 'ex');
    case 'gdb':
      return gdbOptions(words, t);
    case 'awk':
      return awkOptions(words, t);
    case 'js': {
      if (name === 'deno') return denoOptions(words, t);
      const r = scanCodeOptions(words, t, lang);
      // Bun runs a file or a subcommand; only `bun run -` reads its program from stdin.
      if (name === 'bun' && r.code.length === 0) {
        if (words[r.operand] === 'run' && words[r.operand + 1] === '-') r.operand++;
        else r.module = true;
      }
      return r;
    }
    default:
      return scanCodeOptions(words, t, lang);
  }
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
/** Bun options that take the next word (`bun --help`). */
const BUN_ARG = new Set(['--cwd', '--preload', '--config', '-c', '--define', '-d', '--loader', '-l', '--port', '--tsconfig-override', '--main-fields', '--extension-order', '--jsx-factory', '--jsx-fragment', '--jsx-import-source', '--jsx-runtime']);
/** PHP options that take the next word (php(1)); -r, -B, -R, -E take code. */
const PHP_ARG = 'cdztSF';

/** How many characters of `s` are digits of a switch's number (after `x`, hex digits). */
function digitRun(s: string, hex: boolean): number {
  let n = hex ? 1 : 0;
  while (n < s.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(s[n]!)) n++;
  return n;
}

/**
 * Reads the options of the Python, Perl, Ruby, Node, PHP or Lua interpreter at `t` (redirections
 * skipped): its inline code (several `-e` in order, as Perl, Ruby and Lua run them), then where
 * its operands start.
 */
function scanCodeOptions(words: readonly string[], t: number, lang: Lang): InterpreterRun {
  const preamble: string[] = [];
  const out = scanCodeWords(words, t, lang, preamble);
  // perlrun: `-M` / `-m` statements run before the program, so the code is read after them; a script file keeps its operand.
  if (out.code.length > 0 && preamble.length > 0) out.code.unshift(preamble.join('\n'));
  return out;
}

function scanCodeWords(words: readonly string[], t: number, lang: Lang, preamble: string[]): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: false };
  const code = out.code;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (isIoNumber(words, j)) j += 2;
    else if (REDIRECTION_WORDS.has(w)) j++;
    else if (w === '--' || w === '-' || w.length < 2 || w[0] !== '-') {
      out.operand = w === '--' ? j + 1 : j;
      return out;
    } else if (lang === 'lua') {
      // lua(1), luajit: `-e chunk` (attached too), `-l name`, `-b` saves bytecode and ends the options.
      if (w.startsWith('-e')) {
        const c = w.length > 2 ? w.slice(2) : words[++j];
        if (c !== undefined) code.push(c);
      } else if ((w === '-l' || w === '-j') && j + 1 < words.length) j++;
      else if (w.startsWith('-b')) {
        out.module = true;
        return out;
      }
    } else if (lang === 'js') {
      if (w === '-e' || w === '--eval' || w === '-p' || w === '--print' || w === '-pe') {
        if (j + 1 < words.length) code.push(words[j + 1]!);
        return out;
      }
      if (w.startsWith('--eval=') || w.startsWith('--print=')) {
        code.push(w.slice(w.indexOf('=') + 1));
        return out;
      }
      if (NODE_ARG.has(w) || (words[t] === 'bun' && BUN_ARG.has(w))) j++;
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
    } else j = switchCluster(words, j, lang, code, preamble);
  }
  return out;
}

/** A Perl or Ruby switch cluster at `j` (perlrun, ruby(1)): code pushed (Perl's `-M` / `-m` statements to `preamble`); returns the last index it used. */
function switchCluster(words: readonly string[], j: number, lang: Lang, code: string[], preamble: string[]): number {
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
      if ((o === 'M' || o === 'm') && preamble.length < MAX_PREAMBLE) {
        const st = perlModuleStatement(o, rest);
        if (st !== null) preamble.push(st);
      }
      if (PERL_REST.indexOf(o) >= 0) return o === 'I' && rest === '' ? j + 1 : j;
      // -l[octal], -0[octal] or -0x[hex], -C[number]: digits, then more switches (`-lne`).
      if (o === 'l' || o === '0' || o === 'C') k += digitRun(rest, o === '0' && rest[0] === 'x');
    } else if (RUBY_NEXT.indexOf(o) >= 0) return rest === '' ? j + 1 : j;
    else if (RUBY_REST.indexOf(o) >= 0) return j;
  }
  return j;
}

/** Perl `-M` / `-m` switches read as statements (a command line holds few; more are not read). */
const MAX_PREAMBLE = 16;

/**
 * The statement perl runs for `-M arg` / `-m arg` before the program (perlrun: `-Mmodule` is
 * `use module;`, `-M-module` is `no module;`, `-mmodule` is `use module ();`, `-M'module qw(a)'`
 * takes the rest verbatim, `-Mmodule=a,b` imports the list), or null where perl refuses the switch
 * (no module name, a single `:` in it, text after `-mname`). The `=` list is a string to perl,
 * never code: it is kept as a `qw` list only where it is plain names, else left out (no reading
 * needs it). The verbatim rest is code perl runs (`-M'strict; system "id"'`), so it is read as such.
 */
export function perlModuleStatement(o: 'M' | 'm', arg: string): string | null {
  const no = arg.startsWith('-');
  const body = no ? arg.slice(1) : arg;
  const name = /^[A-Za-z0-9_:]*/.exec(body)![0];
  if (name === '' || name.replace(/::/g, '').includes(':')) return null;
  const rest = body.slice(name.length);
  const keyword = no ? 'no' : 'use';
  if (rest.startsWith('=')) {
    const list = rest.slice(1);
    return /^[A-Za-z0-9_:,$@%&]{0,256}$/.test(list) ? `${keyword} ${name} qw(${list.split(',').join(' ')});` : `${keyword} ${name};`;
  }
  if (o === 'm') return rest === '' ? `${keyword} ${name} ();` : null;
  return `${keyword} ${name}${rest};`;
}

/** awk options that take the next word (or the rest of the word): XCU awk, gawk(1), mawk(1). */
const AWK_ARG = 'FvfEeilW';
const AWK_LONG_ARG = new Set(['--field-separator', '--assign', '--file', '--exec', '--source', '--include', '--load']);

/** awk's program: its first operand, or `-e` / `--source` texts; none when `-f` / `-E` names a file (its index kept for stdin). */
function awkOptions(words: readonly string[], t: number): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: true };
  const assigns: string[] = [];
  let file = false;
  let j = t + 1;
  for (; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') {
      j++;
      break;
    }
    if (w.length < 2 || w[0] !== '-') break;
    let o: string;
    let v: string | undefined;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      o = eq < 0 ? w : w.slice(0, eq);
      if (!AWK_LONG_ARG.has(o)) continue;
      v = eq < 0 ? words[++j] : w.slice(eq + 1);
      o = o === '--field-separator' ? 'F' : o === '--assign' ? 'v' : o === '--file' ? 'f' : o === '--exec' ? 'E' : o === '--source' ? 'e' : 'i';
    } else {
      o = w[1]!;
      if (AWK_ARG.indexOf(o) < 0) continue;
      v = w.length > 2 ? w.slice(2) : words[++j];
    }
    if (v === undefined) break;
    if (o === 'v') {
      const a = awkAssignment(v);
      if (a !== null) assigns.push(a);
    } else if (o === 'e') out.code.push(v);
    else if (o === 'f' || o === 'E') {
      // A program file: nothing to read, unless it is stdin (exec-stdin-script.ts asks).
      file = true;
      out.operand = j;
      out.module = false;
      if (o === 'E') break;
    }
  }
  if (!file && out.code.length === 0 && j < words.length) out.code.push(words[j]!);
  if (out.code.length > 0 && assigns.length > 0) out.code.unshift(assigns.join(''));
  return out;
}

/** Deno options of `eval` that take the next word (`deno eval --help`). */
const DENO_ARG = new Set(['--ext', '--import-map', '-c', '--config', '--lock', '--cert', '--location', '--seed', '--log-level', '--env-file', '-L']);

/** `deno eval [options] code` (`-p` / `--print` prints it): the code; `deno run -`: stdin; other subcommands run files. */
function denoOptions(words: readonly string[], t: number): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: true };
  let sub = '';
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length > 1 && w[0] === '-') {
      if (DENO_ARG.has(w)) j++;
    } else if (sub === '') sub = w;
    else {
      if (sub === 'eval') out.code.push(w);
      else if (sub === 'run' && w === '-') {
        out.operand = j;
        out.module = false;
      }
      return out;
    }
  }
  return out;
}
