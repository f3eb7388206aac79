/**
 * Conformance of Sigma matching (issue 3) against an independent reference evaluator
 * (sigma-oracle.test-support.ts): the shipped rules and seeded random rules — selections, value
 * lists, modifiers, wildcards with escapes, conditions with precedence, parentheses and `of` forms —
 * over the real audit events of fixtures/k8s-audit and seeded hostile variants of them (case,
 * missing fields, nulls, arrays, numbers as text, Unicode). Every rule × event must decide the
 * same through the engine (index, fused field tests) and through the rule's own evaluator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { mulberry32 } from '../../core/mulberry32.js';
import { DEFAULT_ENGINE_LIMITS, type CompiledRule, type RuleHit } from './compiled-rule.js';
import { createRuleEngine } from './engine.js';
import { loadRuleSet } from './rule-loader.js';
import { auditEvent, auditObjectsOf, FIXTURES_DIR, readRuleFiles } from './fixtures.test-support.js';
import { fieldValues, oracleMatches } from './sigma-oracle.test-support.js';

type Obj = Record<string, unknown>;
type Rnd = () => number;

const traceDir = join(FIXTURES_DIR, 'k8s-audit');
const corpus: Obj[] = readdirSync(traceDir)
  .sort()
  .flatMap((f) => {
    const t = readFileSync(join(traceDir, f), 'utf8');
    return t.trim() ? auditObjectsOf(t) : [];
  })
  .filter((o): o is Obj => o !== null && typeof o === 'object' && !Array.isArray(o));

const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** Characters whose lower-casing is irregular, astral, combining, or that Sigma gives meaning to. */
const ODD = ['\u212a', '\u0130', 'ß', 'ſ', 'Σ', 'ς', '😀', '\u0301', 'É', 'ǅ', '*', '?', '\\', ' ', 'K', 'i'];

// ------------------------------------------------------------------ events

function scalarPaths(v: unknown, path: Array<string | number>, out: Array<Array<string | number>>, depth = 0): void {
  if (depth > 6) return;
  if (Array.isArray(v)) v.forEach((x, i) => scalarPaths(x, [...path, i], out, depth + 1));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) scalarPaths((v as Obj)[k], [...path, k], out, depth + 1);
  else out.push(path);
}

function parentOf(root: Obj, path: Array<string | number>): Obj | null {
  let v: unknown = root;
  for (const s of path.slice(0, -1)) v = (v as Obj)[s as string];
  return v !== null && typeof v === 'object' ? (v as Obj) : null;
}

