/**
 * The cloud metadata endpoint in the spellings a client still resolves to it (MLS-RAY-005, shipped
 * rule set): a rule written on the address must not be evaded by another way to write it.
 */
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRulesFrom } from '../rule-files.js';
import { createRuleEngine } from './engine.js';
import { appEvent, T0 } from './fixtures.test-support.js';

const RULES = loadRulesFrom([defaultRulesDir()!]).rules;

function ids(destination: string): string[] {
  const e = appEvent(T0, 'http_get', { job: 'ray-head' }, { destination });
  return [...new Set(createRuleEngine(RULES).evaluate(e).map((h) => h.ruleId))];
}

describe('MLS-RAY-005: cloud metadata requested by a workload', () => {
  it('alerts on every spelling of the metadata address', () => {
    for (const d of [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://0xA9FEA9FE/latest/meta-data/',
      'http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/',
      'http://2852039166/latest/meta-data/',
      'http://169.254.43518/latest/meta-data/',
      'http://0251.0376.0251.0376/latest/meta-data/',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
      'http://１６９．２５４．１６９．２５４/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://instance-data/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
    ]) {
      expect(ids(d), d).toContain('MLS-RAY-005');
    }
  });

  it('leaves other hosts alone', () => {
    for (const d of ['http://169.254.169.253/', 'https://huggingface.co/api/models', 'http://10.0.0.7:8265/api/jobs/', 'http://0xA9FEA9FD/']) {
      expect(ids(d), d).not.toContain('MLS-RAY-005');
    }
  });
});
