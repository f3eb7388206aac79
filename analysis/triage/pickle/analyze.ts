/**
 * `analyzePickle`: the static verdict on a pickle stream. Disassembles, replays symbolically,
 * classifies every import and call, looks for tricks (payload after STOP, several pickles in one
 * stream, nested pickles, protocol games) and rolls everything up into severity-ranked findings.
 * Nothing is executed. Nested and following pickles are analysed recursively within bounds.
 */
import { highestSeverity, isAtLeast, type Severity } from '../severity.js';
import { PICKLE_FINDING_IDS as F, type PickleIssue } from './finding-ids.js';
import { DEFAULT_MAX_OPS, disassemble, type PickleOp } from './disassemble.js';
import { runSymbolic, type SymRun } from './symbolic.js';
import { classifyImport, classifyUnresolved, type ImportClassification } from './classify.js';
import { findPayloadString, isConstant } from './payload-strings.js';
import { findNestedCandidates, type NestedEncoding } from './nested-pickles.js';
import { calleeName, describeValue, forEachReachable, type SymCall, type SymValue } from './sym-value.js';
import { isAllowlisted } from './import-allowlist.js';
import { HIGHEST_PROTOCOL } from './opcodes.js';
import { canonicalModule } from './import-names.js';
import { CappedFindings, capFindings, type FindingOut } from './finding-cap.js';

export const PICKLE_CONTEXTS = ['generic', 'torch-zip', 'torch-legacy'] as const;
export type PickleContext = (typeof PICKLE_CONTEXTS)[number];

export interface AnalyzeOptions {
  /** Every non-allowlisted import counts as dangerous. */
  strict?: boolean;
  maxOps?: number;
  startOffset?: number;
  /** Nested pickles analysed down to this depth (default 3). */
  maxNestedDepth?: number;
  /** Consecutive pickles analysed in one stream (default 16). */
  maxStreams?: number;
  /** torch-zip / torch-legacy: persistent ids are how torch references storages. */
  context?: PickleContext;
}

export interface PickleImportRecord {
  module: string;
  name: string;
  opcodeOffset: number;
  opcode: string;
  resolved: boolean;
  classification: ImportClassification;
  severity: Severity;
  reason: string;
  /** How the spelling itself is a trick (lookalike characters, padding), when it is. */
  obfuscation?: string;
}

export interface PickleCallRecord {
  callee: string;
  opcodeOffset: number;
  opcode: string;
  args: string;
}

/** A finding; `origin` says where it came from when it was rolled up from a nested/following pickle. */
export interface PickleFinding extends PickleIssue {
  origin?: string;
  /** Set on a summary line (finding-cap.ts): how many findings of this kind it stands for. */
  omitted?: number;
}

export interface NestedPickleReport {
  offset: number;
  encoding: NestedEncoding;
  report: PickleReport;
}

export interface PickleReport {
  imports: PickleImportRecord[];
  calls: PickleCallRecord[];
  /** Structural problems from the disassembler and the symbolic machine. */
  issues: PickleIssue[];
  /** Every security-relevant finding, including rolled-up ones from nested/following pickles. */
  findings: PickleFinding[];
  /** PROTO of the pickle, null when it has none (protocol 0/1). */
  protocol: number | null;
  /** Highest protocol among the opcodes actually used. */
  neededProtocol: number;
  startOffset: number;
  stopOffset: number | null;
  endOffset: number;
  /** Bytes after the last pickle of the stream that are not a pickle. */
  trailingBytes: number;
  opCount: number;
  nestedPickles: NestedPickleReport[];
  /** Further complete pickles after this one's STOP (legacy torch files have four). */
  followingStreams: PickleReport[];
  /** The first value is the legacy torch.save magic number. */
  legacyTorch: boolean;
  /** Top of the stack at STOP. */
  result: SymValue;
  maxSeverity: Severity | null;
}

/** torch/serialization.py MAGIC_NUMBER. */
export const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface Budget {
  nestedLeft: number;
}

/** Findings that describe code a loader would run (as opposed to structural noise). */
const PAYLOAD_IDS: ReadonlySet<string> = new Set([
  F.importDangerous, F.importSuspicious, F.importUnresolved, F.importObfuscatedName, F.callDynamic, F.callPayloadString,
  F.buildOnGlobal, F.mutateNonContainer, F.extensionRegistry,
]);