function recase(r: Rnd, s: string): string {
  const k = r();
  if (k < 0.3) return s.toUpperCase();
  if (k < 0.5) return s.toLowerCase();
  return [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
}

function mutateScalar(r: Rnd, v: unknown): unknown {
  const k = r();
  if (typeof v === 'string') {
    if (k < 0.3) return recase(r, v);
    if (k < 0.4 && /^\d+$/.test(v)) return Number(v);
    if (k < 0.55) {
      const i = Math.floor(r() * (v.length + 1));
      return v.slice(0, i) + pick(r, ODD) + v.slice(i);
    }
    if (k < 0.65) return v.replace(/k/g, '\u212a').replace(/i/g, r() < 0.5 ? '\u0130' : 'i');
    if (k < 0.7) return '';
    if (k < 0.8) return [v, recase(r, v)];
    if (k < 0.85) return true;
    return null;
  }
  if (typeof v === 'number') return k < 0.5 ? String(v) : k < 0.7 ? [v] : null;
  if (typeof v === 'boolean') return k < 0.4 ? String(v).toUpperCase() : k < 0.7 ? !v : String(v);
  return 'x';
}

function mutateEvent(r: Rnd, base: Obj): Obj {
  const o = clone(base);
  const rounds = 1 + Math.floor(r() * 4);
  for (let n = 0; n < rounds; n++) {
    const k = r();
    if (k < 0.08) {
      // Containers of the index fields become arrays or disappear (attacker JSON).
      const key = pick(r, ['objectRef', 'user', 'verb']);
      if (r() < 0.5) o[key] = [o[key], clone(o[key])];
      else delete o[key];
      continue;
    }
    if (k < 0.1) {
      // A shipper that flattens JSON: `{"objectRef": {"resource": …}}` → `{"objectRef.resource": …}`.
      const key = pick(r, ['objectRef', 'user', 'responseStatus']);
      const inner = o[key];
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        delete o[key];
        for (const [k2, v2] of Object.entries(inner)) o[`${key}.${k2}`] = v2;
      }
      continue;
    }
    if (k < 0.12) {
      o['annotations'] = { 'authorization.k8s.io/decision': pick(r, ['allow', 'ALLOW', 'forbid']), 'x.y': pick(r, ODD) };
      continue;
    }
    const paths: Array<Array<string | number>> = [];
    scalarPaths(o, [], paths);
    if (!paths.length) break;
    // Prefer the fields rules look at.
    const focus = paths.filter((p) => p.length <= 3 || p.includes('securityContext') || p.includes('hostPath') || p.includes('data'));
    const path = pick(r, focus.length && r() < 0.8 ? focus : paths);
    const parent = parentOf(o, path);
    if (!parent) continue;
    const key = path[path.length - 1]! as string;
    if (r() < 0.15 && !Array.isArray(parent)) delete parent[key];
    else parent[key] = mutateScalar(r, parent[key]);
  }
  return o;
}

// ------------------------------------------------------------------ rules

const FIELDS = [
  'verb', 'user.username', 'user.groups', 'objectRef.resource', 'objectRef.namespace', 'objectRef.name',
  'objectRef.subresource', 'objectRef.apiGroup', 'apiGroup', 'requestURI', 'sourceIPs', 'sourceIPs.0',
  'responseStatus.code', 'userAgent', 'level', 'stage', 'annotations.authorization.k8s.io/decision',
  'impersonatedUser.username', 'requestObject.spec.containers.image', 'requestObject.data',
  'requestObject.rules.verbs', 'requestObject.rules.resources', 'requestObject.roleRef.name', 'requestObject.spec.type',
  'privileged', 'capabilities', 'hostPath', 'hostNetwork', 'image',
  'requestObject.spec.containers.securityContext.privileged', 'objectRef', 'requestObject.rules', 'user',
] as const;

/** Values each field takes in the corpus: the raw material of generated patterns. */
const POOL = new Map<string, unknown[]>(
  FIELDS.map((f) => {
    const vals: unknown[] = [];
    const add = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(add);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => (typeof x !== 'object' ? vals.push(x) : undefined));
      else vals.push(v);
    };
    for (const o of corpus) fieldValues(o, f).forEach(add);
    return [f, [...new Set(vals)].slice(0, 40)];
  }),
);

function escapeGlob(s: string): string {
  return s.replace(/[*?\\]/g, (c) => '\\' + c);
}

function genPattern(r: Rnd, field: string): unknown {
  const pool = POOL.get(field)!;
  const base = pool.length && r() < 0.9 ? pool[Math.floor(r() * pool.length)] : pick(r, ['x', 'pods', 'system:', '403', 'create']);
  if (typeof base !== 'string') return r() < 0.6 ? base : String(base);
  let s = escapeGlob(base);
  const k = r();
  if (k < 0.15 && s.length > 2) {
    const a = Math.floor(r() * s.length);
    s = s.slice(a, a + 1 + Math.floor(r() * 6)).replace(/\\$/, '');
  } else if (k < 0.3) s = recase(r, s);
  else if (k < 0.45 && s.length > 1) {
    const i = Math.floor(r() * s.length);
    if (s[i - 1] !== '\\' && s[i] !== '\\') s = s.slice(0, i) + pick(r, ['*', '?', '**', '*?']) + s.slice(i + 1);
  } else if (k < 0.5) s = s + pick(r, ['\\*', '\\?', '\\\\', '\\x', '\\']).replace(/^\\$/, '\\\\');
  else if (k < 0.55) s = pick(r, ['*', '?*', '', '\u212a', '\u0130', 'ß', 'ΑΣ*', '*ΑΣ', 'Σ', 'é*', '*\u212a*']);
  else if (k < 0.65 && s.length > 3 && !s.includes('\\')) {
    // Wildcards inside (the irregular, RegExp-compiled shape), letters kept around them.
    const i = 1 + Math.floor(r() * (s.length - 2));
    s = s.slice(0, i) + pick(r, ['?', '*']) + s.slice(i + 1);
  }
  return s;
}

