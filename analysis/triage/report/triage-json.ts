/**
 * The `mlshield triage --json` document (issue 4): per input `{path, format, sha256, verdict,
 * findings, imports, tensors}`, `sum` being the sum of finite values, plus members of containers
 * (`children`, same shape) and the reference comparison when one was given.
 */
import { TOOL_NAME, TOOL_VERSION } from '../../core/version.js';
import type { Severity } from '../severity.js';
import type { TriageResult } from '../triage-result.js';

export interface TriageJsonTensor {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  sum: number | null;
  nan: number | null;
  inf: number | null;
  zeros: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  sha256: string | null;
  note?: string;
}

export interface TriageJsonResult {
  path: string;
  format: string;
  size: number;
  sha256: string;
  verdict: string;
  findings: { id: string; severity: Severity; message: string; location: string | null }[];
  imports: { module: string; name: string; opcodeOffset: number; classification: string; pickle?: string }[];
  tensors: TriageJsonTensor[];
  stateDictPrefix: string;
  sharedStorages: { storageKey: string; tensors: string[] }[];
  children: TriageJsonResult[];
  comparison?: {
    reference: { path: string; sha256: string; format: string };
    identical: number;
    modified: number;
    missing: number;
    extra: number;
    tensors: { name: string; status: string; jsd?: number; rangeRatio?: number; meanShift?: number }[];
  };
}

export interface TriageJson {
  tool: { name: string; version: string };
  gate: Severity;
  exitCode: number;
  statsEngine: string | null;
  results: TriageJsonResult[];
}

/** JSON has no NaN/Infinity: they become null (sums of huge float64 values can overflow). */
function num(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

export function triageResultJson(r: TriageResult): TriageJsonResult {
  const out: TriageJsonResult = {
    path: r.path,
    format: r.format,
    size: r.size,
    sha256: r.sha256,
    verdict: r.verdict,
    findings: r.findings.map((f) => ({ id: f.id, severity: f.severity, message: f.message, location: f.location ?? null })),
    imports: r.imports.map((i) => ({ module: i.module, name: i.name, opcodeOffset: i.opcodeOffset, classification: i.classification, ...(i.pickle ? { pickle: i.pickle } : {}) })),
    tensors: r.tensors.map((t) => {
      const s = t.stats;
      const row: TriageJsonTensor = {
        name: t.name, dtype: t.dtype, shape: t.shape, count: t.count,
        sum: s ? num(s.sum) : null, nan: s ? s.nan : null, inf: s ? s.posInf + s.negInf : null, zeros: s ? s.zeros : null,
        min: num(s?.min), max: num(s?.max), mean: num(s?.mean), std: num(s?.std), sha256: t.sha256,
      };
      if (t.note) row.note = t.note;
      return row;
    }),
    stateDictPrefix: r.stateDictPrefix,
    sharedStorages: r.sharedStorages,
    children: r.children.map(triageResultJson),
  };
  if (r.comparison) {
    const c = r.comparison;
    out.comparison = {
      reference: c.reference, identical: c.identical, modified: c.modified, missing: c.missing, extra: c.extra,
      tensors: c.diffs.filter((d) => d.status !== 'identical').map((d) => ({
        name: d.name, status: d.status,
        ...(d.jsd !== undefined ? { jsd: num(d.jsd) ?? undefined } : {}),
        ...(d.rangeRatio !== undefined ? { rangeRatio: num(d.rangeRatio) ?? undefined } : {}),
        ...(d.meanShift !== undefined ? { meanShift: num(d.meanShift) ?? undefined } : {}),
      })),
    };
  }
  return out;
}

export function triageJson(results: readonly TriageResult[], gate: Severity, exitCode: number): TriageJson {
  const engines = [...new Set(results.map((r) => r.statsEngine).filter((e): e is string => !!e))];
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    gate,
    exitCode,
    statsEngine: engines.join(', ') || null,
    results: results.map(triageResultJson),
  };
}