const NESTED_LOADER = /^(loads?|_loads?|_load_from_bytes|read_pickle|Unpickler|Grammar\.loads|basichandlers|load_config)$/;

function isTorchPid(pid: SymValue): boolean {
  if (pid.k !== 'tuple') return false;
  const [tag, type] = pid.items;
  return tag?.k === 'str' && tag.v === 'storage' && type?.k === 'global' && isAllowlisted(canonicalModule(type.module), type.name);
}

function rollUp(into: FindingOut, from: readonly PickleFinding[], origin: string): void {
  for (const f of from) into.push({ ...f, origin: f.origin ? `${origin} > ${f.origin}` : origin });
}

function importRecords(run: SymRun, strict: boolean): PickleImportRecord[] {
  const callsByImport = new Map<number, SymCall[]>();
  for (const c of run.calls) {
    if (c.callee.k !== 'global') continue;
    const list = callsByImport.get(c.callee.importIndex) ?? [];
    list.push(c);
    callsByImport.set(c.callee.importIndex, list);
  }
  // One argument tuple (memoized) can be passed to 10^5 calls: judge each object once.
  const constantByArgs = new Map<SymValue, boolean>();
  const constantArgs = (v: SymValue): boolean => {
    let known = constantByArgs.get(v);
    if (known === undefined) constantByArgs.set(v, (known = isConstant(v)));
    return known;
  };
  return run.imports.map((imp, i) => {
    const calls = callsByImport.get(i) ?? [];
    const opts = { strict, called: imp.uses.has('call'), constantArgs: calls.every((c) => constantArgs(c.args)) };
    const v = imp.resolved ? classifyImport(imp.module, imp.name, opts) : classifyUnresolved(imp.hint, opts);
    const rec: PickleImportRecord = {
      module: imp.module, name: imp.name, opcodeOffset: imp.opcodeOffset, opcode: imp.opcode, resolved: imp.resolved,
      classification: v.classification, severity: v.severity, reason: v.reason,
    };
    if (v.obfuscation) rec.obfuscation = v.obfuscation;
    return rec;
  });
}

