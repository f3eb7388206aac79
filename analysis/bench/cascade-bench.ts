/**
 * `npm run bench -- cascade`: issue 3's detection targets on a fresh seed's benchmark. Generates the
 * benchmark (seed MLSHIELD_BENCH_SEED, default 2; never the seed the models were tuned on) into the
 * work dir if missing, ingests every split, runs the cascade without Layer 3 on the test and
 * held-out splits and prints one JSON line per split and no-hit policy, then one `whole` line: all
 * four splits analysed (the benchmark's total analysis time) in this warm process, and one
 * `whole-command` line: the same by the `mlshield analyze` command, a fresh process per split.
 * Labels are read only to score the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BENCHMARK_SPLITS, generateBenchmark } from '../generate/benchmark.js';
import { writeBenchmark } from '../generate/write-benchmark.js';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { loadLayer2Models } from '../models/layer2-models.js';
import { defaultRulesDir, loadRulesFrom } from '../cascade/rule-files.js';
import { NO_HIT_POLICIES, OUTCOME, runCascade } from '../cascade/cascade-runner.js';
import { cascadeMetrics } from '../cascade/cascade-metrics.js';
import { caseEvents, type CaseEvent } from '../cascade/case-events.js';
import { createRuleEngine, decideLayer1 } from '../cascade/rules/engine.js';
import type { CompiledRule } from '../cascade/rules/compiled-rule.js';
import { parseGroundTruth, resolveGroundTruth } from '../cascade/ground-truth.js';
import { benchRounds, median } from './bench-rounds.js';

const SPLITS = ['test', 'heldout'] as const;

async function prepare(workDir: string, seed: number): Promise<string> {
  const dir = join(workDir, `benchmark-s${seed}`);
  if (!existsSync(join(dir, 'benchmark.json')) || BENCHMARK_SPLITS.some((s) => !existsSync(join(dir, s, 'labels.json')))) {
    // All splits are written together: a partial directory (an older layout) is regenerated whole.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await writeBenchmark(generateBenchmark({ seed, scale: 1 }), dir);
  }
  for (const split of BENCHMARK_SPLITS) {
    const done = join(dir, split, 'case.sqlite.complete');
    if (existsSync(done)) continue;
    const store = CaseStore.open(join(dir, split, 'case.sqlite'));
    try {
      await ingestBundle(await openBundleRoot(join(dir, split, 'bundle')), store);
    } finally {
      store.close();
    }
    writeFileSync(done, '');
  }
  return dir;
}

/** Layer 1 alone over events already in memory: the rule engine's throughput, without SQLite or JSON. */
function layer1Throughput(rules: readonly CompiledRule[], events: readonly CaseEvent[]): number {
  let n = 0;
  const t0 = performance.now();
  // Repeat until at least a second has passed so the figure is not a timer artefact.
  do {
    const engine = createRuleEngine(rules);
    for (const e of events) decideLayer1(engine.evaluate(e));
    n += events.length;
  } while (performance.now() - t0 < 1000);
  return n / ((performance.now() - t0) / 1000);
}

