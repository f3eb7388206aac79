/**
 * Test-only reference evaluator of Sigma detections (Sigma specification v2, "Detection",
 * "Value modifiers", "Wildcards", "Condition") over one Kubernetes audit Event. Written plainly and
 * independently of the compiler and engine (it imports none of their code): no index, no fusing,
 * no folded RegExps — the spec's rules one by one, so the optimised paths can be checked against it.
 *
 * Semantics, spec first, then the project's documented extensions (audit-fields.ts, field-test.ts):
 *  - a field list is OR across values, AND with `|all`; a map is AND across fields; a list of maps
 *    is OR; a list of plain values is keywords: a substring of any value anywhere in the Event,
 *    numbers as text (the spec's "whole event", as pySigma's full-text backends search it);
 *  - `*` any run, `?` one UTF-16 code unit, `\*` `\?` `\\` escape, any other `\` is literal;
 *  - strings compare case-insensitively unless `|cased`: equal as written, or after `toLowerCase`
 *    of both sides (the spec leaves Unicode folding open; this is the engine's stated contract);
 *    `|re` is case-sensitive unless `|i`;
 *  - `null` (and `|exists: false`) means absent, null, or an array of only those — Elasticsearch's
 *    `exists`, which pySigma targets; numbers and booleans in the event compare as their text;
 *  - dotted paths walk objects, fan out over arrays (any element matches), a numeric segment
 *    indexes, a key with dots is found by joining segments (the longer join first);
 *  - extension: a field holding an object matches on its scalar values (ConfigMap `data`);
 *  - extension: derived pod-spec fields (privileged, capabilities, hostPath, hostNetwork, …).
 */

type Json = unknown;

function isObj(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// ---------------------------------------------------------------- field values

/** Every value a dotted path reaches (arrays met on the way fan out). */
function walk(v: Json, segs: string[], out: Json[]): void {
  if (segs.length === 0) {
    if (v !== undefined) out.push(v);
    return;
  }
  if (Array.isArray(v)) {
    if (/^\d{1,6}$/.test(segs[0]!)) walk(v[Number(segs[0])], segs.slice(1), out);
    else for (const x of v) walk(x, segs, out);
    return;
  }
  if (!isObj(v)) return;
  if (Object.prototype.hasOwnProperty.call(v, segs[0]!) && v[segs[0]!] !== undefined) {
    walk(v[segs[0]!], segs.slice(1), out);
    return;
  }
  for (let j = segs.length; j > 1; j--) {
    const key = segs.slice(0, j).join('.');
    if (Object.prototype.hasOwnProperty.call(v, key) && v[key] !== undefined) {
      walk(v[key], segs.slice(j), out);
      return;
    }
  }
}

function podSpecs(a: Record<string, Json>): Array<Record<string, Json>> {
  const ro = a['requestObject'];
  const spec = isObj(ro) ? ro['spec'] : undefined;
  if (!isObj(spec)) return [];
  if (Array.isArray(spec['containers'])) return [spec];
  const t = spec['template'];
  if (isObj(t) && isObj(t['spec'])) return [t['spec']];
  const jt = spec['jobTemplate'];
  const jts = isObj(jt) ? jt['spec'] : undefined;
  const jtt = isObj(jts) ? jts['template'] : undefined;
  if (isObj(jtt) && isObj(jtt['spec'])) return [jtt['spec']];
  return [];
}

function containers(a: Record<string, Json>): Array<Record<string, Json>> {
  const out: Array<Record<string, Json>> = [];
  for (const s of podSpecs(a)) {
    for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
      const list = s[k];
      if (Array.isArray(list)) for (const c of list) if (isObj(c)) out.push(c);
    }
  }
  return out;
}

function sc(c: Record<string, Json>): Record<string, Json> {
  return isObj(c['securityContext']) ? c['securityContext'] : {};
}

const valueCache = new WeakMap<object, Map<string, Json[]>>();

/** Values of a field (one per place it was found); an empty list when absent. */
export function fieldValues(a: Record<string, Json>, name: string): Json[] {
  let m = valueCache.get(a);
  if (!m) valueCache.set(a, (m = new Map()));
  let v = m.get(name);
  if (!v) m.set(name, (v = computeValues(a, name)));
  return v;
}

