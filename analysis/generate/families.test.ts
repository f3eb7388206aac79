import { describe, expect, it } from 'vitest';
import { deriveJobKeys } from './derived-job-keys.js';
import { ATTACK_SCENARIOS } from './families/registry.js';
import { generateIncident } from './scenario.js';

describe('generateIncident for every family', () => {
  for (const scenario of ATTACK_SCENARIOS) {
    it(`${scenario}: one attack trajectory whose labelled records the real readers key to it`, () => {
      for (const seed of [1, 2]) {
        const inc = generateIncident({ scenario, seed, durationMinutes: 40 });
        const mal = inc.labels.trajectories.filter((t) => t.malicious);
        expect(mal).toHaveLength(1);
        const t = mal[0]!;
        expect(t.family).toBe(scenario);
        expect(t.events.length).toBeGreaterThan(2);
        const keys = deriveJobKeys(inc.files);
        for (const e of t.events) expect(keys.jobs.get(`${e.file}:${e.line}`), `${e.phase} ${e.file}:${e.line}`).toBe(t.job);
        if (scenario !== 'data-poisoning' && scenario !== 'model-extraction') expect(t.events.some((e) => e.phase === 'exfiltration' || e.phase === 'impact')).toBe(true);
      }
    });
  }
});
