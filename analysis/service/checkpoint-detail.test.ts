import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { writeTriageResult } from '../triage/report/case-rows.js';
import type { TriageResult, TensorStatistics } from '../triage/triage-result.js';
import { HISTOGRAM_BINS, UNDERFLOW_BIN } from '../triage/tensors/histogram.js';
import { checkpointDetail, CheckpointNotFound } from './checkpoint-detail.js';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-ckpt-'));
  store = CaseStore.open(join(dir, 'case.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function stats(absMax: number, bin: number): TensorStatistics {
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  histogram[bin] = 4;
  return { count: 4, finite: 4, sum: 0, sumSquares: 1, nan: 1, posInf: 1, negInf: 0, min: -absMax, max: absMax, absMax, mean: 0, std: absMax / 2, zeros: 0, zeroShare: 0, histogram };
}

const result: TriageResult = {
  path: 'checkpoints/w/model.pt', format: 'pytorch-zip', size: 1234, sha256: 'a'.repeat(64), verdict: 'suspicious',
  findings: [{ id: 'tensor.outlier.role', severity: 'medium', message: 'w1: absMax is 913× the median', location: 'w1' }],
  imports: [{ module: 'collections', name: 'OrderedDict', opcodeOffset: 2, classification: 'safe', severity: 'info', pickle: 'model/data.pkl' }],
  tensors: [
    { name: 'w0', dtype: 'float32', shape: [2, 2], count: 4, sha256: null, stats: stats(0.06, UNDERFLOW_BIN + 28) },
    { name: 'w1', dtype: 'float32', shape: [2, 2], count: 4, sha256: null, stats: stats(66.9, UNDERFLOW_BIN + 39) },
    { name: 'q', dtype: 'q4_0', shape: [32], count: 32, sha256: null, stats: null, note: 'quantised' },
  ],
  stateDictPrefix: '', sharedStorages: [], children: [],
};

describe('checkpointDetail', () => {
  it('reads findings, pickle imports with offsets, tensor statistics and aligned histograms', () => {
    const id = writeTriageResult(store.db, null, result);
    const d = checkpointDetail(store.db, id);
    expect(d).toMatchObject({ path: result.path, verdict: 'suspicious', size: 1234, tensorsTotal: 3 });
    expect(d.findings).toEqual([{ id: 'tensor.outlier.role', severity: 'medium', message: 'w1: absMax is 913× the median', location: 'w1' }]);
    expect(d.imports).toEqual([{ module: 'collections', name: 'OrderedDict', opcodeOffset: 2, classification: 'safe', severity: null, pickle: 'model/data.pkl' }]);
    expect(d.tensors.map((t) => [t.name, t.shape, t.nan, t.inf, t.max])).toEqual([['w0', [2, 2], 1, 1, 0.06], ['w1', [2, 2], 1, 1, 66.9], ['q', [32], 0, 0, null]]);
    expect(d.tensors[1]!.histogram![UNDERFLOW_BIN + 39]).toBe(4);
    expect(d.tensors[2]!.histogram).toBeNull();
    expect(d.binLabels).toHaveLength(HISTOGRAM_BINS);
    expect(d.binLabels[UNDERFLOW_BIN]).toBe('|x|<2^-32');
  });

  it('survives damaged JSON columns and says when a checkpoint is missing', () => {
    const id = writeTriageResult(store.db, null, result);
    store.db.prepare("UPDATE checkpoints SET report = '{not json' WHERE id = ?").run(id);
    store.db.prepare("UPDATE tensors SET stats = '[1,2]', shape = 'x', histogram = '[1,2,3]' WHERE checkpoint_id = ?").run(id);
    const d = checkpointDetail(store.db, id);
    expect(d.imports).toEqual([]);
    expect(d.tensors[0]).toMatchObject({ shape: [], count: 0, min: null, histogram: null });
    expect(() => checkpointDetail(store.db, 999)).toThrow(CheckpointNotFound);
  });
});
