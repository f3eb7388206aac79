/**
 * The SARIF log of real triage results, checked structurally against what SARIF 2.1.0 requires
 * (version, $schema, runs[].tool.driver.name and rules, results[].ruleId / level / message /
 * locations / partialFingerprints) and for stability: a second run over the same inputs gives the
 * same rule ids and fingerprints, so code-scanning dashboards deduplicate.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { triageArtifact } from '../triage.js';
import type { TriageResult } from '../triage-result.js';
import { partialFingerprint, pathUri, SARIF_FINGERPRINT_KEY, sarifLog } from './sarif.js';

const fix = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../pickle/fixtures/${p}`, import.meta.url)));
const INPUTS = ['pytorch-gen/reduce_os_system.pt', 'pytorch-gen/nan_injected.pt', 'pickle-malicious/picklescan__malicious1_0x1.zip', 'pytorch-gen/ref_mlp.pt'];

async function run(): Promise<TriageResult[]> {
  return Promise.all(INPUTS.map((p) => triageArtifact(bufferSource(`models/${p}`, fix(p)))));
}

describe('SARIF 2.1.0', async () => {
  const results = await run();
  const log = sarifLog(results);

  it('has the required top-level and run properties', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]!.tool.driver;
    expect(driver.name).toBe('mlshield');
    expect(driver.rules.length).toBeGreaterThan(2);
    for (const rule of driver.rules) {
      expect(rule.id).toMatch(/^[a-z0-9.-]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
    expect(new Set(driver.rules.map((r) => r.id)).size).toBe(driver.rules.length);
  });

  it('gives every result a rule, a level, a message, a location and a partial fingerprint', () => {
    const run0 = log.runs[0]!;
    const total = results.reduce((a, r) => a + r.findings.length, 0);
    expect(run0.results).toHaveLength(total);
    for (const r of run0.results) {
      expect(run0.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(r.locations.length).toBeGreaterThan(0);
      const art = r.locations[0]!.physicalLocation.artifactLocation;
      expect(run0.artifacts[art.index]!.location.uri).toBe(art.uri);
      expect(r.partialFingerprints[SARIF_FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run0.artifacts.map((a) => a.hashes['sha-256'])).toEqual(results.map((r) => r.sha256));
    expect(run0.results.find((r) => r.ruleId === 'pickle.import.dangerous')!.level).toBe('error');
    expect(run0.results.find((r) => r.ruleId === 'tensor.nonfinite')!.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('2.weight');
  });

  it('is stable across runs (same rule ids and fingerprints) and fingerprints ignore message numbers', async () => {
    const again = sarifLog(await run());
    const key = (l: typeof log): string[] => l.runs[0]!.results.map((r) => `${r.ruleId} ${r.partialFingerprints[SARIF_FINGERPRINT_KEY]}`);
    expect(key(again)).toEqual(key(log));
    const a = partialFingerprint('x.y', 'f.pt', { id: 'x.y', severity: 'low', message: '12 values' });
    const b = partialFingerprint('x.y', 'f.pt', { id: 'x.y', severity: 'low', message: '13 values' });
    expect(a).toBe(b);
  });

  it('writes paths as URI references', () => {
    expect(pathUri('dir with space/a#b.pt')).toBe('dir%20with%20space/a%23b.pt');
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });
});
