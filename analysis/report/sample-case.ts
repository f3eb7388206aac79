/**
 * Test support: the bundled sample incident (samples/weight-exfil-seed1) ingested into a fresh case
 * file and analysed by the cascade with the shipped rules, Layer 2 models from the package (absent
 * models escalate) and no judge; the ground-truth metrics are stored on the run as
 * `mlshield analyze --labels` does. Every report test renders from this one case.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { defaultRulesDir, loadRulesFrom } from '../cascade/rule-files.js';
import { loadLayer2Models } from '../models/layer2-models.js';
import { runCascade } from '../cascade/cascade-runner.js';
import { cascadeMetrics } from '../cascade/cascade-metrics.js';
import { parseGroundTruth, resolveGroundTruth } from '../cascade/ground-truth.js';
import { storeRunMetrics } from './run-metrics.js';
import { bufferSource } from '../core/byte-source.js';
import { triageArtifact } from '../triage/triage.js';
import { writeTriageResult } from '../triage/report/case-rows.js';
import type { Db } from '../store/case-store.js';

export const SAMPLE_INCIDENT = resolve(import.meta.dirname, '../../samples/weight-exfil-seed1');

export interface SampleCase {
  dir: string;
  casePath: string;
  store: CaseStore;
}

export async function buildSampleCase(): Promise<SampleCase> {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-report-'));
  const casePath = join(dir, 'case.sqlite');
  const store = CaseStore.open(casePath);
  await ingestBundle(await openBundleRoot(join(SAMPLE_INCIDENT, 'bundle')), store);
  const rules = loadRulesFrom([defaultRulesDir()!]);
  const models = await loadLayer2Models('cpu');
  const run = await runCascade(store, { rules: rules.rules, models, judge: null, toolVersion: 'test' });
  const gt = parseGroundTruth(readFileSync(join(SAMPLE_INCIDENT, 'labels.json'), 'utf8'), 'labels.json');
  storeRunMetrics(store.db, run.runId, cascadeMetrics(store.db, run, resolveGroundTruth(store.db, gt)));
  await triageSampleCheckpoints(store.db);
  annotateSample(store.db);
  return { dir, casePath, store };
}

/** Triages the sample's checkpoints into the case as `mlshield analyze` does (triage/report/case-rows.ts). */
async function triageSampleCheckpoints(db: Db): Promise<void> {
  const sources = db.prepare("SELECT id, path FROM sources WHERE kind LIKE 'checkpoint_%' AND status = 'ok' ORDER BY id").all() as { id: number; path: string }[];
  for (const s of sources) {
    const bytes = readFileSync(join(SAMPLE_INCIDENT, 'bundle', s.path));
    writeTriageResult(db, s.id, await triageArtifact(bufferSource(s.path, bytes)));
  }
}

/** Text an attacker could have put into a record or a colleague into a comment: must render inert. */
export const HOSTILE_TEXT = '<img src="http://attacker.example/pixel.png"><script>fetch("https://attacker.example/")</script>';

/**
 * An analyst's star, tags and comment on the first alerted event, and one stored judge verdict as
 * the judge writes it (tests never call the LLM), so those report sections have content.
 */
function annotateSample(db: Db): void {
  const first = db.prepare("SELECT event_id FROM detections WHERE decision = 'alert' AND event_id IS NOT NULL ORDER BY ts LIMIT 1").get() as { event_id: number };
  db.prepare("INSERT INTO annotations(target_kind, target_id, starred, tags, comment, author, updated_at) VALUES ('event', ?, 1, ?, ?, 'analyst', ?)").run(
    first.event_id, JSON.stringify(['initial-access', 'exfil']), `First contact. ${HOSTILE_TEXT}`, '2026-11-21T10:00:00.000Z',
  );
  db.prepare(
    `INSERT INTO judgements(event_id, prompt_hash, prompt, model, verdict, confidence, family, phase, reasoning, input_tokens, output_tokens, status, created_at)
     VALUES (?, ?, 'prompt', 'claude-test', 'malicious', 0.92, 'weight-exfil', 'exfiltration', 'Copies weights to an external bucket.', 1200, 80, 'verdict', '2026-11-21T10:01:00.000Z')`,
  ).run(first.event_id, 'a'.repeat(64));
}