/** One finding per distinct import verdict (a checkpoint names torch.FloatStorage hundreds of times). */
function importFindings(imports: readonly PickleImportRecord[], out: FindingOut): void {
  const seen = new Set<string>();
  for (const imp of imports) {
    if (imp.severity === 'info') continue;
    const key = `${imp.module}\n${imp.name}\n${imp.severity}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = !imp.resolved ? F.importUnresolved : imp.classification === 'dangerous' ? F.importDangerous : F.importSuspicious;
    // Past the cap the finding is only counted (finding-cap.ts): no message to build.
    const listed = out.hasRoom?.(id, imp.severity) !== false;
    out.push({ id, severity: imp.severity, offset: imp.opcodeOffset, message: listed ? `${imp.opcode} ${imp.module}.${imp.name}: ${imp.reason}` : '' });
    if (imp.obfuscation) {
      out.push({ id: F.importObfuscatedName, severity: 'high', offset: imp.opcodeOffset, message: `${JSON.stringify(imp.module)} / ${JSON.stringify(imp.name)}: ${imp.obfuscation}` });
    }
  }
}

function protocolFindings(ops: readonly PickleOp[], run: SymRun, out: FindingOut): void {
  let protos = 0;
  ops.forEach((o, i) => {
    if (o.name !== 'PROTO') return;
    protos++;
    if (protos > 1) out.push({ id: F.protoDuplicate, severity: 'medium', offset: o.offset, message: `PROTO ${String(o.arg)} repeated` });
    if (i > 0 && protos === 1) out.push({ id: F.protoMisplaced, severity: 'medium', offset: o.offset, message: 'PROTO is not the first opcode' });
    if (typeof o.arg === 'number' && o.arg > HIGHEST_PROTOCOL) {
      out.push({ id: F.malformedArgument, severity: 'medium', offset: o.offset, message: `PROTO ${o.arg}: no such protocol (CPython refuses it)` });
    }
  });
  const declared = run.declaredProtocol ?? 1; // protocol 1 had no PROTO opcode
  if (run.neededProtocol > declared) {
    out.push({ id: F.protocolMismatch, severity: 'medium', offset: null, message: `opcodes of protocol ${run.neededProtocol} in a protocol-${declared} pickle` });
  }
}

function callFindings(run: SymRun, imports: readonly PickleImportRecord[], context: PickleContext, opCount: number, out: FindingOut): void {
  const safeCallee = (c: SymCall): boolean => c.callee.k === 'global' && imports[c.callee.importIndex]?.classification === 'safe';
  // A memoized argument tuple passed to 10^5 calls is scanned once, not once per call.
  const payloadByArgs = new Map<SymValue, ReturnType<typeof findPayloadString>>();
  for (const c of run.calls) {
    if (c.callee.k !== 'global') {
      out.push({ id: F.callDynamic, severity: 'high', offset: c.offset, message: `${c.op} calls ${calleeName(c.callee)}, not an imported name` });
    }
    if (!safeCallee(c)) {
      let p = payloadByArgs.get(c.args);
      if (p === undefined) payloadByArgs.set(c.args, (p = findPayloadString(c.args)));
      if (p) out.push({ id: F.callPayloadString, severity: 'critical', offset: c.offset, message: `${calleeName(c.callee)} receives code-like text (${p.indicator}): ${JSON.stringify(p.text.slice(0, 120))}` });
    }
  }
  for (const b of run.builds) {
    if (b.target.k === 'global') {
      out.push({ id: F.buildOnGlobal, severity: 'high', offset: b.offset, message: `BUILD sets attributes on ${b.target.module}.${b.target.name} itself` });
    }
  }
  for (const m of run.mutations) {
    const sev: Severity = m.target.k === 'global' ? 'high' : 'medium';
    out.push({ id: F.mutateNonContainer, severity: sev, offset: m.offset, message: `${m.opcode} on ${calleeName(m.target)} calls one of its methods` });
  }
  for (const e of run.exts) {
    out.push({ id: F.extensionRegistry, severity: 'high', offset: e.offset, message: `EXT code ${e.code}: global taken from the copyreg extension registry` });
  }
  for (const p of run.persids) {
    if (context !== 'generic' || isTorchPid(p.pid)) continue;
    out.push({ id: F.persistentId, severity: 'medium', offset: p.offset, message: `persistent id ${describeValue(p.pid, 120)} outside a torch context` });
  }
  if (!run.stopped) return;
  // Calls whose result the final object never reaches ran only for their side effect.
  const reachable = new Set<SymValue>();
  const complete = forEachReachable(run.result, (v) => { if (v.k === 'call') reachable.add(v); }, opCount + 16);
  if (!complete) return;
  const reported = new Set<string>();
  for (const c of run.calls) {
    if (reachable.has(c) || safeCallee(c)) continue;
    const name = calleeName(c.callee);
    if (reported.has(name)) continue;
    reported.add(name);
    out.push({ id: F.discardedCall, severity: 'medium', offset: c.offset, message: `result of ${name} is never used by the unpickled object` });
  }
}

function nestedLoaderArgs(run: SymRun): { offset: number; value: SymValue }[] {
  const out: { offset: number; value: SymValue }[] = [];
  for (const c of run.calls) {
    if (c.callee.k !== 'global' || c.args.k !== 'tuple' || !c.args.items[0]) continue;
    const last = c.callee.name.split('.').pop() ?? '';
    if (NESTED_LOADER.test(last) || NESTED_LOADER.test(c.callee.name)) out.push({ offset: c.offset, value: c.args.items[0] });
  }
  return out;
}

function analyzeStream(bytes: Uint8Array, start: number, opts: AnalyzeOptions, depth: number, budget: Budget): PickleReport {
  const d = disassemble(bytes, { startOffset: start, maxOps: opts.maxOps ?? DEFAULT_MAX_OPS });
  const run = runSymbolic(d.ops);
  const issues = [...d.issues, ...run.issues];
  const imports = importRecords(run, opts.strict === true);
  // Capped as they are written: a pickle can repeat one construct 10^5 times (finding-cap.ts).
  const findings = new CappedFindings();
  for (const i of issues) findings.push(i);
  importFindings(imports, findings);
  protocolFindings(d.ops, run, findings);
  callFindings(run, imports, opts.context ?? 'generic', d.ops.length, findings);

  const nestedPickles: NestedPickleReport[] = [];
  const candidates = findNestedCandidates(d.ops, nestedLoaderArgs(run));
  const maxDepth = opts.maxNestedDepth ?? 3;
  for (const c of candidates) {
    if (depth >= maxDepth || budget.nestedLeft <= 0) {
      findings.push({ id: F.nestedDepthLimit, severity: 'medium', offset: c.offset, message: `nested pickle (${c.encoding}) beyond the analysis bound was not analysed` });
      continue;
    }
    budget.nestedLeft--;
    const report = analyzeAll(c.bytes, { ...opts, startOffset: 0, context: 'generic' }, depth + 1, budget);
    nestedPickles.push({ offset: c.offset, encoding: c.encoding, report });
    findings.push({ id: F.nestedPickle, severity: 'low', offset: c.offset, message: `a ${c.encoding} pickle is embedded in this argument (${report.opCount} opcodes)` });
    rollUp(findings, report.findings, `nested ${c.encoding} pickle @${c.offset}`);
  }

  const calls: PickleCallRecord[] = run.calls.map((c) => ({
    callee: calleeName(c.callee), opcodeOffset: c.offset, opcode: c.op, args: describeValue(c.args, 200),
  }));
  const legacyTorch = run.result.k === 'int' && run.result.v === TORCH_LEGACY_MAGIC;
  return {
    imports, calls, issues, findings: findings.finish(), protocol: run.declaredProtocol, neededProtocol: run.neededProtocol,
    startOffset: start, stopOffset: d.stopOffset, endOffset: d.endOffset, trailingBytes: 0, opCount: d.ops.length,
    nestedPickles, followingStreams: [], legacyTorch, result: run.result, maxSeverity: null,
  };
}

/** A following "pickle" only counts when it parsed cleanly to a STOP. */
function isWholePickle(r: PickleReport): boolean {
  return r.stopOffset !== null && r.opCount >= 2 && !r.issues.some((i) => i.id.startsWith('pickle.disasm.'));
}

function analyzeAll(bytes: Uint8Array, opts: AnalyzeOptions, depth: number, budget: Budget): PickleReport {
  const first = analyzeStream(bytes, opts.startOffset ?? 0, opts, depth, budget);
  let pos = first.endOffset;
  if (first.stopOffset !== null) {
    const maxStreams = opts.maxStreams ?? 16;
    // Legacy torch.save: magic, protocol version, sys_info, the object, the storage keys; then raw storages.
    const expected = first.legacyTorch ? 5 : 1;
    let streams = 1;
    while (pos < bytes.length && streams < maxStreams && !(first.legacyTorch && streams >= expected)) {
      const ctx: PickleContext = first.legacyTorch ? 'torch-legacy' : opts.context ?? 'generic';
      const next = analyzeStream(bytes, pos, { ...opts, context: ctx }, depth, budget);
      if (!isWholePickle(next)) {
        // Not a whole pickle, but a second pickle.load() would still run it up to where it breaks.
        const payload = next.findings.filter((f) => PAYLOAD_IDS.has(f.id) && isAtLeast(f.severity, 'medium'));
        rollUp(first.findings, payload, `data after STOP @${pos}`);
        break;
      }
      first.followingStreams.push(next);
      streams++;
      if (streams > expected) {
        first.findings.push({ id: F.multipleStreams, severity: 'medium', offset: pos, message: `a further pickle starts after STOP (${next.opCount} opcodes)` });
      }
      rollUp(first.findings, next.findings, `stream ${streams} @${pos}`);
      pos = next.endOffset;
    }
    first.trailingBytes = bytes.length - pos;
    if (first.trailingBytes > 0) {
      first.findings.push(first.legacyTorch
        ? { id: F.dataAfterStop, severity: 'info', offset: pos, message: `${first.trailingBytes} bytes of legacy torch storage data follow the pickles` }
        : { id: F.dataAfterStop, severity: 'medium', offset: pos, message: `${first.trailingBytes} bytes after STOP are not a pickle` });
    }
  }
  first.findings = capFindings(first.findings);
  first.maxSeverity = highestSeverity(first.findings.map((f) => f.severity));
  return first;
}

/** Static analysis of the pickle(s) in `bytes`. Never throws, never executes anything. */
export function analyzePickle(bytes: Uint8Array, opts: AnalyzeOptions = {}): PickleReport {
  return analyzeAll(bytes, opts, 0, { nestedLeft: 64 });
}
