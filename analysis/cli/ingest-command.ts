/** `mlshield ingest <bundle> --case <file.sqlite> [--json] [--progress json|bar|none]` */
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { CaseStore } from '../store/case-store.js';
import { summarizeCase, type CaseSummary } from '../store/case-summary.js';
import { ingestBundle, type IngestProgress, type IngestResult } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { bytesText, durationText, isoMicros, table } from './format.js';
import { BUNDLE_PATH_META } from '../triage/case-triage.js';

const HELP = `Usage: mlshield ingest <bundle> --case <file.sqlite> [--json] [--progress json|bar|none]

Loads an incident bundle (a folder, .zip, .tar, .tar.gz/.tgz, or one optionally .gz file) into a case
file. Files are recognised by content. Bad records are quarantined with file, line and reason;
re-ingesting a file already in the case (same SHA-256) adds nothing.

Options:
  --case <file>        the case file to create or extend (SQLite)
  --json               print the result as one JSON object on stdout (per source: path, kind, sha256,
                       bytes, read, stored, quarantined, status, note?, warnings? — archive oddities)
  --progress <mode>    json: one JSON line per update on stderr; bar: a terminal progress bar
                       (default when stderr is a terminal); none
  --max-bytes <n>      total decompressed bytes allowed across the bundle (default 64 GiB)
  --max-ratio <n>      maximum compression ratio of any archive member (default 200)

Exit codes: 0 ingested (bad records, if any, are quarantined and reported), 1 unreadable bundle (a
case file this command created is removed again; an existing one is kept).`;

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'load an incident bundle into a SQLite case file',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        case: { type: 'string' },
        json: { type: 'boolean', default: false },
        progress: { type: 'string' },
        'max-bytes': { type: 'string' },
        'max-ratio': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one bundle path');
    if (!values.case) throw new UsageError('--case <file.sqlite> is required');
    const mode = values.progress ?? (process.stderr.isTTY && !values.json ? 'bar' : 'none');
    if (!['json', 'bar', 'none'].includes(mode)) throw new UsageError(`--progress must be json, bar or none`);
    const archiveLimits: Record<string, number> = {};
    if (values['max-bytes']) archiveLimits.maxTotalBytes = positiveNumber(values['max-bytes'], '--max-bytes');
    if (values['max-ratio']) archiveLimits.maxRatio = positiveNumber(values['max-ratio'], '--max-ratio');

    const bundlePath = resolve(positionals[0]!);
    const casePath = resolve(values.case);
    const root = await openBundleRoot(bundlePath);
    // A case file this command creates is removed again if the bundle turns out unreadable: an
    // empty case left behind looks like an ingested one. A case that existed is never removed.
    const created = !existsSync(casePath);
    let store: CaseStore;
    try {
      store = CaseStore.open(casePath);
    } catch (err) {
      await root.close();
      if (created) removeCaseFile(casePath);
      throw err;
    }
    let failed = true;
    try {
      const result = await ingestBundle(root, store, {
        archiveLimits,
        onProgress: mode === 'json' ? progressJson : mode === 'bar' ? progressBar : undefined,
      });
      failed = false;
      store.setMeta(BUNDLE_PATH_META, bundlePath);
      if (mode === 'bar') process.stderr.write('\r\x1b[2K');
      if (values.json) {
        process.stdout.write(JSON.stringify(ingestJson(casePath, result)) + '\n');
      } else {
        process.stdout.write(renderIngestSummary(casePath, result, summarizeCase(store.db)));
      }
      return EXIT.OK;
    } finally {
      store.close();
      if (failed && created) {
        if (mode === 'bar') process.stderr.write('\r\x1b[2K');
        removeCaseFile(casePath);
      }
    }
  },
};

/** A case file and the SQLite files beside it (WAL, shared memory, rollback journal). */
function removeCaseFile(casePath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(casePath + suffix, { force: true });
}

