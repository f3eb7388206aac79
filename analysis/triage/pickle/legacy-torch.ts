/**
 * The legacy (non-zip) torch.save layout, torch/serialization.py `_legacy_save`: five consecutive
 * pickles — the magic number 0x1950a86a20f9469cfc6c, the protocol version (1001), sys_info
 * (`little_endian`, `type_sizes`), the object itself (storages as persistent ids
 * `('storage', storage_type, key, location, numel, view_metadata)`), the list of storage keys —
 * then, per key in that order, the storage written by `_write_file`: an 8-byte little-endian
 * element count followed by the raw elements. Nothing here reads past the buffer or trusts a count.
 */
import { PICKLE_FINDING_IDS as F } from './finding-ids.js';
import { analyzePickle, type AnalyzeOptions, type PickleFinding, type PickleReport } from './analyze.js';
import { asInt, asString, sequenceItems, type SymValue } from './sym-value.js';
import { buildTensorTable, type TensorTable } from './tensor-table.js';
import { ELEMENT_SIZE, type TorchDtype } from './torch-dtypes.js';
import { highestSeverity } from '../severity.js';

export interface LegacyStorage {
  key: string;
  dtype: TorchDtype | null;
  /** Offset of the 8-byte element count. */
  headerOffset: number;
  /** Offset of the first element byte. */
  dataOffset: number;
  numel: number;
  byteLength: number;
}

export interface LegacyTorch {
  /** The analysis of the whole stream (its followingStreams are pickles 2–5). */
  report: PickleReport;
  isLegacy: boolean;
  protocolVersion: number | null;
  littleEndian: boolean | null;
  storageKeys: string[];
  storages: LegacyStorage[];
  table: TensorTable;
  /** Everything found, including storage-layout problems; severity roll-up below. */
  findings: PickleFinding[];
  maxSeverity: PickleReport['maxSeverity'];
}

function dictGet(v: SymValue, key: string): SymValue | undefined {
  if (v.k !== 'dict') return undefined;
  for (const [k, x] of v.entries) if (asString(k) === key) return x;
  return undefined;
}

/** Walks the five pickles and the storage records that follow them. */
export function parseLegacyTorch(bytes: Uint8Array, opts: AnalyzeOptions = {}): LegacyTorch {
  const report = analyzePickle(bytes, { ...opts, context: 'torch-legacy' });
  const findings: PickleFinding[] = [...report.findings];
  const out: LegacyTorch = {
    report, isLegacy: report.legacyTorch, protocolVersion: null, littleEndian: null, storageKeys: [], storages: [],
    table: { tensors: [], storages: [], shared: [], unsupported: [], problems: [] }, findings, maxSeverity: null,
  };
  const finish = (): LegacyTorch => {
    out.maxSeverity = highestSeverity(findings.map((f) => f.severity));
    return out;
  };
  const [proto, sysInfo, main, keys] = report.followingStreams;
  if (!report.legacyTorch || !proto || !sysInfo || !main || !keys) {
    if (report.legacyTorch) findings.push({ id: F.missingStop, severity: 'medium', offset: report.endOffset, message: 'legacy torch file with fewer than five pickles' });
    return finish();
  }
  out.protocolVersion = asInt(proto.result);
  const le = dictGet(sysInfo.result, 'little_endian');
  out.littleEndian = le?.k === 'bool' ? le.v : null;
  out.table = buildTensorTable(main.result);
  const keyItems = sequenceItems(keys.result) ?? [];
  out.storageKeys = keyItems.map((k) => asString(k) ?? String(asInt(k)));

  const dtypeByKey = new Map<string, TorchDtype>();
  for (const s of out.table.storages) dtypeByKey.set(s.key, s.dtype);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.endOffset;
  for (const key of out.storageKeys) {
    const dtype = dtypeByKey.get(key) ?? null;
    if (pos + 8 > bytes.length) {
      findings.push({ id: F.truncatedArgument, severity: 'medium', offset: pos, message: `storage ${key}: element count runs past the end of the file` });
      return finish();
    }
    const big = dv.getBigInt64(pos, out.littleEndian !== false);
    if (dtype === null) {
      findings.push({ id: F.operandShape, severity: 'medium', offset: pos, message: `storage ${key} is listed but no tensor says its dtype; cannot size it` });
      return finish();
    }
    const esize = ELEMENT_SIZE[dtype];
    const numel = big < 0n || big > BigInt(Math.floor((bytes.length - pos - 8) / esize)) ? -1 : Number(big);
    if (numel < 0) {
      findings.push({ id: F.countedLengthOverflow, severity: 'medium', offset: pos, message: `storage ${key}: element count ${big} does not fit the file` });
      return finish();
    }
    out.storages.push({ key, dtype, headerOffset: pos, dataOffset: pos + 8, numel, byteLength: numel * esize });
    pos += 8 + numel * esize;
  }
  if (pos < bytes.length) {
    // Something after the last storage: maybe another pickle appended to a legit checkpoint.
    const tail = analyzePickle(bytes, { ...opts, startOffset: pos, context: 'generic' });
    const isPickle = tail.stopOffset !== null && tail.opCount >= 2;
    findings.push({ id: isPickle ? F.multipleStreams : F.dataAfterStop, severity: isPickle ? 'high' : 'medium', offset: pos,
      message: `${bytes.length - pos} bytes after the last storage${isPickle ? ' form a pickle' : ''}` });
    if (isPickle) for (const f of tail.findings) findings.push({ ...f, origin: `after storages @${pos}` });
  }
  return finish();
}
