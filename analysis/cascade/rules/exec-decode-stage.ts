/**
 * One stage of a decode pipeline (`echo … | base64 -d | sh`): what a simple command writes on its
 * stdout, given its words and the bytes on its stdin, for the few tools attackers decode with
 * (MITRE T1140): the producers `echo` and `printf` (exec-decode-print.ts), the pass-through `cat`,
 * and the filters `base64`/`base32`/`basenc` with `-d`, `openssl base64 -d` / `openssl enc -d
 * -base64`, `xxd -r -p`, `rev`, `tr`, `gunzip`/`zcat`/`gzip -d` (exec-decode.ts). Options are read
 * as GNU coreutils / OpenSSL / vim's xxd read them; a file operand, an unknown option, or stdout
 * redirected away make the stage unknown.
 *
 * Results: bytes; null when the stage is known but writes nothing readable (a decoder fails
 * outright, a bound is passed); undefined when the stage is not one read here.
 */
import { decodeGzip, decodeHexPlain, decodeRadix, reverseLines, translate, type RadixAlphabet } from './exec-decode.js';
import { echoOutput, printfOutput } from './exec-decode-print.js';
import { REDIRECTION_WORDS } from './shell-words.js';

/** Tools a stage may run (the first test on any pipeline: a Set lookup). */
export const STAGE_TOOLS: ReadonlySet<string> = new Set(['echo', 'printf', 'cat', 'base64', 'base32', 'basenc', 'openssl', 'xxd', 'rev', 'tr', 'gunzip', 'zcat', 'gzip']);

const OUTPUT_REDIRECTIONS = new Set(['>', '>>', '>|', '&>', '&>>', '>&']);

/** An IO number before a redirection (`2` in `2>/dev/null`; the reader splits it off). */
export function isIoNumber(words: readonly string[], j: number): boolean {
  const w = words[j]!;
  return w.length > 0 && w.length <= 3 && /^\d+$/.test(w) && j + 1 < words.length && REDIRECTION_WORDS.has(words[j + 1]!);
}

/**
 * The words after the tool at `t`, redirections left out; null when `stdoutOnly` and stdout is
 * redirected (the stage then writes nothing down the pipe).
 */
