/**
 * cascadeMetrics on hand-built cases in a real SQLite case file, each checked field by field
 * against the brute-force oracle (metrics-oracle.test-support.ts) and, where the point of the case
 * is one number, against that number worked out by hand: gap 0, detection at 5 vs 6 events, misses
 * in the ML-EIR denominator, alerts before t_start, GPU-window alerts, AUC ties, absent bytes, and
 * hostile labels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { cascadeMetrics, flaggedTrajectories } from './cascade-metrics.js';
import { OUTCOME } from './cascade-runner.js';
import { parseGroundTruth, resolveGroundTruth } from './ground-truth.js';
import { buildCase, differences, fakeRun, oracle, type SimCase, type SimEvent, type SimTrajectory } from './metrics-oracle.test-support.js';

const S = 1_000_000;
let dir: string;
let store: CaseStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-oracle-'));
  store = CaseStore.open(join(dir, 'case.sqlite'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function score(c: SimCase, labelsText?: string) {
  const built = buildCase(store, c);
  const truth = resolveGroundTruth(store.db, parseGroundTruth(labelsText ?? built.labelsText, 'labels.json'));
  const m = cascadeMetrics(store.db, built.run, truth);
  return { m, built, o: oracle(c, built) };
}

/** `n` events one second apart from `t0`; `mal` positions malicious (with bytes), `alerts` alerting. */
function traj(job: string, n: number, opts: { mal?: number[]; alerts?: number[]; bytes?: (number | undefined)[]; family?: string; scores?: number[] } = {}): SimTrajectory {
  const events: SimEvent[] = Array.from({ length: n }, (_, i) => {
    const e: SimEvent = { ts: (i + 1) * S };
    const m = opts.mal?.indexOf(i) ?? -1;
    if (m >= 0) e.malicious = { phase: 'exfiltration', ...(opts.bytes?.[m] !== undefined ? { bytes: opts.bytes[m] } : {}) };
    if (opts.alerts?.includes(i)) e.alert = true;
    if (opts.scores?.[i] !== undefined) e.score = opts.scores[i];
    return e;
  });
  const malicious = (opts.mal?.length ?? 0) > 0 || opts.family !== undefined;
  return { job, family: opts.family ?? (malicious ? 'weight-exfil' : 'benign'), malicious, events };
}

