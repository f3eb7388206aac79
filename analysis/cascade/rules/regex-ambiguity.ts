/**
 * Two backtracking hazards of a regular expression that a check for nested repetition does not see
 * (regex-safety.ts runs them after it), judged on the tree of regex-ast.ts with sets of first
 * characters: an over-approximation, so a pattern may be refused that is safe, never the reverse
 * for the shapes below.
 *
 * 1. A repeated group whose rounds can split one string more than one way: `(a|aa)+`, `(\w|\d)*`,
 *    `(?:ab|a)*`, `(?:-a*-?)*`. A backtracking engine tries every split, 2^n for n rounds (OWASP
 *    ReDoS "grouping with repetition + alternation with overlapping"). Refused unless the body is
 *    LL(1) given that a round is followed by the next: at each choice in it (an alternation, a
 *    quantifier that may stop or go on) the choices' first characters, with what follows where a
 *    choice can match nothing, are disjoint. Then each round ends at one place and a failure
 *    backtracks through one split only.
 * 2. Repetitions in sequence that compete for the same characters, before something that can fail:
 *    `.*a.*b` on `aaaa…` tries every pair of split points (O(n²) a start, O(n³) with the start
 *    positions of an unanchored search: 39 s on 5,000 characters in V8); `^(a+){2,3}$` is O(n³).
 *    The degree counts the chain of such loops (a loop joins a chain when its first characters are
 *    ones a live loop can take; a mandatory character no live loop can take ends them), plus one
 *    when the search is unanchored. Degree 3 or more is refused; 2 (`a*b` unanchored, `^.*a.*b`) is
 *    quadratic and the input is bounded (field-test.ts MAX_REGEX_INPUT).
 *
 * A quantifier "repeats" when its upper bound is at least REPEAT_BOUND: with k overlapping choices
 * and m rounds the splits are k^m, and `(x+){m}` is degree m, so from 4 rounds on a pattern is
 * treated as unbounded; up to 3 rounds are unrolled. Lookarounds are atomic in ECMAScript: their
 * body is judged on its own (a lookbehind from right to left) and costs the loops around it.
 */
import { ALL, EMPTY, intersects, union, type CharSet } from './regex-charset.js';
import { childrenOf, RegexTooComplex, type RegexNode } from './regex-ast.js';

/** A repeat whose upper bound is at least this counts as repeating (`{2,3}` does not, `{1,50}` does). */
export const REPEAT_BOUND = 4;
/** Refused from this degree of polynomial backtracking on (module doc, 2). */
const DEGREE_LIMIT = 3;
/** Steps of the degree walk (bounded unrolling of bounded repeats) before the pattern is refused. */
const MAX_STEPS = 20_000;

interface Info {
  first: CharSet;
  last: CharSet;
  /** Can match the empty string (assertions count as empty). */
  nullable: boolean;
  /** Every character it can consume. */
  chars: CharSet;
  /** Always matches the empty string, whatever the input (no assertion on the way). */
  trivial: boolean;
  /** Holds a repeating quantifier (outside lookarounds). */
  loopy: boolean;
}

const repeats = (n: RegexNode & { t: 'quant' }): boolean => n.max >= REPEAT_BOUND;
const ZERO_WIDTH: Info = { first: EMPTY, last: EMPTY, nullable: true, chars: EMPTY, trivial: false, loopy: false };
const infos = new WeakMap<RegexNode, Info>();

function info(n: RegexNode): Info {
  const known = infos.get(n);
  if (known) return known;
  let r: Info;
  if (n.t === 'set') r = { first: n.set, last: n.set, nullable: false, chars: n.set, trivial: false, loopy: false };
  else if (n.t === 'group') r = info(n.body);
  else if (n.t === 'look' || n.t === 'assert') r = ZERO_WIDTH;
  else if (n.t === 'backref') r = { first: ALL, last: ALL, nullable: true, chars: ALL, trivial: false, loopy: false };
  else if (n.t === 'quant') {
    const a = info(n.atom);
    r = n.max === 0 ? { ...ZERO_WIDTH, trivial: true } : { ...a, nullable: n.min === 0 || a.nullable, trivial: n.min === 0 || a.trivial, loopy: repeats(n) || a.loopy };
  } else {
    const parts = (n.t === 'seq' ? n.items : n.alts).map(info);
    const edge = (list: Info[], pick: (x: Info) => CharSet): CharSet => {
      let acc = EMPTY;
      for (const x of list) {
        acc = union(acc, pick(x));
        if (n.t === 'seq' && !x.nullable) break;
      }
      return acc;
    };
    const every = n.t === 'seq';
    r = {
      first: edge(parts, (x) => x.first),
      last: edge([...parts].reverse(), (x) => x.last),
      nullable: every ? parts.every((x) => x.nullable) : parts.some((x) => x.nullable),
      chars: parts.reduce((acc, x) => union(acc, x.chars), EMPTY),
      trivial: every ? parts.every((x) => x.trivial) : parts.some((x) => x.trivial),
      loopy: parts.some((x) => x.loopy),
    };
  }
  infos.set(n, r);
  return r;
}