export function operandsOf(words: readonly string[], t: number, stdoutOnly: boolean): string[] | null {
  const out: string[] = [];
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    let fd = '';
    if (isIoNumber(words, j)) fd = words[j++]!;
    const op = words[j]!;
    if (fd !== '' || REDIRECTION_WORDS.has(op)) {
      if (stdoutOnly && OUTPUT_REDIRECTIONS.has(op) && (fd === '' || fd === '1')) return null;
      j++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/**
 * The command at `t` as its tool reads its arguments: `tool` (its base name) then its words,
 * redirections left out (they are the shell's: `git clone U 2>/dev/null` has one operand).
 */
export function toolArgs(words: readonly string[], t: number, tool: string): string[] {
  return [tool, ...operandsOf(words, t, false)!];
}

/**
 * The file the standard output of the command at `t` is redirected to (the last such redirection:
 * the shell applies them in order), or null: `>`, `>>`, `>|`, `&>`, `&>>` with no IO number or 1,
 * `>&` only to a file (`>&2` is a descriptor).
 */
export function stdoutTarget(words: readonly string[], t: number): string | null {
  return lastRedirectionTarget(words, t + 1, toStdoutFile);
}

function toStdoutFile(op: string, fd: string, to: string): boolean {
  return (fd === '' || fd === '1') && writesFile(op, to);
}

/** Whether an output redirection writes the file it names (`>`, `>>`, `>|`, `&>`, `&>>`; `>&` only to a file, not a descriptor). */
export function writesFile(op: string, to: string): boolean {
  return OUTPUT_REDIRECTIONS.has(op) && !(op === '>&' && /^(\d+|-)$/.test(to));
}

/** Redirections of standard input from a file (`<&` duplicates a descriptor; here-docs are no file). */
const STDIN_FROM_FILE: ReadonlySet<string> = new Set(['<', '<>']);
/** Paths a redirection names that are no file's contents. */
const NOT_A_FILE: ReadonlySet<string> = new Set(['/dev/null', '/dev/stdin', '/dev/zero', '/dev/fd/0']);

/**
 * The file standard input of a script's simple command is redirected from (the last such: `<`,
 * `0<`, `<>`), or null; `/dev/null`, `/dev/stdin` and descriptors are no file.
 */
export function stdinFile(words: readonly string[]): string | null {
  return lastRedirectionTarget(words, 0, fromStdinFile);
}

function fromStdinFile(op: string, fd: string, to: string): boolean {
  return STDIN_FROM_FILE.has(op) && (fd === '' || fd === '0') && to !== '' && !NOT_A_FILE.has(to) && !/^&?\d+$/.test(to);
}

/**
 * The target of the last redirection in `words[from..]` that `wanted` accepts (its operator, its IO
 * number or '', its target), or null.
 */
export function lastRedirectionTarget(words: readonly string[], from: number, wanted: (op: string, fd: string, to: string) => boolean): string | null {
  let target: string | null = null;
  eachRedirection(words, from, (op, fd, to) => {
    if (wanted(op, fd, to)) target = to;
  });
  return target;
}

/**
 * Calls `visit` with each redirection in `words[from..]`, in the order the shell applies them: its
 * operator, its IO number or '', its target. Every target is stepped over, so a target word never
 * reads as an operator.
 */
export function eachRedirection(words: readonly string[], from: number, visit: (op: string, fd: string, to: string) => void): void {
  for (let j = from; j < words.length; j++) {
    let fd = '';
    if (isIoNumber(words, j)) fd = words[j++]!;
    const op = words[j]!;
    if (fd === '' && !REDIRECTION_WORDS.has(op)) continue;
    const to = words[++j];
    if (to !== undefined) visit(op, fd, to);
  }
}

const isFlag = (w: string): boolean => w.length > 1 && w[0] === '-';

/** `base64 -d`, `base32 -d`, `basenc --base64 -d`: the options GNU coreutils reads. */
function radixStage(name: string, ops: readonly string[], input: Uint8Array): Uint8Array | null | undefined {
  let decode = false;
  let ignore = false;
  let alphabet: RadixAlphabet | null = name === 'base64' ? 'base64' : name === 'base32' ? 'base32' : null;
  for (let j = 0; j < ops.length; j++) {
    const w = ops[j]!;
    if (w === '-' || w === '--') continue;
    if (!isFlag(w)) return undefined; // a file operand
    if (w.startsWith('--')) {
      const long = w.slice(2);
      if (long === 'decode') decode = true;
      else if (long === 'ignore-garbage') ignore = true;
      else if (long === 'wrap') j++;
      else if (long.startsWith('wrap=')) continue;
      else if (name === 'basenc' && (long === 'base64' || long === 'base64url' || long === 'base32' || long === 'base32hex' || long === 'base16')) alphabet = long;
      else return undefined;
      continue;
    }
    for (let k = 1; k < w.length; k++) {
      const c = w[k];
      if (c === 'd' || c === 'D') decode = true;
      else if (c === 'i') ignore = true;
      else if (c === 'w') {
        if (k === w.length - 1) j++;
        break;
      } else return undefined;
    }
  }
  return decode && alphabet !== null ? decodeRadix(input, alphabet, ignore).bytes : undefined;
}

/** `openssl base64 -d [-A]` and `openssl enc -d -base64|-a [-A]`: base64 without a cipher. */
function opensslStage(ops: readonly string[], input: Uint8Array): Uint8Array | null | undefined {
  const sub = ops[0];
  let decode = false;
  let base64 = sub === 'base64';
  if (!base64 && sub !== 'enc') return undefined;
  for (let j = 1; j < ops.length; j++) {
    const w = ops[j]!;
    if (w === '-d') decode = true;
    else if (w === '-a' || w === '-base64') base64 = true;
    else if (w !== '-A' && w !== '-e') return undefined; // -in file, a cipher, a key…
  }
  return decode && base64 ? decodeRadix(input, 'base64', false).bytes : undefined;
}

/** `xxd -r -p` (also `-rp`, `-ps`, `-plain`, `-revert`). */
function xxdStage(ops: readonly string[], input: Uint8Array): Uint8Array | undefined {
  let revert = false;
  let plain = false;
  for (const w of ops) {
    if (w === '-revert' || w === '-r') revert = true;
    else if (w === '-p' || w === '-ps' || w === '-plain' || w === '-postscript') plain = true;
    else if (w === '-rp' || w === '-pr') revert = plain = true;
    else if (w !== '-') return undefined;
  }
  return revert && plain ? decodeHexPlain(input) : undefined;
}

function gzipStage(name: string, ops: readonly string[], input: Uint8Array): Uint8Array | null | undefined {
  let decompress = name !== 'gzip';
  for (const w of ops) {
    if (w === '-d' || w === '--decompress' || w === '-dc' || w === '-cd') decompress = true;
    else if (w !== '-c' && w !== '-f' && w !== '-q' && w !== '--stdout' && w !== '-') return undefined;
  }
  return decompress ? decodeGzip(input) : undefined;
}

/**
 * What the command `words` (its tool at `t`) writes on stdout when it reads `input` (null: its
 * stdin is unknown). See the header for null and undefined.
 */
export function stageOutput(words: readonly string[], t: number, input: Uint8Array | null): Uint8Array | null | undefined {
  const name = words[t]!;
  if (!STAGE_TOOLS.has(name)) return undefined;
  const ops = operandsOf(words, t, true);
  if (ops === null) return undefined;
  if (name === 'echo') return echoOutput(ops);
  if (name === 'printf') return printfOutput(ops);
  if (input === null) return undefined;
  switch (name) {
    case 'cat':
      return ops.every((w) => w === '-' || w === '--') ? input : undefined;
    case 'base64':
    case 'base32':
    case 'basenc':
      return radixStage(name, ops, input);
    case 'openssl':
      return opensslStage(ops, input);
    case 'xxd':
      return xxdStage(ops, input);
    case 'rev':
      return ops.length === 0 ? reverseLines(input) : undefined;
    case 'tr':
      if (ops.length === 2 && ops[0] === '-d') return translate(input, ops[1]!, null);
      return ops.length === 2 && !isFlag(ops[0]!) ? translate(input, ops[0]!, ops[1]!) : undefined;
    default:
      return gzipStage(name, ops, input);
  }
}
