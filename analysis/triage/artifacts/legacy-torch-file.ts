/**
 * Legacy (pre-zip) torch.save files over a ByteSource, so a multi-gigabyte one is never loaded:
 * the five pickles at the start (torch/serialization.py `_legacy_save`: magic, protocol version,
 * sys_info, the object, the storage keys) are analysed from a bounded prefix, then each storage
 * record — an 8-byte element count and the raw elements, in key order — is located by reading
 * only its count. Anything after the last storage is analysed as a possible appended pickle.
 * (pickle/legacy-torch.ts does the same over bytes in memory; this is its streaming twin.)
 */
import type { Finding } from '../finding.js';
import { PICKLE_FINDING_IDS as F } from '../pickle/finding-ids.js';
import { analyzePickle } from '../pickle/analyze.js';
import { asInt, asString, sequenceItems, type SymValue } from '../pickle/sym-value.js';
import { buildTensorTable } from '../pickle/tensor-table.js';
import { ELEMENT_SIZE, type TorchDtype } from '../pickle/torch-dtypes.js';
import { addToPlan, emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { MAX_PICKLE_BYTES, pickleOutcome } from './pickle-findings.js';
import { stateDictPrefix } from './state-dict.js';
import { planTorchTensors, type StorageBytes } from './torch-tensors.js';

const FIRST_HEAD = 16 << 20;

function dictGet(v: SymValue, key: string): SymValue | undefined {
  if (v.k !== 'dict') return undefined;
  for (const [k, x] of v.entries) if (asString(k) === key) return x;
  return undefined;
}

export async function readLegacyTorch(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('pytorch-legacy');
  const src = ctx.src;
  // The pickles come first and are usually small: try a 16 MiB head before the full bound.
  let report = analyzePickle(await src.read(0, Math.min(src.size, FIRST_HEAD)), { context: 'torch-legacy', strict: ctx.strict });
  if (src.size > FIRST_HEAD && report.followingStreams.length < 4) {
    report = analyzePickle(await src.read(0, Math.min(src.size, MAX_PICKLE_BYTES)), { context: 'torch-legacy', strict: ctx.strict });
  }
  const out = pickleOutcome(report);
  addToPlan(plan, out.findings, out.imports);
  const add = (id: string, severity: Finding['severity'], offset: number, message: string): void => {
    plan.findings.push({ id, severity, message, location: `pickle@${offset}` });
  };
  const [proto, sysInfo, main, keys] = report.followingStreams;
  if (!report.legacyTorch || !proto || !sysInfo || !main || !keys) {
    if (report.legacyTorch) add(F.missingStop, 'medium', report.endOffset, 'legacy torch file with fewer than five pickles');
    return plan;
  }
  const le = dictGet(sysInfo.result, 'little_endian');
  const littleEndian = !(le?.k === 'bool' && le.v === false);
  const table = buildTensorTable(main.result);
  const keyList = (sequenceItems(keys.result) ?? []).map((k) => asString(k) ?? String(asInt(k)));
  const dtypeByKey = new Map<string, TorchDtype>();
  for (const s of table.storages) dtypeByKey.set(s.key, s.dtype);

  const storages = new Map<string, StorageBytes>();
  let pos = keys.endOffset;
  for (const key of keyList) {
    const dtype = dtypeByKey.get(key);
    if (pos + 8 > src.size) {
      add(F.truncatedArgument, 'medium', pos, `storage ${key}: element count runs past the end of the file`);
      break;
    }
    if (dtype === undefined) {
      add(F.operandShape, 'medium', pos, `storage ${key} is listed but no tensor says its dtype; cannot size it`);
      break;
    }
    const countBytes = await src.read(pos, 8);
    const big = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, littleEndian);
    const esize = ELEMENT_SIZE[dtype];
    if (big < 0n || big > BigInt(Math.floor((src.size - pos - 8) / esize))) {
      add(F.countedLengthOverflow, 'medium', pos, `storage ${key}: element count ${big} does not fit the file`);
      break;
    }
    const numel = Number(big);
    storages.set(key, { source: src, offset: pos + 8, length: numel * esize });
    pos += 8 + numel * esize;
  }
  plan.tensors = planTorchTensors(table, (k) => storages.get(k) ?? 'storage record not found after the pickles', littleEndian, plan.findings);
  plan.sharedStorages = table.shared;
  plan.stateDictPrefix = stateDictPrefix(table.tensors.map((t) => t.name), main.result.k === 'list' || main.result.k === 'tuple');

  if (storages.size === keyList.length && pos < src.size) {
    // Something after the last storage: maybe a pickle appended to a legitimate checkpoint.
    const tailBytes = await src.read(pos, Math.min(src.size - pos, MAX_PICKLE_BYTES));
    const tail = analyzePickle(tailBytes, { context: 'generic', strict: ctx.strict });
    const isPickle = tail.stopOffset !== null && tail.opCount >= 2;
    add(isPickle ? F.multipleStreams : F.dataAfterStop, isPickle ? 'high' : 'medium', pos, `${src.size - pos} bytes after the last storage${isPickle ? ' form a pickle' : ''}`);
    if (isPickle) {
      const t = pickleOutcome(tail, `after-storages@${pos}`);
      addToPlan(plan, t.findings, t.imports);
    }
  }
  return plan;
}