function regexOf(r: Rnd, field: string): string {
  const pool = (POOL.get(field) ?? []).filter((x) => typeof x === 'string') as string[];
  const base = pool.length ? pick(r, pool) : 'pods';
  const lit = base.slice(0, 1 + Math.floor(r() * base.length)).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const k = r();
  return k < 0.3 ? '^' + lit : k < 0.5 ? lit + '$' : k < 0.7 ? `(?:${lit}|zz)` : recase(r, lit);
}

const MODS: ReadonlyArray<readonly string[]> = [
  [], [], [], ['contains'], ['startswith'], ['endswith'], ['contains', 'all'], ['cased'], ['startswith', 'cased'],
  ['endswith', 'cased'], ['re'], ['re', 'i'], ['exists'], ['all'], ['re', 'all'], ['startswith', 'all', 'cased'],
];

function genFieldCondition(r: Rnd): [string, unknown] {
  const field = pick(r, FIELDS);
  const mods = pick(r, MODS);
  const key = [field, ...mods].join('|');
  if (mods.includes('exists')) return [key, r() < 0.5];
  const n = 1 + Math.floor(r() * (r() < 0.5 ? 1 : 4));
  const values: unknown[] = [];
  for (let i = 0; i < n; i++) values.push(mods.includes('re') ? regexOf(r, field) : genPattern(r, field));
  if (!mods.includes('all') && !mods.includes('re') && r() < 0.08) values.push(null);
  return [key, values.length === 1 && r() < 0.6 ? values[0] : values];
}

function genMap(r: Rnd): Obj {
  const m: Obj = {};
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const [k, v] = genFieldCondition(r);
    m[k] = v;
  }
  return m;
}

const NAMES = ['selection', 'selection_a', 'selection_b', 'filter', 'filter_x', '_aux', 'keywords'];

function genCondition(r: Rnd, names: string[], depth = 0): string {
  const term = (): string => {
    const k = r();
    let t: string;
    if (depth < 2 && k < 0.15) t = `(${genCondition(r, names, depth + 1)})`;
    else if (k < 0.3) {
      const prefixes = [...new Set(names.map((n) => n.replace(/_.*$/, '_')).filter((p) => p.endsWith('_')))];
      const targets = ['them', ...names.map((n) => n.slice(0, Math.max(1, n.length - 2)) + '*'), ...prefixes.map((p) => p + '*')];
      t = `${pick(r, ['1', 'all'])} of ${pick(r, targets)}`;
    } else t = pick(r, names);
    return r() < 0.25 ? `not ${t}` : t;
  };
  let s = term();
  const n = Math.floor(r() * 3);
  for (let i = 0; i < n; i++) s += ` ${r() < 0.5 ? 'and' : 'or'} ${term()}`;
  return s;
}

function genRule(r: Rnd, i: number): string {
  const names = NAMES.filter(() => r() < 0.45);
  if (!names.length) names.push('selection');
  const detection: Obj = {};
  for (const name of names) {
    const k = r();
    if (name === 'keywords' || k < 0.04) detection[name] = [genPattern(r, 'verb'), genPattern(r, 'user.username')].map(String);
    else if (k < 0.3) detection[name] = [genMap(r), genMap(r)];
    else detection[name] = genMap(r);
  }
  detection['condition'] = r() < 0.1 ? [genCondition(r, names), genCondition(r, names)] : genCondition(r, names);
  return stringify({
    title: `generated ${i}`,
    id: `gen-${i}`,
    logsource: { product: 'kubernetes', service: 'audit' },
    detection,
    level: 'high',
    tags: ['attack.execution', 'attack.t1609'],
  });
}

