/**
 * Path globs for behavioural specs' data paths and bucket lists, in the gitignore/minimatch sense:
 * `*` and `?` stay within one `/`-separated segment (each takes UTF-16 code units, `?` exactly
 * one), `**` crosses segments, a `**` followed by `/` may also match nothing (`/data/**` + `/x`
 * matches `/data/x`), and a trailing `/**` also matches the directory itself (`/data/**` matches
 * `/data`). Every other
 * character is literal; case-sensitive, since POSIX paths and object keys are.
 *
 * The paths are the attacker's, so a glob is not run as one RegExp (`^/a/[^/]*x[^/]*y[^/]*z…$`
 * retries every split of each star: polynomial in a long hostile path). It is read into tokens and
 * matched in time linear in the path: the common shapes by startsWith/endsWith/equality, globs
 * without an inner `**` segment by segment (path-glob-segments.ts), the rest by an automaton
 * (glob-automaton.ts). The meaning is exactly that of the RegExp this file used to build (kept as
 * the oracle in path-glob.test.ts).
 */
import { globAutomatonMatcher, type GlobState } from './glob-automaton.js';
import { lastSegmentsStart, segmentGlob, segmentGlobTest, type PartPiece, type SegmentGlob } from './path-glob-segments.js';

/**
 * A glob token: literal text, `?` (one non-`/`), `*` (a run without `/`), `**` (any run), `**`
 * then `/` (`dirs`: nothing, or any run ending in `/`), a trailing `/**` (`tail`: nothing, or `/`
 * and any run).
 */
type PathToken = { lit: string } | 'one' | 'star' | 'any' | 'dirs' | 'tail';

const isLit = (t: PathToken | undefined): t is { lit: string } => typeof t === 'object';

/**
 * Reads `glob` left to right as the RegExp compiler did (so `***` is `**` then `*`, and only a
 * `/**` that ends the glob is `tail`), then merges neighbours into one token that matches exactly
 * the same strings: any·star, star·any, any·any, dirs·any, any·dirs, dirs·star and any·tail are
 * `any` (dirs·star: a run with a `/` splits at its last one), dirs·dirs is `dirs`.
 */
function pathGlobTokens(glob: string): PathToken[] {
  const out: PathToken[] = [];
  const push = (t: PathToken): void => {
    const prev = out[out.length - 1];
    if (isLit(t)) {
      if (isLit(prev)) out[out.length - 1] = { lit: prev.lit + t.lit };
      else out.push(t);
    } else if (t === 'star' && (prev === 'any' || prev === 'dirs')) {
      if (prev === 'dirs') {
        out.pop();
        push('any');
      }
    } else if (t === 'any' && (prev === 'star' || prev === 'dirs' || prev === 'any')) {
      out.pop();
      push('any');
    } else if ((t === 'dirs' && (prev === 'any' || prev === 'dirs')) || (t === 'tail' && prev === 'any')) {
      // absorbed
    } else out.push(t);
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c !== '*') {
      push(c === '?' ? 'one' : { lit: c });
      continue;
    }
    if (glob[i + 1] !== '*') {
      push('star');
      continue;
    }
    i++;
    const last = out[out.length - 1];
    if (glob[i + 1] === '/') {
      i++;
      push('dirs');
    } else if (i === glob.length - 1 && isLit(last) && last.lit.endsWith('/')) {
      out.pop();
      if (last.lit.length > 1) out.push({ lit: last.lit.slice(0, -1) });
      push('tail');
    } else push('any');
  }
  return out;
}

/** The glob's parts between its literal slashes, for path-glob-segments.ts (tokens without `**`). */
function partsOf(tokens: readonly PathToken[]): PartPiece[][] {
  const parts: PartPiece[][] = [[]];
  for (const t of tokens) {
    if (!isLit(t)) {
      if (t === 'one' || t === 'star') parts[parts.length - 1]!.push(t);
      continue;
    }
    const pieces = t.lit.split('/');
    pieces.forEach((p, i) => {
      if (i > 0) parts.push([]);
      if (p !== '') parts[parts.length - 1]!.push(p);
    });
  }
  return parts;
}

/** The automaton of any glob: `dirs` and `tail` as optional groups (skip states). */
function automatonTest(tokens: readonly PathToken[]): (path: string) => boolean {
  const states: GlobState[] = [];
  for (const t of tokens) {
    const j = states.length;
    if (isLit(t)) for (let i = 0; i < t.lit.length; i++) states.push({ lit: t.lit.charCodeAt(i) });
    else if (t === 'dirs') states.push({ skip: j + 3 }, 'any', { lit: 47 });
    else if (t === 'tail') states.push({ skip: j + 3 }, { lit: 47 }, 'any');
    else states.push(t);
  }
  return globAutomatonMatcher(states, [47], false);
}

/** One letter a token: L literal, O one, S star, A any, D dirs, T tail. */
function shapeOf(tokens: readonly PathToken[]): string {
  return tokens.map((t) => (isLit(t) ? 'L' : t === 'one' ? 'O' : t === 'star' ? 'S' : t === 'any' ? 'A' : t === 'dirs' ? 'D' : 'T')).join('');
}

/** Tokens without `any` or `dirs` (a trailing `tail` at most), matched segment by segment; else null. */
function segmentsOf(tokens: readonly PathToken[]): SegmentGlob | null {
  const shape = shapeOf(tokens);
  if (/[AD]/.test(shape) || shape.slice(0, -1).includes('T')) return null;
  return segmentGlob(partsOf(tokens.filter((t) => t !== 'tail')), shape.endsWith('T'));
}

