import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { loadRuleSet } from './rule-loader.js';
import type { RuleHit } from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';
import { createSpecSet } from './spec-set.js';
import type { SpecProgram } from './spec-program.js';
import { appEvent, auditEvent, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';

// Specs that see the same inputs share one job table. That must be invisible: the hits equal
// those of each spec over its own table, also when jobs are evicted (a tiny table here).
const specs = loadRuleSet(readRuleFiles('specs')).rules.map((r) => r.spec!).filter(Boolean) as SpecProgram[];

function stream(seed: number, n: number): Array<EventRecord | GpuWindow> {
  const r = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  const out: Array<EventRecord | GpuWindow> = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * MIN;
    const job = `job-${Math.floor(r() * 12)}`;
    const ns = pick(['ml-train', 'serving', 'ray', 'default', 'research-x']);
    if (r() < 0.1) {
      out.push({ job, node: 'n1', gpu: '0', start: ts - 5 * MIN, end: ts, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: r() * 100, max: 100, min: 0 }, DCGM_FI_DEV_FB_USED: { mean: 900, max: r() * 3000, min: 0 } } });
    } else if (r() < 0.2) {
      const labels = r() < 0.5 ? { 'ray.io/cluster': 'c1' } : { app: 'x' };
      out.push({ ...auditEvent({ verb: 'create', user: { username: pick(['system:serviceaccount:ray:ray-head', 'mallory']) }, objectRef: { resource: 'pods', namespace: ns }, requestObject: { metadata: { labels } } }), ts, job, namespace: ns });
    } else {
      const attrs: Record<string, unknown> = {};
      if (r() < 0.4) attrs.path = pick(['/data/a', '/etc/shadow', '/mnt/ckpt/1.pt', '/tmp/x.gguf']);
      if (r() < 0.2) attrs.destination = pick(['https://transfer.sh/x', 's3://corp-x/y', '10.1.2.3:9000', 'huggingface.co']);
      if (r() < 0.3) attrs.bytes = Math.floor(r() * 3 * 2 ** 30);
      if (r() < 0.1) attrs.exec = { command: pick([['nvidia-smi'], ['tar', 'cf', '-', '/ckpt']]) };
      out.push(appEvent(ts, pick(['dataset_read', 'checkpoint_save', 'upload', 'model_export', 'train_step']), { job, namespace: ns, actor: pick(['system:serviceaccount:ml-train:trainer', 'alice@corp.example', 'mallory']) }, attrs));
    }
  }
  return out;
}

function run(set: ReturnType<typeof createSpecSet>[], items: Array<EventRecord | GpuWindow>): string[] {
  const lines: string[] = [];
  for (const it of items) {
    const out: RuleHit[] = [];
    for (const s of set) {
      if ('end' in it) for (const g of s.gpu) g?.(it, out);
      else {
        const a = it.attrs.audit;
        s.event(it, { audit: a !== null && typeof a === 'object' ? (a as Record<string, unknown>) : null }, out);
      }
    }
    lines.push(out.map((h) => `${h.ruleId}: ${h.reason}`).join(' | '));
  }
  return lines;
}

describe('spec set', () => {
  it('shares job tables without changing a hit, evictions included', () => {
    expect(specs.length).toBeGreaterThanOrEqual(3);
    for (const maxJobsPerSpec of [3, 4096]) {
      const items = stream(17 + maxJobsPerSpec, 1500);
      const limits = { maxKeysPerRule: 4096, maxJobsPerSpec };
      const shared = run([createSpecSet(specs, limits)], items);
      // GPU evaluators of a shared set run spec by spec, in order, like separate sets.
      const separate = run(specs.map((p) => createSpecSet([p], limits)), items);
      expect(shared).toEqual(separate);
      expect(shared.filter((l) => l.length > 0).length).toBeGreaterThan(50);
    }
  });
});
