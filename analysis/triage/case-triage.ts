/**
 * Triage of every checkpoint a case's bundle holds (issue 4: "`mlshield analyze` runs the same
 * triage on every checkpoint in a bundle and stores the results in the case"). The case keeps
 * each input's path and SHA-256; the bytes stay in the bundle, whose path ingest records in the
 * case's meta table. A checkpoint is triaged once: re-analysis skips those already in the case.
 */
import { createHash } from 'node:crypto';
import type { CaseStore } from '../store/case-store.js';
import { CHECKPOINT_KINDS, type SourceKind } from '../core/kinds.js';
import { walkBundle } from '../ingest/bundle.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { triageArtifact, type TriageOptions } from './triage.js';
import { writeTriageResult } from './report/case-rows.js';
import type { TriageResult } from './triage-result.js';

export const BUNDLE_PATH_META = 'bundle_path';

export interface CaseTriageSummary {
  triaged: { path: string; verdict: TriageResult['verdict']; findings: number; tensors: number }[];
  alreadyTriaged: number;
  /** Checkpoints the case lists whose bytes could not be found (bundle moved or changed). */
  missing: string[];
  seconds: number;
}

export async function triageCaseCheckpoints(store: CaseStore, opts: TriageOptions = {}): Promise<CaseTriageSummary> {
  const t0 = performance.now();
  const db = store.db;
  const pending = db
    .prepare(
      `SELECT s.id, s.path, s.kind, s.sha256 FROM sources s
       WHERE s.status = 'ok' AND s.kind IN (${[...CHECKPOINT_KINDS].map(() => '?').join(',')})
         AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.source_id = s.id)`,
    )
    .all(...CHECKPOINT_KINDS) as { id: number; path: string; kind: SourceKind; sha256: string | null }[];
  const already = (db.prepare('SELECT COUNT(DISTINCT source_id) AS n FROM checkpoints').get() as { n: number }).n;
  const summary: CaseTriageSummary = { triaged: [], alreadyTriaged: already, missing: [], seconds: 0 };
  const bundlePath = store.getMeta(BUNDLE_PATH_META);
  if (pending.length === 0) return { ...summary, seconds: (performance.now() - t0) / 1000 };
  if (!bundlePath) {
    summary.missing = pending.map((p) => p.path);
    return { ...summary, seconds: (performance.now() - t0) / 1000 };
  }
  const byPath = new Map(pending.map((p) => [p.path, p]));
  for await (const item of walkBundle(await openBundleRoot(bundlePath))) {
    if (item.kind !== 'file') continue;
    const want = byPath.get(item.path);
    if (!want) continue;
    // The bytes must be the ones ingested: a bundle edited since is not evidence for this case.
    const h = createHash('sha256');
    for await (const chunk of item.openRaw()) h.update(chunk);
    if (h.digest('hex') !== want.sha256) continue;
    const result = await triageArtifact(await item.source(), opts, item.path);
    writeTriageResult(db, want.id, result);
    byPath.delete(item.path);
    summary.triaged.push({ path: item.path, verdict: result.verdict, findings: result.findings.length, tensors: result.tensors.length });
  }
  summary.missing = [...byPath.keys()];
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
