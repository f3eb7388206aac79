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

const COLUMNS = 'event_id, job, ts, layer, rule_id, model, score, decision, phase, severity, family, reasoning, attrs, run_id';
const ROW_VALUES = COLUMNS.split(',').length;
const ROW = `(${new Array<string>(ROW_VALUES).fill('?').join(', ')})`;
/**
 * Rows per INSERT: one statement step for GROUP rows instead of one each (measured on the train
 * split's 11k detections: ~6 µs a row instead of ~8).
 */
const GROUP = 16;
/**
 * Groups held before they go in together: between two detections the cascade does much other
 * work, and inserting one group at a time meets SQLite's B-tree pages gone from the CPU caches
 * each time (profiled over the whole benchmark: ~14-19 µs a row one group at a time, ~11-13 held
 * 16 groups; ~6 in a loop of inserts alone).
 */
const HELD_GROUPS = 16;

export class DetectionWriter {
  private readonly one;
  private readonly group;
  /** The rows not inserted yet, GROUP to a group, in order: groups[0 .. full - 1] full, groups[full] filling. */
  private readonly groups: unknown[][] = Array.from({ length: HELD_GROUPS }, () => []);
  private full = 0;
  private pending = 0;
  count = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: number,
  ) {
    this.one = db.prepare(`INSERT INTO detections(${COLUMNS}) VALUES ${ROW}`);
    this.group = db.prepare(`INSERT INTO detections(${COLUMNS}) VALUES ${new Array<string>(GROUP).fill(ROW).join(', ')}`);
    db.exec('BEGIN');
  }

  /** Queues the row; rows reach the table in the order added, all of them by `finish`. */
  add(d: DetectionRow): void {
    const attrs = d.attrs instanceof JsonText ? d.attrs.text : JSON.stringify(d.attrs);
    const g = this.groups[this.full]!;
    g.push(d.eventId, d.job, d.ts, d.layer, d.ruleId, d.model, d.score, d.decision, d.phase, d.severity, d.family, d.reasoning, attrs, this.runId);
    this.count++;
    if (g.length === GROUP * ROW_VALUES && ++this.full === HELD_GROUPS) this.insertHeld();
  }

  finish(): void {
    this.insertHeld();
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  private insertHeld(): void {
    let rows = 0;
    for (let i = 0; i < this.full; i++) {
      this.group.run(this.groups[i]!);
      this.groups[i]!.length = 0;
      rows += GROUP;
    }
    // A group still filling (only when finishing): its rows one by one.
    const rest = this.full < HELD_GROUPS ? this.groups[this.full]! : null;
    if (rest !== null) {
      for (let at = 0; at < rest.length; at += ROW_VALUES) this.one.run(rest.slice(at, at + ROW_VALUES));
      rows += rest.length / ROW_VALUES;
      rest.length = 0;
    }
    this.full = 0;
    this.pending += rows;
    if (this.pending >= 10_000) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.pending = 0;
    }
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
