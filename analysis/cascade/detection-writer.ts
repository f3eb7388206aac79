/** Writes cascade results into the case's `detections` table (DESIGN.md data model). */
import type { Db } from '../store/case-store.js';
import type { Severity } from '../triage/severity.js';

export interface DetectionRow {
  eventId: number | null;
  job: string | null;
  ts: number;
  layer: 1 | 2 | 3;
  ruleId: string | null;
  model: string | null;
  score: number | null;
  decision: 'alert' | 'escalate' | 'clear' | 'open';
  phase: string | null;
  severity: Severity;
  family: string | null;
  reasoning: string | null;
  /** An object, or its JSON text already written (hit-json.ts). */
  attrs: Record<string, unknown> | JsonText;
}

/** JSON text written ahead (a detection's attrs), stored as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

export class DetectionWriter {
  private readonly insert;
  private pending = 0;
  count = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO detections(event_id, job, ts, layer, rule_id, model, score, decision, phase, severity, family, reasoning, attrs, run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.exec('BEGIN');
  }

  add(d: DetectionRow): void {
    this.insert.run(d.eventId, d.job, d.ts, d.layer, d.ruleId, d.model, d.score, d.decision, d.phase, d.severity, d.family, d.reasoning, d.attrs instanceof JsonText ? d.attrs.text : JSON.stringify(d.attrs), this.runId);
    this.count++;
    if (++this.pending >= 10_000) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  finish(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }
}

/** Starts an analysis run: earlier runs' detections are replaced (a case holds one current analysis). */
export function beginAnalysisRun(db: Db, toolVersion: string, device: string): number {
  db.exec('DELETE FROM detections');
  const r = db
    .prepare('INSERT INTO analysis_runs(started_at, tool_version, device) VALUES (?, ?, ?)')
    .run(new Date().toISOString(), toolVersion, device);
  return Number(r.lastInsertRowid);
}

export function finishAnalysisRun(db: Db, runId: number, summary: unknown): void {
  db.prepare('UPDATE analysis_runs SET finished_at = ?, summary = ? WHERE id = ?').run(new Date().toISOString(), JSON.stringify(summary), runId);
}
