/**
 * What the workbench runs after an ingest (and on `analysis.run`): checkpoint triage of the case's
 * bundle, then the detection cascade (analysis/cascade) — the same steps as `mlshield analyze`.
 * The judge is created as the CLI creates it, with the model and key of the app's settings
 * (judge-settings.ts) when saved: without a key it reports "not run" and the uncertain events stay
 * open for the analyst.
 */
import type { CaseStore } from '../store/case-store.js';
import { TOOL_VERSION } from '../core/version.js';
import { triageCaseCheckpoints } from '../triage/case-triage.js';
import { defaultRulesDir, loadRulesFrom } from '../cascade/rule-files.js';
import { loadLayer2Models, releaseLayer2Models } from '../models/layer2-models.js';
import { runCascade } from '../cascade/cascade-runner.js';
import { createJudge } from '../cascade/judge/judge.js';
import { createSqliteJudgementCache } from '../cascade/judge/judgement-cache.js';
import { flaggedTrajectories } from '../cascade/cascade-metrics.js';
import type { AnalysisOutcome, AnalysisStageProgress, JudgeJobSettings } from './ingest-runner.js';
import { analysisRunView } from './analysis-view.js';

export async function analyzeCase(
  store: CaseStore,
  onProgress: (p: AnalysisStageProgress) => void,
  judgeSettings: JudgeJobSettings = { apiKey: null, model: null },
): Promise<AnalysisOutcome> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  onProgress({ stage: 'checkpoint triage', done: 0, total: 1, elapsedSeconds: 0 });
  const triage = await triageCaseCheckpoints(store);
  onProgress({ stage: 'loading rules and models', done: 0, total: 1, elapsedSeconds: elapsed() });
  const dir = defaultRulesDir();
  const rules = loadRulesFrom(dir ? [dir] : []);
  const models = await loadLayer2Models('auto');
  try {
    // The app's settings first, then ANTHROPIC_API_KEY / MLSHIELD_JUDGE_MODEL, then the default model.
    const judge = createJudge({ cache: createSqliteJudgementCache(store.db), apiKey: judgeSettings.apiKey, model: judgeSettings.model });
    const run = await runCascade(store, {
      rules: rules.rules,
      models,
      judge,
      toolVersion: TOOL_VERSION,
      onProgress: (p) => onProgress({ ...p, elapsedSeconds: elapsed() }),
    });
    const view = analysisRunView(run);
    return { run: view, flaggedTrajectories: flaggedTrajectories(store.db).length, checkpointsTriaged: triage.triaged.length + triage.alreadyTriaged };
  } finally {
    await releaseLayer2Models(models);
  }
}
