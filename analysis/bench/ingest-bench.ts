/**
 * `npm run bench -- ingest`: our ingest against the floor (read + gunzip + JSON.parse of the same
 * files), on generated audit logs of 200,000 and 1,000,000 events. Each side runs in its own child
 * process so peak RSS is its own. Ours is the product command, `mlshield ingest <dir> --case …
 * --json`, run by the CLI bundle (dist/cli/mlshield.js) in a process that loads nothing else: the
 * bench bundle also carries the other benchmarks' dependencies (Playwright, ONNX Runtime), whose
 * memory is no part of an ingest. Both sides time their work without their module loading, and
 * alternate over several rounds per size (bench-rounds.ts: medians, the ratio's range).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGunzip, gzipSync } from 'node:zlib';
import { auditNoiseLines } from '../generate/audit-noise.js';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { benchRounds, summarizeRounds } from './bench-rounds.js';

const FILE_EVENTS = 100_000;

export interface ChildResult {
  seconds: number;
  records: number;
  maxRssMb: number;
}

/** Writes `count` audit events as gzip-rotated files of FILE_EVENTS lines (cached by count). */
export function prepareAuditBundle(workDir: string, count: number, seed = 7): string {
  const dir = join(workDir, `audit-${count}-s${seed}`);
  const done = `${dir}.complete`; // beside the folder: a marker inside would be ingested too
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let file = 0;
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    const name = `kube-apiserver-audit-${String(file++).padStart(3, '0')}.log.gz`;
    writeFileSync(join(dir, name), gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: 6 }));
    lines = [];
  };
  for (const line of auditNoiseLines(count, seed)) {
    lines.push(line);
    if (lines.length === FILE_EVENTS) flush();
  }
  flush();
  writeFileSync(done, '');
  return dir;
}

/** The floor: what any tool must spend to read the same bytes: read + gunzip + split + JSON.parse. */
export async function floorChild(dir: string): Promise<ChildResult> {
  const { readdirSync } = await import('node:fs');
  const t0 = performance.now();
  let records = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.gz')).sort()) {
    let rest = '';
    for await (const chunk of createReadStream(join(dir, name)).pipe(createGunzip())) {
      const text = rest + (chunk as Buffer).toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        if (nl > start) {
          JSON.parse(text.slice(start, nl));
          records++;
        }
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (rest.length > 0) {
      JSON.parse(rest);
      records++;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, records, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

export async function ingestChild(dir: string, casePath: string): Promise<ChildResult> {
  rmSync(casePath, { force: true });
  rmSync(casePath + '-wal', { force: true });
  rmSync(casePath + '-shm', { force: true });
  const t0 = performance.now();
  const store = CaseStore.open(casePath);
  const r = await ingestBundle(await openBundleRoot(dir), store, {});
  store.close();
  const records = r.sources.reduce((a, s) => a + s.read, 0);
  return { seconds: (performance.now() - t0) / 1000, records, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Runs `mlshield ingest <dir> --case <casePath> --json` in this process (the `-e` script of
 * `oursChildArgs`): the CLI's own output is kept off stdout, whose last line is the ChildResult.
 */
const CLI_CHILD = `
const [cli, dir, casePath] = process.argv.slice(1);
const { rmSync } = await import('node:fs');
for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(casePath + suffix, { force: true });
const { main } = await import(cli);
let out = '';
const write = process.stdout.write;
process.stdout.write = (chunk) => { out += chunk; return true; };
const t0 = performance.now();
const code = await main(['ingest', dir, '--case', casePath, '--json']);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write = write;
if (code !== 0) throw new Error('mlshield ingest exited ' + code + ': ' + out);
const records = JSON.parse(out).sources.reduce((a, s) => a + s.read, 0);
console.log(JSON.stringify({ seconds, records, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

/** Node arguments that run our ingest as the CLI (next to the bench bundle), else the in-bundle child. */
function oursChildArgs(script: string, dir: string, casePath: string): string[] {
  const cli = join(dirname(script), 'mlshield.js');
  if (!existsSync(cli)) return [script, '--child', 'ingest', dir, casePath];
  return ['--input-type=module', '-e', CLI_CHILD, pathToFileURL(cli).href, dir, casePath];
}

function runChild(script: string, args: string[]): ChildResult {
  return runNode([script, ...args]);
}

function runNode(args: string[]): ChildResult {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr || r.stdout}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildResult;
}

/**
 * After an ingest, untimed: its case file (1.7 GB at 1M events) is removed and the page cache
 * written back, so the next round does not start under the last one's writeback (measured: an
 * ingest that follows another at once paid ~2 s more system time on its SQLite thread).
 */
function settle(casePath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(casePath + suffix, { force: true });
  spawnSync('sync', { stdio: 'ignore' });
}

export async function runIngestBench(script: string, workDir: string, sizes: number[]): Promise<object[]> {
  const rows: object[] = [];
  // Floor and ours alternate, round after round (bench-rounds.ts).
  const rounds = benchRounds();
  for (const n of sizes) {
    const t0 = performance.now();
    const dir = prepareAuditBundle(workDir, n);
    const genSeconds = (performance.now() - t0) / 1000;
    const floors: ChildResult[] = [];
    const ours: ChildResult[] = [];
    const casePath = join(workDir, `case-${n}.sqlite`);
    for (let r = 0; r < rounds; r++) {
      floors.push(runChild(script, ['--child', 'floor', dir]));
      ours.push(runNode(oursChildArgs(script, dir, casePath)));
      settle(casePath);
    }
    const s = summarizeRounds(floors.map((f, i) => ({ base: f.seconds, ours: ours[i]!.seconds })));
    const two = (x: number): number => Number(x.toFixed(2));
    const row = {
      events: n,
      generateSeconds: two(genSeconds),
      rounds,
      floorSeconds: two(s.baseMedian),
      oursSeconds: two(s.oursMedian),
      // The median of each round's own ratio, and the range over the rounds.
      ratio: two(s.ratioMedian),
      ratioRange: [two(s.ratioMin), two(s.ratioMax)],
      eventsPerSecond: Math.round(ours[0]!.records / s.oursMedian),
      floorPeakRssMb: Math.round(Math.max(...floors.map((f) => f.maxRssMb))),
      oursPeakRssMb: Math.round(Math.max(...ours.map((o) => o.maxRssMb))),
      recordsRead: ours[0]!.records,
      roundSeconds: floors.map((f, i) => [two(f.seconds), two(ours[i]!.seconds)]),
      // Other work on this 2-core machine moves both timings: the 1-minute load average says how much.
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    };
    if (ours.some((o) => o.records !== ours[0]!.records)) throw new Error(`ingest rounds read different record counts: ${ours.map((o) => o.records).join(', ')}`);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  return rows;
}
