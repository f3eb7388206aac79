/**
 * The Overview's analysis data: the latest cascade run (analysis_runs.summary, the JSON
 * cascade-runner.ts stores), flagged trajectories with their phases in time order, and the
 * checkpoint verdicts. The summary column is parsed defensively: a case file is evidence and may
 * come from another build.
 */
import type { Db } from '../store/case-store.js';
import type { CascadeSummary } from '../cascade/cascade-runner.js';
import { flaggedTrajectories } from '../cascade/cascade-metrics.js';
import type { AnalysisRunView, CaseSummaryView, FlaggedTrajectoryView } from '../../contract/types.js';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown, d: string): string => (typeof v === 'string' ? v.slice(0, 2000) : d);

function numbers<K extends string>(v: unknown, keys: readonly K[]): Record<K, number> {
  const o = obj(v);
  return Object.fromEntries(keys.map((k) => [k, num(o[k])])) as Record<K, number>;
}

/** The view of a run from its stored summary (a parsed analysis_runs.summary, or a CascadeSummary). */
export function analysisRunView(summary: unknown): AnalysisRunView {
  const s = obj(summary);
  const counts = obj(s.counts);
  const providers = obj(s.providers);
  const judge = obj(s.judge);
  return {
    runId: num(s.runId),
    events: num(s.events),
    layers: numbers(s.layers, ['l1Cleared', 'l2Reached', 'l3Reached'] as const),
    counts: {
      l1: numbers(counts.l1, ['cleared', 'alert', 'escalate', 'pass', 'passCleared'] as const),
      l2: numbers(counts.l2, ['reached', 'cleared', 'alert', 'uncertain', 'unavailable'] as const),
      l3: numbers(counts.l3, ['reached', 'alert', 'cleared', 'open', 'notRun', 'fromCache', 'inputTokens', 'outputTokens'] as const),
    },
    providers: { lstm: str(providers.lstm, 'unknown'), iforest: str(providers.iforest, 'unknown') },
    judge: { model: typeof judge.model === 'string' ? judge.model : null, status: str(judge.status, 'unknown') },
    detections: num(s.detections),
    seconds: num(obj(s.timing).totalSeconds),
  };
}

/** Keeps the compile-time link to the engine's summary shape (a renamed field breaks the build). */
export type StoredRunSummary = Omit<CascadeSummary, 'outcomes' | 'lstmScores'>;

export function latestAnalysisRun(db: Db): AnalysisRunView | null {
  const row = db.prepare('SELECT id, summary FROM analysis_runs WHERE finished_at IS NOT NULL AND summary IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
    | { id: number; summary: string }
    | undefined;
  if (!row) return null;
  try {
    return analysisRunView({ runId: row.id, ...obj(JSON.parse(row.summary)) });
  } catch {
    return null;
  }
}

/** Flagged trajectories as `mlshield analyze` counts them (jobs with an alert), the first `limit` listed. */
export function flaggedView(db: Db, limit = 50): { total: number; list: FlaggedTrajectoryView[] } {
  const all = flaggedTrajectories(db);
  const list = all
    .slice(0, limit)
    .map((t) => ({
      job: t.job,
      family: t.family,
      firstAlertTs: t.firstAlertTs,
      firstAlertPhase: t.firstAlertPhase,
      alerts: t.alerts,
      phases: [...t.phases].sort((a, b) => a.firstTs - b.firstTs),
    }));
  return { total: all.length, list };
}

export function checkpointVerdicts(db: Db): CaseSummaryView['checkpointVerdicts'] {
  return db
    .prepare(
      `SELECT c.path, c.format, c.verdict, (SELECT COUNT(*) FROM findings f WHERE f.checkpoint_id = c.id) AS findings
       FROM checkpoints c WHERE c.source_id IS NOT NULL ORDER BY c.path`,
    )
    .all() as CaseSummaryView['checkpointVerdicts'];
}