/** `cli`: the `mlshield` command's entry (bin/mlshield.js) for the `whole-command` line, if there is one. */
export async function runCascadeBench(workDir: string, cli: string | null = null): Promise<void> {
  const seed = Number(process.env.MLSHIELD_BENCH_SEED ?? '2');
  const dir = await prepare(workDir, seed);
  const rules = loadRulesFrom([defaultRulesDir()!]).rules;
  for (const split of SPLITS) for (const noHitPolicy of NO_HIT_POLICIES) {
    const models = await loadLayer2Models('auto');
    const store = CaseStore.open(join(dir, split, 'case.sqlite'));
    try {
      const run = await runCascade(store, { rules, models, judge: null, toolVersion: 'bench', noHitPolicy });
      const truth = resolveGroundTruth(store.db, parseGroundTruth(readFileSync(join(dir, split, 'labels.json'), 'utf8'), 'labels.json'));
      const m = cascadeMetrics(store.db, run, truth);
      const malicious = new Set<number>();
      for (const t of truth) for (const id of t.malicious_events.keys()) malicious.add(id);
      const events = [...caseEvents(store.db)];
      let benign = 0;
      let cleared = 0;
      let l2 = 0;
      let l3 = 0;
      for (const e of events) {
        if (malicious.has(e.id)) continue;
        benign++;
        const o = run.outcomes[e.id]!;
        if (o === OUTCOME.CLEARED_L1) cleared++;
        if (o >= OUTCOME.TO_L2 && o !== OUTCOME.ALERT_L1) l2++;
        if (o >= OUTCOME.TO_L3 && o !== OUTCOME.CLEARED_L1) l3++;
      }
      const r = (x: number | null, d = 4): number | null => (x === null || Number.isNaN(x) ? null : Number(x.toFixed(d)));
      console.log(JSON.stringify({
        split, seed, noHitPolicy, events: run.events, attacks: m.attacks, normals: m.normals,
        recall: r(m.recall), fpr: r(m.fpr), precision: r(m.precision), eir0: r(m.eir0), eir5: r(m.eir5),
        gapMedian: r(m.gapMedian), damagePrevented: r(m.damagePrevented), lstmAuc: r(m.auc),
        l1ClearedBenign: r(cleared / Math.max(1, benign)), l2ReachedBenign: r(l2 / Math.max(1, benign)), l3ReachedBenign: r(l3 / Math.max(1, benign)),
        l2Reached: r(run.layers.l2Reached), l3Reached: r(run.layers.l3Reached),
        l1EventsPerSecond: Math.round(layer1Throughput(rules, events)),
        cascadeSeconds: r(run.timing.totalSeconds, 3),
        byFamily: Object.fromEntries(Object.entries(m.byFamily).map(([k, v]) => [k, r(v.eir5)])),
      }));
    } finally {
      store.close();
    }
  }
  // The whole benchmark (train, validation, test, held-out: one incident bundle, so one case, per
  // split) analysed without Layer 3 with the default policy: the time an analyst waits for all of
  // it. Over benchRounds() rounds, reported as the median with every round (one round on this shared
  // 2-core machine can differ from the next by 30%).
  const rounds: number[] = [];
  let events = 0;
  let trajectories = 0;
  for (let round = 0; round < benchRounds(); round++) {
    let seconds = 0;
    events = trajectories = 0;
    for (const split of BENCHMARK_SPLITS) {
      const models = await loadLayer2Models('auto');
      const store = CaseStore.open(join(dir, split, 'case.sqlite'));
      try {
        const run = await runCascade(store, { rules, models, judge: null, toolVersion: 'bench' });
        seconds += run.timing.totalSeconds;
        events += run.events;
        trajectories += (JSON.parse(readFileSync(join(dir, split, 'labels.json'), 'utf8')) as { trajectories: unknown[] }).trajectories.length;
      } finally {
        store.close();
      }
    }
    rounds.push(Number(seconds.toFixed(3)));
  }
  console.log(JSON.stringify({ split: 'whole', seed, splits: BENCHMARK_SPLITS, events, trajectories, cascadeSeconds: Number(median(rounds).toFixed(3)), roundSeconds: rounds }));
  if (cli) console.log(JSON.stringify(wholeByCommand(cli, dir, seed)));
}

/**
 * The whole benchmark as an analyst runs it: `mlshield analyze <case> --json` once per split, each
 * a fresh process (module loading, rule compilation, model loading and a cold JIT included), without
 * an API key, on a copy of each split's case. `wallSeconds` is what the analyst waits;
 * `cascadeSeconds` the runs' own cascade time (their `timing.totalSeconds`).
 */
function wholeByCommand(cli: string, dir: string, seed: number): object {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  let wall = 0;
  let cascade = 0;
  for (const split of BENCHMARK_SPLITS) {
    const copy = join(dir, split, 'case-command.sqlite');
    for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
    const src = new Database(join(dir, split, 'case.sqlite'), { readonly: true });
    try {
      src.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`);
    } finally {
      src.close();
    }
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'analyze', copy, '--json'], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
    wall += (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`mlshield analyze ${split} exited ${r.status}: ${r.stderr}`);
    cascade += (JSON.parse(r.stdout) as { timing: { totalSeconds: number } }).timing.totalSeconds;
    for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
  }
  return { split: 'whole-command', seed, splits: BENCHMARK_SPLITS, wallSeconds: Number(wall.toFixed(3)), cascadeSeconds: Number(cascade.toFixed(3)) };
}
