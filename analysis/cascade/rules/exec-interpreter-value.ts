/**
 * The value of an argument in interpreter code, as far as its tokens spell it: a string literal
 * (with adjacent or `+` / `.` concatenated literals), a list (`[…]`, a tuple, `qw(…)`, PHP
 * `array(…)`), `true`, a dict of options (`{shell: true}`), or a decoder applied to such a value
 * (exec-interpreter-decode.ts) and the few string methods one-liners unscramble with (`[::-1]`,
 * `.replace`, `.join`, `.reverse`, `chr(99)`, `String.fromCharCode(…)`). Anything else — a name,
 * a call this reading does not know, an operator — is a value known only at run time (UNKNOWN).
 *
 * `how` says how a value came about, with the INDIRECT_* bits of exec-readings.ts: 0 spelled in
 * the code, INDIRECT_DECODED when a decoder or a transformation made it (no literal spells it),
 * INDIRECT_RUNTIME when a part of it is known only at run time (a concatenated name, an
 * interpolation: HOLE stands in its text).
 *
 * Bounded: values of at most MAX_VALUE_CHARS characters, MAX_DECODES decoder calls per code text,
 * MAX_ITEMS items per list, MAX_NESTING nested brackets; past a bound the value is unknown and
 * the reader says `truncated`.
 */
import { codeBindings } from './exec-interpreter-bindings.js';
import { dictSets } from './exec-interpreter-dict-sets.js';
import { decodedText } from './exec-decode.js';
import { applyCodec, decoderOf, literalBytes, type Codec } from './exec-interpreter-decode.js';
import { callValue, mergedDict, methodValue, type ValueContext } from './exec-interpreter-methods.js';
import { HOLE, isOp, STR_RUNTIME, TK_CMD, TK_NAME, TK_NL, TK_NUM, TK_OP, TK_STR, TK_VAR, TK_WORDS, type Lang, type Token } from './exec-interpreter-token.js';
import {
  FALSE, listVal, MAX_ITEMS, MAX_VALUE_CHARS, strVal, TRUE, UNDECODABLE, UNKNOWN, V_DICT, V_LIST, V_STR, V_UNKNOWN, type Arg, type Val,
} from './exec-interpreter-value-type.js';
import { INDIRECT_DECODED, INDIRECT_RUNTIME } from './exec-readings.js';

export { strVal, UNKNOWN, V_DICT, V_FALSE, V_LIST, V_STR, V_TRUE, V_UNKNOWN, type Arg, type Val } from './exec-interpreter-value-type.js';

/** A call's argument as a token range [a, b), with its keyword or null. */
export interface ArgRange {
  name: string | null;
  a: number;
  b: number;
}

const MAX_DECODES = 16;
const MAX_NESTING = 32;

const OPENERS = '([{';
/** For each opening bracket token the index of its closer (the token count when unclosed); -1 elsewhere. Linear. */
export function bracketMatch(tokens: readonly Token[]): Int32Array {
  const m = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.k !== TK_OP || t.v.length !== 1) continue;
    if (OPENERS.indexOf(t.v) >= 0) stack.push(i);
    else if (t.v === ')' || t.v === ']' || t.v === '}') {
      // A closer of another kind closes nothing (malformed code): skipped.
      const top = stack[stack.length - 1];
      if (top !== undefined && ')]}'.indexOf(t.v) === OPENERS.indexOf(tokens[top]!.v)) {
        m[top] = i;
        m[i] = top;
        stack.pop();
      }
    }
  }
  for (const o of stack) m[o] = tokens.length;
  return m;
}

/** Whether an awk term starts at `t`: awk concatenates adjacent terms (XCU awk "Expressions in awk"). */
const awkTermStarts = (t: Token): boolean => t.k === TK_STR || t.k === TK_NUM || t.k === TK_VAR || (t.k === TK_NAME && t.v !== 'getline' && t.v !== 'in') || isOp(t, '(');

export class CodeValues implements ValueContext {
  truncated = false;
  private decodes = 0;
  private nesting = 0;
  /** Names assigned once (exec-interpreter-bindings.ts), their values once read, and those being read (a self-reference is unknown). */
  private readonly bindings: ReadonlyMap<string, [number, number]>;
  private readonly bound = new Map<string, Val>();
  private readonly resolving = new Set<string>();
  constructor(
    readonly tokens: readonly Token[],
    readonly match: Int32Array,
    readonly lang: Lang,
  ) {
    this.bindings = codeBindings(tokens, match, lang);
  }

  /** The token range of the one expression the code assigns `name` (exec-interpreter-bindings.ts), or undefined. */
  bindingOf(name: string): readonly [number, number] | undefined {
    return this.bindings.get(name);
  }