describe('temporal metrics against the oracle', () => {
  it('gap 0 at t_start, 5 events counts for @5, 6 does not, and a miss stays in the denominator', () => {
    const c: SimCase = {
      trajectories: [
        traj('a/at-start', 12, { mal: [2, 3, 4], alerts: [2] }),
        traj('a/five', 12, { mal: [2, 3, 4], alerts: [7] }),
        traj('a/six', 12, { mal: [2, 3, 4], alerts: [8] }),
        traj('a/missed', 12, { mal: [2, 3, 4] }),
        traj('n/quiet', 5),
      ],
    };
    const { m, o } = score(c);
    expect(differences(m, o)).toEqual([]);
    expect(m.eir0).toBe(1 / 4);
    expect(m.eir5).toBe(2 / 4); // the seed's detected-only formula would say 2/3
    expect(m).toMatchObject({ attacks: 4, detected: 3, missed: 1, gapMedian: 5, gapMean: 11 / 3, gapMedianSeconds: 5 });
  });

  it('an alert before t_start is no detection (though the trajectory is flagged); one after it on a benign event is', () => {
    const c: SimCase = {
      trajectories: [
        traj('a/early-only', 10, { mal: [4, 5], alerts: [1] }),
        traj('a/benign-after', 10, { mal: [4, 8], alerts: [1, 6] }),
      ],
    };
    const { m, o } = score(c);
    expect(differences(m, o)).toEqual([]);
    expect(m).toMatchObject({ attacks: 2, detected: 1, missed: 1, recall: 1, gapMedian: 2, eir0: 0, eir5: 0.5 });
  });

  it('a GPU-window alert detects at the first event at or after its time; one after the last event only flags', () => {
    const a = traj('a/gpu', 10, { mal: [3, 4, 5] });
    a.gpuAlerts = [5.5 * S]; // → event index 5 (ts 6 s)
    const b = traj('a/gpu-late', 10, { mal: [3] });
    b.gpuAlerts = [60 * S];
    const n = traj('n/gpu', 4);
    n.gpuAlerts = [100 * S];
    const { m, o } = score({ trajectories: [a, b, n] });
    expect(differences(m, o)).toEqual([]);
    expect(m).toMatchObject({ detected: 1, gapMedian: 2, recall: 1, flaggedNormals: 1, fpr: 1 });
  });

  it('damage prevented: bytes strictly after t_detect, absent bytes weigh 0; no bytes at all → events; misses prevent 0', () => {
    const c: SimCase = {
      trajectories: [
        traj('a/bytes', 8, { mal: [1, 2, 3, 4], bytes: [100, undefined, 300, 600], alerts: [2] }), // 900/1000
        traj('a/events', 8, { mal: [1, 2, 3, 4], alerts: [1] }), // 3/4
        traj('a/missed', 8, { mal: [1, 2], bytes: [5, 5] }), // 0
      ],
    };
    const { m, o } = score(c);
    expect(differences(m, o)).toEqual([]);
    expect(m.damagePrevented).toBeCloseTo((0.9 + 0.75 + 0) / 3, 12);
  });

  it('no attacks, no normals, all missed', () => {
    const none = score({ trajectories: [traj('n/1', 3, { alerts: [0] }), traj('n/2', 3)] });
    expect(differences(none.m, none.o)).toEqual([]);
    expect(none.m).toMatchObject({ attacks: 0, recall: Number.NaN, eir5: Number.NaN, damagePrevented: Number.NaN, precision: 0, fpr: 0.5 });
    const onlyAttacks = score({ trajectories: [traj('a/1', 3, { mal: [0], alerts: [0] })] });
    expect(differences(onlyAttacks.m, onlyAttacks.o)).toEqual([]);
    expect(onlyAttacks.m).toMatchObject({ normals: 0, fpr: Number.NaN, precision: 1, eir0: 1 });
    const missed = score({ trajectories: [traj('a/1', 4, { mal: [1] }), traj('a/2', 4, { mal: [2], alerts: [0] }), traj('n/1', 2)] });
    expect(differences(missed.m, missed.o)).toEqual([]);
    expect(missed.m).toMatchObject({ detected: 0, missed: 2, eir0: 0, eir5: 0, gapMedian: Number.NaN, damagePrevented: 0 });
    const empty = score({ trajectories: [] });
    expect(differences(empty.m, empty.o)).toEqual([]);
  });

  it('LSTM AUC: ties count a half, one class only gives null', () => {
    const tied = score({ trajectories: [traj('a/1', 4, { mal: [1, 2], scores: [0.5, 0.5, 0.5, 0.5] }), traj('n/1', 2, { scores: [0.5, 0.5] })] });
    expect(differences(tied.m, tied.o)).toEqual([]);
    expect(tied.m.auc).toBe(0.5);
    // positives {0.5, 0.9}, negatives {0.1, 0.5, 0.5}: 0.5 beats 0.1, ties two; 0.9 beats all → (1 + 1 + 3) / 6
    const mixed = score({ trajectories: [traj('a/1', 3, { mal: [1, 2], scores: [0.1, 0.5, 0.9] }), traj('n/1', 2, { scores: [0.5, 0.5] })] });
    expect(differences(mixed.m, mixed.o)).toEqual([]);
    expect(mixed.m.auc).toBeCloseTo(5 / 6, 12);
    const oneClass = score({ trajectories: [traj('n/1', 3, { scores: [0.1, 0.2, 0.3] })] });
    expect(oneClass.m.auc).toBeNull();
  });
});

