/**
 * The tensor table of a pre-0.4 torch.save tar, rebuilt the way torch/serialization.py
 * `legacy_load` (tar branch) reads it, without running anything:
 * - `storages`: a pickled count, then per storage a pickle `(key, location, storage_type)`, an
 *   int64 element count and the raw little-endian elements; then a pickled list of views
 *   `(view_key, root_key, offset, numel)`;
 * - `tensors`: a pickled count, then per tensor a pickle `(key, storage_key, tensor_type)`, an
 *   int32 ndim (and four bytes of padding), ndim int64 sizes, ndim int64 strides and an int64
 *   storage offset, all little-endian;
 * - `pickle`: the object, naming tensors by persistent id `str(key)`.
 * Each persistent id of the object is replaced by the `_rebuild_tensor_v2` call it stands for, so
 * the ordinary tensor table (pickle/tensor-table.ts) names the tensors as `state_dict()` keys read,
 * and the storage bytes are read in place from the tar (members of an uncompressed tar are
 * contiguous). Every record pickle is analysed like any other pickle: torch.load unpickles them.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import { analyzePickle } from '../pickle/analyze.js';
import { PICKLE_FINDING_IDS as F } from '../pickle/finding-ids.js';
import { MAX_DANGEROUS_IMPORT_FINDINGS } from '../pickle/finding-cap.js';
import { asInt, asString, sequenceItems, type SymCall, type SymValue } from '../pickle/sym-value.js';
import { buildTensorTable } from '../pickle/tensor-table.js';
import { dtypeOfTorchGlobal, ELEMENT_SIZE, type TorchDtype } from '../pickle/torch-dtypes.js';
import type { TriageImport } from '../triage-result.js';
import type { PlannedTensor } from './artifact-plan.js';
import { pickleOutcome } from './pickle-findings.js';
import { stateDictPrefix } from './state-dict.js';
import { planTorchTensors, type StorageBytes } from './torch-tensors.js';

/** Storage and tensor records read per member, at most. */
export const MAX_LEGACY_RECORDS = 200_000;
/** Largest record pickle (the view list is the big one). */
const MAX_RECORD_PICKLE = 16 << 20;
/** Record pickles are tens of bytes: start small (the window is re-read when it grows). */
const FIRST_WINDOW = 512;
const MAX_DIMS = 64;
/**
 * Pickle findings kept per member (a finding repeated in every record says nothing new); past it,
 * only the first finding of a kind (id + severity) not yet kept, so the verdict stays the same.
 */
const MAX_MEMBER_FINDINGS = 100;
/** Import rows kept per member: ordinary ones, and dangerous ones besides (as pickle-findings.ts). */
const MAX_MEMBER_IMPORTS = 2000;
const MAX_MEMBER_DANGEROUS_IMPORTS = MAX_DANGEROUS_IMPORT_FINDINGS;

export interface TarMemberSpan {
  /** Offset of the member's data in the tar. */
  offset: number;
  size: number;
}

export interface LegacyTarTensors {
  tensors: PlannedTensor[];
  findings: Finding[];
  imports: TriageImport[];
  sharedStorages: { storageKey: string; tensors: string[] }[];
  stateDictPrefix: string;
  /** Where a member stopped making sense (member-relative offset): the caller carves the rest for pickles. */
  unparsed: { member: 'storages' | 'tensors'; offset: number }[];
}

interface StorageRecord {
  dtype: TorchDtype;
  type: SymValue;
  location: string;
  numel: number;
  /** Absolute offset of the elements in the tar. */
  offset: number;
}

interface TensorRecord {
  storageKey: string;
  shape: number[];
  stride: number[];
  offset: number;
}

/** Persistent-id keys are `str(cdata)` in the object and ints in the records: compare as decimal text. */
function keyOf(v: SymValue | undefined): string | null {
  if (v === undefined) return null;
  const s = asString(v);
  if (s !== null) return s;
  return v.k === 'int' ? String(v.v) : null;
}

class BadRecord extends Error {}

