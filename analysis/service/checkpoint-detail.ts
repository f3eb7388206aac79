/**
 * The checkpoint inspector's query: one triaged checkpoint from the case (checkpoints.report JSON,
 * written by analysis/triage/report/case-rows.ts, and its tensors and findings rows). The JSON
 * columns are parsed defensively and bounded: the case describes hostile artifacts.
 */
import type { Db } from '../store/case-store.js';
import type { CheckpointDetail, CheckpointTensor } from '../../contract/types.js';
import { binLabel, HISTOGRAM_BINS } from '../triage/tensors/histogram.js';

/** The inspector lists at most this many tensors (the heatmap draws one row per tensor). */
export const MAX_INSPECTOR_TENSORS = 2000;
const MAX_IMPORTS = 2000;

export class CheckpointNotFound extends Error {}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const num = (v: unknown): number => numOrNull(v) ?? 0;
const text = (v: unknown, max = 500): string | null => (typeof v === 'string' ? v.slice(0, max) : null);

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

export function checkpointDetail(db: Db, id: number): CheckpointDetail {
  const row = db.prepare('SELECT id, path, format, sha256, verdict, report FROM checkpoints WHERE id = ?').get(id) as
    | { id: number; path: string; format: string; sha256: string | null; verdict: string; report: string | null }
    | undefined;
  if (!row) throw new CheckpointNotFound(`Checkpoint #${id} is not in this case (not triaged yet?).`);
  const report = obj(parse(row.report));
  const imports = (Array.isArray(report.imports) ? report.imports : []).slice(0, MAX_IMPORTS).map((v) => {
    const i = obj(v);
    return {
      module: text(i.module) ?? '?', name: text(i.name) ?? '?', opcodeOffset: num(i.opcodeOffset), classification: text(i.classification, 64) ?? 'unknown',
      severity: text(i.severity, 16), pickle: text(i.pickle),
    };
  });
  const findings = db
    .prepare('SELECT finding_id AS id, severity, message, location FROM findings WHERE checkpoint_id = ? ORDER BY id')
    .all(id) as CheckpointDetail['findings'];
  const tensorsTotal = (db.prepare('SELECT COUNT(*) AS n FROM tensors WHERE checkpoint_id = ?').get(id) as { n: number }).n;
  const tensorRows = db
    .prepare('SELECT name, dtype, shape, stats, histogram FROM tensors WHERE checkpoint_id = ? ORDER BY rowid LIMIT ?')
    .all(id, MAX_INSPECTOR_TENSORS) as { name: string; dtype: string; shape: string; stats: string; histogram: string | null }[];
  const tensors = tensorRows.map((t): CheckpointTensor => {
    const st = obj(parse(t.stats));
    const shape = parse(t.shape);
    const hist = parse(t.histogram);
    return {
      name: t.name, dtype: t.dtype,
      shape: Array.isArray(shape) ? shape.slice(0, 16).map(num) : [],
      count: num(st.count), nan: num(st.nan), inf: num(st.posInf) + num(st.negInf),
      min: numOrNull(st.min), max: numOrNull(st.max), mean: numOrNull(st.mean), std: numOrNull(st.std), absMax: numOrNull(st.absMax),
      histogram: Array.isArray(hist) && hist.length === HISTOGRAM_BINS ? hist.map(num) : null,
    };
  });
  return {
    id: row.id, path: row.path, format: row.format, sha256: row.sha256, verdict: row.verdict, size: numOrNull(report.size),
    findings, imports, tensors, tensorsTotal,
    binLabels: Array.from({ length: HISTOGRAM_BINS }, (_, i) => binLabel(i)),
  };
}
