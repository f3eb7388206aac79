/**
 * Sigma `condition` expressions (Sigma specification v2, "Condition"): selection identifiers,
 * `and`, `or`, `not`, parentheses, and the quantifiers `1 of <pattern>`, `all of <pattern>`,
 * `1 of them`, `all of them` (`them` skips identifiers that start with `_`). Precedence, highest
 * first: not, and, or. The deprecated aggregation pipe (`| count() by x > 5`) is refused with a
 * pointer to MLShield `window:` rules. `N of` with N > 1 is accepted as an MLShield extension.
 */

export type CondNode =
  | { t: 'sel'; name: string }
  | { t: 'and'; a: CondNode[] }
  | { t: 'or'; a: CondNode[] }
  | { t: 'not'; a: CondNode }
  | { t: 'of'; n: number | 'all'; names: string[]; pattern: string };

export type ConditionResult = { ok: true; node: CondNode } | { ok: false; error: string };

const MAX_CONDITION_LENGTH = 4096;
const MAX_DEPTH = 64;

interface Tok {
  kind: 'id' | 'lp' | 'rp' | 'pipe';
  text: string;
}

function tokenize(src: string): Tok[] | string {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(') toks.push({ kind: 'lp', text: c });
    else if (c === ')') toks.push({ kind: 'rp', text: c });
    else if (c === '|') {
      // The rest is a (refused) aggregation expression; the parser reports it.
      toks.push({ kind: 'pipe', text: c });
      return toks;
    }
    else if (/[A-Za-z0-9_*?.-]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_*?.-]/.test(src[j]!)) j++;
      toks.push({ kind: 'id', text: src.slice(i, j) });
      i = j;
      continue;
    } else return `unexpected character '${c}' at column ${i + 1}`;
    i++;
  }
  return toks;
}

function globToRegExp(pattern: string): RegExp {
  let src = '^';
  for (const c of pattern) src += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(src + '$');
}

/** Parses a condition against the rule's selection names. */
export function parseCondition(src: string, selectionNames: readonly string[]): ConditionResult {
  if (src.length > MAX_CONDITION_LENGTH) return { ok: false, error: 'condition is too long' };
  const tokenized = tokenize(src);
  if (typeof tokenized === 'string') return { ok: false, error: `condition: ${tokenized}` };
  const toks: Tok[] = tokenized;
  if (toks.length === 0) return { ok: false, error: 'condition is empty' };
  let pos = 0;
  const kw = (t: Tok | undefined, word: string): boolean => t?.kind === 'id' && t.text.toLowerCase() === word;
  const fail = (msg: string): never => {
    throw new SyntaxError(msg);
  };

  function parseOr(depth: number): CondNode {
    if (depth > MAX_DEPTH) fail('condition nests too deeply');
    const parts = [parseAnd(depth)];
    while (kw(toks[pos], 'or')) {
      pos++;
      parts.push(parseAnd(depth));
    }
    return parts.length === 1 ? parts[0]! : { t: 'or', a: parts };
  }
  function parseAnd(depth: number): CondNode {
    const parts = [parseNot(depth)];
    while (kw(toks[pos], 'and')) {
      pos++;
      parts.push(parseNot(depth));
    }
    return parts.length === 1 ? parts[0]! : { t: 'and', a: parts };
  }
  function parseNot(depth: number): CondNode {
    if (kw(toks[pos], 'not')) {
      pos++;
      return { t: 'not', a: parseNot(depth + 1) };
    }
    return parseAtom(depth);
  }
  function parseAtom(depth: number): CondNode {
    const t = toks[pos];
    if (!t) return fail('condition ends too early');
    if (t.kind === 'pipe') return fail("aggregation pipes ('| count() …') are not supported; use an MLShield rule with 'window:'");
    if (t.kind === 'lp') {
      pos++;
      const inner = parseOr(depth + 1);
      if (toks[pos]?.kind !== 'rp') fail("missing ')'");
      pos++;
      return inner;
    }
    if (t.kind === 'rp') return fail("unexpected ')'");
    const word = t.text.toLowerCase();
    if (word === 'and' || word === 'or') return fail(`unexpected '${t.text}'`);
    if (kw(toks[pos + 1], 'of')) {
      let n: number | 'all';
      if (word === 'all') n = 'all';
      else if (/^\d+$/.test(word) && Number(word) >= 1 && Number(word) <= 1000) n = Number(word);
      else return fail(`'${t.text} of' needs '1', 'all' or a count`);
      const target = toks[pos + 2];
      if (!target || target.kind !== 'id') return fail(`'of' needs a selection pattern or 'them'`);
      pos += 3;
      const pattern = target.text;
      let names: string[];
      if (pattern.toLowerCase() === 'them') names = selectionNames.filter((s) => !s.startsWith('_'));
      else {
        const re = globToRegExp(pattern);
        names = selectionNames.filter((s) => re.test(s));
      }
      if (names.length === 0) return fail(`'${pattern}' matches no selection`);
      return { t: 'of', n, names, pattern };
    }
    if (word === 'not' || word === 'of' || word === 'them') return fail(`unexpected '${t.text}'`);
    if (/[*?]/.test(t.text)) return fail(`wildcard '${t.text}' is only allowed after '1 of' / 'all of'`);
    if (!selectionNames.includes(t.text)) return fail(`unknown selection '${t.text}'`);
    pos++;
    return { t: 'sel', name: t.text };
  }

  try {
    const node = parseOr(0);
    if (pos < toks.length) {
      const t = toks[pos]!;
      if (t.kind === 'pipe') fail("aggregation pipes ('| count() …') are not supported; use an MLShield rule with 'window:'");
      fail(`unexpected '${t.text}' after the end of the condition`);
    }
    return { ok: true, node };
  } catch (e) {
    if (e instanceof SyntaxError) return { ok: false, error: `condition: ${e.message}` };
    throw e;
  }
}

/** Names of the selections a condition refers to. */
export function conditionSelections(node: CondNode, out = new Set<string>()): Set<string> {
  switch (node.t) {
    case 'sel':
      out.add(node.name);
      break;
    case 'and':
    case 'or':
      for (const a of node.a) conditionSelections(a, out);
      break;
    case 'not':
      conditionSelections(node.a, out);
      break;
    case 'of':
      for (const n of node.names) out.add(n);
      break;
  }
  return out;
}
