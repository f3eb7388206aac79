/**
 * Symbolic pickle machine: replays the opcodes of one pickle over SymValues instead of objects,
 * following CPython's Lib/pickle.py `_Unpickler` (stack + metastack for MARK, memo dict), so
 * that every import and every call is recorded with what it would have received, and nothing
 * is ever imported or called. Malformed streams (underflow, missing MARK, memo misses) become
 * issues and the replay continues best-effort: an attacker's error after the payload ran is
 * still a payload.
 */
import { PICKLE_FINDING_IDS as F, type PickleIssue } from './finding-ids.js';
import type { PickleOp } from './disassemble.js';
import { OPCODE_BY_NAME } from './opcodes.js';
import { decodeUtf8, encodeLatin1 } from './arg-text.js';
import { NONE, asString, constant, unknown, type SymCall, type SymValue } from './sym-value.js';

/** How an import was used by the rest of the pickle. */
export type ImportUse = 'call' | 'construct' | 'build-target' | 'mutated' | 'persid-type';

export interface SymImport {
  module: string;
  name: string;
  opcodeOffset: number;
  opcode: string;
  /** False when module or name came from a non-constant (then they read 'unknown'). */
  resolved: boolean;
  /** Best-effort text of unresolved operands (bytes decoded, ints printed), for classification. */
  hint?: { module: string; name: string };
  uses: Set<ImportUse>;
}

export interface SymRun {
  imports: SymImport[];
  calls: SymCall[];
  /** BUILD applications: target and state. */
  builds: { offset: number; target: SymValue; state: SymValue }[];
  /** APPEND/SETITEM/ADDITEMS on something that is not a container (a method call). */
  mutations: { offset: number; opcode: string; target: SymValue }[];
  persids: { offset: number; pid: SymValue }[];
  exts: { offset: number; code: number }[];
  /** Values dropped by POP/POP_MARK or left below the result at STOP. */
  discarded: { offset: number; value: SymValue }[];
  issues: PickleIssue[];
  /** PROTO argument of the first PROTO, null when there is none. */
  declaredProtocol: number | null;
  /** Highest protocol among the opcodes used. */
  neededProtocol: number;
  /** Top of stack at STOP (unknown when the pickle never stopped). */
  result: SymValue;
  stopped: boolean;
}

const HUGE_MEMO_INDEX = 10_000_000;

/** `_codecs.encode(str, codec)` for the byte-preserving codecs numpy and py2 pickles use. */
function foldCall(callee: SymValue, args: SymValue): SymValue | undefined {
  if (callee.k !== 'global' || args.k !== 'tuple') return undefined;
  const fn = `${callee.module}.${callee.name}`;
  if (fn !== '_codecs.encode' && fn !== 'codecs.encode') return undefined;
  const text = args.items[0] ? asString(args.items[0]) : null;
  const codec = args.items[1] ? asString(args.items[1])?.toLowerCase().replace(/[-_]/g, '') : 'utf8';
  if (text === null) return undefined;
  if (codec === 'latin1' || codec === 'iso88591' || codec === 'ascii') {
    const b = encodeLatin1(text);
    return b ? { k: 'bytes', v: b } : undefined;
  }
  if (codec === 'utf8') return { k: 'bytes', v: new TextEncoder().encode(text) };
  return undefined;
}

/** Text an unresolved STACK_GLOBAL operand would most plausibly stand for. */
function operandHint(v: SymValue): string {
  const c = constant(v);
  switch (c.k) {
    case 'str': return c.v;
    case 'bytes': return decodeUtf8(c.v.subarray(0, 4096)).text;
    case 'int': return String(c.v);
    case 'global': return `${c.module}.${c.name}`;
    default: return 'unknown';
  }
}