/** A member of the tar read sequentially: pickles one at a time, then fixed-width integers. */
class MemberReader {
  pos = 0;
  private readonly seen = new Set<string>();
  private readonly seenKinds = new Set<string>();
  private readonly seenImports = new Set<string>();
  private ordinaryImports = 0;
  private dangerousImports = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly span: TarMemberSpan,
    private readonly name: 'storages' | 'tensors',
    private readonly strict: boolean,
    private readonly out: LegacyTarTensors,
  ) {}

  get remaining(): number {
    return this.span.size - this.pos;
  }

  /** The next pickle's value; its findings and imports are recorded. */
  async pickle(what: string): Promise<SymValue> {
    let want = Math.min(FIRST_WINDOW, this.remaining);
    for (;;) {
      if (want <= 0) throw new BadRecord(`${what}: the member ends before it`);
      const bytes = await this.src.read(this.span.offset + this.pos, want);
      const report = analyzePickle(bytes, { context: 'torch-legacy', strict: this.strict, maxStreams: 1 });
      if (report.stopOffset !== null) {
        const at = this.pos;
        // Offsets are made member-relative; the raw bytes after each record pickle are data, not a
        // trailing payload; a finding every record repeats (a legacy tensor class) is kept once.
        for (const f of report.findings) {
          const key = `${f.id}\n${f.message}`;
          const kind = `${f.id}\n${f.severity}`;
          if (f.id === F.dataAfterStop || this.seen.has(key)) continue;
          if (this.seen.size >= MAX_MEMBER_FINDINGS && this.seenKinds.has(kind)) continue;
          this.seen.add(key);
          this.seenKinds.add(kind);
          const where = `${this.name}@${at + (f.offset ?? 0)}`;
          this.out.findings.push({ id: f.id, severity: f.severity, message: f.message, location: f.origin ? `${where} (${f.origin})` : where });
        }
        for (const imp of pickleOutcome(report, this.name).imports) {
          const dangerous = imp.classification === 'dangerous';
          if (dangerous ? this.dangerousImports >= MAX_MEMBER_DANGEROUS_IMPORTS : this.ordinaryImports >= MAX_MEMBER_IMPORTS) continue;
          const key = `${imp.module}\n${imp.name}`;
          if (this.seenImports.has(key)) continue;
          this.seenImports.add(key);
          if (dangerous) this.dangerousImports++;
          else this.ordinaryImports++;
          this.out.imports.push({ ...imp, opcodeOffset: at + imp.opcodeOffset });
        }
        this.pos += report.endOffset;
        return report.result;
      }
      if (want >= this.remaining || want >= MAX_RECORD_PICKLE) throw new BadRecord(`${what}: no complete pickle at byte ${this.pos} of ${this.name}`);
      want = Math.min(this.remaining, want * 8, MAX_RECORD_PICKLE);
    }
  }

  /** `count` little-endian signed integers of `width` bytes (4 or 8), as safe numbers. */
  async ints(count: number, width: 4 | 8, what: string): Promise<number[]> {
    if (count * width > this.remaining) throw new BadRecord(`${what} runs past the end of ${this.name}`);
    const b = await this.src.read(this.span.offset + this.pos, count * width);
    if (b.length < count * width) throw new BadRecord(`${what}: short read`);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const v = width === 4 ? dv.getInt32(4 * i, true) : dv.getBigInt64(8 * i, true);
      if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))) throw new BadRecord(`${what}: ${v} is out of range`);
      out.push(Number(v));
    }
    this.pos += count * width;
    return out;
  }

  async count(what: string): Promise<number> {
    const n = asInt(await this.pickle(what));
    if (n === null || n < 0 || n > MAX_LEGACY_RECORDS) throw new BadRecord(`${what} is not a count in 0…${MAX_LEGACY_RECORDS}`);
    return n;
  }
}

async function readStorages(r: MemberReader, base: number, problems: string[]): Promise<{ storages: Map<string, StorageRecord>; views: Map<string, { root: string; offset: number }> }> {
  const storages = new Map<string, StorageRecord>();
  const views = new Map<string, { root: string; offset: number }>();
  const n = await r.count('storage count');
  for (let i = 0; i < n; i++) {
    const rec = sequenceItems(await r.pickle(`storage ${i}`));
    const key = keyOf(rec?.[0]);
    const type = rec?.[2];
    const dtype = type?.k === 'global' ? dtypeOfTorchGlobal(type.module, type.name) : null;
    if (!rec || key === null || !type || dtype === null) throw new BadRecord(`storage ${i}: record is not (key, location, storage type)`);
    const [numel] = await r.ints(1, 8, `storage ${key} element count`);
    const bytes = numel! * ELEMENT_SIZE[dtype];
    if (numel! < 0 || bytes > r.remaining) throw new BadRecord(`storage ${key}: ${numel} elements do not fit the member`);
    if (storages.has(key)) problems.push(`storage ${key} is written twice`);
    storages.set(key, { dtype, type, location: asString(rec[1]!) ?? 'cpu', numel: numel!, offset: base + r.pos });
    r.pos += bytes;
  }
  if (r.remaining === 0) return { storages, views };
  const list = sequenceItems(await r.pickle('storage views')) ?? [];
  for (const v of list.slice(0, MAX_LEGACY_RECORDS)) {
    const items = sequenceItems(v);
    const target = keyOf(items?.[0]);
    const root = keyOf(items?.[1]);
    const offset = items?.[2] ? asInt(items[2]) : null;
    const numel = items?.[3] ? asInt(items[3]) : null;
    const rootRec = root === null ? undefined : storages.get(root);
    if (target === null || root === null || offset === null || numel === null || !rootRec || offset < 0 || numel < 0 || offset + numel > rootRec.numel) {
      problems.push(`storage view ${target ?? '?'} of ${root ?? '?'} does not lie inside its root storage`);
      continue;
    }
    views.set(target, { root, offset });
  }
  return { storages, views };
}