describe('hostile and odd labels', () => {
  it('duplicates, unknown files, lines that match nothing, records of another job, attacks with no records', () => {
    const c: SimCase = {
      trajectories: [traj('a/1', 10, { mal: [2, 3], bytes: [10, 90], alerts: [3] }), traj('a/2', 6, { mal: [1] }), traj('n/1', 6, { alerts: [5] })],
      hostile: [
        { traj: 0, kind: 'duplicate', ref: { traj: 0, event: 3 } },
        { traj: 0, kind: 'duplicate', ref: { traj: 0, event: 3 } },
        { traj: 0, kind: 'unknown-file' },
        { traj: 0, kind: 'unknown-file' },
        { traj: 1, kind: 'no-such-line' },
        // an earlier event of a benign job named as a/2's record: it must not move a/2's t_start
        { traj: 1, kind: 'other-job', ref: { traj: 2, event: 0 } },
      ],
      emptyLabels: [{ job: 'a/no-records', family: 'shadowray', malicious: true }],
    };
    const { m, o } = score(c);
    expect(differences(m, o)).toEqual([]);
    // a/1: bytes 10 + 90 counted once each, detected at its second record → 0 prevented
    expect(m).toMatchObject({ attacks: 3, detected: 1, missed: 2, unmatchedLabels: 3, damagePrevented: 0 });
  });

  it('a record named twice keeps its first entry; a job listed twice is one trajectory', () => {
    const c: SimCase = { trajectories: [traj('a/1', 6, { mal: [1, 2], bytes: [100, 100], alerts: [1] }), traj('n/1', 3)] };
    const built = buildCase(store, c);
    const labels = JSON.parse(built.labelsText) as { trajectories: { job: string; malicious: boolean; family: string; events: { bytes?: number }[] }[] };
    const a = labels.trajectories[0]!;
    a.events.push({ ...a.events[1]!, bytes: 1_000_000 }); // the same record again, other bytes
    labels.trajectories.push({ ...a, events: [a.events[0]!] }); // a/1 again
    labels.trajectories.push({ job: 'n/1', family: 'benign', malicious: false, events: [] }); // n/1 again
    const truth = resolveGroundTruth(store.db, parseGroundTruth(JSON.stringify(labels), 'labels.json'));
    expect(truth.map((t) => t.job)).toEqual(['a/1', 'n/1']);
    expect([...truth[0]!.malicious_events.values()].map((v) => v.bytes)).toEqual([100, 100]);
    const m = cascadeMetrics(store.db, built.run, truth);
    expect(differences(m, oracle(c, built))).toEqual([]);
    expect(m.damagePrevented).toBe(0.5);
  });

  it('a job labelled benign in one entry and malicious in another is an attack', () => {
    const c: SimCase = { trajectories: [traj('a/1', 6, { mal: [1], alerts: [1] })] };
    const built = buildCase(store, c);
    const labels = JSON.parse(built.labelsText) as { trajectories: unknown[] };
    labels.trajectories.unshift({ job: 'a/1', family: 'benign', malicious: false, events: [] });
    const truth = resolveGroundTruth(store.db, parseGroundTruth(JSON.stringify(labels), 'labels.json'));
    expect(truth).toHaveLength(1);
    expect(truth[0]).toMatchObject({ malicious: true, family: 'weight-exfil' });
    expect(differences(cascadeMetrics(store.db, built.run, truth), oracle(c, built))).toEqual([]);
  });

  it('records listed under a trajectory labelled benign are AUC negatives, and it stays a normal', () => {
    const c: SimCase = { trajectories: [traj('a/1', 3, { mal: [1], scores: [0.1, 0.9, 0.2] }), traj('n/1', 2, { scores: [0.95, 0.3] })] };
    const built = buildCase(store, c);
    const labels = JSON.parse(built.labelsText) as { trajectories: { job: string; events: unknown[] }[] };
    labels.trajectories[1]!.events = labels.trajectories[0]!.events.slice(); // hostile: a/1's record under n/1 too
    const truth = resolveGroundTruth(store.db, parseGroundTruth(JSON.stringify(labels), 'labels.json'));
    const m = cascadeMetrics(store.db, built.run, truth);
    // positive 0.9 vs negatives 0.1, 0.2, 0.95, 0.3 → 3/4; n/1's borrowed record is unmatched
    expect(m.auc).toBe(0.75);
    expect(m).toMatchObject({ normals: 1, attacks: 1, unmatchedLabels: 1 });
  });

  it('refuses bytes that cannot weigh a share, and text that is not a labels file', () => {
    const bad = (bytes: number) => JSON.stringify({ trajectories: [{ job: 'a', family: 'x', malicious: true, events: [{ file: 'f', line: 1, ts: 't', phase: 'p', bytes }] }] });
    expect(() => parseGroundTruth(bad(-5), 'labels.json')).toThrow(/labels file/);
    expect(() => parseGroundTruth(bad(1e300), 'labels.json')).toThrow(/labels file/);
    expect(() => parseGroundTruth('{"trajectories": [', 'labels.json')).toThrow(/not JSON/);
    expect(() => parseGroundTruth('{"trajectories": 3}', 'labels.json')).toThrow(/labels file/);
  });

  it('a label path names its exact source before a nested copy with the same suffix', () => {
    const db = store.db;
    buildCase(store, { trajectories: [] });
    const src = (path: string) => Number(db.prepare(`INSERT INTO sources(path, kind, bytes, status, ingested_at) VALUES (?, 'app', 1, 'ok', 'now')`).run(path).lastInsertRowid);
    const nested = src('vendor/app/events.jsonl'); // lower id: found first by a suffix match
    const exact = src('app/events.jsonl');
    const ev = (sid: number) => Number(db.prepare(`INSERT INTO events(ts, source, action, job, attrs, source_id, line, offset) VALUES (1, 'app', 'x', 'a/1', '{}', ?, 1, 0)`).run(sid).lastInsertRowid);
    ev(nested);
    const want = ev(exact);
    const truth = resolveGroundTruth(db, parseGroundTruth(JSON.stringify({ trajectories: [{ job: 'a/1', family: 'f', malicious: true, events: [{ file: 'app/events.jsonl', line: 1, ts: 't', phase: 'p' }] }] }), 'l'));
    expect([...truth[0]!.malicious_events.keys()]).toEqual([want]);
  });
});

