/**
 * Verdicts cached by prompt hash (DESIGN.md data model `judgements`: "a cache key so re-analysis
 * does not pay twice"). Only successful verdicts are stored; errors and no-verdicts are asked
 * again on the next run. The SQLite form lives in the case file; rows read back are validated
 * like a fresh answer, since a case file is an input too.
 */
import type { Db } from '../../store/case-store.js';
import type { AttackPhase, ThreatFamily } from '../taxonomy.js';
import { sha256Hex } from './judge-evidence.js';
import { validateJudgeAnswer, type JudgeVerdict } from './judge-schema.js';

export interface StoredJudgement {
  eventId: number | null;
  promptHash: string;
  /** The exact request JSON sent. */
  prompt: string;
  model: string;
  verdict: JudgeVerdict;
  confidence: number;
  family: ThreatFamily;
  phase: AttackPhase | null;
  reasoning: string;
  inputTokens: number | null;
  outputTokens: number | null;
  status: 'verdict';
  /** ISO 8601 UTC. */
  createdAt: string;
}

export interface JudgementCache {
  get(promptHash: string): StoredJudgement | null;
  put(j: StoredJudgement): void;
}

interface JudgementRow {
  event_id: number | null;
  prompt_hash: string;
  prompt: string;
  model: string;
  verdict: unknown;
  confidence: unknown;
  family: unknown;
  phase: unknown;
  reasoning: unknown;
  input_tokens: number | null;
  output_tokens: number | null;
  created_at: string;
}

/** The case file's `judgements` table as a cache. */
export function createSqliteJudgementCache(db: Db): JudgementCache {
  const select = db.prepare(
    `SELECT event_id, prompt_hash, prompt, model, verdict, confidence, family, phase, reasoning, input_tokens,
            output_tokens, created_at
       FROM judgements WHERE prompt_hash = ? AND status = 'verdict' ORDER BY id DESC LIMIT 1`,
  );
  const insert = db.prepare(
    `INSERT INTO judgements(event_id, prompt_hash, prompt, model, verdict, confidence, family, phase, reasoning,
       input_tokens, output_tokens, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    get(promptHash) {
      const row = select.get(promptHash) as JudgementRow | undefined;
      return row ? storedFromRow(row) : null;
    },
    put(j) {
      insert.run(
        j.eventId,
        j.promptHash,
        j.prompt,
        j.model,
        j.verdict,
        j.confidence,
        j.family,
        j.phase,
        j.reasoning,
        j.inputTokens,
        j.outputTokens,
        j.status,
        j.createdAt,
      );
    },
  };
}

/** A cache that lives as long as the process (tests, and runs without a case file). */
export function createMemoryJudgementCache(): JudgementCache {
  const byHash = new Map<string, StoredJudgement>();
  return {
    get: (h) => byHash.get(h) ?? null,
    put: (j) => void byHash.set(j.promptHash, j),
  };
}

/**
 * A row whose prompt does not hash to its key, or whose answer no longer matches the schema, is
 * treated as a miss (the event is asked again).
 */
function storedFromRow(row: JudgementRow): StoredJudgement | null {
  if (typeof row.prompt !== 'string' || sha256Hex(row.prompt) !== row.prompt_hash) return null;
  const answer = validateJudgeAnswer({
    verdict: row.verdict,
    confidence: row.confidence,
    family: row.family,
    phase: row.phase,
    reasoning: row.reasoning,
  });
  if (answer.status !== 'verdict') return null;
  return {
    eventId: row.event_id,
    promptHash: row.prompt_hash,
    prompt: row.prompt,
    model: row.model,
    ...answer.answer,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    status: 'verdict',
    createdAt: row.created_at,
  };
}
