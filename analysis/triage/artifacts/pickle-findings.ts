/**
 * Turns a static pickle report (pickle/analyze.ts) into triage findings and import rows, with a
 * location naming the pickle (`data.pkl@1234`), so one artifact holding several pickles
 * (data.pkl, constants.pkl, debug pickles, container members) reads as one list.
 */
import type { Finding } from '../finding.js';
import { analyzePickle, type AnalyzeOptions, type PickleReport } from '../pickle/analyze.js';
import type { TriageImport } from '../triage-result.js';
import { triageFinding } from '../finding-ids.js';
import { MAX_DANGEROUS_IMPORT_FINDINGS } from '../pickle/finding-cap.js';

/** Largest pickle analysed whole; beyond it only the first MAX_PICKLE_BYTES are analysed. */
export const MAX_PICKLE_BYTES = 256 << 20;
/** Import rows kept per pickle (a protocol-0 pickle can repeat GLOBAL a million times). */
const MAX_IMPORT_ROWS = 2000;
/**
 * Rows for dangerous imports kept besides those: one hidden among 10^5 harmless names must still
 * be listed (pickle/finding-cap.ts keeps as many dangerous-import findings).
 */
const MAX_DANGEROUS_IMPORT_ROWS = MAX_DANGEROUS_IMPORT_FINDINGS;

export interface PickleOutcome {
  report: PickleReport;
  findings: Finding[];
  imports: TriageImport[];
}

function where(label: string | undefined, offset: number | null, origin?: string): string {
  const base = label ?? 'pickle';
  const at = offset === null ? base : `${base}@${offset}`;
  return origin ? `${at} (${origin})` : at;
}

/** Findings and imports of a report; `label` names the pickle inside the artifact. */
export function pickleOutcome(report: PickleReport, label?: string): PickleOutcome {
  const findings: Finding[] = report.findings.map((f) => ({ id: f.id, severity: f.severity, message: f.message, location: where(label, f.offset, f.origin) }));
  const imports: TriageImport[] = [];
  const seen = new Set<string>();
  let ordinary = 0;
  let dangerous = 0;
  const add = (r: PickleReport, prefix: string | undefined): void => {
    for (const imp of r.imports) {
      const isDangerous = imp.classification === 'dangerous';
      if (isDangerous ? dangerous >= MAX_DANGEROUS_IMPORT_ROWS : ordinary >= MAX_IMPORT_ROWS) continue;
      const key = `${prefix ?? ''}\n${imp.module}\n${imp.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (isDangerous) dangerous++;
      else ordinary++;
      const row: TriageImport = { module: imp.module, name: imp.name, opcodeOffset: imp.opcodeOffset, classification: imp.classification, severity: imp.severity };
      if (prefix !== undefined) row.pickle = prefix;
      imports.push(row);
    }
  };
  add(report, label);
  report.followingStreams.forEach((s) => add(s, `${label ?? 'pickle'}@${s.startOffset}`));
  report.nestedPickles.forEach((n) => add(n.report, `${label ?? 'pickle'}@${n.offset} (nested ${n.encoding})`));
  return { report, findings, imports };
}

/** Analyses pickle bytes that may have been cut at MAX_PICKLE_BYTES (`fullSize` says how big it really is). */
export function analyzePickleBytes(bytes: Uint8Array, label: string | undefined, opts: AnalyzeOptions, fullSize = bytes.length): PickleOutcome {
  const out = pickleOutcome(analyzePickle(bytes, opts), label);
  if (fullSize > bytes.length) {
    out.findings.push(triageFinding('PICKLE_TOO_LARGE', `${fullSize}-byte pickle; the first ${bytes.length} bytes were analysed`, label));
  }
  return out;
}