  /** The value of a name the code assigns once, else UNKNOWN. */
  private boundValue(name: string): Val {
    const memo = this.bound.get(name);
    if (memo !== undefined) return memo;
    const r = this.bindings.get(name);
    if (r === undefined || this.resolving.has(name)) return UNKNOWN;
    this.resolving.add(name);
    let v = this.value(r[0], r[1]);
    if (v.k === V_DICT) v = this.withSets(name, v);
    this.resolving.delete(name);
    this.bound.set(name, v);
    return v;
  }

  /** A dict bound to `name` with the keys the code sets on it later (exec-interpreter-dict-sets.ts); a key not spelled is left out. */
  private withSets(name: string, v: Val): Val {
    const sets = dictSets(this.tokens, this.match, this.lang, name);
    if (sets.length === 0) return v;
    const keys = new Map(v.keys ?? []);
    const put = (k: Val | undefined, x: Val | undefined): void => {
      if (k?.k === V_STR && !k.bin && !k.s.includes(HOLE) && x !== undefined) keys.set(k.s, x);
    };
    for (const set of sets) {
      if ('key' in set) {
        put(typeof set.key === 'string' ? strVal(set.key, 0) : this.value(set.key[0], set.key[1]), this.value(set.value[0], set.value[1]));
        continue;
      }
      const args = this.args(set.merge[0], set.merge[1]);
      if (set.pair) put(args[0]?.v, args[1]?.v);
      else for (const [k, x] of mergedDict(args).keys ?? []) keys.set(k, x);
    }
    return { ...v, keys };
  }

  /** The index after the bracket group opened at `i` (the text's end when unclosed). */
  after(i: number): number {
    return Math.min(this.match[i]! + 1, this.tokens.length);
  }

  /** The comma-separated ranges of [a, b) at its own bracket depth (Perl's `=>` is a comma). */
  split(a: number, b: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let from = a;
    for (let i = a; i < b; i++) {
      const t = this.tokens[i]!;
      if (t.k !== TK_OP) continue;
      if (t.v.length === 1 && OPENERS.indexOf(t.v) >= 0) i = Math.min(this.match[i]!, b);
      else if (t.v === ',' || (t.v === '=>' && this.lang === 'perl')) {
        if (this.nonEmpty(from, i)) out.push([from, i]);
        from = i + 1;
        if (out.length >= MAX_ITEMS) {
          this.truncated = true;
          return out;
        }
      }
    }
    if (this.nonEmpty(from, b)) out.push([from, b]);
    return out;
  }

  private nonEmpty(a: number, b: number): boolean {
    for (let i = a; i < b; i++) if (this.tokens[i]!.k !== TK_NL) return true;
    return false;
  }

  /** A call's arguments in [a, b): keywords (`name=` Python, `name:` Ruby and PHP) named, splats unknown. */
  args(a: number, b: number): Arg[] {
    return this.argRanges(a, b).map((r) => ({ name: r.name, v: this.value(r.a, r.b) }));
  }

  /** A call's arguments in [a, b) as token ranges, keywords named as `args` names them (a keyword's range is its value's). */
  argRanges(a: number, b: number): ArgRange[] {
    const out: ArgRange[] = [];
    for (const [from, to] of this.split(a, b)) {
      let i = from;
      while (this.tokens[i]?.k === TK_NL) i++;
      const t = this.tokens[i]!;
      const n = this.tokens[i + 1];
      if (t.k === TK_NAME && ((this.lang === 'python' && isOp(n, '=')) || ((this.lang === 'ruby' || this.lang === 'php') && isOp(n, ':')))) {
        out.push({ name: t.v, a: i + 2, b: to });
      } else out.push({ name: null, a: from, b: to });
    }
    return out;
  }

  /** The value of the expression in [a, b). */
  value(a: number, b: number): Val {
    while (a < b && this.tokens[a]!.k === TK_NL) a++;
    while (b > a && this.tokens[b - 1]!.k === TK_NL) b--;
    if (a >= b) return UNKNOWN;
    if (this.nesting >= MAX_NESTING) {
      this.truncated = true;
      return UNKNOWN;
    }
    this.nesting++;
    try {
      return this.concatenation(a, b);
    } finally {
      this.nesting--;
    }
  }

