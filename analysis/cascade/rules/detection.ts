/**
 * A Sigma-style `detection` block compiled to predicates: each search identifier (a map of field
 * conditions = AND, a list of maps = OR, a list of plain values = keywords) becomes a closure, and
 * the condition becomes a closure tree over them. The same compiler serves Sigma rules (fields of
 * the Kubernetes audit Event), MLShield rules (normalised EventRecord fields) and GPU-window rules;
 * only the field resolver differs.
 */
import { compileFieldTest, anyDeepLeaf, anyLeaf, type CidrReadings, type FieldTest, type LeafTest } from './field-test.js';
import { compileFieldRef } from './field-ref.js';
import { parseCondition, type CondNode } from './sigma-condition.js';
import { compileStringTest } from './wildcard.js';
import { ruleConstraints, type FieldConstraint } from './rule-constraints.js';
import { fusedPred } from './fused-pred.js';
import { allOf, anyOf, type Pred } from './pred-logic.js';
import type { Getter } from './field-path.js';

export type { Pred };
export type YamlPath = Array<string | number>;

export interface Issue {
  path: YamlPath;
  message: string;
}

/** `prop`: the field is the subject's own top-level property of that name (enables fusing). */
/**
 * `memoTest`: wraps each test compiled on the field, for fields whose values recur as the same
 * object (exec-reading-memo.ts).
 */
export type FieldLookup<T> = { get: Getter<T>; cost: number; prop?: string; memoTest?: (t: FieldTest) => FieldTest } | { error: string };

export interface FieldResolver<T> {
  field(name: string): FieldLookup<T>;
  /** What keyword (full-text) identifiers search, or null where keywords are not allowed. */
  keywords: Getter<T> | null;
  /** True: keywords search every nested value (a whole audit Event); else top-level values and one object level. */
  keywordsDeep?: boolean;
}

export interface CompiledField<T> {
  field: string;
  get: Getter<T>;
  test: FieldTest;
  cost: number;
  /** get + test in one closure. */
  pred: Pred<T>;
  /** True when `pred(s)` is `test.matches(get(s))` (false for `fieldref`, which reads a second field). */
  exact: boolean;
}

interface Selection<T> {
  name: string;
  pred: Pred<T>;
  /** One entry per alternative (list of maps); a single map has one. Empty for keywords. */
  alternatives: Array<Array<CompiledField<T>>>;
  altPreds: Array<Pred<T>>;
}

export interface CompiledDetection<T> {
  names: string[];
  compileCondition(src: string | string[], path: YamlPath): { ok: true; pred: Pred<T>; node: CondNode } | { ok: false; issue: Issue };
  /** Lower-case values the field must take for the condition to hold, or null when unconstrained. */
  requiredValues(node: CondNode, field: string): string[] | null;
  /** True when the condition can only hold if `field` has a value (is neither absent nor null). */
  requiresPresent(node: CondNode, field: string): boolean;
  /** Every field name the selections test (keyword selections aside). */
  fieldNames(): string[];
  /** Which selections hold for `s`, with the observed values (for `RuleHit.reason`). */
  describe(s: T, node: CondNode): string;
  selectionPred(name: string): Pred<T> | undefined;
  /** The fields the condition's positive selections test, without values (a static reason). */
  outline(node: CondNode): string;
  /** Per-field necessary conditions of "any of `nodes` holds" (rule-constraints.ts). */
  constraints(nodes: readonly CondNode[]): FieldConstraint[];
  /** A selection as its predicate and field tests (one list per alternative; none for keywords). */
  selection(name: string): LogicSelection<T> | undefined;
}

export interface LogicSelection<T> {
  pred: Pred<T>;
  alternatives: ReadonlyArray<ReadonlyArray<CompiledField<T>>>;
}

const MAX_SELECTIONS = 64;
const MAX_FIELDS = 64;

