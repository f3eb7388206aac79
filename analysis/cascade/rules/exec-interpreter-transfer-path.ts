/**
 * What a library object expression in Python or JavaScript code is made of, for the transfer
 * reader (exec-interpreter-transfer.ts): the chain of names, attributes, calls and subscripts it
 * is written as (`boto3.client('s3').upload_file`, `requests.Session().put`, `fs.createReadStream(p)`),
 * its root resolved through the code's imports (Python Language Reference §7.11: `from boto3
 * import client`, `import urllib.request`; JavaScript's `import ky from 'got'`, `const { request:
 * r } = require('https')`: exec-interpreter-transfer-js-imports.ts), `__import__('m')` /
 * `importlib.import_module('m')`, Node's `require('m')` and `import('m')` (`node:` prefix
 * dropped), names the code assigns once
 * (exec-interpreter-bindings.ts: `s3 = boto3.client('s3')`) and Python `with X as name:` targets
 * (§8.5: `name` is X's `__enter__()`, X itself for files, sessions and connections). A chain whose
 * root is no import is kept with `rooted` false (Node's REPL and `-e` expose the core modules as
 * globals: `https.request` needs no require).
 *
 * Ruby block parameters stand for the call that yields them (`Net::HTTP.start(h) { |http| … }`),
 * and a block passed to a call is no step of the chain (`Faraday.new(url: u) { |f| … }` is the connection);
 * Perl chains are written with `->` and may start at a variable (`$ua->put(…)`, `my $ua =
 * LWP::UserAgent->new`).
 *
 * Bounded: MAX_STEPS steps a chain, MAX_DEPTH names followed one through another, MAX_WITH
 * `with` targets; a cycle of names (`a = b.x; b = a.y`) stops at MAX_DEPTH. Never throws.
 */
import type { Token } from './exec-interpreter-token.js';
import { HOLE, isName, isOp, TK_NAME, TK_NL, TK_STR, TK_VAR, type Lang } from './exec-interpreter-token.js';
import { jsonTextOf } from './exec-interpreter-value-type.js';
import { V_DICT, V_FALSE, V_LIST, V_STR, V_TRUE, type CodeValues, type Val } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';
import { readJsLibraryNames, type JsLibraryName, type JsLibraryNames } from './exec-interpreter-transfer-js-imports.js';

export const S_ATTR = 0; // `.name` (the root too)
export const S_CALL = 1; // `(…)`: its arguments in [a, b)
export const S_INDEX = 2; // `[…]`

export interface Step {
  k: number;
  name: string;
  a: number;
  b: number;
}
export interface Chain {
  steps: Step[];
  /** The root is a module the code imports or requires. */
  rooted: boolean;
}

const MAX_STEPS = 32;
const MAX_DEPTH = 8;
const MAX_WITH = 64;
// `import('m')`: ECMAScript's dynamic import (§13.3.10), awaited where it is read.
const IMPORTERS = new Set(['__import__', 'importlib.import_module', 'import_module', 'require', 'module.require', 'process.mainModule.require', 'import']);


/** The names of a chain's leading attributes before its first call or subscript (`urllib.request.urlopen`). */
export function dottedHead(c: Chain): string {
  let s = '';
  for (const st of c.steps) {
    if (st.k !== S_ATTR) break;
    s = s === '' ? st.name : `${s}.${st.name}`;
  }
  return s;
}

/** The last call step named `names` (the attribute before it), or null: `.Bucket('b')` in `s3.Bucket('b').upload_file`. */
export function callNamed(c: Chain, names: ReadonlySet<string>): Step | null {
  for (let k = c.steps.length - 1; k > 0; k--) {
    const st = c.steps[k]!;
    const prev = c.steps[k - 1]!;
    if (st.k === S_CALL && prev.k === S_ATTR && names.has(prev.name)) return st;
  }
  return null;
}

export class ChainReader {
  private depth = 0;
  private readonly resolving = new Set<string>();
  /** Python `with X as name` targets: name → X's range; null for a name targeted twice. */
  private readonly withs = new Map<string, [number, number] | null>();
  /** JavaScript import and destructuring names (exec-interpreter-transfer-js-imports.ts). */
  private readonly jsNames: JsLibraryNames = new Map();

