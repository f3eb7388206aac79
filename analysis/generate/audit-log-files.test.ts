import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rotateAuditLog } from './audit-log-files.js';
import { layoutSteps } from './families/step-layout.js';
import { Prng } from './prng.js';

describe('audit log rotation', () => {
  it('splits like lumberjack and reports where every line went (fuzzed sizes)', () => {
    const rng = new Prng('rotate');
    for (let round = 0; round < 40; round++) {
      const n = rng.int(0, 300);
      const lines = Array.from({ length: n }, (_, i) => ({ stageUs: 1.8e15 + i * 1e6, text: `{"i":${i},"pad":"${'x'.repeat(rng.int(0, 400))}"}` }));
      const max = rng.int(200, 20_000);
      const { files, positions } = rotateAuditLog(lines, max);
      expect(files[files.length - 1]!.path).toBe('audit/kube-apiserver-audit.log');
      const content = new Map(files.map((f) => [f.path, Buffer.from(f.path.endsWith('.gz') ? gunzipSync(f.bytes) : f.bytes).toString('utf8').split('\n')]));
      lines.forEach((l, i) => expect(content.get(positions[i]!.file)![positions[i]!.line - 1]).toBe(l.text));
      for (const f of files.slice(0, -1)) {
        expect(f.path).toMatch(/^audit\/kube-apiserver-audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log\.gz$/);
        const size = gunzipSync(f.bytes).length;
        expect(size).toBeGreaterThan(0);
        expect(size <= max || content.get(f.path)!.length === 2).toBe(true); // a single over-long line still gets its own file
      }
    }
  });
});

describe('step layout', () => {
  it('keeps steps sequential inside the budget (fuzzed)', () => {
    const rng = new Prng('layout');
    for (let round = 0; round < 500; round++) {
      const t0 = rng.int(0, 1e9);
      const t1 = t0 + rng.int(0, 3e9);
      const durs = Array.from({ length: rng.int(0, 12) }, () => rng.range(0, 600));
      const { starts, durations } = layoutSteps(rng, t0, t1, durs);
      expect(starts).toHaveLength(durs.length);
      for (let i = 0; i < starts.length; i++) {
        expect(starts[i]!).toBeGreaterThanOrEqual(t0);
        expect(starts[i]! + durations[i]!).toBeLessThanOrEqual(t1 + 2);
        if (i > 0) expect(starts[i]!).toBeGreaterThanOrEqual(starts[i - 1]! + durations[i - 1]! - 1);
      }
    }
  });
});