/** A whole-path test of `tokens`: the common shapes by string calls, then segments, then the automaton. */
function compileTokens(tokens: readonly PathToken[]): (path: string) => boolean {
  const shape = shapeOf(tokens);
  const lit = (i: number): string => (tokens[i] as { lit: string }).lit;
  switch (shape) {
    case '':
      return (p) => p === '';
    case 'L': {
      const l = lit(0);
      return (p) => p === l;
    }
    case 'T':
      return (p) => p.length === 0 || p.charCodeAt(0) === 47;
    case 'LT': {
      const l = lit(0);
      return (p) => (p.length === l.length ? p === l : p.charCodeAt(l.length) === 47 && p.startsWith(l));
    }
    case 'A':
      return () => true;
    case 'LA': {
      const l = lit(0);
      return (p) => p.startsWith(l);
    }
    case 'AL': {
      const l = lit(1);
      return (p) => p.endsWith(l);
    }
    case 'LAL': {
      const head = lit(0);
      const tail = lit(2);
      return (p) => p.length >= head.length + tail.length && p.startsWith(head) && p.endsWith(tail);
    }
  }
  const segments = segmentsOf(tokens);
  if (segments !== null) {
    const { head, rest } = segments;
    return (p) => p.startsWith(head) && rest(p, head.length, p.indexOf('/', head.length));
  }
  // Literal, dirs, then C free of `**`: C covers the path's last segments, one more than its slashes.
  const dirs = shape.indexOf('D');
  if ((dirs === 0 || (dirs === 1 && shape[0] === 'L')) && !/[ADT]/.test(shape.slice(dirs + 1))) {
    const head = dirs === 1 ? lit(0) : '';
    const rest = tokens.slice(dirs + 1);
    const parts = partsOf(rest);
    const test = segmentGlobTest(parts, false);
    return (p) => {
      if (!p.startsWith(head)) return false;
      const from = lastSegmentsStart(p, head.length, parts.length - 1);
      return from >= 0 && test(p, from);
    };
  }
  return automatonTest(tokens);
}

/** A whole-path test of one path glob (module doc for the meaning). */
export function compilePathGlob(glob: string): (path: string) => boolean {
  return compileTokens(pathGlobTokens(glob));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A test of "the path matches one of `globs`", for many globs at once (a spec's data paths). Globs
 * that are a literal, a literal directory (`/data/**`) or a literal prefix (`/data**`) are one
 * RegExp of alternative literals, `^(?:(?:/data|/tmp)(?:/|$)|…)`: it has no quantifier, so it
 * tries each literal once at the start (time bounded by the globs, not the path) and runs as native
 * code. Globs matched segment by segment are grouped by their literal head (`s3://`): one
 * startsWith and one search for the next `/` serve the group. The rest are tried one by one.
 */
export function compilePathGlobSet(globs: readonly string[]): (path: string) => boolean {
  const exact: string[] = [];
  const dirs: string[] = [];
  const prefixes: string[] = [];
  const heads = new Map<string, { infixes: string[]; rests: Array<SegmentGlob['rest']> }>();
  const others: Array<(path: string) => boolean> = [];
  for (const glob of globs) {
    const tokens = pathGlobTokens(glob);
    const shape = shapeOf(tokens);
    const head = isLit(tokens[0]) ? tokens[0].lit : '';
    const segments = segmentsOf(tokens);
    if (shape === 'L') exact.push(head);
    else if (shape === 'LT') dirs.push(head);
    else if (shape === 'LA') prefixes.push(head);
    else if (segments !== null) {
      const group = heads.get(segments.head) ?? { infixes: [], rests: [] };
      if (segments.openInfix !== null) group.infixes.push(segments.openInfix);
      else group.rests.push(segments.rest);
      heads.set(segments.head, group);
    }
    else others.push(compileTokens(tokens));
  }
  const alt = (list: readonly string[]): string => `(?:${list.map(escapeRegExp).join('|')})`;
  const branches = [dirs.length ? `${alt(dirs)}(?:/|$)` : '', exact.length ? `${alt(exact)}$` : '', prefixes.length ? alt(prefixes) : ''].filter(Boolean);
  const literals = branches.length ? new RegExp(`^(?:${branches.join('|')})`) : null;
  // First code units filter before the RegExp and each startsWith (every literal head is non-empty).
  const literalFirst = new Uint8Array(129);
  for (const l of [...exact, ...dirs, ...prefixes]) literalFirst[Math.min(l.charCodeAt(0), 128)] = 1;
  const groups = [...heads].map(([head, g]) => ({ head, first: head.length ? head.charCodeAt(0) : -1, ...g }));
  return (p) => {
    const c = p.length ? p.charCodeAt(0) : -2;
    if (literals !== null && c >= 0 && literalFirst[c < 128 ? c : 128] === 1 && literals.test(p)) return true;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      if ((group.first >= 0 && group.first !== c) || !p.startsWith(group.head)) continue;
      const at = group.head.length;
      const slash = p.indexOf('/', at);
      // `*X*` then `/**` after the head: X within the first segment.
      const end = slash < 0 ? p.length : slash;
      const infixes = group.infixes;
      for (let i = 0; i < infixes.length; i++) {
        const x = infixes[i]!;
        const found = p.indexOf(x, at);
        if (found >= 0 && found + x.length <= end) return true;
      }
      const rests = group.rests;
      for (let i = 0; i < rests.length; i++) if (rests[i]!(p, at, slash)) return true;
    }
    for (let i = 0; i < others.length; i++) if (others[i]!(p)) return true;
    return false;
  };
}