function compileMap<T>(map: Record<string, unknown>, resolver: FieldResolver<T>, path: YamlPath, issues: Issue[], warnings: Issue[], cidrReadings: CidrReadings): Array<CompiledField<T>> | null {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    issues.push({ path, message: 'a selection map must name at least one field' });
    return null;
  }
  if (keys.length > MAX_FIELDS) {
    issues.push({ path, message: `a selection may have at most ${MAX_FIELDS} fields` });
    return null;
  }
  const fields: Array<CompiledField<T>> = [];
  for (const key of keys) {
    const [field = '', ...mods] = key.split('|');
    const lookup = resolver.field(field);
    if ('error' in lookup) {
      issues.push({ path: [...path, key], message: lookup.error });
      continue;
    }
    if (mods.includes('fieldref')) {
      const ref = compileFieldRef(mods, map[key], lookup.get, (name) => resolver.field(name));
      if (!ref.ok) issues.push({ path: [...path, key], message: `${key}: ${ref.error}` });
      else fields.push({ field, get: lookup.get, test: ref.test, cost: lookup.cost + 1 + ref.refs.length, pred: ref.pred, exact: false });
      continue;
    }
    const r = compileFieldTest(mods, map[key], cidrReadings);
    if (!r.ok) {
      issues.push({ path: [...path, key], message: `${key}: ${r.error}` });
      continue;
    }
    for (const w of r.warnings) warnings.push({ path: [...path, key], message: `${key}: ${w}` });
    const test = lookup.memoTest ? lookup.memoTest(r.test) : r.test;
    fields.push({ field, get: lookup.get, test, cost: lookup.cost + test.cost, pred: fusedPred(lookup.prop, lookup.get, test), exact: true });
  }
  // Cheap, selective tests first; the order does not change the result, only the speed.
  fields.sort((a, b) => a.cost - b.cost);
  return fields;
}

function andFields<T>(fields: Array<CompiledField<T>>): Pred<T> {
  return allOf(fields.map((f) => f.pred));
}

function compileKeywords<T>(values: unknown[], resolver: FieldResolver<T>, path: YamlPath, issues: Issue[]): Pred<T> | null {
  const kw = resolver.keywords;
  if (!kw) {
    issues.push({ path, message: 'keyword (full-text) selections are not supported for this input' });
    return null;
  }
  const tests: LeafTest[] = [];
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      issues.push({ path, message: 'keyword lists hold strings or numbers only' });
      return null;
    }
    const st = compileStringTest(String(v), 'contains', false);
    // Numbers and booleans are text in the event as logged (`403` in `"code":403`).
    tests.push((leaf) => (typeof leaf === 'string' ? st.test(leaf) : (typeof leaf === 'number' || typeof leaf === 'boolean') && st.test(String(leaf))));
  }
  return resolver.keywordsDeep ? (s) => anyDeepLeaf(kw(s), tests) : (s) => anyLeaf(kw(s), tests);
}

/** The observed value for a reason: for arrays, the first element that satisfies the test. */
function observed(v: unknown, test: FieldTest): unknown {
  if (!Array.isArray(v)) return v;
  const n = Math.min(v.length, 256);
  for (let i = 0; i < n; i++) if (test.matches(v[i])) return v[i];
  return v[0];
}

/** Characters JSON.stringify would escape in a string (quotes, backslash, controls, surrogates). */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(v: unknown): string {
  let x = v;
  while (Array.isArray(x)) x = x[0];
  if (x !== null && typeof x === 'object') return '{…}';
  const s = typeof x === 'string' ? x : String(x);
  const t = s.length > 80 ? s.slice(0, 80) + '…' : s;
  // The same text as JSON.stringify(t), without its call for the common plain value.
  return JSON_ESCAPED.test(t) ? JSON.stringify(t) : `"${t}"`;
}

/** Compiles every search identifier of a detection block (all keys except `condition`). */
/** Selections referred to outside any `not` (those whose match explains a hit). */
function positiveSelections(node: CondNode): Set<string> {
  const used = new Set<string>();
  const walk = (n: CondNode, positive: boolean): void => {
    if (n.t === 'sel') {
      if (positive) used.add(n.name);
    } else if (n.t === 'not') walk(n.a, !positive);
    else if (n.t === 'of') {
      if (positive) for (const x of n.names) used.add(x);
    } else for (const a of n.a) walk(a, positive);
  };
  walk(node, true);
  return used;
}

/**
 * Selections the conditions refer to only under an odd number of `not`s (exemptions). Their
 * `cidr` tests read an ambiguous address in `every` reading (field-test.ts `CidrReadings`), the
 * others in `any`: selections are monotone in their tests and `of`/`and`/`or` in their operands,
 * so the rule then holds when it holds under some reading of the address (conservative: a rule
 * that tests one address twice in one polarity may hit on two readings at once). A selection used
 * in both polarities keeps `any` (exact for the positive use, the exemption as before).
 * Conditions that do not parse give none (compileCondition reports them).
 */
