/**
 * The behavioural specs' stateful checks against a brute-force oracle: `egress.rate` (bytes a job
 * sends over a window, to within 1/60 of it as window-state.ts documents, hit when above the max)
 * and `checkpoints.interval` (gap between consecutive saves outside interval ± tolerance), with
 * job memory bounded first-seen-first-forgotten (spec-job.ts). Seeded streams: equal timestamps,
 * window edges, hostile byte counts, exempt and unparsable destinations, more jobs than memory.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { createRuleEngine } from './engine.js';
import { loadRuleSet } from './rule-loader.js';
import { amountOf, pick, prng } from './stateful-oracle.test-support.js';
import { amountPool, appTemplate, JOBS, makeStream, ODD_VALUES } from './stateful-streams.test-support.js';
import { formatBytes, parseByteSize, parseDurationMicros } from './units.js';

interface JobState {
  lastTs: number;
  lastSave: number;
  sent: Array<{ ts: number; bytes: number }>;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

function specText(window: string, max: string, interval: string, tolerance: string): string {
  return `kind: BehaviouralSpec
id: SPEC-ORACLE
title: t
family: weight-exfil
selector: {jobs: ['*']}
egress:
  rate: {window: '${window}', max_bytes: '${max}', exempt: ['s3://exempt-bucket']}
checkpoints: {interval: '${interval}', tolerance: '${tolerance}'}
`;
}

describe('behavioural spec windows agree with the brute-force oracle', () => {
  it('egress.rate and checkpoints.interval over seeded streams', () => {
    const problems: string[] = [];
    let rateHits = 0;
    let intervalHits = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const r = prng(seed * 7777 + 3);
      const windowUs = pick(r, [7_000_000, 2_500_000, 600_000_000, 3_600_000_000]);
      const max = pick(r, ['1000', '1KiB', '5GiB', '10.5']);
      const maxBytes = parseByteSize(max)!;
      const intervalUs = Math.round(windowUs / 4);
      const tolUs = Math.round(intervalUs / 3);
      const maxJobs = seed % 3 === 0 ? 2 : 64;
      const set = loadRuleSet([{ path: 's.yaml', text: specText(`${windowUs / 1000}ms`, max, `${intervalUs / 1000}ms`, `${tolUs / 1000}ms`) }]);
      expect(set.errors).toEqual([]);
      const eng = createRuleEngine(set.rules, { maxKeysPerRule: 64, maxJobsPerSpec: maxJobs });
      const hot = [
        appTemplate('upload', { destination: 'https://drop.example/x' }),
        appTemplate('upload', { url: 'http://10.1.2.3/u' }),
        appTemplate('checkpoint_save'),
      ];
      const noise = [...hot, appTemplate('upload', { destination: 's3://exempt-bucket/ckpt/1' }), appTemplate('upload', { destination: '::' }), appTemplate('heartbeat')];
      const stream = makeStream({
        r, size: windowUs, perWindow: 12, length: 300, hot, noise, hotKeys: [{ actor: 'u', job: 'j1' }, { actor: 'u', job: 'j2' }, { actor: 'u', job: 'j3' }],
        actors: ['u'], jobs: JOBS, distinct: ['v'], amounts: amountPool(maxBytes / 5), odd: ODD_VALUES, bucket: Math.max(1, windowUs / 60),
      });
      const jobs = new Map<string, JobState>();
      const width = Math.max(1, windowUs / 60);
      stream.forEach((item, i) => {
        if (item.kind !== 'event') return;
        const e: EventRecord = item.e;
        const hits = eng.evaluate(e);
        const rate = hits.find((h) => h.ruleId === 'SPEC-ORACLE/egress.rate');
        const gap = hits.find((h) => h.ruleId === 'SPEC-ORACLE/checkpoints.interval');
        let wantRate: number | null = null;
        let wantGap = false;
        if (typeof e.job === 'string') {
          let st = jobs.get(e.job);
          if (!st) {
            st = { lastTs: -Infinity, lastSave: NaN, sent: [] };
            jobs.set(e.job, st);
            if (jobs.size > maxJobs) jobs.delete(jobs.keys().next().value!);
          }
          st.lastTs = Math.max(st.lastTs, e.ts);
          const dest = typeof e.attrs.destination === 'string' ? e.attrs.destination : typeof e.attrs.url === 'string' ? e.attrs.url : null;
          const bytes = amountOf(e.attrs.bytes);
          if (dest !== null && bytes !== null && !dest.startsWith('s3://exempt-bucket/')) {
            st.sent.push({ ts: st.lastTs, bytes });
            const b = Math.floor(st.lastTs / width);
            const total = st.sent.reduce((a, x) => (Math.floor(x.ts / width) >= b - 59 ? a + x.bytes : a), 0);
            if (total > maxBytes) wantRate = total;
          }
          if (e.action === 'checkpoint_save') {
            if (!Number.isNaN(st.lastSave)) {
              const g = st.lastTs - st.lastSave;
              wantGap = g < intervalUs - tolUs || g > intervalUs + tolUs;
            }
            st.lastSave = st.lastTs;
          }
        }
        const at = `seed ${seed} #${i} job=${JSON.stringify(e.job)?.slice(0, 30)} ${e.action}`;
        if ((rate !== undefined) !== (wantRate !== null)) problems.push(`${at}: egress.rate ours ${rate?.reason ?? 'none'}, expected ${wantRate}`);
        else if (rate && wantRate !== null) {
          rateHits++;
          const m = /^egress\.rate: (Infinity|[\d.e+]+)(?: (B|KiB|MiB|GiB|TiB))? sent/.exec(rate.reason);
          const ours = m ? Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? 1) : NaN;
          const unit = UNITS[formatBytes(wantRate).split(' ')[1] ?? 'B'] ?? 1;
          if (!(ours === wantRate || Math.abs(ours - wantRate) <= 0.051 * unit + 1e-9 * wantRate)) problems.push(`${at}: egress.rate reports ${rate.reason}, expected ${wantRate}`);
        }
        if ((gap !== undefined) !== wantGap) problems.push(`${at}: checkpoints.interval ours ${gap?.reason ?? 'none'}, expected ${wantGap}`);
        if (gap) intervalHits++;
      });
    }
    expect(problems.slice(0, 8)).toEqual([]);
    expect(rateHits).toBeGreaterThan(50);
    expect(intervalHits).toBeGreaterThan(50);
  });
});