async function readTensors(r: MemberReader): Promise<Map<string, TensorRecord>> {
  const tensors = new Map<string, TensorRecord>();
  const n = await r.count('tensor count');
  for (let i = 0; i < n; i++) {
    const rec = sequenceItems(await r.pickle(`tensor ${i}`));
    const key = keyOf(rec?.[0]);
    const storageKey = keyOf(rec?.[1]);
    if (key === null || storageKey === null) throw new BadRecord(`tensor ${i}: record is not (key, storage key, tensor type)`);
    const [ndim] = await r.ints(1, 4, `tensor ${key} ndim`);
    if (ndim! < 0 || ndim! > MAX_DIMS) throw new BadRecord(`tensor ${key}: ${ndim} dimensions`);
    r.pos += 4; // legacy encoding wrote ndim as 8 bytes
    const shape = await r.ints(ndim!, 8, `tensor ${key} sizes`);
    const stride = await r.ints(ndim!, 8, `tensor ${key} strides`);
    const [offset] = await r.ints(1, 8, `tensor ${key} storage offset`);
    tensors.set(key, { storageKey, shape, stride, offset: offset! });
  }
  return tensors;
}

const int = (v: number): SymValue => ({ k: 'int', v });
const tuple = (items: SymValue[]): SymValue => ({ k: 'tuple', items });
const REBUILD: SymValue = { k: 'global', module: 'torch._utils', name: '_rebuild_tensor_v2', importIndex: -1 };
/** Wrappers a 0.3 module save put around tensor data (`Variable.__reduce_ex__`: type(self), (self.data,)). */
const WRAPPERS = new Set(['torch.nn.parameter.Parameter', 'torch.autograd.variable.Variable', 'torch.autograd.Variable']);

/** `_rebuild_tensor_v2(('storage', type, root, location, numel) persid, offset, size, stride)`, a view resolved to its root. */
function rebuildCall(t: TensorRecord, storages: Map<string, StorageRecord>, views: Map<string, { root: string; offset: number }>): SymCall | null {
  const view = views.get(t.storageKey);
  const root = view?.root ?? t.storageKey;
  const s = storages.get(root);
  if (!s) return null;
  const pid = tuple([{ k: 'str', v: 'storage' }, s.type, { k: 'str', v: root }, { k: 'str', v: s.location }, int(s.numel)]);
  const args = tuple([{ k: 'persid', pid, offset: -1 }, int((view?.offset ?? 0) + t.offset), tuple(t.shape.map(int)), tuple(t.stride.map(int))]);
  return { k: 'call', callee: REBUILD, args, op: 'REDUCE', offset: -1, callIndex: -1, state: [], items: [], entries: [] };
}

/**
 * Replaces, in place, every persistent id naming a tensor (and a Parameter/Variable wrapping one)
 * by its rebuild call. Bounded by a node budget; the graph may share and cycle (memo).
 */
function substitute(root: SymValue, tensorOf: (key: string) => SymCall | null, isStorage: (key: string) => boolean, referenced: Set<string>, unknown: Set<string>): SymValue {
  const seen = new Set<SymValue>();
  let budget = 2_000_000;
  const swap = (v: SymValue): SymValue => {
    if (v.k === 'persid') {
      const key = keyOf(v.pid);
      if (key === null) return v;
      const t = tensorOf(key);
      if (t) referenced.add(key);
      else if (!isStorage(key) && unknown.size < 100) unknown.add(key); // a pickled Storage object is no tensor
      return t ?? v;
    }
    if (v.k === 'call' && v.callee.k === 'global' && WRAPPERS.has(`${v.callee.module}.${v.callee.name}`)) {
      const first = sequenceItems(v.args)?.[0];
      if (first?.k === 'persid') {
        const t = swap(first);
        if (t !== first) return t;
      }
    }
    return v;
  };
  const stack: SymValue[] = [];
  const visit = (v: SymValue): SymValue => {
    const w = swap(v);
    if (!seen.has(w)) stack.push(w);
    return w;
  };
  const top = visit(root);
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    switch (v.k) {
      case 'tuple': case 'list': case 'set':
        for (let i = 0; i < v.items.length; i++) v.items[i] = visit(v.items[i]!);
        break;
      case 'dict':
        for (const e of v.entries) e[1] = visit(e[1]);
        break;
      case 'call':
        v.args = visit(v.args);
        for (let i = 0; i < v.items.length; i++) v.items[i] = visit(v.items[i]!);
        for (const e of v.entries) e[1] = visit(e[1]);
        for (let i = 0; i < v.state.length; i++) v.state[i] = visit(v.state[i]!);
        break;
      default:
        break;
    }
  }
  return top;
}

