/**
 * The values of the symbolic pickle machine: what a pickle would build, without building it.
 * Containers are mutable (APPEND/SETITEM change them in place, exactly as the memo shares objects
 * in a real unpickler), so the same JS object can be reached from several places. Walks over
 * values are therefore always bounded by depth and by a node budget.
 */

export type SymValue =
  | { k: 'none' }
  | { k: 'bool'; v: boolean }
  | { k: 'int'; v: number | bigint }
  | { k: 'float'; v: number }
  /** Text. STRING/BINSTRING (py2 `str`) arrive here too, Latin-1 decoded. */
  | { k: 'str'; v: string; truncated?: boolean }
  | { k: 'bytes'; v: Uint8Array; bytearray?: boolean }
  | { k: 'tuple'; items: SymValue[] }
  | { k: 'list'; items: SymValue[] }
  | { k: 'dict'; entries: [SymValue, SymValue][] }
  | { k: 'set'; items: SymValue[]; frozen: boolean }
  /** An imported object (GLOBAL, STACK_GLOBAL, INST's class); `importIndex` points into the run's imports. */
  | { k: 'global'; module: string; name: string; importIndex: number }
  | SymCall
  | { k: 'persid'; pid: SymValue; offset: number }
  | { k: 'ext'; code: number }
  | { k: 'unknown'; why: string };

/** The result of REDUCE / NEWOBJ / NEWOBJ_EX / OBJ / INST, with what was later done to it. */
export interface SymCall {
  k: 'call';
  callee: SymValue;
  args: SymValue;
  kwargs?: SymValue;
  op: string;
  offset: number;
  callIndex: number;
  /** BUILD states applied to the object (`__setstate__` / `__dict__` update). */
  state: SymValue[];
  /** APPEND/APPENDS/ADDITEMS items (the object's `append`/`extend`/`add`). */
  items: SymValue[];
  /** SETITEM/SETITEMS pairs (the object's `__setitem__`): OrderedDict state dicts land here. */
  entries: [SymValue, SymValue][];
  /** A constant the call is known to return (e.g. `_codecs.encode('…', 'latin1')` → bytes). */
  folded?: SymValue;
}

export const NONE: SymValue = { k: 'none' };

export function unknown(why: string): SymValue {
  return { k: 'unknown', why };
}

/** Calls on calls named in full, at most; deeper ones read `<result of …>`. */
const MAX_CALLEE_NESTING = 4;

/**
 * `module.name` of a global, with a readable stand-in for anything else. A call's callee may be
 * another call's result, a chain as long as the pickle (`)R` repeated): walked in a loop, and only
 * the first MAX_CALLEE_NESTING links are spelled out.
 */
export function calleeName(v: SymValue): string {
  let depth = 0;
  let x = v;
  while (x.k === 'call' && depth < MAX_CALLEE_NESTING) {
    depth++;
    x = x.callee;
  }
  let inner: string;
  switch (x.k) {
    case 'global': inner = `${x.module}.${x.name}`; break;
    case 'call': inner = '…'; break;
    case 'unknown': inner = `<unknown: ${x.why}>`; break;
    case 'ext': inner = `<extension ${x.code}>`; break;
    case 'persid': inner = '<persistent object>'; break;
    default: inner = `<${x.k}>`; break;
  }
  return '<result of '.repeat(depth) + inner + '>'.repeat(depth);
}

/** The constant a value stands for, looking through folded calls. */
export function constant(v: SymValue): SymValue {
  return v.k === 'call' && v.folded ? v.folded : v;
}

export function asString(v: SymValue): string | null {
  const c = constant(v);
  return c.k === 'str' ? c.v : null;
}

export function asInt(v: SymValue): number | null {
  if (v.k === 'int' && typeof v.v === 'number') return v.v;
  if (v.k === 'bool') return v.v ? 1 : 0;
  return null;
}

