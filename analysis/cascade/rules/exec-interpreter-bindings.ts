/**
 * Names interpreter code assigns exactly once (`cmd = "curl -T …"; os.system(cmd)`, Perl
 * `my $c = "…"; system($c)`, `const c = '…'`, PHP `$c = '…'`, Ruby `c = '…'`): a bounded constant
 * propagation, as shell-vars.ts does for shell scripts. A name is bound to the expression after
 * its `=` when that is its only assignment anywhere in the code (no second `=`, no `+=` `.=` `||=`
 * …, no `for` / `foreach` / `as` target, no tuple target), so every read of it sees that value or
 * none; an assignment inside parentheses or brackets binds nothing (a keyword argument, a
 * condition) but poisons its name outside Python keyword arguments (`if ((m = f()))`,
 * `c => d += c`), unless a `{` block there holds it (a function body passed or called in place:
 * statements again). A list a method later mutates (`args.append(…)`) reads as first assigned:
 * one reading.
 *
 * Linear in the tokens; at most MAX_BINDINGS names.
 */
import { TK_NAME, TK_NL, TK_OP, TK_VAR, type Lang, type Token } from './exec-interpreter-token.js';

export const MAX_BINDINGS = 64;

/** Attribute access before a name: `obj.x = …` assigns no name. */
export const MEMBER = new Set(['.', '->', '::', '&.']);
/** Compound assignments (some tokenized as an operator then `=`). */
const COMPOUND = new Set(['+=', '-=', '.=', '||', '&&', '*', '/', '%', '|', '&', '^', '**', '//', '<<', '>>', '?']);
/** Names that end an expression in Perl and Ruby (statement modifiers). */
const MODIFIERS = new Set(['if', 'unless', 'while', 'until', 'or', 'and']);

/** Name → the token range [from, to) of its one assigned expression. */
export function codeBindings(ts: readonly Token[], match: Int32Array, lang: Lang): Map<string, [number, number]> {
  const ranges = new Map<string, [number, number]>();
  const poisoned = new Set<string>();
  const poison = (name: string): void => {
    poisoned.add(name);
    ranges.delete(name);
  };
  // The brackets around token i, innermost last: inside `(` or `[` an `=` binds nothing (a keyword
  // argument, a condition, a default) but, outside Python's keyword arguments, still assigns, so
  // it and any compound assignment there poison the name (`res.on("data", c => d += c)`); a `{`
  // block there holds statements again (a function body: `(async () => { const r = …; })()`).
  const open: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    while (open.length > 0 && i >= match[open[open.length - 1]!]!) open.pop();
    const t = ts[i]!;
    if (t.k === TK_OP && (t.v === '(' || t.v === '[' || t.v === '{') && match[i]! > i) {
      open.push(i);
      continue;
    }
    const inArgs = open.length > 0 && ts[open[open.length - 1]!]!.v !== '{';
    if (inArgs) {
      if (t.k !== TK_NAME && t.k !== TK_VAR) continue;
      const op = ts[i + 1];
      const prev = ts[i - 1];
      if (op === undefined || op.k !== TK_OP || (prev !== undefined && prev.k === TK_OP && MEMBER.has(prev.v))) continue;
      if ((op.v === '=' && lang !== 'python') || isCompound(ts, i, op)) poison(t.v);
      continue;
    }
    if (t.k === TK_NAME && (t.v === 'for' || t.v === 'foreach' || t.v === 'as')) {
      let k = i + 1;
      if (ts[k]?.k === TK_NAME && (ts[k]!.v === 'my' || ts[k]!.v === 'our' || ts[k]!.v === 'const' || ts[k]!.v === 'let' || ts[k]!.v === 'var')) k++;
      const target = ts[k];
      if (target !== undefined && (target.k === TK_NAME || target.k === TK_VAR)) poison(target.v);
      continue;
    }
    if (t.k !== TK_NAME && t.k !== TK_VAR) continue;
    const op = ts[i + 1];
    const prev = ts[i - 1];
    if (op === undefined || op.k !== TK_OP || (prev !== undefined && prev.k === TK_OP && MEMBER.has(prev.v))) continue;
    if (op.v === '=') {
      // `a, b = …` (Python, Ruby) unpacks: no one value; JavaScript's `const a = 1, b = 2` declares two.
      const unpacks = prev !== undefined && prev.k === TK_OP && prev.v === ',' && (lang === 'python' || lang === 'ruby');
      if (unpacks || poisoned.has(t.v) || ranges.has(t.v)) poison(t.v);
      else if (ranges.size < MAX_BINDINGS) ranges.set(t.v, [i + 2, expressionEnd(ts, match, i + 2, lang)]);
    } else if (isCompound(ts, i, op)) poison(t.v);
  }
  return ranges;
}

/** Whether `op`, after the name at `i`, is a compound assignment (`+=`, or `+` then `=` as some lexers split it). */
function isCompound(ts: readonly Token[], i: number, op: Token): boolean {
  return COMPOUND.has(op.v) && (op.v.endsWith('=') || (ts[i + 2]?.k === TK_OP && ts[i + 2]!.v === '='));
}

/** The end of the expression starting at `k`: a `;`, `,`, an unmatched closer, a newline (Python, Ruby, JavaScript) or a statement modifier. */
export function expressionEnd(ts: readonly Token[], match: Int32Array, k: number, lang: Lang): number {
  for (let j = k; j < ts.length; j++) {
    const t = ts[j]!;
    if (t.k === TK_NL && lang !== 'perl' && lang !== 'php') return j;
    if (t.k === TK_NAME && (lang === 'perl' || lang === 'ruby') && MODIFIERS.has(t.v)) return j;
    if (t.k !== TK_OP) continue;
    if (t.v === ';' || t.v === ',' || t.v === ')' || t.v === ']' || t.v === '}') return j;
    if (t.v === '(' || t.v === '[' || t.v === '{') j = Math.max(j, match[j]!);
  }
  return ts.length;
}
