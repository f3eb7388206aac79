/**
 * `--reference`: a reference is either a fingerprint JSON written by `--fingerprint` or a
 * checkpoint (triaged here to fingerprint it). The comparison's findings join the artifact's and
 * can only make its verdict worse.
 */
import type { ByteSource } from '../core/byte-source.js';
import { triageFinding } from './finding-ids.js';
import { compareFingerprints } from './tensors/compare.js';
import { fingerprintOf, looksLikeFingerprint, parseFingerprint, type Fingerprint } from './tensors/fingerprint.js';
import { triageArtifact, type TriageOptions } from './triage.js';
import type { TriageResult } from './triage-result.js';
import { verdictOf, worseVerdict } from './verdict.js';

/** Largest fingerprint JSON read (a million tensors with histograms is about this). */
export const MAX_FINGERPRINT_BYTES = 1 << 30;

export async function loadReference(src: ByteSource, opts: TriageOptions = {}): Promise<Fingerprint | { error: string }> {
  const head = await src.read(0, 256);
  if (looksLikeFingerprint(head)) {
    if (src.size > MAX_FINGERPRINT_BYTES) return { error: `fingerprint of ${src.size} bytes exceeds the ${MAX_FINGERPRINT_BYTES}-byte bound` };
    try {
      return parseFingerprint(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await src.read(0, src.size))));
    } catch (e) {
      return { error: `fingerprint is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const r = await triageArtifact(src, opts);
  if (r.verdict === 'error') return { error: `reference ${src.name} could not be read: ${r.findings[0]?.message ?? 'unknown error'}` };
  if (r.tensors.length === 0) return { error: `reference ${src.name} (${r.format}) holds no tensors` };
  return fingerprintOf(r);
}

/** The result with the comparison against `reference` added (or the reason it could not be made). */
export function withComparison(r: TriageResult, reference: Fingerprint | { error: string }): TriageResult {
  if ('error' in reference) {
    const f = triageFinding('COMPARE_REFERENCE_INVALID', reference.error);
    return { ...r, findings: [...r.findings, f], verdict: worseVerdict(r.verdict, verdictOf([f])) };
  }
  if (r.verdict === 'error' || r.tensors.length === 0) return r;
  const comparison = compareFingerprints(fingerprintOf(r), reference);
  return { ...r, comparison, findings: [...r.findings, ...comparison.findings], verdict: worseVerdict(r.verdict, verdictOf(comparison.findings)) };
}
