/**
 * Triage results in the case file (store/migrations.ts tables `checkpoints`, `tensors`,
 * `findings`), for `mlshield analyze` and the checkpoint inspector: one row per artifact with the
 * whole `--json` result as its report, one row per tensor with its statistics and the aligned
 * histogram (the heatmap's row; tensors/histogram.ts binLabel names the columns), one row per
 * finding. Members of containers are written as checkpoints of their own.
 */
import type { Db } from '../../store/case-store.js';
import type { TriageResult } from '../triage-result.js';
import { triageResultJson } from './triage-json.js';

export interface CheckpointRow {
  path: string;
  format: string;
  sha256: string;
  verdict: string;
  report: string;
  triaged_at: string;
}
export interface TensorRow { name: string; dtype: string; shape: string; stats: string; histogram: string | null; sha256: string | null }
export interface FindingRow { finding_id: string; severity: string; message: string; location: string | null }

export interface CaseRows {
  checkpoint: CheckpointRow;
  tensors: TensorRow[];
  findings: FindingRow[];
}

export function caseRows(r: TriageResult, now = new Date()): CaseRows {
  const { tensors: _t, children: _c, ...report } = triageResultJson(r);
  return {
    checkpoint: { path: r.path, format: r.format, sha256: r.sha256, verdict: r.verdict, report: JSON.stringify(report), triaged_at: now.toISOString() },
    tensors: r.tensors.map((t) => {
      const { histogram, ...stats } = t.stats ?? { histogram: null };
      return {
        name: t.name, dtype: t.dtype, shape: JSON.stringify(t.shape),
        stats: JSON.stringify({ ...stats, count: t.count, ...(t.note ? { note: t.note } : {}), ...(t.storage ? { storage: t.storage } : {}) }),
        histogram: histogram ? JSON.stringify(histogram) : null, sha256: t.sha256,
      };
    }),
    findings: r.findings.map((f) => ({ finding_id: f.id, severity: f.severity, message: f.message, location: f.location ?? null })),
  };
}

/** Writes a result (and its container members) in one transaction; returns the checkpoint row id. */
export function writeTriageResult(db: Db, sourceId: number | null, r: TriageResult, now = new Date()): number {
  const insertCheckpoint = db.prepare('INSERT INTO checkpoints (source_id, path, format, sha256, verdict, report, triaged_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertTensor = db.prepare('INSERT INTO tensors (checkpoint_id, name, dtype, shape, stats, histogram, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertFinding = db.prepare('INSERT INTO findings (checkpoint_id, finding_id, severity, message, location) VALUES (?, ?, ?, ?, ?)');
  const write = (res: TriageResult): number => {
    const rows = caseRows(res, now);
    const c = rows.checkpoint;
    const id = Number(insertCheckpoint.run(sourceId, c.path, c.format, c.sha256, c.verdict, c.report, c.triaged_at).lastInsertRowid);
    for (const t of rows.tensors) insertTensor.run(id, t.name, t.dtype, t.shape, t.stats, t.histogram, t.sha256);
    for (const f of rows.findings) insertFinding.run(id, f.finding_id, f.severity, f.message, f.location);
    for (const child of res.children) write(child);
    return id;
  };
  return db.transaction(() => write(r))();
}
