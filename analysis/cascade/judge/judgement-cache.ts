/**
 * Verdicts cached by prompt hash (DESIGN.md data model `judgements`: "a cache key so re-analysis
 * does not pay twice"). Only successful verdicts are served; errors and no-verdicts are asked
 * again on the next run. The SQLite form lives in the case file; rows read back are validated
 * like a fresh answer, since a case file is an input too.
 *
 * The same table is the forensic record of what the judge said about each event, so every event
 * the judge decided has its own row (its own event_id): `verdict` (its own call answered),
 * `no-verdict` (its own call answered without a usable verdict; `reasoning` says why) and
 * `cached` (it reused the answer of an earlier call with the same prompt hash, in this run or an
 * earlier one: the answer's fields are copied, its tokens are null: no call was made for it, and
 * the tokens were paid once, by the `verdict`/`no-verdict` row with that hash). `get` reads `verdict` rows
 * only, so copies never change which answer a hash has.
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

/** What a row's status says (see the header); the schema's column is free TEXT. */
export type JudgementRowStatus = 'verdict' | 'no-verdict' | 'cached';

/** One event's row: a no-verdict, or a `cached` copy of another call's answer (verdict fields null when it had none). */
export interface JudgementRecord {
  eventId: number | null;
  promptHash: string;
  prompt: string;
  model: string;
  verdict: JudgeVerdict | null;
  confidence: number | null;
  family: ThreatFamily | null;
  phase: AttackPhase | null;
  reasoning: string | null;
  /** Null for `cached` (no call of its own). */
  inputTokens: number | null;
  outputTokens: number | null;
  status: 'no-verdict' | 'cached';
  createdAt: string;
}

export interface JudgementCache {
  /** The newest valid `verdict` row for the hash; copies and no-verdicts are never served. */
  get(promptHash: string): StoredJudgement | null;
  /** A verdict from a call: the answer `get` serves for its hash, and its event's row. */
  put(j: StoredJudgement): void;
  /**
   * Another row for an event: a no-verdict, or a `cached` copy. A `cached` copy of a verdict is
   * written once per event and hash (a re-run that reuses it again adds nothing) and not at all
   * without an event id (nothing to attach it to).
   */
  record(r: JudgementRecord): void;
  /** Whether `get` could serve anything at all: false when the cache holds no verdict. */
  hasVerdicts(): boolean;
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
  // Through the judgements_prompt_hash index; the event's verdict rows for the hash are few.
  const hasVerdictRow = db
    .prepare(
      `SELECT 1 FROM judgements WHERE prompt_hash = ? AND event_id = ? AND status IN ('verdict', 'cached') AND verdict IS NOT NULL LIMIT 1`,
    )
    .pluck();
  const anyVerdict = db.prepare(`SELECT 1 FROM judgements WHERE status = 'verdict' LIMIT 1`).pluck();
  const write = (j: StoredJudgement | JudgementRecord): void => {
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
  };
  return {
    get(promptHash) {
      const row = select.get(promptHash) as JudgementRow | undefined;
      return row ? storedFromRow(row) : null;
    },
    put: write,
    record(r) {
      if (r.status === 'cached') {
        if (r.eventId === null) return;
        if (r.verdict !== null && hasVerdictRow.get(r.promptHash, r.eventId) !== undefined) return;
      }
      write(r);
    },
    hasVerdicts: () => anyVerdict.get() !== undefined,
  };
}

/** A cache that lives as long as the process (tests, and runs without a case file: no forensic rows). */
export function createMemoryJudgementCache(): JudgementCache {
  const byHash = new Map<string, StoredJudgement>();
  return {
    get: (h) => byHash.get(h) ?? null,
    put: (j) => void byHash.set(j.promptHash, j),
    record: () => undefined,
    hasVerdicts: () => byHash.size > 0,
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
