/** Triage results written into a real case file (the store's schema) and read back. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { CaseStore } from '../../store/case-store.js';
import { HISTOGRAM_BINS } from '../tensors/histogram.js';
import { triageArtifact } from '../triage.js';
import { writeTriageResult } from './case-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'mlshield-case-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fix = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../pickle/fixtures/${p}`, import.meta.url)));

describe('case rows', () => {
  it('stores checkpoints, tensors with histograms, and findings, container members included', async () => {
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    try {
      const nan = await triageArtifact(bufferSource('nan_injected.pt', fix('pytorch-gen/nan_injected.pt')));
      const zip = await triageArtifact(bufferSource('m.zip', fix('pickle-malicious/picklescan__malicious1_0x1.zip')));
      const id = writeTriageResult(store.db, null, nan);
      writeTriageResult(store.db, null, zip);
      const c = store.db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as { verdict: string; report: string; sha256: string };
      expect(c.verdict).toBe('suspicious');
      expect(JSON.parse(c.report).findings[0].id).toBe('tensor.nonfinite');
      const t = store.db.prepare("SELECT * FROM tensors WHERE checkpoint_id = ? AND name = '2.weight'").get(id) as { stats: string; histogram: string };
      expect(JSON.parse(t.stats).nan).toBe(1);
      expect(JSON.parse(t.histogram)).toHaveLength(HISTOGRAM_BINS);
      const verdicts = (store.db.prepare('SELECT path, verdict FROM checkpoints ORDER BY id').all() as { path: string; verdict: string }[]).map((r) => r.verdict);
      expect(verdicts).toEqual(['suspicious', 'malicious', 'malicious']);
      expect((store.db.prepare("SELECT COUNT(*) AS n FROM findings WHERE finding_id = 'pickle.import.dangerous'").get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
