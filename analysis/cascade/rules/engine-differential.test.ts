/**
 * Differential test of Layer 1: the engine must decide and explain every event exactly as recorded
 * in fixtures/engine-golden.tsv. The golden file was written by the engine before its performance
 * rework (issue 3: L1 throughput), over a frozen copy of the rule set (fixtures/ruleset) and the
 * events of differential-events.test-support.ts, so optimisations are checked hit by hit: rule,
 * decision, severity, family, phase, and a digest of title, ATT&CK/ATLAS ids and reason text.
 *
 * A deliberate change of behaviour regenerates it: MLSHIELD_UPDATE_GOLDEN=1 npx vitest run <this file>.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet, type RuleFile } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import { differentialEvents, eventsDigest, goldenLine } from './differential-events.test-support.js';
import { FIXTURES_DIR } from './fixtures.test-support.js';

const RULESET = join(FIXTURES_DIR, 'ruleset');
const GOLDEN = join(FIXTURES_DIR, 'engine-golden.tsv');

function ruleFiles(dir: string): RuleFile[] {
  const out: RuleFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push({ path: relative(dir, p), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

describe('Layer 1 differential', () => {
  it('decides and explains every event as the golden file records', async () => {
    const set = loadRuleSet(ruleFiles(RULESET));
    expect(set.errors).toEqual([]);
    const events = await differentialEvents();
    const engine = createRuleEngine(set.rules);
    const lines = [`# events=${events.length} digest=${eventsDigest(events)} rules=${set.rules.length}`];
    events.forEach((e, i) => {
      const line = goldenLine(i, engine.evaluate(e));
      if (line !== null) lines.push(line);
    });
    const text = lines.join('\n') + '\n';
    if (process.env.MLSHIELD_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    const golden = readFileSync(GOLDEN, 'utf8').split('\n');
    // The header first: other events or rules mean the golden file is stale, not that L1 changed.
    expect(lines[0], 'input differs from the golden file: regenerate it (see the header comment)').toBe(golden[0]);
    // Line by line, so a failure names the first event that differs.
    const got = text.split('\n');
    for (let i = 0; i < Math.max(got.length, golden.length); i++) expect(got[i], `golden line ${i + 1}`).toBe(golden[i]);
    // The sample must exercise every kind of decision, or the comparison proves little.
    const decisions = new Set(lines.slice(1).flatMap((l) => l.split('\t')[1]!.split(';').map((h) => h.split('|')[1])));
    expect([...decisions].sort()).toEqual(['alert', 'clear', 'escalate']);
  }, 120_000);
});