/** First characters in the direction of reading (`rev`: a lookbehind, right to left). */
const lead = (n: RegexNode, rev: boolean): CharSet => (rev ? info(n).last : info(n).first);

/** The first choice in `n` (followed by `follow`) whose options share a first character, or null. */
function ambiguousChoice(n: RegexNode, follow: CharSet, rev: boolean): RegexNode | null {
  switch (n.t) {
    case 'seq': {
      const items = rev ? [...n.items].reverse() : n.items;
      const after: CharSet[] = [];
      let f = follow;
      for (let i = items.length - 1; i >= 0; i--) {
        after[i] = f;
        const x = info(items[i]!);
        f = x.nullable ? union(lead(items[i]!, rev), f) : lead(items[i]!, rev);
      }
      for (let i = 0; i < items.length; i++) {
        const hit = ambiguousChoice(items[i]!, after[i]!, rev);
        if (hit) return hit;
      }
      return null;
    }
    case 'alt': {
      let seen = EMPTY;
      let emptySeen = false;
      for (const a of n.alts) {
        const x = info(a);
        const f = x.nullable ? union(lead(a, rev), follow) : lead(a, rev);
        if (intersects(f, seen) || (x.nullable && emptySeen)) return n;
        seen = union(seen, f);
        emptySeen ||= x.nullable;
      }
      for (const a of n.alts) {
        const hit = ambiguousChoice(a, follow, rev);
        if (hit) return hit;
      }
      return null;
    }
    case 'group':
      return ambiguousChoice(n.body, follow, rev);
    case 'quant': {
      if (n.max === 0) return null;
      const go = lead(n.atom, rev);
      if (n.max > n.min && intersects(go, follow)) return n;
      return ambiguousChoice(n.atom, n.max > 1 ? union(go, follow) : follow, rev);
    }
    default:
      return null;
  }
}

/** The first repeated group (outermost first) whose rounds can split a string two ways, or null. */
export function ambiguousRepeat(n: RegexNode, rev = false): RegexNode | null {
  if (n.t === 'quant' && repeats(n) && n.atom.t !== 'set' && ambiguousChoice(n.atom, lead(n.atom, rev), rev) !== null) return n;
  for (const k of childrenOf(n)) {
    const hit = ambiguousRepeat(k, n.t === 'look' ? n.behind : rev);
    if (hit) return hit;
  }
  return null;
}

/** A live loop: what it can take, its degree, and the source span of its chain. */
interface Loop {
  chars: CharSet;
  deg: number;
  start: number;
  end: number;
}
const sameSet = (a: CharSet, b: CharSet): boolean => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * `live` with `more` added, one loop per set of characters (the one of highest degree: loops that
 * take the same characters compete and end alike), so the list stays as short as the pattern.
 */
function merge(live: readonly Loop[], more: readonly Loop[]): Loop[] {
  const out = [...live];
  for (const l of more) {
    const i = out.findIndex((o) => sameSet(o.chars, l.chars));
    if (i < 0) out.push(l);
    else if (l.deg > out[i]!.deg) out[i] = l;
  }
  return out;
}

interface Ctx {
  /** A failure here fails the attempt (it is not inside an optional tail that always succeeds). */
  record: boolean;
  /** What follows, to the end of the pattern, always matches. */
  tail: boolean;
  rev: boolean;
}

/** The highest degree met at a point that can fail, and the span from its chain to that point. */
class DegreeWalk {
  deg = 0;
  start = 0;
  end = 0;
  constructor(private readonly budget: { steps: number }) {}

  private note(live: readonly Loop[], extra: number, at: RegexNode): void {
    let top: Loop | null = null;
    for (const l of live) if (top === null || l.deg > top.deg) top = l;
    const deg = (top?.deg ?? 0) + extra;
    if (deg <= this.deg) return;
    this.deg = deg;
    this.start = Math.min(at.start, top?.start ?? at.start);
    this.end = Math.max(at.end, top?.end ?? at.end);
  }

