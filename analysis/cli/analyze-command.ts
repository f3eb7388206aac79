/** `mlshield analyze <case.sqlite | bundle> [--labels labels.json] [--json] [--device …]` */
import { openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { TOOL_VERSION } from '../core/version.js';
import { DEVICE_CHOICES, isDeviceChoice } from '../models/onnx-runtime.js';
import { loadLayer2Models } from '../models/layer2-models.js';
import { defaultRulesDir, loadRulesFrom } from '../cascade/rule-files.js';
import { NO_HIT_POLICIES, runCascade, type CascadeSummary, type NoHitPolicy } from '../cascade/cascade-runner.js';
import { cascadeMetrics, flaggedTrajectories, type CascadeMetrics, type FlaggedTrajectory } from '../cascade/cascade-metrics.js';
import { parseGroundTruth, resolveGroundTruth } from '../cascade/ground-truth.js';
import { createJudge } from '../cascade/judge/judge.js';
import { createSqliteJudgementCache } from '../cascade/judge/judgement-cache.js';
import { isoMicros, table } from './format.js';
import { BUNDLE_PATH_META, triageCaseCheckpoints } from '../triage/case-triage.js';
import { storeRunMetrics } from '../report/run-metrics.js';

const HELP = `Usage: mlshield analyze <case.sqlite | bundle> [options]

Runs the detection cascade over a case (ingesting first when given a bundle): Layer 1 rules,
Layer 2 LSTM + Isolation Forest (ONNX Runtime), Layer 3 LLM judge for the uncertain band.
Detections and judgements are stored in the case.

Options:
  --case <file>         case file to create when the input is a bundle (default: ./<bundle>.case.sqlite)
  --labels <file>       ground truth (labels.json from mlshield generate): adds precision, recall,
                        ML-EIR@0/@5, detection gap and damage prevented
  --json                print one JSON object
  --device <d>          ${DEVICE_CHOICES.join('|')} (default auto: CUDA, then WebGPU, then CPU)
  --rules <dir>         extra rule folder (YAML), added to the built-in rules
  --no-judge            do not call the LLM judge (uncertain events stay open)
  --judge-model <name>  model for the judge (default: MLSHIELD_JUDGE_MODEL or the built-in default)
  --l1-no-hit <policy>  events no rule matches: suspect-only (default: to the LSTM only inside
                        trajectories a rule already flagged, else cleared) or score (every one goes
                        to the LSTM: more Layer-2 work)
The judge's key comes from ANTHROPIC_API_KEY; without it Layer 3 reports "not run".`;

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'run the detection cascade over a case or bundle',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        case: { type: 'string' },
        labels: { type: 'string' },
        json: { type: 'boolean', default: false },
        device: { type: 'string', default: 'auto' },
        rules: { type: 'string', multiple: true },
        'no-judge': { type: 'boolean', default: false },
        'judge-model': { type: 'string' },
        'l1-no-hit': { type: 'string', default: 'suspect-only' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one case file or bundle');
    const noHitPolicy = values['l1-no-hit'] as NoHitPolicy;
    if (!NO_HIT_POLICIES.includes(noHitPolicy)) throw new UsageError(`--l1-no-hit must be one of ${NO_HIT_POLICIES.join(', ')}`);
    if (!isDeviceChoice(values.device)) throw new UsageError(`--device must be one of ${DEVICE_CHOICES.join(', ')}`);
    const input = resolve(positionals[0]!);
    const isCase = isSqliteFile(input);
    const casePath = isCase ? input : resolve(values.case ?? `${basename(input).replace(/\.(zip|tar|tgz|tar\.gz|gz)$/i, '')}.case.sqlite`);
    const log = (s: string): void => {
      if (!values.json) process.stderr.write(s + '\n');
    };

    const store = CaseStore.open(casePath);
    try {
      if (!isCase) {
        log(`Ingesting ${input} into ${casePath} …`);
        const r = await ingestBundle(await openBundleRoot(input), store);
        log(`  ${r.events} events, ${r.gpuSamples} GPU samples, ${r.quarantined} quarantined (${r.seconds.toFixed(2)} s)`);
        store.setMeta(BUNDLE_PATH_META, input);
      }
      const triage = await triageCaseCheckpoints(store);
      for (const t of triage.triaged) log(`triage: ${t.path}: ${t.verdict} (${t.findings} findings, ${t.tensors} tensors)`);
      if (triage.missing.length > 0) log(`triage: ${triage.missing.length} checkpoints not found in the bundle (moved or changed since ingest): ${triage.missing.slice(0, 3).join(', ')}`);
      const dirs = [defaultRulesDir(), ...(values.rules ?? []).map((d) => resolve(d))].filter((d): d is string => d !== null);
      const rules = loadRulesFrom(dirs);
      for (const w of rules.warnings.slice(0, 5)) log(`rules: ${w}`);
      const models = await loadLayer2Models(values.device);
      for (const line of models.summary) log(`layer 2: ${line}`);
      if (models.lstm.status !== 'loaded') log('layer 2: without the LSTM, events that would reach it escalate to the judge');
      const judge = values['no-judge']
        ? null
        : createJudge({ model: values['judge-model'] ?? null, cache: createSqliteJudgementCache(store.db) });
      const run = await runCascade(store, { rules: rules.rules, models, judge, toolVersion: TOOL_VERSION, noHitPolicy });
      let metrics: CascadeMetrics | null = null;
      if (values.labels) {
        const gt = parseGroundTruth(readFileSync(resolve(values.labels), 'utf8'), values.labels);
        metrics = cascadeMetrics(store.db, run, resolveGroundTruth(store.db, gt));
        storeRunMetrics(store.db, run.runId, metrics);
      }
      const flagged = flaggedTrajectories(store.db);
      const checkpoints = checkpointVerdicts(store);
      if (values.json) process.stdout.write(JSON.stringify({ ...analyzeJson(casePath, run, flagged, metrics), checkpoints }) + '\n');
      else process.stdout.write(renderAnalysis(casePath, run, flagged, metrics, rules.rules.length) + renderCheckpoints(checkpoints));
      return EXIT.OK;
    } finally {
      store.close();
    }
  },
};

