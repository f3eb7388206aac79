/**
 * A checkpoint fingerprint: per state-dict tensor its dtype, shape, SHA-256 of the bytes, summary
 * statistics and the aligned histogram (histogram.ts). Names are relative to the state dict, so a
 * raw state dict and a full checkpoint holding the same weights compare equal. A fingerprint read
 * back from disk is attacker-reachable input: it is validated (zod) and bounded before use.
 */
import { z } from 'zod';
import { TOOL_NAME, TOOL_VERSION } from '../../core/version.js';
import type { TriageResult } from '../triage-result.js';
import { HISTOGRAM_BINS, KMAX, KMIN } from './histogram.js';

export const FINGERPRINT_SCHEMA = 'mlshield.fingerprint/v1';
const MAX_TENSORS = 1_000_000;

const tensorSchema = z.object({
  name: z.string().max(4096),
  dtype: z.string().max(64),
  shape: z.array(z.number().int().nonnegative()).max(64),
  count: z.number().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  nan: z.number().nonnegative(),
  inf: z.number().nonnegative(),
  zeros: z.number().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  absMax: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  histogram: z.array(z.number().nonnegative()).length(HISTOGRAM_BINS).nullable(),
});

const fingerprintSchema = z.object({
  schema: z.literal(FINGERPRINT_SCHEMA),
  tool: z.object({ name: z.string().max(100), version: z.string().max(100) }),
  source: z.object({ path: z.string().max(4096), sha256: z.string().max(64), format: z.string().max(64), size: z.number().nonnegative() }),
  stateDictPrefix: z.string().max(4096),
  histogram: z.object({ kmin: z.literal(KMIN), kmax: z.literal(KMAX), bins: z.literal(HISTOGRAM_BINS) }),
  tensors: z.array(tensorSchema).max(MAX_TENSORS),
});

export type TensorFingerprint = z.infer<typeof tensorSchema>;
export type Fingerprint = z.infer<typeof fingerprintSchema>;

/** The fingerprint of a triaged checkpoint: its state-dict tensors, names relative to the state dict. */
export function fingerprintOf(r: TriageResult): Fingerprint {
  const prefix = r.stateDictPrefix;
  const tensors: TensorFingerprint[] = [];
  for (const t of r.tensors) {
    if (!t.name.startsWith(prefix)) continue;
    const s = t.stats;
    tensors.push({
      name: t.name.slice(prefix.length), dtype: t.dtype, shape: t.shape, count: t.count, sha256: t.sha256,
      nan: s?.nan ?? 0, inf: s ? s.posInf + s.negInf : 0, zeros: s?.zeros ?? 0,
      min: s?.min ?? null, max: s?.max ?? null, absMax: s?.absMax ?? null, mean: s?.mean ?? null, std: s?.std ?? null,
      histogram: s ? s.histogram : null,
    });
  }
  return {
    schema: FINGERPRINT_SCHEMA,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    source: { path: r.path, sha256: r.sha256, format: r.format, size: r.size },
    stateDictPrefix: prefix,
    histogram: { kmin: KMIN, kmax: KMAX, bins: HISTOGRAM_BINS },
    tensors,
  };
}

/** A fingerprint from parsed JSON, or why it is not one. */
export function parseFingerprint(json: unknown): Fingerprint | { error: string } {
  const r = fingerprintSchema.safeParse(json);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  return { error: `not a ${FINGERPRINT_SCHEMA} fingerprint: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}` };
}

/** True when the bytes start like a JSON fingerprint (so `--reference` can take either a checkpoint or one). */
export function looksLikeFingerprint(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head.subarray(0, 256)).trimStart();
  return text.startsWith('{') && text.includes(FINGERPRINT_SCHEMA);
}