export function runSymbolic(ops: readonly PickleOp[]): SymRun {
  const run: SymRun = {
    imports: [], calls: [], builds: [], mutations: [], persids: [], exts: [], discarded: [], issues: [],
    declaredProtocol: null, neededProtocol: 0, result: unknown('no STOP'), stopped: false,
  };
  let stack: SymValue[] = [];
  const metastack: SymValue[][] = [];
  const memo = new Map<number, SymValue>();
  let offset = 0;
  let opName = '';

  const issue = (id: PickleIssue['id'], severity: PickleIssue['severity'], message: string): void => {
    run.issues.push({ id, severity, offset, message });
  };
  const pop = (): SymValue => {
    const v = stack.pop();
    if (v !== undefined) return v;
    issue(F.stackUnderflow, 'medium', `${opName} on an empty stack`);
    return unknown('stack underflow');
  };
  const top = (): SymValue => {
    const v = stack[stack.length - 1];
    if (v !== undefined) return v;
    issue(F.stackUnderflow, 'medium', `${opName} on an empty stack`);
    const u = unknown('stack underflow');
    stack.push(u);
    return u;
  };
  const popMark = (): SymValue[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) {
      issue(F.markImbalance, 'medium', `${opName} without a MARK: the whole stack is taken`);
      stack = [];
      return items;
    }
    stack = prev;
    return items;
  };
  const use = (v: SymValue, u: ImportUse): void => {
    if (v.k === 'global') run.imports[v.importIndex]?.uses.add(u);
  };
  const addImport = (module: string, name: string, resolved: boolean, hint?: { module: string; name: string }): SymValue => {
    const importIndex = run.imports.length;
    run.imports.push({ module, name, opcodeOffset: offset, opcode: opName, resolved, uses: new Set(), ...(hint ? { hint } : {}) });
    return { k: 'global', module, name, importIndex };
  };
  const addCall = (callee: SymValue, args: SymValue, kwargs?: SymValue): SymCall => {
    const c: SymCall = {
      k: 'call', callee, args, op: opName, offset, callIndex: run.calls.length, state: [], items: [], entries: [],
      ...(kwargs ? { kwargs } : {}),
    };
    const folded = foldCall(callee, args);
    if (folded) c.folded = folded;
    run.calls.push(c);
    return c;
  };
  const memoPut = (idx: number): void => {
    if (idx > HUGE_MEMO_INDEX) issue(F.memoIndexHuge, 'medium', `memo index ${idx}: the C unpickler would allocate a table that large`);
    const v = top();
    const old = memo.get(idx);
    if (old !== undefined && old !== v) {
      const callable = (x: SymValue): boolean => x.k === 'global' || x.k === 'call';
      issue(F.memoOverwrite, callable(old) || callable(v) ? 'high' : 'medium',
        `${opName} ${idx} overwrites a memo entry${callable(old) ? ' holding an import/call' : ''}`);
    }
    memo.set(idx, v);
  };
  /**
   * APPEND/SETITEM-style mutation. Containers take the items; constructed objects (`call`) record
   * them (their own `append`/`__setitem__` runs, like OrderedDict's); anything else means a method
   * of an imported object or a constant is being called, which no pickle writer produces.
   */
  const mutate = (target: SymValue, items: SymValue[], pairs: boolean): void => {
    if (pairs) {
      if (items.length % 2 !== 0) issue(F.operandShape, 'medium', `${opName} with an odd number of items`);
      if (target.k === 'dict' || target.k === 'call') {
        for (let i = 0; i + 1 < items.length; i += 2) target.entries.push([items[i] as SymValue, items[i + 1] as SymValue]);
        return;
      }
    } else if (target.k === 'list' || target.k === 'set' || target.k === 'call') {
      for (const x of items) target.items.push(x);
      return;
    }
    if (target.k === 'unknown') return;
    use(target, 'mutated');
    run.mutations.push({ offset, opcode: opName, target });
  };

  // NB: never write `stack.push(popMark())`: push would bind the array popMark() replaces.
  for (const o of ops) {
    offset = o.offset;
    opName = o.name;
    const proto = OPCODE_BY_NAME.get(o.name)?.proto ?? 0;
    if (proto > run.neededProtocol) run.neededProtocol = proto;
    const a = o.arg;
    switch (o.name) {
      case 'PROTO':
        if (run.declaredProtocol === null) run.declaredProtocol = typeof a === 'number' ? a : 0;
        break;
      case 'FRAME':
        break;
      case 'STOP': {
        run.result = pop();
        run.stopped = true;
        if (metastack.length > 0) issue(F.markImbalance, 'medium', `${metastack.length} MARK(s) still open at STOP`);
        const rest = [...metastack.flat(), ...stack];
        if (rest.length > 0) {
          issue(F.stackLeftover, 'low', `${rest.length} value(s) left on the stack under the result`);
          for (const v of rest) run.discarded.push({ offset, value: v });
        }
        return run;
      }
      // --- constants ---
      case 'NONE': stack.push(NONE); break;
      case 'NEWTRUE': stack.push({ k: 'bool', v: true }); break;
      case 'NEWFALSE': stack.push({ k: 'bool', v: false }); break;
      case 'INT': case 'BININT': case 'BININT1': case 'BININT2': case 'LONG': case 'LONG1': case 'LONG4':
        if (typeof a === 'boolean') stack.push({ k: 'bool', v: a });
        else if (typeof a === 'number' || typeof a === 'bigint') stack.push({ k: 'int', v: a });
        else stack.push(unknown('huge integer'));
        break;
      case 'FLOAT': case 'BINFLOAT':
        stack.push({ k: 'float', v: typeof a === 'number' ? a : NaN });
        break;
      case 'STRING': case 'BINSTRING': case 'SHORT_BINSTRING':
      case 'UNICODE': case 'SHORT_BINUNICODE': case 'BINUNICODE': case 'BINUNICODE8':
        stack.push({ k: 'str', v: typeof a === 'string' ? a : '', ...(o.truncatedText ? { truncated: true } : {}) });
        break;
      case 'BINBYTES': case 'SHORT_BINBYTES': case 'BINBYTES8':
        stack.push({ k: 'bytes', v: a instanceof Uint8Array ? a : new Uint8Array(0) });
        break;
      case 'BYTEARRAY8':
        stack.push({ k: 'bytes', v: a instanceof Uint8Array ? a : new Uint8Array(0), bytearray: true });
        break;
      case 'NEXT_BUFFER': stack.push(unknown('out-of-band buffer')); break;
      case 'READONLY_BUFFER': top(); break;
      // --- containers ---
      case 'EMPTY_LIST': stack.push({ k: 'list', items: [] }); break;
      case 'EMPTY_TUPLE': stack.push({ k: 'tuple', items: [] }); break;
      case 'EMPTY_DICT': stack.push({ k: 'dict', entries: [] }); break;
      case 'EMPTY_SET': stack.push({ k: 'set', items: [], frozen: false }); break;
      case 'LIST': { const items = popMark(); stack.push({ k: 'list', items }); break; }
      case 'TUPLE': { const items = popMark(); stack.push({ k: 'tuple', items }); break; }
      case 'FROZENSET': { const items = popMark(); stack.push({ k: 'set', items, frozen: true }); break; }
      case 'TUPLE1': { const x = pop(); stack.push({ k: 'tuple', items: [x] }); break; }
      case 'TUPLE2': { const y = pop(); const x = pop(); stack.push({ k: 'tuple', items: [x, y] }); break; }
      case 'TUPLE3': { const z = pop(); const y = pop(); const x = pop(); stack.push({ k: 'tuple', items: [x, y, z] }); break; }
      case 'DICT': {
        const items = popMark();
        const d: SymValue = { k: 'dict', entries: [] };
        stack.push(d);
        mutate(d, items, true);
        break;
      }
      case 'APPEND': { const x = pop(); mutate(top(), [x], false); break; }
      case 'APPENDS': { const items = popMark(); mutate(top(), items, false); break; }
      case 'SETITEM': { const v = pop(); const k = pop(); mutate(top(), [k, v], true); break; }
      case 'SETITEMS': { const items = popMark(); mutate(top(), items, true); break; }
      case 'ADDITEMS': { const items = popMark(); mutate(top(), items, false); break; }
      // --- stack manipulation (load_pop: an empty stack above a MARK pops the MARK) ---
      case 'POP':
        if (stack.length > 0) run.discarded.push({ offset, value: stack.pop() as SymValue });
        else if (metastack.length > 0) popMark();
        else issue(F.stackUnderflow, 'medium', 'POP on an empty stack');
        break;
      case 'DUP': stack.push(top()); break;
      case 'MARK': metastack.push(stack); stack = []; break;
      case 'POP_MARK': for (const v of popMark()) run.discarded.push({ offset, value: v }); break;
      // --- memo ---
      case 'GET': case 'BINGET': case 'LONG_BINGET': {
        const idx = typeof a === 'number' ? a : -1;
        const v = memo.get(idx);
        if (v === undefined) {
          issue(F.memoMiss, 'medium', `${opName} ${String(a)}: memo index never stored`);
          stack.push(unknown(`memo miss ${String(a)}`));
        } else stack.push(v);
        break;
      }
      case 'PUT': case 'BINPUT': case 'LONG_BINPUT':
        if (typeof a === 'number' && a >= 0) memoPut(a);
        else issue(F.operandShape, 'medium', `${opName} with a negative or non-integer index`);
        break;
      case 'MEMOIZE': memoPut(memo.size); break;
      // --- imports ---
      case 'GLOBAL': {
        const g = a !== undefined && typeof a === 'object' && 'module' in a ? a : { module: 'unknown', name: 'unknown' };
        stack.push(addImport(g.module, g.name, true));
        break;
      }
      case 'STACK_GLOBAL': {
        const nameV = pop();
        const modV = pop();
        const m = asString(modV);
        const n = asString(nameV);
        if (m !== null && n !== null) {
          stack.push(addImport(m, n, true));
        } else {
          const kinds = `${constant(modV).k}/${constant(nameV).k}`;
          const typed = ['bytes', 'int', 'float', 'bool'].includes(constant(modV).k) || ['bytes', 'int', 'float', 'bool'].includes(constant(nameV).k);
          if (typed) issue(F.stackGlobalTypeConfusion, 'high', `STACK_GLOBAL operands are ${kinds}, not str`);
          stack.push(addImport(m ?? 'unknown', n ?? 'unknown', false, { module: operandHint(modV), name: operandHint(nameV) }));
        }
        break;
      }
      case 'EXT1': case 'EXT2': case 'EXT4': {
        const code = typeof a === 'number' ? a : -1;
        run.exts.push({ offset, code });
        stack.push(addImport('unknown', `<extension code ${code}>`, false));
        break;
      }
      // --- calls ---
      case 'REDUCE': {
        const args = pop();
        const fn = pop();
        if (args.k !== 'tuple' && args.k !== 'unknown') issue(F.operandShape, 'low', `REDUCE arguments are a ${args.k}, not a tuple`);
        use(fn, 'call');
        // copyreg._reconstructor(cls, base, state) and copyreg.__newobj__(cls, …) construct cls.
        if (fn.k === 'global' && /^copy_?reg$/.test(fn.module) && args.k === 'tuple' && args.items[0]) use(args.items[0], 'construct');
        stack.push(addCall(fn, args));
        break;
      }
      case 'NEWOBJ': {
        const args = pop();
        const cls = pop();
        use(cls, 'construct');
        stack.push(addCall(cls, args));
        break;
      }
      case 'NEWOBJ_EX': {
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        use(cls, 'construct');
        stack.push(addCall(cls, args, kwargs));
        break;
      }
      case 'OBJ': {
        const items = popMark();
        const cls = items.shift() ?? unknown('OBJ without a class');
        use(cls, 'call');
        stack.push(addCall(cls, { k: 'tuple', items }));
        break;
      }
      case 'INST': {
        const items = popMark();
        const g = a !== undefined && typeof a === 'object' && 'module' in a ? a : { module: 'unknown', name: 'unknown' };
        const cls = addImport(g.module, g.name, true);
        use(cls, 'call');
        stack.push(addCall(cls, { k: 'tuple', items }));
        break;
      }
      case 'BUILD': {
        const state = pop();
        const target = top();
        use(target, 'build-target');
        run.builds.push({ offset, target, state });
        if (target.k === 'call') target.state.push(state);
        break;
      }
      case 'PERSID': {
        const pid: SymValue = { k: 'str', v: typeof a === 'string' ? a : '' };
        run.persids.push({ offset, pid });
        stack.push({ k: 'persid', pid, offset });
        break;
      }
      case 'BINPERSID': {
        const pid = pop();
        if (pid.k === 'tuple') for (const x of pid.items) use(x, 'persid-type');
        run.persids.push({ offset, pid });
        stack.push({ k: 'persid', pid, offset });
        break;
      }
      default:
        issue(F.operandShape, 'medium', `opcode ${opName} not modelled`);
    }
  }
  // Ran out of opcodes without STOP: the best guess of the result is the top of the stack.
  const last = stack[stack.length - 1];
  if (last !== undefined) run.result = last;
  return run;
}