interface CheckpointVerdict {
  path: string;
  format: string;
  verdict: string;
  findings: { id: string; severity: string; message: string }[];
}

function checkpointVerdicts(store: CaseStore): CheckpointVerdict[] {
  const rows = store.db.prepare('SELECT id, path, format, verdict FROM checkpoints WHERE source_id IS NOT NULL ORDER BY path').all() as { id: number; path: string; format: string; verdict: string }[];
  const findings = store.db.prepare('SELECT finding_id AS id, severity, message FROM findings WHERE checkpoint_id = ? ORDER BY id');
  return rows.map((r) => ({ path: r.path, format: r.format, verdict: r.verdict, findings: findings.all(r.id) as CheckpointVerdict['findings'] }));
}

function renderCheckpoints(list: CheckpointVerdict[]): string {
  if (list.length === 0) return '';
  const out = ['', 'Checkpoints'];
  for (const c of list) {
    out.push(`  ${c.path}  ${c.format}  ${c.verdict.toUpperCase()}`);
    for (const f of c.findings.slice(0, 5)) out.push(`      [${f.severity}] ${f.message}`);
  }
  return out.join('\n') + '\n';
}

function isSqliteFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    closeSync(fd);
    return head.toString('latin1') === 'SQLite format 3\u0000';
  } catch {
    return false;
  }
}

const round = (x: number | null, d = 4): number | null => (x === null || Number.isNaN(x) ? null : Number(x.toFixed(d)));

