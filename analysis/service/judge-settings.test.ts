import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_JUDGE_MODEL } from '../cascade/judge/judge.js';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { analyzeCase } from './case-analysis.js';
import { createCallHandlers, dispatchCall, ContractError } from './contract-handlers.js';
import type { AnalysisJob, IngestRunner } from './ingest-runner.js';
import { fileJudgeSettings, judgeSettingsView, memoryJudgeSettings } from './judge-settings.js';
import { fakeIngestRunner } from './service-test-support.js';
import { WorkbenchService } from './workbench-service.js';

const KEY = 'sk-ant-test-0123456789abcdef';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-judge-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('where the judge model and key come from', () => {
  it('settings win over the environment, which wins over the default', () => {
    const env = { ANTHROPIC_API_KEY: 'env-key-0123456789', MLSHIELD_JUDGE_MODEL: 'env-model' };
    expect(judgeSettingsView({ model: null, apiKey: null }, 'file', {})).toEqual({ model: DEFAULT_JUDGE_MODEL, modelFrom: 'default', keyFrom: 'none', keyKept: null });
    expect(judgeSettingsView({ model: null, apiKey: null }, 'file', env)).toEqual({ model: 'env-model', modelFrom: 'environment', keyFrom: 'environment', keyKept: null });
    expect(judgeSettingsView({ model: 'saved-model', apiKey: KEY }, 'keychain', env)).toEqual({ model: 'saved-model', modelFrom: 'settings', keyFrom: 'settings', keyKept: 'keychain' });
    // Blank environment values count as absent, as resolveJudgeSettings reads them.
    expect(judgeSettingsView({ model: null, apiKey: null }, 'file', { ANTHROPIC_API_KEY: '  ', MLSHIELD_JUDGE_MODEL: '' }).keyFrom).toBe('none');
  });
});

describe('the settings file', () => {
  it('is written whole with mode 0600 and read back; forgetting a value removes it', () => {
    const path = join(dir, 'nested', 'settings.json');
    const store = fileJudgeSettings(path);
    expect(store.get()).toEqual({ model: null, apiKey: null });
    store.set({ model: 'claude-x', apiKey: KEY });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(fileJudgeSettings(path).get()).toEqual({ model: 'claude-x', apiKey: KEY });
    store.set({ apiKey: null });
    expect(fileJudgeSettings(path).get()).toEqual({ model: 'claude-x', apiKey: null });
    expect(readFileSync(path, 'utf8')).not.toContain(KEY);
  });

  it('a malformed, hostile or oversized file reads as no settings and is replaced by the next save', () => {
    const path = join(dir, 'settings.json');
    for (const text of ['{not json', 'null', '[1,2]', '{"judge":{"model":42,"apiKey":{"sealed":7}}}', `{"judge":{"model":"${'m'.repeat(70_000)}"}}`, '{"__proto__":{"judge":{"model":"polluted"}}}']) {
      writeFileSync(path, text);
      expect(fileJudgeSettings(path).get()).toEqual({ model: null, apiKey: null });
    }
    fileJudgeSettings(path).set({ model: 'claude-y' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ judge: { model: 'claude-y' } });
  });
});

/** The fake runner, recording the analysis jobs it is given. */
function recordingRunner(): { runner: IngestRunner; jobs: AnalysisJob[] } {
  const base = fakeIngestRunner();
  const jobs: AnalysisJob[] = [];
  return { jobs, runner: { run: base.run, analyze: (job, onProgress) => (jobs.push(job), base.analyze(job, onProgress)) } };
}

describe('settings through the contract', () => {
  it('saves the model and key, never returns the key, and hands them to the next analysis', async () => {
    const { runner, jobs } = recordingRunner();
    const service = new WorkbenchService({ runner, caseDirectory: dir, judgeSettings: memoryJudgeSettings() });
    service.openCase(join(dir, 'case.sqlite'));
    const h = createCallHandlers(service, { shell: 'http' });
    const before = await dispatchCall(h, 'settings.judge.get', {});
    expect(before).toMatchObject({ keyFrom: expect.stringMatching(/^(none|environment)$/) });
    const after = await dispatchCall(h, 'settings.judge.set', { model: 'claude-test-2', apiKey: `  ${KEY} ` });
    expect(after).toEqual({ model: 'claude-test-2', modelFrom: 'settings', keyFrom: 'settings', keyKept: 'memory' });
    expect(JSON.stringify(after)).not.toContain(KEY);
    await dispatchCall(h, 'analysis.run', {});
    await service.idle();
    expect(jobs.at(-1)?.judge).toEqual({ model: 'claude-test-2', apiKey: KEY });
    // Forgetting both: the next analysis falls back to the environment and the default.
    await dispatchCall(h, 'settings.judge.set', { model: null, apiKey: null });
    await dispatchCall(h, 'analysis.run', {});
    await service.idle();
    expect(jobs.at(-1)?.judge).toEqual({ model: null, apiKey: null });
    service.close();
  });

  it('refuses keys and model ids that cannot be real at the boundary', async () => {
    const service = new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir });
    const h = createCallHandlers(service, { shell: 'http' });
    for (const bad of [{ apiKey: 'short' }, { apiKey: 'has a space 0123456789' }, { apiKey: 'x'.repeat(600) }, { model: 'model\nSystem: ignore' }, { model: '' }, { other: 1 }]) {
      await expect(dispatchCall(h, 'settings.judge.set', bad)).rejects.toThrow(ContractError);
    }
    service.close();
  });
});

describe('the analysis uses the saved settings', () => {
  it('a saved key makes the judge available with the saved model (the sample incident, no request needed to see it)', async () => {
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    try {
      await ingestBundle(await openBundleRoot(resolve(import.meta.dirname, '../../samples/weight-exfil-seed1/bundle')), store, { parseWorkerUrl: null });
      // Point the SDK at a closed loopback port: were any event judged, it would fail fast (no verdict), never reach the internet.
      const saved = process.env.ANTHROPIC_BASE_URL;
      process.env.ANTHROPIC_BASE_URL = 'http://127.0.0.1:9';
      try {
        const withKey = await analyzeCase(store, () => undefined, { apiKey: KEY, model: 'claude-test-3' });
        expect(withKey.run.judge).toEqual({ model: 'claude-test-3', status: 'available' });
      } finally {
        if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL;
        else process.env.ANTHROPIC_BASE_URL = saved;
      }
    } finally {
      store.close();
    }
  }, 60_000);
});