function computeValues(a: Record<string, Json>, name: string): Json[] {
  switch (name) {
    case 'privileged':
      return containers(a).map((c) => sc(c)['privileged']).filter((x) => x !== undefined);
    case 'capabilities':
      return containers(a).flatMap((c) => {
        const caps = sc(c)['capabilities'];
        const add = isObj(caps) ? caps['add'] : undefined;
        return Array.isArray(add) ? add.filter((x) => typeof x === 'string') : [];
      });
    case 'image':
      return containers(a).map((c) => c['image']).filter((x) => typeof x === 'string');
    case 'hostPath':
      return podSpecs(a).flatMap((s) => {
        const vols = s['volumes'];
        if (!Array.isArray(vols)) return [];
        return vols.flatMap((v) => {
          const hp = isObj(v) ? v['hostPath'] : undefined;
          const p = isObj(hp) ? hp['path'] : undefined;
          return typeof p === 'string' ? [p] : [];
        });
      });
    case 'hostNetwork':
    case 'hostPID':
    case 'hostIPC':
    case 'serviceAccountName':
      return podSpecs(a).map((s) => s[name]).filter((x) => x !== undefined);
    case 'apiGroup':
      return fieldValues(a, 'objectRef.apiGroup');
  }
  const out: Json[] = [];
  walk(a, name.split('.'), out);
  return out;
}

/** The scalars a value offers to a test: arrays fan out, an object offers its scalar values. */
function leaves(v: Json, out: Json[], inObject = false): void {
  if (Array.isArray(v)) {
    if (!inObject) for (const x of v) leaves(x, out);
  } else if (isObj(v)) {
    if (!inObject) for (const k of Object.keys(v)) leaves(v[k], out, true);
  } else out.push(v);
}

// ---------------------------------------------------------------- strings

type Tok = { lit: string } | '*' | '?';

function globTokens(p: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && (p[i + 1] === '*' || p[i + 1] === '?' || p[i + 1] === '\\')) {
      out.push({ lit: p[++i]! });
    } else if (c === '*' || c === '?') out.push(c);
    else out.push({ lit: c });
  }
  return out;
}