function positiveNumber(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

/** The documented `--json` shape (issue #2). */
export function ingestJson(casePath: string, r: IngestResult) {
  return {
    case: casePath,
    sources: r.sources.map((s) => ({
      path: s.path,
      kind: s.kind,
      sha256: s.sha256,
      bytes: s.bytes,
      read: s.read,
      stored: s.stored,
      quarantined: s.quarantined,
      status: s.status,
      ...(s.note ? { note: s.note } : {}),
      ...(s.warnings && s.warnings.length > 0 ? { warnings: s.warnings } : {}),
    })),
    events: r.events,
    gpuSamples: r.gpuSamples,
    quarantined: r.quarantined,
    seconds: Number(r.seconds.toFixed(3)),
  };
}

/** Printed warning lines, at most; the rest are counted (all are in --json and in the case file). */
const MAX_PRINTED_WARNINGS = 50;

function warningLines(sources: readonly IngestResult['sources'][number][]): string[] {
  const lines: string[] = [];
  let left = 0;
  for (const s of sources) {
    for (const w of s.warnings ?? []) {
      if (lines.length < MAX_PRINTED_WARNINGS) lines.push(`  ${s.path}: ${w}`);
      else left++;
    }
  }
  if (left > 0) lines.push(`  … ${left} more (see --json)`);
  return lines;
}

function progressJson(p: IngestProgress): void {
  process.stderr.write(
    JSON.stringify({
      type: 'progress',
      filesDone: p.filesDone,
      file: p.currentFile,
      bytes: p.bytes,
      records: p.records,
      quarantined: p.quarantined,
      rate: Math.round(p.rate),
      elapsed: Number(p.elapsedSeconds.toFixed(2)),
    }) + '\n',
  );
}

function progressBar(p: IngestProgress): void {
  const width = Math.max(20, (process.stderr.columns ?? 80) - 60);
  const spin = '|/-\\'[Math.floor(p.elapsedSeconds * 4) % 4];
  const file = p.currentFile.length > width ? '…' + p.currentFile.slice(-(width - 1)) : p.currentFile;
  process.stderr.write(
    `\r\x1b[2K${spin} files ${p.filesDone}  records ${p.records.toLocaleString('en-US')}  ` +
      `${Math.round(p.rate).toLocaleString('en-US')}/s  ${bytesText(p.bytes)}  quarantined ${p.quarantined}  ${file}`,
  );
}

export function renderIngestSummary(casePath: string, r: IngestResult, s: CaseSummary): string {
  const out: string[] = [];
  out.push(`Case file: ${casePath}`);
  out.push(`Ingested in ${r.seconds.toFixed(2)} s: ${r.events.toLocaleString('en-US')} events, ` +
    `${r.gpuSamples.toLocaleString('en-US')} GPU samples, ${r.quarantined} records quarantined.`);
  out.push('');
  out.push('Sources');
  out.push(
    table(
      ['path', 'kind', 'status', 'read', 'stored', 'quarantined'],
      r.sources.map((x) => [x.path, x.kind, x.status + (x.note ? ` (${x.note})` : ''), x.read, x.stored, x.quarantined]),
    ),
  );
  const warned = r.sources.filter((x) => x.warnings && x.warnings.length > 0);
  if (warned.length > 0) {
    out.push('');
    out.push('Archive warnings (kept in the case file with each source)');
    out.push(...warningLines(warned));
  }
  out.push('');
  out.push(`Case totals: ${s.events.toLocaleString('en-US')} events (${Object.entries(s.eventsBySource).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), ` +
    `${s.gpuSamples.toLocaleString('en-US')} GPU samples in ${s.gpuSeries} series, ${s.quarantined} quarantined.`);
  if (s.firstTs !== null && s.lastTs !== null) {
    out.push(`Time span: ${isoMicros(s.firstTs)} → ${isoMicros(s.lastTs)} (${durationText(s.lastTs - s.firstTs)})`);
  }
  if (s.quarantineReasons.length > 0) {
    out.push('');
    out.push('Quarantine reasons');
    out.push(table(['reason', 'count'], s.quarantineReasons.map((q) => [q.reason, q.count])));
  }
  out.push('');
  out.push(`Trajectories: ${s.trajectories} (busiest ${s.topTrajectories.length})`);
  out.push(
    table(
      ['job', 'events', 'actors', 'first', 'last'],
      s.topTrajectories.map((t) => [t.job, t.events, t.actors, isoMicros(t.firstTs), isoMicros(t.lastTs)]),
    ),
  );
  if (s.checkpoints.length > 0) {
    out.push('');
    out.push('Checkpoints (for triage)');
    out.push(table(['path', 'format', 'size', 'sha256'], s.checkpoints.map((c) => [c.path, c.kind, bytesText(c.bytes), (c.sha256 ?? '').slice(0, 16) + '…'])));
  }
  return out.join('\n') + '\n';
}