// ------------------------------------------------------------------ comparison

/** Pairs the oracle says match: the comparison must not be vacuous. */
let positives = 0;
interface Disagreement {
  rule: string;
  event: string;
  oracle: boolean;
  engine: boolean;
  direct: boolean;
}

function compare(ruleText: string, rule: CompiledRule, events: Obj[], out: Disagreement[]): number {
  const doc = parse(ruleText) as { detection: Obj };
  const engine = createRuleEngine([rule]);
  const ev = rule.instantiate(DEFAULT_ENGINE_LIMITS).event!;
  events.forEach((o, i) => {
    const e = auditEvent(o, i + 1);
    const hits = engine.evaluate(e);
    for (const h of hits) expect(typeof h.reason).toBe('string');
    const direct: RuleHit[] = [];
    ev(e, { audit: o }, direct);
    const want = oracleMatches(doc, o);
    if (want) positives++;
    if ((hits.length > 0) !== want || (direct.length > 0) !== want) {
      out.push({ rule: ruleText, event: JSON.stringify(o).slice(0, 1500), oracle: want, engine: hits.length > 0, direct: direct.length > 0 });
    }
  });
  return events.length;
}

function report(d: Disagreement[]): string {
  const firstPerRule = [...new Map(d.map((x) => [x.rule, x])).values()];
  return `${d.length} disagreements over ${firstPerRule.length} rules\n` + firstPerRule
    .slice(0, 4)
    .map((x) => `oracle=${x.oracle} engine=${x.engine} direct=${x.direct}\n${x.rule}\n${x.event}`)
    .join('\n---\n');
}

// Another seed explores further: SIGMA_ORACLE_SEED=n npx vitest run <this file>.
const SEED = Number(process.env.SIGMA_ORACLE_SEED ?? 0);
const r0 = mulberry32(0x5157a ^ SEED);
const mutated = Array.from({ length: 240 }, () => mutateEvent(r0, pick(r0, corpus)));
const events = [...corpus, ...mutated];

describe('Sigma conformance against the reference evaluator', () => {
  it('corpus and mutated events are many and varied', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(events.length).toBeGreaterThanOrEqual(300);
  });

  it('the shipped rules decide every event as the oracle does', () => {
    const files = readRuleFiles('sigma');
    const d: Disagreement[] = [];
    let pairs = 0;
    for (const f of files) {
      const set = loadRuleSet([f]);
      expect(set.errors).toEqual([]);
      pairs += compare(f.text, set.rules[0]!, events, d);
    }
    expect(pairs).toBeGreaterThan(3000);
    expect(d.length, report(d)).toBe(0);
  });

  it('seeded random rules decide every event as the oracle does', () => {
    const r = mulberry32(0x0c0ffee ^ SEED);
    const d: Disagreement[] = [];
    positives = 0;
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      let text = genRule(r, i);
      let set = loadRuleSet([{ path: `gen-${i}.yml`, text }]);
      // `1 of x*` that names no selection is refused (as pySigma does): draw again.
      while (set.errors.length === 1 && set.errors[0]!.message.endsWith('matches no selection')) {
        text = genRule(r, i);
        set = loadRuleSet([{ path: `gen-${i}.yml`, text }]);
      }
      expect(set.errors, text).toEqual([]);
      compared += compare(text, set.rules[0]!, events, d);
    }
    expect(compared).toBeGreaterThan(100_000);
    // Both answers are common (about a third of the pairs match).
    expect(positives).toBeGreaterThan(compared * 0.1);
    expect(positives).toBeLessThan(compared * 0.9);
    expect(d.length, report(d)).toBe(0);
  }, 60_000);
});

