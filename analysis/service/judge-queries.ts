/**
 * The Judge view's query: Layer-3 judgements (the judgements table the judge cache writes) and
 * the detections still waiting for a verdict — left open at Layer 3, or sent on by Layer 2 with
 * no judgement (the judge did not run). Bounded lists: a case can hold many of either.
 */
import type { Db } from '../store/case-store.js';
import type { DetectionRow, JudgeOverview } from '../../contract/types.js';
import { latestAnalysisRun } from './analysis-view.js';

const LIMIT = 500;

const WAITING = `FROM detections d
  WHERE (d.layer = 3 AND d.decision = 'open')
     OR (d.layer = 2 AND d.decision IN ('escalate', 'open')
         AND NOT EXISTS (SELECT 1 FROM detections d3 WHERE d3.layer = 3 AND d3.event_id = d.event_id)
         AND NOT EXISTS (SELECT 1 FROM judgements j WHERE j.event_id = d.event_id AND j.status = 'verdict'))`;

export function judgeOverview(db: Db): JudgeOverview {
  const run = latestAnalysisRun(db);
  const judgements = db
    .prepare(
      `SELECT j.id, j.event_id AS eventId, j.verdict, j.confidence, j.family, j.phase, j.reasoning, j.prompt, j.model,
         j.input_tokens AS inputTokens, j.output_tokens AS outputTokens, j.status, j.created_at AS createdAt,
         j.status = 'cached' AS fromCache
       FROM judgements j ORDER BY j.id DESC LIMIT ?`,
    )
    .all(LIMIT) as (JudgeOverview['judgements'][number] & { fromCache: number | boolean })[];
  const waiting = db
    .prepare(
      `SELECT d.id, d.event_id AS eventId, d.ts, d.layer, d.rule_id AS ruleId, d.model, d.score, d.decision, d.phase, d.severity, d.family, d.reasoning
       ${WAITING} ORDER BY d.ts, d.id LIMIT ?`,
    )
    .all(LIMIT) as DetectionRow[];
  const waitingTotal = (db.prepare(`SELECT COUNT(*) AS n ${WAITING}`).get() as { n: number }).n;
  return {
    status: run?.judge.status ?? null,
    model: run?.judge.model ?? null,
    judgements: judgements.map((j) => ({ ...j, fromCache: Boolean(j.fromCache) })),
    waiting,
    waitingTotal,
  };
}