  /** Terms joined by the language's string concatenation (`+`; `.` in Perl and PHP; `..` in Lua; adjacent literals in Python; adjacent terms in awk). */
  private concatenation(a: number, b: number): Val {
    const parts: Val[] = [];
    const plus = this.lang === 'perl' || this.lang === 'php' ? '.' : this.lang === 'lua' ? '..' : '+';
    let i = a;
    for (;;) {
      const [v, j] = this.term(i, b);
      parts.push(v);
      if (j >= b) break;
      const t = this.tokens[j]!;
      if (isOp(t, plus)) i = j + 1;
      else if ((this.lang === 'python' && t.k === TK_STR) || (this.lang === 'awk' && awkTermStarts(t))) i = j;
      else if (isOp(t, '%') && (this.lang === 'python' || this.lang === 'ruby') && v.k === V_STR && !v.bin) {
        // printf-style formatting (`"curl -T %s u" % p`): the conversions are values known at run time.
        const [, k] = this.term(j + 1, b);
        parts[parts.length - 1] = strVal(v.s.replace(/%[-#0 +]*\d*(?:\.\d+)?[sdirfxXoeEgGc]/g, HOLE), v.how | INDIRECT_RUNTIME);
        if (k >= b) break;
        if (!isOp(this.tokens[k], plus)) return UNKNOWN;
        i = k + 1;
      } else return UNKNOWN;
      if (i >= b) return UNKNOWN;
    }
    if (parts.length === 1) return parts[0]!;
    if (parts.every((p) => p.k === V_LIST)) return listVal(parts.flatMap((p) => p.items).slice(0, MAX_ITEMS));
    let s = '';
    let how = 0;
    let any = false;
    for (const p of parts) {
      if (p.k === V_STR && !p.bin) {
        s += p.s;
        any = true;
      } else if (p.k === V_UNKNOWN) s += HOLE;
      else return UNKNOWN;
      how |= p.how;
    }
    if (!any) return { ...UNKNOWN, how };
    if (s.length > MAX_VALUE_CHARS) {
      this.truncated = true;
      s = s.slice(0, MAX_VALUE_CHARS);
    }
    return strVal(s, how);
  }

  /** One operand at `i` and its postfix calls and subscripts: [value, index after]. */
  private term(i: number, b: number): [Val, number] {
    const t = this.tokens[i]!;
    let v: Val = UNKNOWN;
    let j = i + 1;
    let qual = '';
    if (t.k === TK_STR) v = strVal(t.v, (t.f & STR_RUNTIME) !== 0 ? INDIRECT_RUNTIME : 0);
    else if (t.k === TK_NUM) v = strVal(t.v, 0);
    else if (t.k === TK_WORDS) v = listVal((t.w ?? []).slice(0, MAX_ITEMS).map((w: string) => strVal(w, 0)));
    else if (t.k === TK_CMD) v = UNKNOWN;
    else if (t.k === TK_VAR) v = this.boundValue(t.v);
    else if (t.k === TK_OP) {
      j = OPENERS.indexOf(t.v) >= 0 && t.v.length === 1 ? Math.min(this.after(i), b) : i + 1;
      const inner = this.match[i]!;
      if (t.v === '[') v = this.lang === 'php' && this.arrows(i + 1, inner) ? this.dict(i + 1, inner) : listVal(this.items(i + 1, inner));
      else if (t.v === '(') {
        const ranges = this.split(i + 1, inner);
        const tuple = ranges.length !== 1 || isOp(this.tokens[inner - 1], ',');
        v = tuple ? listVal(ranges.map(([x, y]) => this.value(x, y))) : this.value(ranges[0]![0], ranges[0]![1]);
      } else if (t.v === '{') v = this.dict(i + 1, inner);
      else if (t.v === '\\' && this.lang === 'php' && i + 1 < b) return this.term(i + 1, b);
    } else if (t.k === TK_NAME) {
      [v, j, qual] = this.named(t.v, i, b);
    }
    return this.postfix(v, j, b, qual);
  }

  private items(a: number, b: number): Val[] {
    return this.split(a, b).map(([x, y]) => this.value(x, y));
  }

  /** Whether a `=>` separates a key at the top level of [a, b) (PHP's `['K' => V]` and `array('K' => V)` are dicts). */
  private arrows(a: number, b: number): boolean {
    for (let i = a; i < b; i++) {
      const t = this.tokens[i]!;
      if (isOp(t, '=>')) return true;
      if (t.k === TK_OP && t.v.length === 1 && OPENERS.indexOf(t.v) >= 0) i = Math.min(this.match[i]!, b);
    }
    return false;
  }

  /** `{k: v, 'k': v, :k => v, "k" => v}`: the keys spelled as names or strings. */
  private dict(a: number, b: number): Val {
    const keys = new Map<string, Val>();
    for (const [x, y] of this.split(a, b)) {
      let k = x;
      if (isOp(this.tokens[k], ':')) k++; // a Ruby symbol
      const key = this.tokens[k];
      const sep = this.tokens[k + 1];
      if (key && (key.k === TK_NAME || key.k === TK_STR) && (isOp(sep, ':') || isOp(sep, '=>'))) keys.set(key.v, this.value(k + 2, y));
    }
    return { ...UNKNOWN, k: V_DICT, keys, how: 0 };
  }

  /** A name: a literal name, a function this reading knows, or a value it does not. [value, index after, qualifier for a method]. */
  private named(name: string, i: number, b: number): [Val, number, string] {
    const next = this.tokens[i + 1];
    if (name === 'true' || name === 'True' || name === 'TRUE') return [TRUE, i + 1, ''];
    if (name === 'false' || name === 'False' || name === 'None' || name === 'nil' || name === 'null' || name === 'undefined') return [FALSE, i + 1, ''];
    // PHP's predefined constants for lines and paths, as PHP on Linux defines them (names lexed lower-case).
    if (this.lang === 'php' && (name === 'php_eol' || name === 'directory_separator')) return [strVal(name === 'php_eol' ? '\n' : '/', 0), i + 1, ''];
    if (name === 'new' && this.lang === 'js' && i + 1 < b) return this.named(this.tokens[i + 1]!.v, i + 1, b);
    const cut = name.lastIndexOf('::');
    const base = cut < 0 ? name : name.slice(cut + 2);
    const qual = cut < 0 ? '' : name.slice(0, cut);
    if (isOp(next, '(')) {
      const end = Math.min(this.after(i + 1), b);
      if (this.lang === 'php' && name === 'array' && this.arrows(i + 2, this.match[i + 1]!)) return [this.dict(i + 2, this.match[i + 1]!), end, ''];
      const args = this.args(i + 2, this.match[i + 1]!);
      return [callValue(this, base, qual, args), end, ''];
    }
    // Perl and Ruby call without parentheses: `decode_base64 "…"`.
    if ((this.lang === 'perl' || this.lang === 'ruby') && next && i + 1 < b && decoderOf(base, qual) !== null && next.k !== TK_OP) {
      const [arg, j] = this.term(i + 1, b);
      return [this.decode(decoderOf(base, qual)!, arg), j, ''];
    }
    return [this.boundValue(name), i + 1, name];
  }

  /** A decoder applied to `v`: its output, marked decoded. */
  decode(codec: Codec, v: Val | undefined): Val {
    if (v === undefined || v.k !== V_STR) return v !== undefined && (v.how & INDIRECT_DECODED) !== 0 ? UNDECODABLE : UNKNOWN;
    if ((v.how & INDIRECT_RUNTIME) !== 0) return UNKNOWN;
    if (codec === 'text') return v;
    if (this.decodes++ >= MAX_DECODES) {
      this.truncated = true;
      return UNDECODABLE;
    }
    const out = applyCodec(codec, v.bytes ?? literalBytes(v.s));
    if (out === null) return UNDECODABLE;
    const text = decodedText(out);
    return strVal(text ?? '', v.how | INDIRECT_DECODED, out, text === null);
  }

  /** Postfix method calls (`.m(…)`, `->m(…)`) and subscripts after a value. */
  private postfix(v: Val, j: number, b: number, qual: string): [Val, number] {
    while (j < b) {
      const t = this.tokens[j]!;
      if (t.k !== TK_OP) break;
      if ((t.v === '.' && this.lang !== 'perl' && this.lang !== 'php') || t.v === '->' || t.v === '&.' || t.v === '::') {
        const n = this.tokens[j + 1];
        if (n === undefined || n.k !== TK_NAME || j + 1 >= b) break;
        let k = j + 2;
        let args: Arg[] = [];
        if (isOp(this.tokens[k], '(') && k < b) {
          args = this.args(k + 1, this.match[k]!);
          k = Math.min(this.after(k), b);
        }
        v = methodValue(this, v, n.v, args, qual);
        qual = n.v;
        j = k;
      } else if (t.v === '[') {
        v = this.subscript(v, j + 1, this.match[j]!);
        j = Math.min(this.after(j), b);
        qual = '';
      } else if (t.v === '(') {
        v = UNKNOWN;
        j = Math.min(this.after(j), b);
      } else break;
    }
    return [v, j];
  }

  /** `[::-1]` reverses (Python); `[n]` picks a list's item. */
  private subscript(v: Val, a: number, b: number): Val {
    const ts = this.tokens.slice(a, b).map((x) => x.v).join('');
    if (ts === '::-1' && v.k === V_STR) return this.decode('reverse', v);
    if (/^\d{1,3}$/.test(ts) && v.k === V_LIST) return v.items[Number(ts)] ?? UNKNOWN;
    return UNKNOWN;
  }

}
