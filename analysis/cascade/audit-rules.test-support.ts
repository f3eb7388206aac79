/**
 * Audit lines through the real path to Layer 1, for the API-level rule tests (k8s-api-rules-e2e,
 * workload-rules-e2e): written as a bundle's audit log, ingested into a case file, read back with
 * caseEvents and evaluated by the shipped rule set, so the reader's `resource`, `attrs.subresource`
 * and restored audit object are what the rules read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { caseEvents } from './case-events.js';
import { defaultRulesDir, loadRulesFrom } from './rule-files.js';
import { createRuleEngine, decideLayer1 } from './rules/engine.js';

/**
 * One line per stored event: `<line> <resource> <ids of the hits `keep` keeps, in hit order, or -> [<the
 * event's Layer-1 decision when any is kept>]`.
 */
export async function decideAuditLines(lines: readonly string[], keep: (ruleId: string) => boolean): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-audit-rules-'));
  try {
    writeFileSync(join(dir, 'audit.log'), `${lines.join('\n')}\n`);
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    try {
      await ingestBundle(await openBundleRoot(dir), store);
      const engine = createRuleEngine(loadRulesFrom([defaultRulesDir()!]).rules);
      return [...caseEvents(store.db)].map((e) => {
        const hits = engine.evaluate(e);
        const ids = hits.filter((h) => keep(h.ruleId)).map((h) => h.ruleId);
        return `${e.line} ${e.resource} ${ids.join(',') || '-'} ${ids.length > 0 ? decideLayer1(hits).decision : ''}`.trim();
      });
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