export function asIntList(v: SymValue): number[] | null {
  if (v.k !== 'tuple' && v.k !== 'list') return null;
  const out: number[] = [];
  for (const item of v.items) {
    const n = asInt(item);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

/** Items of a tuple or list, else null. */
export function sequenceItems(v: SymValue): SymValue[] | null {
  return v.k === 'tuple' || v.k === 'list' ? v.items : null;
}

function quote(s: string, max: number): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(cut);
}

/**
 * A short Python-like rendering for reports (`posix.system('echo x')`), bounded in length and
 * depth so cyclic or enormous structures render in O(budget).
 */
export function describeValue(v: SymValue, maxLen = 200, depth = 3): string {
  const out: string[] = [];
  let len = 0;
  const emit = (s: string): boolean => {
    if (len >= maxLen) return false;
    out.push(s);
    len += s.length;
    return len < maxLen;
  };
  const seq = (items: SymValue[], open: string, close: string, d: number): void => {
    emit(open);
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && !emit(', ')) return;
      if (len >= maxLen) return;
      walk(items[i] as SymValue, d - 1);
    }
    emit(close);
  };
  const walk = (x: SymValue, d: number): void => {
    if (len >= maxLen) return;
    if (d < 0) { emit('…'); return; }
    switch (x.k) {
      case 'none': emit('None'); return;
      case 'bool': emit(x.v ? 'True' : 'False'); return;
      case 'int': emit(String(x.v)); return;
      case 'float': emit(String(x.v)); return;
      case 'str': emit(quote(x.v, 80)); return;
      case 'bytes': emit(`${x.bytearray ? 'bytearray' : 'bytes'}[${x.v.length}]`); return;
      case 'tuple': seq(x.items, '(', x.items.length === 1 ? ',)' : ')', d); return;
      case 'list': seq(x.items, '[', ']', d); return;
      case 'set': seq(x.items, x.frozen ? 'frozenset({' : '{', x.frozen ? '})' : '}', d); return;
      case 'dict':
        emit('{');
        for (let i = 0; i < x.entries.length && len < maxLen; i++) {
          const [k, val] = x.entries[i] as [SymValue, SymValue];
          if (i > 0) emit(', ');
          walk(k, d - 1);
          emit(': ');
          walk(val, d - 1);
        }
        emit('}');
        return;
      case 'global': emit(`${x.module}.${x.name}`); return;
      case 'call':
        emit(x.callee.k === 'global' ? `${x.callee.module}.${x.callee.name}` : calleeName(x.callee));
        if (x.args.k === 'tuple') seq(x.args.items, '(', ')', d);
        else { emit('(*'); walk(x.args, d - 1); emit(')'); }
        return;
      case 'persid': emit('persistent_load('); walk(x.pid, d - 1); emit(')'); return;
      case 'ext': emit(`<ext ${x.code}>`); return;
      case 'unknown': emit(`<unknown: ${x.why}>`); return;
    }
  };
  walk(v, depth);
  const s = out.join('');
  return s.length > maxLen ? `${s.slice(0, maxLen)}…` : s;
}

/**
 * Visits every value reachable from `root`; containers (and calls) once each, by identity, in no
 * particular order. Stops after `budget` containers and returns false when the budget ran out.
 */
export function forEachReachable(root: SymValue, visit: (v: SymValue) => void, budget = 1_000_000): boolean {
  const seen = new Set<SymValue>();
  const work: SymValue[] = [root];
  while (work.length > 0) {
    const v = work.pop() as SymValue;
    const leaf = v.k === 'none' || v.k === 'bool' || v.k === 'int' || v.k === 'float' || v.k === 'str' || v.k === 'bytes';
    if (!leaf) {
      if (seen.has(v)) continue;
      if (seen.size >= budget) return false;
      seen.add(v);
    }
    visit(v);
    switch (v.k) {
      case 'tuple': case 'list': case 'set':
        for (const x of v.items) work.push(x);
        break;
      case 'dict':
        for (const [a, b] of v.entries) work.push(a, b);
        break;
      case 'call':
        work.push(v.callee, v.args);
        if (v.kwargs) work.push(v.kwargs);
        for (const x of v.state) work.push(x);
        for (const x of v.items) work.push(x);
        for (const [a, b] of v.entries) work.push(a, b);
        break;
      case 'persid':
        work.push(v.pid);
        break;
      default:
        break;
    }
  }
  return true;
}