function negatedOnly(conditions: readonly string[], names: readonly string[]): Set<string> {
  const pos = new Set<string>();
  const neg = new Set<string>();
  const walk = (n: CondNode, positive: boolean): void => {
    if (n.t === 'sel') (positive ? pos : neg).add(n.name);
    else if (n.t === 'not') walk(n.a, !positive);
    else if (n.t === 'of') for (const x of n.names) (positive ? pos : neg).add(x);
    else for (const a of n.a) walk(a, positive);
  };
  for (const c of conditions) {
    const r = parseCondition(c, names);
    if (r.ok) walk(r.node, true);
  }
  for (const x of pos) neg.delete(x);
  return neg;
}

/**
 * `conditions`: the conditions the caller will compile, for the polarity of `cidr` tests
 * (`negatedOnly`); by default the block's own `condition`.
 */
export function compileDetection<T>(
  detection: Record<string, unknown>,
  resolver: FieldResolver<T>,
  path: YamlPath,
  issues: Issue[],
  warnings: Issue[],
  conditions?: readonly string[],
): CompiledDetection<T> {
  const selections = new Map<string, Selection<T>>();
  const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const own = detection.condition;
  const conds = conditions ?? (typeof own === 'string' ? [own] : Array.isArray(own) ? own.filter((c): c is string => typeof c === 'string') : []);
  const negated = negatedOnly(conds, names.slice(0, MAX_SELECTIONS));
  if ('timeframe' in detection) issues.push({ path: [...path, 'timeframe'], message: "'timeframe' is not supported; use an MLShield rule with 'window:'" });
  if (names.length === 0) issues.push({ path, message: 'detection has no search identifiers' });
  if (names.length > MAX_SELECTIONS) issues.push({ path, message: `at most ${MAX_SELECTIONS} search identifiers` });
  for (const name of names.slice(0, MAX_SELECTIONS)) {
    const raw = detection[name];
    const p = [...path, name];
    const readings: CidrReadings = negated.has(name) ? 'every' : 'any';
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const fields = compileMap(raw as Record<string, unknown>, resolver, p, issues, warnings, readings);
      if (fields && fields.length) {
        const pred = andFields(fields);
        selections.set(name, { name, pred, alternatives: [fields], altPreds: [pred] });
      }
    } else if (Array.isArray(raw) && raw.length > 0 && raw.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const alts: Array<Array<CompiledField<T>>> = [];
      raw.forEach((m, i) => {
        const f = compileMap(m as Record<string, unknown>, resolver, [...p, i], issues, warnings, readings);
        if (f && f.length) alts.push(f);
      });
      if (alts.length === raw.length) {
        const altPreds = alts.map((a) => andFields(a));
        selections.set(name, { name, pred: anyOf(altPreds), alternatives: alts, altPreds });
      }
    } else if (Array.isArray(raw) && raw.length > 0) {
      const pred = compileKeywords(raw, resolver, p, issues);
      if (pred) selections.set(name, { name, pred, alternatives: [], altPreds: [] });
    } else if (typeof raw === 'string' || typeof raw === 'number') {
      const pred = compileKeywords([raw], resolver, p, issues);
      if (pred) selections.set(name, { name, pred, alternatives: [], altPreds: [] });
    } else {
      issues.push({ path: p, message: `search identifier '${name}' must be a map, a list of maps, or a list of keywords` });
    }
  }

  function build(node: CondNode): Pred<T> {
    switch (node.t) {
      case 'sel':
        return selections.get(node.name)!.pred;
      case 'and':
        return allOf(node.a.map(build));
      case 'or':
        return anyOf(node.a.map(build));
      case 'not': {
        const a = build(node.a);
        return (s) => !a(s);
      }
      case 'of': {
        const preds = node.names.map((n) => selections.get(n)!.pred);
        if (node.n === 'all') return allOf(preds);
        if (node.n === 1) return anyOf(preds);
        const need = node.n;
        return (s) => {
          let c = 0;
          for (const p of preds) if (p(s) && ++c >= need) return true;
          return false;
        };
      }
    }
  }

  function required(node: CondNode, field: string): string[] | null {
    switch (node.t) {
      case 'sel': {
        const sel = selections.get(node.name);
        if (!sel || sel.alternatives.length === 0) return null;
        const union = new Set<string>();
        for (const alt of sel.alternatives) {
          const f = alt.find((x) => x.field === field && x.test.exact !== null);
          if (!f) return null;
          for (const v of f.test.exact!) union.add(v);
        }
        return [...union];
      }
      case 'and': {
        let best: string[] | null = null;
        for (const a of node.a) {
          const r = required(a, field);
          if (r && (!best || r.length < best.length)) best = r;
        }
        return best;
      }
      case 'or': {
        const union = new Set<string>();
        for (const a of node.a) {
          const r = required(a, field);
          if (!r) return null;
          for (const v of r) union.add(v);
        }
        return [...union];
      }
      case 'not':
        return null;
      case 'of':
        return required(node.n === 'all' ? { t: 'and', a: node.names.map((name) => ({ t: 'sel', name })) } : { t: 'or', a: node.names.map((name) => ({ t: 'sel', name })) }, field);
    }
  }

  function present(node: CondNode, field: string): boolean {
    switch (node.t) {
      case 'sel': {
        const sel = selections.get(node.name);
        if (!sel || sel.alternatives.length === 0) return false;
        return sel.alternatives.every((alt) => alt.some((f) => f.field === field && !f.test.matchesAbsent));
      }
      case 'and':
        return node.a.some((a) => present(a, field));
      case 'or':
        return node.a.every((a) => present(a, field));
      case 'not':
        return false;
      case 'of':
        return node.n === 'all' ? node.names.some((n) => present({ t: 'sel', name: n }, field)) : node.names.every((n) => present({ t: 'sel', name: n }, field));
    }
  }

  // Per condition node: the selections whose match explains a hit (describe runs once per hit).
  const positive = new WeakMap<CondNode, Array<Selection<T>>>();
  function positiveOf(node: CondNode): Array<Selection<T>> {
    let list = positive.get(node);
    if (!list) {
      list = [...positiveSelections(node)].map((name) => selections.get(name)!);
      positive.set(node, list);
    }
    return list;
  }

  return {
    names: [...selections.keys()],
    requiresPresent: present,
    fieldNames: () => [...new Set([...selections.values()].flatMap((sel) => sel.alternatives.flatMap((alt) => alt.map((f) => f.field))))],
    compileCondition(src, cpath) {
      const list = Array.isArray(src) ? src : [src];
      if (list.length === 0 || list.some((c) => typeof c !== 'string')) return { ok: false, issue: { path: cpath, message: 'condition must be a string or a list of strings' } };
      const nodes: CondNode[] = [];
      for (const c of list) {
        const r = parseCondition(c, [...selections.keys()]);
        if (!r.ok) return { ok: false, issue: { path: cpath, message: r.error } };
        nodes.push(r.node);
      }
      // A list of conditions means any of them (Sigma specification v2).
      const node: CondNode = nodes.length === 1 ? nodes[0]! : { t: 'or', a: nodes };
      return { ok: true, node, pred: build(node) };
    },
    requiredValues: required,
    describe(s, node) {
      let text = '';
      for (const sel of positiveOf(node)) {
        if (!sel.pred(s)) continue;
        if (text.length) text += '; ';
        if (sel.alternatives.length === 0) {
          text += `${sel.name}(keyword)`;
          continue;
        }
        // The first alternative that holds names the observed values (the first one if none does).
        let alt = sel.alternatives[0]!;
        for (let k = 0; k < sel.altPreds.length; k++) {
          if (sel.altPreds[k]!(s)) {
            alt = sel.alternatives[k]!;
            break;
          }
        }
        text += `${sel.name}(`;
        for (let i = 0; i < alt.length; i++) {
          const f = alt[i]!;
          text += `${i ? ', ' : ''}${f.field}=${quote(observed(f.get(s), f.test))}`;
        }
        text += ')';
      }
      return text.length > 600 ? text.slice(0, 600) + '…' : text;
    },
    selectionPred: (name) => selections.get(name)?.pred,
    selection: (name) => selections.get(name),
    constraints(nodes) {
      const fields = [...new Set([...selections.values()].flatMap((sel) => sel.alternatives.flatMap((alt) => alt.map((f) => f.field))))];
      return ruleConstraints(nodes, fields, (name) => selections.get(name)?.alternatives);
    },
    outline(node) {
      return [...positiveSelections(node)]
        .map((name) => {
          const sel = selections.get(name)!;
          if (sel.alternatives.length === 0) return `${name}(keyword)`;
          const fields = new Set(sel.alternatives.flatMap((a) => a.map((f) => f.field)));
          return `${name}(${[...fields].join(', ')})`;
        })
        .join('; ');
    },
  };
}