/** The documented `--json` shape (issue #3), with the counts behind the shares. */
export function analyzeJson(casePath: string, run: CascadeSummary, flagged: FlaggedTrajectory[], metrics: CascadeMetrics | null) {
  return {
    case: casePath,
    events: run.events,
    layers: { l1Cleared: round(run.layers.l1Cleared), l2Reached: round(run.layers.l2Reached), l3Reached: round(run.layers.l3Reached) },
    counts: run.counts,
    timing: run.timing,
    providers: run.providers,
    judge: run.judge,
    detections: run.detections,
    trajectories: flagged.map((t) => ({
      job: t.job,
      family: t.family,
      firstAlertTs: new Date(Math.floor(t.firstAlertTs / 1000)).toISOString(),
      firstAlertPhase: t.firstAlertPhase,
      score: round(t.score),
      phases: t.phases.map((p) => ({ phase: p.phase, firstTs: new Date(Math.floor(p.firstTs / 1000)).toISOString(), alerts: p.alerts })),
    })),
    ...(metrics
      ? {
          metrics: {
            precision: round(metrics.precision),
            recall: round(metrics.recall),
            fpr: round(metrics.fpr),
            auc: round(metrics.auc),
            eir0: round(metrics.eir0),
            eir5: round(metrics.eir5),
            gapMedian: round(metrics.gapMedian),
            damagePrevented: round(metrics.damagePrevented),
          },
          metricsDetail: metrics,
        }
      : {}),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function renderAnalysis(casePath: string, run: CascadeSummary, flagged: FlaggedTrajectory[], m: CascadeMetrics | null, ruleCount: number): string {
  const c = run.counts;
  const out: string[] = [];
  out.push(`Case file: ${casePath}`);
  out.push(`Cascade over ${run.events.toLocaleString('en-US')} events with ${ruleCount} rules in ${run.timing.totalSeconds.toFixed(2)} s`);
  out.push('');
  out.push('Layers');
  out.push(
    table(
      ['layer', 'reached', 'cleared', 'alert', 'passed on', 'latency'],
      [
        ['1 rules', run.events, `${c.l1.cleared} (${pct(run.layers.l1Cleared)})`, c.l1.alert, c.l1.escalate + c.l1.pass, `${run.timing.l1MicrosPerEvent.toFixed(1)} µs/event`],
        ['2 LSTM', `${c.l2.reached} (${pct(run.layers.l2Reached)})`, c.l2.cleared, c.l2.alert, c.l2.uncertain + c.l2.unavailable, `${run.timing.l2MillisPerEvent.toFixed(3)} ms/event`],
        ['3 judge', `${c.l3.reached} (${pct(run.layers.l3Reached)})`, c.l3.cleared, c.l3.alert, `${c.l3.open} open`, `${run.timing.l3SecondsPerEvent.toFixed(2)} s/event`],
      ],
    ),
  );
  out.push(`Layer 2 providers: LSTM ${run.providers.lstm}; Isolation Forest ${run.providers.iforest}`);
  // A forest that scored nothing must not read as a quiet one (unscored windows and why).
  out.push(`GPU windows: ${c.gpu.windows}, rule alerts ${c.gpu.ruleAlerts}, forest alerts ${c.gpu.forestAlerts}, unscored ${c.gpu.unscored}` +
    (c.gpu.unscored > 0 && c.gpu.unscoredReason ? ` (${c.gpu.unscoredReason})` : ''));
  out.push(`Judge: ${run.judge.status}${run.judge.model ? ` (${run.judge.model})` : ''}` +
    (c.l3.open > 0 ? ` — ${c.l3.open} events left open for the analyst` : '') +
    (c.l3.inputTokens ? `, ${c.l3.inputTokens}+${c.l3.outputTokens} tokens, ${c.l3.fromCache} from cache` : ''));
  out.push('');
  out.push(`Flagged trajectories: ${flagged.length}`);
  for (const t of flagged.slice(0, 10)) {
    out.push(`  ${t.job}  ${t.family ?? 'unknown family'}  first alert ${isoMicros(t.firstAlertTs)} (${t.firstAlertPhase ?? 'no phase'}, layer ${t.firstAlertLayer}), ${t.alerts} alerts`);
    const phases = [...t.phases].sort((a, b) => a.firstTs - b.firstTs);
    for (const p of phases) out.push(`      ${p.phase.padEnd(18)} ${isoMicros(p.firstTs)}  ${p.alerts} alerts`);
  }
  if (m) {
    out.push('');
    out.push('Against ground truth');
    out.push(`  trajectories: ${m.attacks} attacks (${m.detected} detected, ${m.missed} missed), ${m.normals} normal (${m.flaggedNormals} flagged)`);
    out.push(`  precision ${fmt(m.precision)}  recall ${fmt(m.recall)}  FPR ${fmt(m.fpr)}  LSTM AUC ${fmt(m.auc)}`);
    out.push(`  ML-EIR@0 ${fmt(m.eir0)}  ML-EIR@5 ${fmt(m.eir5)}  gap median ${fmt(m.gapMedian)} events (${fmt(m.gapMedianSeconds)} s), p90 ${fmt(m.gapP90)}`);
    out.push(`  damage prevented ${fmt(m.damagePrevented)}`);
    if (m.unmatchedLabels > 0) out.push(`  ${m.unmatchedLabels} labelled records were not found in the case`);
  }
  return out.join('\n') + '\n';
}

function fmt(x: number | null): string {
  return x === null || Number.isNaN(x) ? '—' : x.toFixed(3);
}