  run(n: RegexNode, live: Loop[], ctx: Ctx): Loop[] {
    if (++this.budget.steps > MAX_STEPS) throw new RegexTooComplex('too many bounded repeats to unroll');
    switch (n.t) {
      case 'set':
        if (ctx.record) this.note(live, 0, n);
        return live.filter((l) => intersects(l.chars, n.set));
      case 'seq': {
        const items = ctx.rev ? [...n.items].reverse() : n.items;
        const tails: boolean[] = [];
        for (let i = items.length - 1, t = ctx.tail; i >= 0; i--) {
          tails[i] = t;
          t = t && info(items[i]!).trivial;
        }
        items.forEach((item, i) => {
          live = this.run(item, live, { record: ctx.record && !(info(item).trivial && tails[i]!), tail: tails[i]!, rev: ctx.rev });
        });
        return live;
      }
      case 'alt': {
        let out: Loop[] = [];
        for (const a of n.alts) out = merge(out, this.run(a, live, ctx));
        return out;
      }
      case 'group':
        return this.run(n.body, live, ctx);
      case 'look': {
        const inner = new DegreeWalk(this.budget);
        inner.run(n.body, [], { record: true, tail: true, rev: n.behind });
        this.note(live, inner.deg, n);
        return live;
      }
      case 'assert':
      case 'backref':
        if (ctx.record) this.note(live, 0, n);
        return live;
      case 'quant':
        return this.quant(n, live, ctx);
    }
  }

  private quant(n: RegexNode & { t: 'quant' }, live: Loop[], ctx: Ctx): Loop[] {
    if (n.max === 0) return live;
    const a = info(n.atom);
    if (repeats(n)) {
      const go = lead(n.atom, ctx.rev);
      let top: Loop | null = null;
      for (const l of live) if (intersects(l.chars, go) && (top === null || l.deg > top.deg)) top = l;
      const self: Loop = { chars: a.chars, deg: 1 + (top?.deg ?? 0), start: Math.min(n.start, top?.start ?? n.start), end: Math.max(n.end, top?.end ?? n.end) };
      if (n.min >= 1 && ctx.record) this.note(live, 0, n);
      // Lookarounds inside run at every round.
      this.run(n.atom, [...live, self], { record: false, tail: true, rev: ctx.rev });
      return merge(n.min >= 1 ? live.filter((l) => intersects(l.chars, go)) : live, [self]);
    }
    // Up to REPEAT_BOUND - 1 rounds: unrolled, the rounds past `min` optional. Without a loop
    // inside, a round only ends loops and notes what the first one noted: one round says it all.
    let cur = live;
    const rounds = a.loopy ? n.max : 1;
    for (let k = 1; k <= rounds; k++) {
      const optional = k > n.min;
      const restTrivial = ctx.tail && (a.trivial || k >= n.min);
      const out = this.run(n.atom, cur, { record: ctx.record && !((optional || a.trivial) && restTrivial), tail: restTrivial, rev: ctx.rev });
      cur = optional ? merge(cur, out) : out;
    }
    return cur;
  }
}

/** Whether every match must start where the subject (or, with `m`, a line) starts. */
function anchoredStart(n: RegexNode): boolean {
  if (n.t === 'assert') return n.atStart;
  if (n.t === 'seq') return n.items.length > 0 && anchoredStart(n.items[0]!);
  if (n.t === 'group') return anchoredStart(n.body);
  if (n.t === 'alt') return n.alts.every(anchoredStart);
  if (n.t === 'quant') return n.min >= 1 && anchoredStart(n.atom);
  return false;
}

/** The span of competing repetitions whose backtracking is O(n^3) or worse on a hostile subject, or null. */
export function polynomialBacktracking(root: RegexNode): { start: number; end: number } | null {
  const walk = new DegreeWalk({ steps: 0 });
  walk.run(root, [], { record: true, tail: true, rev: false });
  const degree = walk.deg + (anchoredStart(root) ? 0 : 1);
  return degree >= DEGREE_LIMIT ? { start: walk.start, end: walk.end } : null;
}

/** The span `[from, to)` widened to whole nodes of the tree (a group, or a run of a sequence's items). */
export function coverSpan(n: RegexNode, from: number, to: number): [number, number] {
  // A bounded repeat was unrolled: its rounds share the atom's text, so the span stops at it.
  const kids = n.t === 'quant' && n.max >= 2 ? [] : childrenOf(n);
  for (const k of kids) if (k.start <= from && to <= k.end && k.end > k.start) return coverSpan(k, from, to);
  if (n.t === 'seq') {
    const inside = n.items.filter((k) => k.end > from && k.start < to);
    if (inside.length > 0) return [inside[0]!.start, inside[inside.length - 1]!.end];
  }
  return [n.start, n.end];
}
