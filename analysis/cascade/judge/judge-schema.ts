/**
 * The judge's answer: one JSON Schema (sent to the model as the `record_verdict` tool's
 * `input_schema` and quoted in the system prompt) and one zod validator that enforces the same
 * shape on what comes back. Anything that does not match is "no verdict" (DESIGN.md Layer 3):
 * a malformed answer never becomes a decision.
 */
import { z } from 'zod';
import { ATTACK_PHASES, THREAT_FAMILIES } from '../taxonomy.js';

export const JUDGE_VERDICTS = ['malicious', 'benign', 'uncertain'] as const;
export type JudgeVerdict = (typeof JUDGE_VERDICTS)[number];

export const MAX_REASONING_CHARS = 4000;
/** Longest model text scanned for a JSON object; a verdict is a few hundred bytes. */
const MAX_TEXT_SCAN = 64 * 1024;

export const VERDICT_TOOL_NAME = 'record_verdict';

/** JSON Schema (draft 2020-12 subset the Messages API accepts for tool input). */
export const JUDGE_ANSWER_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'confidence', 'family', 'phase', 'reasoning'],
  properties: {
    verdict: { type: 'string', enum: [...JUDGE_VERDICTS] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    family: { type: 'string', enum: [...THREAT_FAMILIES] },
    phase: { anyOf: [{ type: 'string', enum: [...ATTACK_PHASES] }, { type: 'null' }] },
    reasoning: { type: 'string', maxLength: MAX_REASONING_CHARS },
  },
} as const;

export const judgeAnswerSchema = z.strictObject({
  verdict: z.enum(JUDGE_VERDICTS),
  confidence: z.number().min(0).max(1),
  family: z.enum(THREAT_FAMILIES),
  phase: z.enum(ATTACK_PHASES).nullable(),
  reasoning: z.string().max(MAX_REASONING_CHARS),
});
export type JudgeAnswer = z.infer<typeof judgeAnswerSchema>;

export type AnswerParse = { status: 'verdict'; answer: JudgeAnswer } | { status: 'no-verdict'; why: string };

/** Validates an already-parsed value (a `tool_use` block's `input`, or JSON read from text). */
export function validateJudgeAnswer(value: unknown): AnswerParse {
  const r = judgeAnswerSchema.safeParse(value);
  if (r.success) return { status: 'verdict', answer: r.data };
  const issues = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return { status: 'no-verdict', why: `answer does not match the verdict schema: ${issues}`.slice(0, 500) };
}

/** `{` positions tried after the answer when looking for a second JSON object (bounds the scan). */
const MAX_TRAILING_CANDIDATES = 32;

/**
 * Reads the verdict from free text: the first top-level JSON object (```json fences and prose
 * around it are tolerated because the scan starts at the first `{`). Only that first object is
 * tried; a second one later in the text is not a fallback.
 * A second object that parses as JSON makes the answer ambiguous, so no verdict: the prompt asks
 * for the object alone, and a model that quotes the evidence can put an attacker-planted verdict
 * (written into an audit field) ahead of its own — taking the first would hand the attacker the
 * decision.
 */
export function parseJudgeAnswerText(text: string): AnswerParse {
  const scanned = text.length > MAX_TEXT_SCAN ? text.slice(0, MAX_TEXT_SCAN) : text;
  const json = firstJsonObject(scanned);
  if (json === null) return { status: 'no-verdict', why: 'no JSON object in the answer' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { status: 'no-verdict', why: `answer JSON does not parse: ${(e as Error).message}`.slice(0, 300) };
  }
  const r = validateJudgeAnswer(value);
  if (r.status !== 'verdict') return r;
  const rest = scanned.slice(scanned.indexOf(json) + json.length);
  if (hasJsonObject(rest)) return { status: 'no-verdict', why: 'more than one JSON object in the answer (ambiguous)' };
  return r;
}

/** Whether `text` holds a balanced `{…}` that parses as JSON; too many candidates count as yes. */
function hasJsonObject(text: string): boolean {
  let tried = 0;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) {
    if (++tried > MAX_TRAILING_CANDIDATES) return true;
    const candidate = firstJsonObject(text.slice(at));
    if (candidate === null) continue;
    try {
      JSON.parse(candidate);
      return true;
    } catch {
      // prose in braces, e.g. "{not json}"
    }
  }
  return false;
}

/** The text of the first balanced `{…}` (braces inside JSON strings ignored), or null. */
export function firstJsonObject(text: string): string | null {
  const start = text.indexOf('{');
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */) {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}