/**
 * Rebuilds the tensors of a legacy tar from its `storages` and `tensors` members (spans of `src`)
 * and the symbolic value of its `pickle` member (null when it is missing or did not parse: the
 * tensors are then named by key). Never throws on bad data: what stops making sense is reported.
 */
export async function readLegacyTarTensors(src: ByteSource, members: { storages: TarMemberSpan | null; tensors: TarMemberSpan | null },
  main: SymValue | null, strict: boolean): Promise<LegacyTarTensors> {
  const out: LegacyTarTensors = { tensors: [], findings: [], imports: [], sharedStorages: [], stateDictPrefix: '', unparsed: [] };
  const problems: string[] = [];
  let storages = new Map<string, StorageRecord>();
  let views = new Map<string, { root: string; offset: number }>();
  let tensors = new Map<string, TensorRecord>();
  for (const name of ['storages', 'tensors'] as const) {
    const span = members[name];
    if (!span) {
      out.findings.push(triageFinding('TORCH_MISSING_STORAGE', `legacy tar has no ${name} member: its tensors cannot be rebuilt`, name));
      continue;
    }
    const r = new MemberReader(src, span, name, strict, out);
    try {
      if (name === 'storages') ({ storages, views } = await readStorages(r, span.offset, problems));
      else tensors = await readTensors(r);
      if (r.remaining > 0) {
        problems.push(`${r.remaining} bytes after the last record of ${name}`);
        out.unparsed.push({ member: name, offset: r.pos });
      }
    } catch (e) {
      if (!(e instanceof BadRecord)) throw e;
      problems.push(`${name}: ${e.message}; the rest of the member was not parsed`);
      out.unparsed.push({ member: name, offset: r.pos });
    }
  }
  const calls = new Map<string, SymCall | null>();
  const tensorOf = (key: string): SymCall | null => {
    if (calls.has(key)) return calls.get(key)!;
    const t = tensors.get(key);
    const c = t ? rebuildCall(t, storages, views) : null;
    if (t && !c) problems.push(`tensor ${key} views storage ${t.storageKey}, which the storages member does not hold`);
    calls.set(key, c);
    return c;
  };
  const referenced = new Set<string>();
  const unknown = new Set<string>();
  let root: SymValue;
  if (main) root = substitute(main, tensorOf, (k) => storages.has(k) || views.has(k), referenced, unknown);
  else {
    root = { k: 'dict', entries: [...tensors.keys()].map((k): [SymValue, SymValue] => [{ k: 'str', v: k }, tensorOf(k) ?? { k: 'none' }]) };
    for (const k of tensors.keys()) referenced.add(k);
  }
  // Cross-checks mean something only when both record members were read to the end.
  const complete = members.storages !== null && members.tensors !== null && out.unparsed.length === 0;
  if (complete && unknown.size > 0) problems.push(`persistent ids ${[...unknown].slice(0, 5).join(', ')}${unknown.size > 5 ? ', …' : ''} name no tensor of the tensors member`);
  const unreferenced = [...tensors.keys()].filter((k) => !referenced.has(k));
  if (complete && unreferenced.length > 0) problems.push(`${unreferenced.length} tensors of the tensors member are never referenced by the pickle (torch.save writes only referenced ones)`);

  const table = buildTensorTable(root);
  table.problems.unshift(...problems);
  const storageOf = (key: string): StorageBytes | string => {
    const s = storages.get(key);
    return s ? { source: src, offset: s.offset, length: s.numel * ELEMENT_SIZE[s.dtype] } : 'storage record not found in the storages member';
  };
  // legacy_load reads storages and tensor metadata as little-endian whatever sys_info says.
  out.tensors = planTorchTensors(table, storageOf, true, out.findings);
  out.sharedStorages = table.shared;
  out.stateDictPrefix = stateDictPrefix(table.tensors.map((t) => t.name), root.k === 'list' || root.k === 'tuple');
  return out;
}