/** One rule (a detection block) through the engine, as the analyst runs it. */
function fires(detection: string, audit: Obj): boolean {
  const text = `title: t\nid: t-1\nlogsource: {product: kubernetes, service: audit}\nlevel: high\ntags: [attack.execution]\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const set = loadRuleSet([{ path: 't.yml', text }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules).evaluate(auditEvent(audit)).length > 0;
}

describe('regressions found by the reference evaluator', () => {
  it('the Sigma index reads flattened keys as the field paths do', () => {
    const flat = { verb: 'create', 'objectRef.resource': 'pods', 'objectRef.subresource': 'exec', 'user.username': 'system:anonymous' };
    expect(fires("s:\n  objectRef.resource: pods\n  objectRef.subresource: exec\ncondition: s", flat)).toBe(true);
    expect(fires("s:\n  user.username: 'system:anonymous'\ncondition: s", flat)).toBe(true);
  });

  it('keywords search nested values of the Event, numbers included', () => {
    const ev = { verb: 'get', user: { username: 'system:anonymous' }, responseStatus: { code: 403 } };
    expect(fires("kw:\n  - 'system:anonymous'\ncondition: kw", ev)).toBe(true);
    expect(fires("kw:\n  - '403'\ncondition: kw", ev)).toBe(true);
    expect(fires("kw:\n  - 'nothing-like-this'\ncondition: kw", ev)).toBe(false);
  });

  it('an array of only nulls is absent for null and exists (Elasticsearch exists)', () => {
    const ev = { verb: 'get', sourceIPs: [null] };
    expect(fires('s:\n  sourceIPs|exists: false\ncondition: s', ev)).toBe(true);
    expect(fires('s:\n  sourceIPs|exists: true\ncondition: s', ev)).toBe(false);
    expect(fires('s:\n  sourceIPs: null\ncondition: s', ev)).toBe(true);
    expect(fires('s:\n  sourceIPs: null\ncondition: s', { verb: 'get', sourceIPs: [null, '10.0.0.1'] })).toBe(false);
  });

  it('wildcards inside a value fold case as the plain shapes do (KELVIN SIGN, U+0130)', () => {
    const kelvin = { verb: 'get', objectRef: { namespace: '\u212aube-system' } };
    expect(fires("s:\n  objectRef.namespace: 'kube-*'\ncondition: s", kelvin)).toBe(true);
    expect(fires("s:\n  objectRef.namespace: 'kube-sys?em'\ncondition: s", kelvin)).toBe(true);
    expect(fires("s:\n  objectRef.namespace: 'k*-system'\ncondition: s", kelvin)).toBe(true);
    expect(fires("s:\n  objectRef.namespace|cased: 'k*-system'\ncondition: s", kelvin)).toBe(false);
    // U+0130 lower-cases to 'i' + U+0307: two characters, so one `?` cannot take it.
    const dotted = { verb: 'get', user: { username: 'SYSTEM:\u0130' } };
    expect(fires("s:\n  user.username: 'system:?'\ncondition: s", dotted)).toBe(false);
    expect(fires("s:\n  user.username: 'system:??'\ncondition: s", dotted)).toBe(true);
  });

  it('a list of non-ASCII patterns matches what each pattern alone matches (as written, final sigma)', () => {
    const ev = { verb: 'get', objectRef: { name: 'ΑΣΑ' } };
    expect(fires("s:\n  objectRef.name|startswith: 'ΑΣ'\ncondition: s", ev)).toBe(true);
    expect(fires("s:\n  objectRef.name|startswith: ['ΑΣ', 'zz']\ncondition: s", ev)).toBe(true);
    expect(fires("s:\n  objectRef.name|contains: ['Σ', 'zz']\ncondition: s", { verb: 'get', objectRef: { name: 'ΑΣ' } })).toBe(true);
  });
});