/** Glob match by dynamic programming over the value's UTF-16 code units (no RegExp). */
function globMatch(toks: Tok[], s: string, lower: boolean): boolean {
  // One entry per pattern step: a wildcard, or one literal code unit (after folding).
  const steps: Array<{ wild: '*' | '?' | null; c: string }> = [];
  // Literal runs are lower-cased as a whole, as the value is (`toLowerCase` is context-sensitive).
  let run = '';
  const flush = (): void => {
    const lit = lower ? run.toLowerCase() : run;
    for (let k = 0; k < lit.length; k++) steps.push({ wild: null, c: lit[k]! });
    run = '';
  };
  for (const t of toks) {
    if (t === '*' || t === '?') {
      flush();
      steps.push({ wild: t, c: '' });
    } else run += t.lit;
  }
  flush();
  const str = lower ? s.toLowerCase() : s;
  const n = str.length;
  let prev = new Uint8Array(n + 1);
  let cur = new Uint8Array(n + 1);
  prev[0] = 1;
  for (const st of steps) {
    cur.fill(0);
    if (st.wild === '*') {
      let any = 0;
      for (let j = 0; j <= n; j++) cur[j] = any |= prev[j]!;
    } else {
      for (let j = 1; j <= n; j++) cur[j] = prev[j - 1]! && (st.wild === '?' || str[j - 1] === st.c) ? 1 : 0;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n] === 1;
}

function leafText(leaf: Json): string | null {
  if (typeof leaf === 'string') return leaf;
  if (typeof leaf === 'number' || typeof leaf === 'boolean') return String(leaf);
  return null;
}

function plainMatch(p: string, mode: string, t: string): boolean {
  return mode === 'contains' ? t.includes(p) : mode === 'startswith' ? t.startsWith(p) : mode === 'endswith' ? t.endsWith(p) : t === p;
}

export function stringMatch(pattern: string, mode: string, cased: boolean, text: string): boolean {
  // Without wildcards or escapes the glob is the plain string operation (a shortcut, same answer).
  if (!/[*?\\]/.test(pattern)) {
    return plainMatch(pattern, mode, text) || (!cased && plainMatch(pattern.toLowerCase(), mode, text.toLowerCase()));
  }
  let toks = globTokens(pattern);
  if (mode === 'contains' || mode === 'endswith') toks = ['*', ...toks];
  if (mode === 'contains' || mode === 'startswith') toks = [...toks, '*'];
  // Case-insensitive: equal after lower-casing both sides (or equal as written).
  return globMatch(toks, text, false) || (!cased && globMatch(toks, text, true));
}

// ---------------------------------------------------------------- field conditions

/** Absent: nothing, null, or arrays of only those (Elasticsearch `exists`); an object is present. */
const regexCache = new Map<string, RegExp>();

function isNullish(vals: Json[]): boolean {
  return vals.every((v) => v === null || v === undefined || (Array.isArray(v) && isNullish(v)));
}

export function fieldCondition(a: Record<string, Json>, key: string, raw: Json): boolean {
  const [field = '', ...mods] = key.split('|');
  const vals = fieldValues(a, field);
  const list = Array.isArray(raw) ? raw : [raw];
  const all = mods.includes('all');
  const cased = mods.includes('cased');
  const mode = mods.find((m) => m === 'contains' || m === 'startswith' || m === 'endswith' || m === 're' || m === 'exists') ?? 'equals';
  if (mode === 'exists') return (vals.length > 0 && !isNullish(vals)) === list[0];
  const ls: Json[] = [];
  for (const v of vals) leaves(v, ls);
  const one = (value: Json): boolean => {
    if (value === null) return isNullish(vals);
    if (mode === 're') {
      const flags = mods.filter((m) => m === 'i' || m === 'm' || m === 's').join('');
      const src = String(value);
      const re = regexCache.get(flags + '/' + src) ?? new RegExp(src, flags);
      regexCache.set(flags + '/' + src, re);
      return ls.some((l) => {
        const t = leafText(l);
        return t !== null && re.test(t);
      });
    }
    return ls.some((l) => {
      const t = leafText(l);
      return t !== null && stringMatch(String(value), mode, cased, t);
    });
  };
  return all ? list.every(one) : list.some(one);
}

// ---------------------------------------------------------------- selections and condition

function allStrings(a: Json, out: string[]): void {
  if (typeof a === 'string') out.push(a);
  else if (typeof a === 'number' || typeof a === 'boolean') out.push(String(a));
  else if (Array.isArray(a)) for (const x of a) allStrings(x, out);
  else if (isObj(a)) for (const k of Object.keys(a)) allStrings(a[k], out);
}

const textCache = new WeakMap<object, string[]>();

export function selectionHolds(a: Record<string, Json>, sel: Json): boolean {
  if (isObj(sel)) return Object.keys(sel).every((k) => fieldCondition(a, k, sel[k]));
  if (Array.isArray(sel) && sel.every(isObj)) return sel.some((m) => selectionHolds(a, m));
  const kws = Array.isArray(sel) ? sel : [sel];
  let texts = textCache.get(a);
  if (!texts) {
    textCache.set(a, (texts = []));
    allStrings(a, texts);
  }
  return kws.some((k) => texts.some((t) => stringMatch(String(k), 'contains', false, t)));
}

type Node = { sel: string } | { and: Node[] } | { or: Node[] } | { not: Node } | { of: 'all' | 1; names: string[] };

export function parseCondition(src: string, names: string[]): Node {
  const toks = src.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const or = (): Node => {
    const parts = [and()];
    while (toks[i] === 'or') {
      i++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  const and = (): Node => {
    const parts = [not()];
    while (toks[i] === 'and') {
      i++;
      parts.push(not());
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const not = (): Node => {
    if (toks[i] === 'not') {
      i++;
      return { not: not() };
    }
    return atom();
  };
  const atom = (): Node => {
    const t = toks[i++];
    if (t === '(') {
      const n = or();
      if (toks[i++] !== ')') throw new Error('missing )');
      return n;
    }
    if ((t === '1' || t === 'all') && toks[i] === 'of') {
      const pat = toks[i + 1]!;
      i += 2;
      const re = new RegExp('^' + pat.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      const ns = pat === 'them' ? names.filter((n) => !n.startsWith('_')) : names.filter((n) => re.test(n));
      return { of: t === 'all' ? 'all' : 1, names: ns };
    }
    if (t === undefined || !names.includes(t)) throw new Error(`bad token ${t}`);
    return { sel: t };
  };
  const n = or();
  if (i !== toks.length) throw new Error('trailing tokens');
  return n;
}

function evalNode(n: Node, sel: (name: string) => boolean): boolean {
  if ('sel' in n) return sel(n.sel);
  if ('and' in n) return n.and.every((x) => evalNode(x, sel));
  if ('or' in n) return n.or.some((x) => evalNode(x, sel));
  if ('not' in n) return !evalNode(n.not, sel);
  return n.of === 'all' ? n.names.every(sel) : n.names.some(sel);
}

const parsed = new WeakMap<object, Node[]>();

/** Whether a Sigma rule (parsed YAML) matches one audit Event. */
export function oracleMatches(rule: { detection: Record<string, Json> }, audit: Record<string, Json>): boolean {
  const det = rule.detection;
  const names = Object.keys(det).filter((k) => k !== 'condition');
  const conds = Array.isArray(det['condition']) ? (det['condition'] as string[]) : [det['condition'] as string];
  const cache = new Map<string, boolean>();
  const sel = (name: string): boolean => {
    let r = cache.get(name);
    if (r === undefined) cache.set(name, (r = selectionHolds(audit, det[name])));
    return r;
  };
  let nodes = parsed.get(rule);
  if (!nodes) parsed.set(rule, (nodes = conds.map((c) => parseCondition(c, names))));
  return nodes.some((n) => evalNode(n, sel));
}

