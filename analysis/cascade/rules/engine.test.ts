import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine, decideLayer1 } from './engine.js';
import type { RuleHit } from './compiled-rule.js';
import type { EventRecord } from '../../core/records.js';
import { appEvent, auditEvent, auditObjectsOf, FIXTURES_DIR, readRuleFiles, referenceEngine, T0 } from './fixtures.test-support.js';
import { mulberry32 } from '../../core/mulberry32.js';

const set = loadRuleSet([...readRuleFiles('sigma'), ...readRuleFiles('mlshield'), ...readRuleFiles('specs')]);

function hit(decision: RuleHit['decision'], severity: RuleHit['severity'], id = 'x'): RuleHit {
  return { ruleId: id, title: id, decision, severity, family: decision === 'clear' ? 'benign' : 'weight-exfil', phase: decision === 'clear' ? null : 'staging', attack: [], atlas: [], reason: '' };
}

describe('decideLayer1', () => {
  it('no hit passes to Layer 2', () => {
    expect(decideLayer1([])).toEqual({ decision: 'pass', severity: null, family: null, phase: null, primary: null, hits: [] });
  });
  it('clear only → clear', () => {
    expect(decideLayer1([hit('clear', 'info')])).toMatchObject({ decision: 'clear', severity: 'info', family: 'benign' });
  });
  it('alert and escalate outrank clear; alert outranks escalate; severity is the maximum', () => {
    expect(decideLayer1([hit('clear', 'info'), hit('escalate', 'low')])).toMatchObject({ decision: 'escalate', severity: 'low' });
    const d = decideLayer1([hit('escalate', 'critical', 'e'), hit('clear', 'info'), hit('alert', 'medium', 'a')]);
    expect(d).toMatchObject({ decision: 'alert', severity: 'critical', family: 'weight-exfil', phase: 'staging' });
    expect(d.primary!.ruleId).toBe('a');
    expect(d.hits).toHaveLength(3);
  });
});

const prng = mulberry32;

const NASTY: unknown[] = [null, '', '*', '__proto__', 'constructor', 'toString', 0, -1, 1e308, NaN, true, [], {}, ['exec', 'attach'], 'x'.repeat(70_000), { __proto__: { polluted: true } }, [[[[[['deep']]]]]], Array.from({ length: 5000 }, (_, i) => i)];

function mutate(v: unknown, rnd: () => number, depth = 0): unknown {
  if (depth > 6) return v;
  const r = rnd();
  if (r < 0.08) return NASTY[Math.floor(rnd() * NASTY.length)];
  if (Array.isArray(v)) return v.map((x) => mutate(x, rnd, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (rnd() < 0.05) continue;
      out[rnd() < 0.02 ? String(NASTY[Math.floor(rnd() * 4)]) : k] = mutate(x, rnd, depth + 1);
    }
    return out;
  }
  if (typeof v === 'string' && r < 0.2) return v.toUpperCase();
  return v;
}

const traces = readdirSync(join(FIXTURES_DIR, 'k8s-audit'))
  .filter((f) => f.endsWith('.json') || f.endsWith('.log'))
  .flatMap((f) => {
    const t = readFileSync(join(FIXTURES_DIR, 'k8s-audit', f), 'utf8');
    return t.trim() ? auditObjectsOf(t) : [];
  });

describe('engine dispatch and robustness', () => {
  it('the index never loses a hit (engine = every rule on every event), on real and mutated events', () => {
    const rnd = prng(20261122);
    const eng = createRuleEngine(set.rules);
    const ref = referenceEngine(set.rules);
    let compared = 0;
    let withHits = 0;
    for (let round = 0; round < 12; round++) {
      for (const obj of traces) {
        const o = round === 0 ? obj : mutate(obj, rnd);
        const ev = auditEvent(o, compared + 1, rnd() < 0.5 ? 'train-42' : null);
        ev.ts = T0 + compared * 1000;
        const got = eng.evaluate(ev).map((h) => h.ruleId).sort();
        expect(got).toEqual(ref(ev));
        if (got.length) withHits++;
        compared++;
      }
    }
    const actions = ['upload', 'checkpoint_read', 'k8s_get', 'inference_query', 'dataset_write', 'ray_job_submit', 'heartbeat', 'UPLOAD', ''];
    for (let i = 0; i < 1000; i++) {
      const m = mutate({ destination: 'https://transfer.sh/x', bytes: 2 ** 31, path: '/tmp/x.gguf', format: 'gguf', logprobs: true, input_hash: `h${i}` }, rnd);
      const attrs = m !== null && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
      const ev = appEvent(T0 + i * 1e6, actions[i % actions.length]!, { job: `j${i % 3}`, actor: `u${i % 5}`, namespace: 'ml-train' }, attrs);
      expect(eng.evaluate(ev).map((h) => h.ruleId).sort()).toEqual(ref(ev));
    }
    expect(compared).toBeGreaterThan(400);
    expect(withHits).toBeGreaterThan(20);
  });

  it('hostile attrs never throw: wrong types everywhere, huge arrays, prototype names', () => {
    const eng = createRuleEngine(set.rules);
    const rnd = prng(7);
    for (let i = 0; i < 1000; i++) {
      const attrs = mutate({ audit: mutate(traces[i % traces.length], rnd), exec: { command: NASTY }, path: NASTY[i % NASTY.length], destination: NASTY[(i + 3) % NASTY.length], bytes: NASTY[(i + 5) % NASTY.length], labels: NASTY[(i + 7) % NASTY.length] }, rnd) as Record<string, unknown>;
      const ev: EventRecord = { ...appEvent(T0 + i, 'upload', { job: 'train-1', namespace: 'ml-train' }, attrs), source: i % 2 ? 'app' : 'k8s_audit' };
      expect(() => eng.evaluate(ev)).not.toThrow();
      expect(() => eng.evaluateGpuWindow({ job: 'train-1', node: null, gpu: null, start: 0, end: i, fields: mutate({ DCGM_FI_DEV_GPU_UTIL: { mean: 99, max: 'x', min: null } }, rnd) as never })).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('mutated rule files never throw the loader', () => {
    const files = [...readRuleFiles('sigma'), ...readRuleFiles('mlshield'), ...readRuleFiles('specs')];
    const rnd = prng(99);
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      const f = files[i % files.length]!;
      const chars = [...f.text];
      const n = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(rnd() * chars.length);
        const choice = rnd();
        if (choice < 0.3) chars.splice(at, 1);
        else if (choice < 0.6) chars.splice(at, 0, ':-|*[{&!\n  '[Math.floor(rnd() * 12)]!);
        else chars[at] = String.fromCharCode(32 + Math.floor(rnd() * 95));
      }
      const r = loadRuleSet([{ path: f.path, text: chars.join('') }]);
      for (const e of r.errors) {
        expect(e.file).toBe(f.path);
        expect(e.line).toBeGreaterThanOrEqual(0);
        expect(e.message.length).toBeGreaterThan(0);
      }
      if (r.rules.length) createRuleEngine(r.rules).evaluate(appEvent(T0, 'upload', { job: 'x' }, { destination: 'https://a.b' }));
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
