/**
 * A case file is evidence that may have been edited, and every string in it may be
 * attacker-written. Seeded random damage to the stored JSON columns (run summary, detection
 * attrs, triage reports, histograms, tags) and hostile text in raw records, actors and comments:
 * the report still builds, still validates against its schema, and its HTML stays inert.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { collectCustody } from './custody.js';
import { buildForensicReport } from './report-model.js';
import { reportJson, reportSchema } from './report-json.js';
import { validateJsonSchema } from './json-schema-check.js';
import { reportHtml } from './report-html.js';
import { caseSarifLog } from './report-sarif.js';
import { timesketchLines } from './report-timesketch.js';

let sample: SampleCase;
beforeAll(async () => {
  sample = await buildSampleCase();
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

const HOSTILE = ['<script>alert(1)</script>', '"><svg onload=fetch(1)>', '\u0000\u001b[31m', '{"a":', '[1,2', 'null', '{}', '[]', '"x"', '1e999', '-1', '\ud800', 'x'.repeat(20_000)];

describe('report from a damaged case', () => {
  it('builds, validates and stays inert under 25 rounds of seeded damage', () => {
    const db = sample.store.db;
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pick = (): string => HOSTILE[Math.floor(rnd() * HOSTILE.length)]!;
    const schema = reportSchema();
    const custody = collectCustody(db, { casePath: sample.casePath, schemaVersion: 2, rulesDir: null, modelsDir: null });
    const t0 = Date.now();
    for (let round = 0; round < 25; round++) {
      db.prepare('UPDATE analysis_runs SET summary = ?').run(rnd() < 0.5 ? pick() : JSON.stringify({ counts: pick(), events: pick(), metrics: { eir0: pick() } }));
      db.prepare('UPDATE detections SET attrs = ? WHERE id % 7 = ?').run(pick(), round % 7);
      db.prepare('UPDATE detections SET reasoning = ?, job = ? WHERE id % 5 = ?').run(pick(), pick(), round % 5);
      db.prepare('UPDATE events SET raw = ?, actor = ? WHERE id % 11 = ?').run(pick(), pick(), round % 11);
      db.prepare('UPDATE checkpoints SET report = ? WHERE id = ?').run(pick(), 1 + (round % 3));
      db.prepare('UPDATE tensors SET histogram = ? WHERE rowid % 4 = ?').run(pick(), round % 4);
      db.prepare('UPDATE annotations SET tags = ?, comment = ?').run(pick(), pick());
      db.prepare("INSERT INTO meta(key, value) VALUES ('manifest', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(pick());
      const report = buildForensicReport(db, custody);
      expect(validateJsonSchema(JSON.parse(reportJson(report)), schema)).toEqual([]);
      const html = reportHtml(report);
      expect(html).not.toMatch(/<script|<svg onload/i);
      expect(() => caseSarifLog(report)).not.toThrow();
      let lines = 0;
      for (const l of timesketchLines(db)) {
        JSON.parse(l);
        lines++;
      }
      expect(lines).toBeGreaterThanOrEqual(report.summary.events);
    }
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});
