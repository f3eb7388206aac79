/**
 * Chain of custody for a report (the fs adapter of the report): the SHA-256 of every input as the
 * ingest recorded it (`sources`), the tool version, the SHA-256 of every shipped rule file and of
 * the Layer-2 model files and training report, when the analysis ran, and who exported the report
 * (the OS user). The signature over the report itself is report-sign.ts's DSSE envelope.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import type { Db } from '../store/case-store.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/version.js';
import { defaultRulesDir } from '../cascade/rule-files.js';
import { IFOREST_MODEL_FILE, LSTM_MODEL_FILE, MAX_MODEL_BYTES, TRAINING_REPORT_FILE, modelsDir, packageRoot } from '../models/model-files.js';
import type { CustodyEntry } from './forensic-report.js';

export interface CustodyOptions {
  casePath: string;
  schemaVersion: number;
  now?: Date;
  /** Default: the shipped analysis/rules. */
  rulesDir?: string | null;
  /** Default: the shipped analysis/models. */
  modelsDir?: string | null;
  /** Default: the OS user (os.userInfo), falling back to $USER when the account has no passwd entry. */
  exporter?: string;
}

const MAX_RULE_FILES = 10_000;
const MAX_RULE_BYTES = 16 << 20;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under the rules folder (YAML, READMEs, SOURCES), sorted, with its SHA-256. */
export function ruleFileHashes(dir: string | null): CustodyEntry['ruleFiles'] {
  if (!dir) return [];
  const out: CustodyEntry['ruleFiles'] = [];
  const root = packageRoot() ?? dir;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_RULE_FILES) return;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size <= MAX_RULE_BYTES) out.push({ path: relative(root, p).replace(/\\/g, '/'), sha256: sha256(readFileSync(p)) });
    }
  };
  walk(dir);
  return out;
}

/** The Layer-2 model files and their training report; a missing one is listed with a null hash. */
export function modelFileHashes(dir: string | null): CustodyEntry['modelFiles'] {
  if (!dir) return [];
  const names = new Set([LSTM_MODEL_FILE, IFOREST_MODEL_FILE, TRAINING_REPORT_FILE]);
  try {
    for (const n of readdirSync(dir)) if (n.endsWith('.onnx')) names.add(n);
  } catch {
    /* no models folder: each expected file is listed as missing */
  }
  const root = packageRoot() ?? dir;
  return [...names].sort().map((name) => {
    const p = join(dir, name);
    const rel = relative(root, p).replace(/\\/g, '/');
    try {
      const st = statSync(p);
      if (!st.isFile() || st.size > MAX_MODEL_BYTES) return { path: rel, sha256: null, bytes: st.size };
      return { path: rel, sha256: sha256(readFileSync(p)), bytes: st.size };
    } catch {
      return { path: rel, sha256: null, bytes: null };
    }
  });
}

export function exporterName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
}

export function collectCustody(db: Db, opts: CustodyOptions): CustodyEntry {
  const inputs = db.prepare('SELECT path, kind, bytes, sha256, status FROM sources ORDER BY id').all() as CustodyEntry['inputs'];
  const run = db
    .prepare('SELECT id AS runId, started_at AS startedAt, finished_at AS finishedAt, tool_version AS toolVersion FROM analysis_runs ORDER BY id DESC LIMIT 1')
    .get() as CustodyEntry['analysis'] | undefined;
  return {
    inputs,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    ruleFiles: ruleFileHashes(opts.rulesDir === undefined ? defaultRulesDir() : opts.rulesDir),
    modelFiles: modelFileHashes(opts.modelsDir === undefined ? modelsDir() : opts.modelsDir),
    analysis: run ?? null,
    caseFile: { path: opts.casePath, schemaVersion: opts.schemaVersion },
    exportedBy: { user: opts.exporter ?? exporterName(), host: hostname() },
    exportedAt: (opts.now ?? new Date()).toISOString(),
  };
}
