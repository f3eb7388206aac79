/**
 * From a rebuilt tensor table (pickle/tensor-table.ts) to tensor read jobs: each tensor's storage
 * is located (a zip record or a legacy storage block), its view checked against the storage size,
 * contiguous views read straight from their byte range and strided views gathered.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import type { TensorTable } from '../pickle/tensor-table.js';
import { ELEMENT_SIZE } from '../pickle/torch-dtypes.js';
import { shapeCount, type PlannedTensor } from './artifact-plan.js';

export interface StorageBytes {
  source: ByteSource;
  offset: number;
  length: number;
}

const MAX_TABLE_FINDINGS = 20;

/** True when `stride` is the row-major stride of `shape` (size-1 dimensions may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d]!;
  }
  return true;
}

export function planTorchTensors(table: TensorTable, storageOf: (key: string) => StorageBytes | string, littleEndian: boolean, findings: Finding[]): PlannedTensor[] {
  const out: PlannedTensor[] = [];
  const problems = table.problems.slice(0, MAX_TABLE_FINDINGS);
  for (const p of problems) findings.push(triageFinding('TORCH_TABLE_PROBLEM', p));
  if (table.problems.length > problems.length) findings.push(triageFinding('TORCH_TABLE_PROBLEM', `${table.problems.length - problems.length} more tensor-table problems`));
  const reported = new Set<string>();
  for (const t of table.tensors) {
    const plan: PlannedTensor = {
      name: t.name, dtype: t.dtype, shape: t.shape, job: null,
      storage: { key: t.storageKey, offset: t.storageOffset, stride: t.stride },
    };
    out.push(plan);
    const esize = ELEMENT_SIZE[t.dtype];
    const count = shapeCount(t.shape);
    const storage = storageOf(t.storageKey);
    if (typeof storage === 'string') {
      plan.note = storage;
      if (!reported.has(t.storageKey)) {
        reported.add(t.storageKey);
        findings.push(triageFinding('TORCH_MISSING_STORAGE', `storage ${t.storageKey} of ${t.name}: ${storage}`, t.name));
      }
      continue;
    }
    if (count === null) {
      plan.note = 'shape does not give a valid element count';
      continue;
    }
    if (t.storageNumel !== undefined && t.storageNumel * esize > storage.length && !reported.has(t.storageKey)) {
      reported.add(t.storageKey);
      findings.push(triageFinding('TORCH_MISSING_STORAGE', `storage ${t.storageKey} declares ${t.storageNumel} elements (${t.storageNumel * esize} bytes) but holds ${storage.length} bytes`, t.name));
    }
    if (isContiguous(t.shape, t.stride)) {
      const offset = t.storageOffset * esize;
      const length = count * esize;
      if (offset + length > storage.length) {
        plan.note = `elements ${t.storageOffset}…${t.storageOffset + count} run past the ${storage.length}-byte storage`;
        findings.push(triageFinding('TORCH_TABLE_PROBLEM', `${t.name}: ${plan.note}`, t.name));
        continue;
      }
      plan.job = { dtype: t.dtype, littleEndian, span: { source: storage.source, offset: storage.offset + offset, length } };
    } else {
      plan.job = {
        dtype: t.dtype, littleEndian,
        gather: { source: storage.source, offset: storage.offset, length: storage.length, elementSize: esize, shape: t.shape, stride: t.stride, storageOffset: t.storageOffset },
      };
    }
  }
  return out;
}