  constructor(
    readonly ts: readonly Token[],
    readonly match: Int32Array,
    readonly lang: Lang,
    readonly values: CodeValues,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {
    if (lang === 'python') this.scanWith();
    else if (lang === 'ruby') this.scanBlocks();
    else if (lang === 'js') readJsLibraryNames({ ts, match, split: (a, b) => values.split(a, b), pathOf: (a, b) => this.pathOf(a, b) }, this.jsNames);
  }

  /** The library path an expression of names and attributes only is (`require('https')`, `https`), or null. */
  private pathOf(a: number, b: number): JsLibraryName | null {
    const c = this.chain(a, b);
    return c === null || c.steps.some((st) => st.k !== S_ATTR) ? null : { path: c.steps.map((st) => st.name), rooted: c.rooted };
  }

  /** The start of the callee of the call whose parenthesis is at `p`, walking back over `.name`, `(…)`, `[…]`; -1 when none. */
  calleeStart(p: number): number {
    const ts = this.ts;
    let j = p - 1;
    for (let links = 0; links < MAX_STEPS && j >= 0; links++) {
      const t = ts[j]!;
      if (t.k === TK_NAME) {
        if (!isOp(ts[j - 1], '.') && !(this.lang === 'perl' && isOp(ts[j - 1], '->'))) return j;
        j -= 2;
      } else if (t.k === TK_VAR && this.lang === 'perl') return j;
      else if (isOp(t, ')') || isOp(t, ']')) {
        const o = this.match[j]!;
        if (o < 0 || o >= j) return -1;
        const before = ts[o - 1];
        if (before === undefined || !(before.k === TK_NAME || isOp(before, ')') || isOp(before, ']'))) return o;
        j = o - 1;
      } else return -1;
    }
    return -1;
  }

  /** The chain the expression [a, b) is, or null when it is none (an operator, a literal). */
  chain(a: number, b: number): Chain | null {
    const ts = this.ts;
    while (a < b && ts[a]!.k === TK_NL) a++;
    while (b > a && ts[b - 1]!.k === TK_NL) b--;
    while (a < b && (isName(ts[a], 'await') || isName(ts[a], 'new') || isName(ts[a], 'yield'))) a++;
    if (a >= b || this.depth >= MAX_DEPTH) return null;
    this.depth++;
    try {
      const t = ts[a]!;
      let c: Chain | null;
      let j: number;
      if (t.k === TK_NAME || (t.k === TK_VAR && this.lang === 'perl')) [c, j] = [this.root(t.v), a + 1];
      else if (isOp(t, '(') && this.match[a]! < b) [c, j] = [this.chain(a + 1, this.match[a]!), this.match[a]! + 1];
      else return null;
      if (c === null) return null;
      const steps = c.steps.slice();
      for (; j < b; ) {
        if (steps.length >= MAX_STEPS) return null;
        const u = ts[j]!;
        if ((isOp(u, this.lang === 'perl' ? '->' : '.') || isOp(u, '?.')) && isName(ts[j + 1]) && j + 1 < b) {
          steps.push({ k: S_ATTR, name: ts[j + 1]!.v, a: -1, b: -1 });
          j += 2;
        } else if (this.lang === 'ruby' && (isOp(u, '{') || isName(u, 'do')) && isOp(ts[j + 1], '|')) {
          // A Ruby block (`Faraday.new(url: u) { |f| f.request :multipart }`, `… do |f|`) passes code, not a step: `{…}` is skipped, `do` ends the chain.
          const close = this.match[j]!;
          if (u.v === 'do' || close < 0 || close >= b) break;
          j = close + 1;
        } else if (isOp(u, '(') || isOp(u, '[')) {
          const close = this.match[j]!;
          if (close < 0 || close >= b) return null;
          steps.push({ k: u.v === '(' ? S_CALL : S_INDEX, name: '', a: j + 1, b: close });
          j = close + 1;
        } else return null;
      }
      return importer({ steps, rooted: c.rooted }, this.values);
    } finally {
      this.depth--;
    }
  }

  /** A root name: an import alias, a `with` target, a name assigned once, or itself. */
  private root(n: string): Chain | null {
    const full = this.lang === 'python' ? this.aliases.get(n) : undefined;
    if (full !== undefined) return { steps: full.split('.').map((name) => ({ k: S_ATTR, name, a: -1, b: -1 })), rooted: true };
    const r = this.withs.get(n) ?? this.values.bindingOf(n);
    if (r !== undefined && r !== null) {
      if (this.resolving.has(n)) return null;
      this.resolving.add(n);
      const c = this.chain(r[0], r[1]);
      this.resolving.delete(n);
      return c;
    }
    const lib = this.jsNames.get(n);
    if (lib !== undefined && lib !== null) return { steps: lib.path.map((name) => ({ k: S_ATTR, name, a: -1, b: -1 })), rooted: lib.rooted };
    return { steps: [{ k: S_ATTR, name: n, a: -1, b: -1 }], rooted: false };
  }

  /** Ruby block parameters of a call (`Net::HTTP.start(h) { |http| … }`, `… do |http|`): the name is the object the call yields, read as the call. */
  private scanBlocks(): void {
    const ts = this.ts;
    for (let i = 2; i + 2 < ts.length && this.withs.size < MAX_WITH; i++) {
      if (!isOp(ts[i], '|') || !isName(ts[i + 1]) || !isOp(ts[i + 2], '|')) continue;
      const o = i - 1;
      if (!isOp(ts[o], '{') && !isName(ts[o], 'do')) continue;
      if (!isOp(ts[o - 1], ')')) continue;
      const open = this.match[o - 1]!;
      const start = open >= 0 && open < o ? this.calleeStart(open) : -1;
      if (start < 0) continue;
      const name = ts[i + 1]!.v;
      this.withs.set(name, this.withs.has(name) ? null : [start, o]);
    }
  }

  /** Python `with A as x, B as y:` targets (Language Reference §8.5), each name bound where it is targeted once. */
  private scanWith(): void {
    const ts = this.ts;
    for (let i = 0; i < ts.length && this.withs.size < MAX_WITH; i++) {
      if (!isName(ts[i], 'with') && !(isName(ts[i], 'async') && isName(ts[i + 1], 'with'))) continue;
      let from = isName(ts[i], 'async') ? i + 2 : i + 1;
      for (let j = from; j < ts.length; j++) {
        const t = ts[j]!;
        if (t.k === TK_NL || isOp(t, ':')) {
          i = j;
          break;
        }
        if (isOp(t, '(') || isOp(t, '[') || isOp(t, '{')) j = Math.max(j, this.match[j]!);
        else if (isOp(t, ',')) from = j + 1;
        else if (isName(t, 'as') && isName(ts[j + 1])) {
          const name = ts[j + 1]!.v;
          this.withs.set(name, this.withs.has(name) ? null : [from, j]);
          j++;
        }
      }
    }
  }
}

/** `__import__('m')`, `importlib.import_module('m')`, `require('m')` at the chain's root: the module m. */
function importer(c: Chain, values: CodeValues): Chain {
  const s = c.steps;
  let k = 0;
  let name = '';
  while (k < s.length && s[k]!.k === S_ATTR && k < 3) {
    name = name === '' ? s[k]!.name : `${name}.${s[k]!.name}`;
    k++;
    if (IMPORTERS.has(name)) break;
  }
  if (!IMPORTERS.has(name) || s[k]?.k !== S_CALL || (name === 'import' && values.lang !== 'js')) return c;
  const v = values.value(s[k]!.a, s[k]!.b);
  if (v.k !== V_STR || v.bin || (v.how & INDIRECT_RUNTIME) !== 0 || v.s.length > 128) return c;
  const mod = v.s.startsWith('node:') ? v.s.slice(5) : v.s;
  const head = (name === '__import__' ? mod.split('.').slice(0, 1) : mod.split('.')).map((n) => ({ k: S_ATTR, name: n, a: -1, b: -1 }));
  return { steps: [...head, ...s.slice(k + 1)], rooted: true };
}

/** A word of a run and its INDIRECT_* bits (0: the code spells it). */
export type Word = [string, number];

/** An S3 upload as the aws CLI runs it: `aws s3 cp SRC s3://BUCKET/KEY MARKER` (SRC `-`: data from memory). */
export function s3UploadRun(src: Word, bucket: Word, key: Word, marker: Word): Word[] {
  return [['aws', 0], ['s3', 0], ['cp', 0], src, [`s3://${bucket[0]}/${key[0]}`, bucket[1] | key[1]], marker];
}

/** An S3 download: `aws s3api get-object --bucket B --key K DEST MARKER` (a download, which `aws s3 cp` would not say). */
export function s3DownloadRun(bucket: Word, key: Word, dest: Word, marker: Word): Word[] {
  return [['aws', 0], ['s3api', 0], ['get-object', 0], ['--bucket', 0], bucket, ['--key', 0], key, dest, marker];
}

/**
 * A value's text as a word, or HOLE for one that is no text: known only at run time (a name, a
 * call: INDIRECT_RUNTIME), or a literal that is no string (a dict, a list: its own bits).
 */
export function wordOf(v: Val | undefined): Word {
  if (v === undefined) return [HOLE, INDIRECT_RUNTIME];
  if (v.k === V_STR && !v.bin) return [v.s, v.how];
  return [HOLE, v.k === V_DICT || v.k === V_LIST || v.k === V_TRUE || v.k === V_FALSE ? v.how : v.how || INDIRECT_RUNTIME];
}

/**
 * A request's JSON body given as a value (`requests.post(url, json={'entrypoint': cmd})`): the JSON
 * text of what the code spells (exec-interpreter-value-type.ts `jsonTextOf`), so the curl run
 * carries it as `--data-raw` (exec-ray-rest.ts reads a Ray job's entrypoint from it); anything else
 * as `wordOf`.
 */
export function jsonBodyWord(v: Val | undefined): Word {
  const text = v === undefined ? null : jsonTextOf(v);
  return text === null ? wordOf(v) : [text, v!.how];
}

/** A call's arguments as token ranges: positional ones in order, keywords (`name=`, Python) by name. */
export interface ArgRanges {
  pos: Array<[number, number]>;
  kw: Map<string, [number, number]>;
}

export function argRanges(r: ChainReader, a: number, b: number): ArgRanges {
  const out: ArgRanges = { pos: [], kw: new Map() };
  for (const [x, y] of r.values.split(a, b)) {
    let i = x;
    while (r.ts[i]?.k === TK_NL) i++;
    if (r.lang === 'python' && isName(r.ts[i]) && isOp(r.ts[i + 1], '=')) out.kw.set(r.ts[i]!.v, [i + 2, y]);
    else if (isOp(r.ts[i], '*') || isOp(r.ts[i], '**') || isOp(r.ts[i], '...')) continue;
    else out.pos.push([i, y]);
  }
  return out;
}

/** The entries of a dict or object literal opened at `open` (`{'f': v}`, `{method: 'PUT'}`, `{body}`): key → value range. */
export function dictRanges(r: ChainReader, open: number): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  const close = r.match[open]!;
  if (!isOp(r.ts[open], '{') || close < open) return m;
  for (const [x, y] of r.values.split(open + 1, Math.min(close, r.ts.length))) {
    let k = x;
    while (r.ts[k]?.k === TK_NL) k++;
    const key = r.ts[k];
    if (key === undefined || (key.k !== TK_NAME && key.k !== TK_STR)) continue;
    if (isOp(r.ts[k + 1], ':')) m.set(key.v, [k + 2, y]);
    else if (y === k + 1 && key.k === TK_NAME && r.lang === 'js') m.set(key.v, [k, y]);
  }
  return m;
}

/** The token index of the `{` a range is, through a name assigned once (`opts = {…}`), or -1. */
export function dictOpen(r: ChainReader, range: [number, number] | undefined, depth = 0): number {
  if (range === undefined || depth > 4) return -1;
  let [a, b] = range;
  while (a < b && r.ts[a]!.k === TK_NL) a++;
  if (isOp(r.ts[a], '{') && r.match[a] === b - 1) return a;
  if (b === a + 1 && isName(r.ts[a])) return dictOpen(r, r.values.bindingOf(r.ts[a]!.v) as [number, number] | undefined, depth + 1);
  return -1;
}

/** The entries of the dict or object literal a range is (through a name assigned once); empty for anything else. */
export function dictOf(r: ChainReader, range: [number, number] | undefined): Map<string, [number, number]> {
  const open = dictOpen(r, range);
  return open < 0 ? new Map() : dictRanges(r, open);
}