describe('scale', () => {
  it('scores a job with 200k alerts without overflowing the stack', () => {
    const db = store.db;
    buildCase(store, { trajectories: [] });
    db.exec('DELETE FROM events');
    const sid = Number(db.prepare(`INSERT INTO sources(path, kind, bytes, status, ingested_at) VALUES ('app/events.jsonl', 'app', 1, 'ok', 'now')`).run().lastInsertRowid);
    const n = 200_000;
    const insE = db.prepare(`INSERT INTO events(id, ts, source, action, job, attrs, source_id, line, offset) VALUES (?, ?, 'app', 'x', 'a/big', '{}', ?, ?, 0)`);
    const insD = db.prepare(`INSERT INTO detections(event_id, job, ts, layer, decision, severity, run_id) VALUES (?, 'a/big', ?, 1, 'alert', 'high', 1)`);
    db.transaction(() => {
      for (let i = 1; i <= n; i++) {
        insE.run(i, i, sid, i);
        insD.run(i, i);
      }
    })();
    expect(flaggedTrajectories(db)[0]).toMatchObject({ job: 'a/big', alerts: n, score: 1 });
    const outcomes = new Uint8Array(n + 1).fill(OUTCOME.ALERT_L1);
    const labels = { trajectories: [{ job: 'a/big', family: 'weight-exfil', malicious: true, events: [{ file: 'app/events.jsonl', line: 10, ts: 't', phase: 'p' }] }] };
    const run = fakeRun(outcomes, new Float32Array(n + 1).fill(Number.NaN));
    const m = cascadeMetrics(db, run, resolveGroundTruth(db, parseGroundTruth(JSON.stringify(labels), 'l')));
    expect(m).toMatchObject({ attacks: 1, detected: 1, eir0: 1, recall: 1 });
  });
});
