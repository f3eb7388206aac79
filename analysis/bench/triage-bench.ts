/**
 * `npm run bench -- triage`: checkpoint triage against the floor of reading the same bytes and
 * hashing them with SHA-256 (which triage must do anyway), on a generated ~1 GB fp32 PyTorch zip
 * and on the whole shared corpus. Each side runs in its own child process, so its peak RSS is its
 * own. Targets (issue 4): ratio ≤ 1.5 and peak RSS ≤ 512 MB on the 1 GB file.
 *
 * The wall-clock ratio assumes two free cores: triage hashes every byte twice (the file, and each
 * tensor over its own bytes) on two threads while the floor hashes once on one. On a machine busy
 * with other work the kernel's fair share gives each process about the same CPU whatever its thread
 * count, and the wall ratio drifts toward the CPU ratio (`cpuRatio`: CPU seconds of the measured
 * work, all threads, start-up excluded), about 1.75 at best by construction (two SHA-256 passes
 * and one read against one of each). Both are reported, with the load average before and after.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { stateDictPickle, type TorchTensor } from '../generate/torch-zip-writer.js';
import { triagePaths } from '../triage/fs-inputs.js';

export interface TriageChildResult {
  seconds: number;
  /** User + system CPU of the whole process (all threads): what an idle machine would have to give. */
  cpuSeconds: number;
  /** The same, of the measured work only (from `seconds`' start: module loading excluded). */
  workCpuSeconds: number;
  bytes: number;
  files: number;
  maxRssMb: number;
  verdicts?: Record<string, number>;
  engine?: string;
}

const TENSORS = 64;
const ROWS = 2048;
const COLS = 2048;
const ALIGN = 64;

function le(values: [number, number][]): Buffer {
  const b = Buffer.alloc(values.reduce((a, [s]) => a + s, 0));
  let o = 0;
  for (const [size, v] of values) {
    if (size === 2) b.writeUInt16LE(v, o);
    else b.writeUInt32LE(v >>> 0, o);
    o += size;
  }
  return b;
}

/** Deterministic weights (xorshift32 → roughly uniform ±0.05, a few exact zeros). */
function fillWeights(f: Float32Array, seed: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < f.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    f[i] = ((x & 0xffffff) / 0x1000000 - 0.5) * 0.1;
  }
}

/**
 * Writes `torch.save(state_dict)`'s layout with 64 fp32 [2048, 2048] tensors (1 GiB of storages),
 * streaming (one 16 MiB tensor in memory at a time), records stored and 64-byte aligned as
 * PyTorchStreamWriter does. Cached: an existing complete file is reused.
 */
export function prepareBigCheckpoint(workDir: string): string {
  const path = join(workDir, 'triage-1g.pt');
  const done = `${path}.complete`;
  if (existsSync(done) && existsSync(path)) return path;
  mkdirSync(workDir, { recursive: true });
  rmSync(done, { force: true });
  const meta: TorchTensor[] = [];
  for (let i = 0; i < TENSORS; i++) meta.push({ name: `layers.${i >> 1}.${i % 2 ? 'mlp' : 'attn'}.weight`, dtype: 'float32', shape: [ROWS, COLS], data: new Uint8Array(0) });
  const fd = openSync(path, 'w');
  let pos = 0;
  const central: Buffer[] = [];
  const put = (b: Uint8Array): void => { writeSync(fd, b); pos += b.length; };
  const record = (name: string, data: Uint8Array): void => {
    const nameBytes = Buffer.from(`triage-1g/${name}`);
    const start = pos + 30 + nameBytes.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    const crc = crc32(data) >>> 0;
    const offset = pos;
    put(le([[4, 0x04034b50], [2, 20], [2, 0], [2, 0], [2, 0], [2, 0], [4, crc], [4, data.length], [4, data.length], [2, nameBytes.length], [2, pad + 4]]));
    put(nameBytes);
    const extra = Buffer.alloc(4 + pad, 0x5a);
    extra.writeUInt16LE(0x4246, 0); // "FB", as PyTorch pads
    extra.writeUInt16LE(pad, 2);
    put(extra);
    put(data);
    central.push(Buffer.concat([
      le([[4, 0x02014b50], [2, 0x031e], [2, 20], [2, 0], [2, 0], [2, 0], [2, 0], [4, crc], [4, data.length], [4, data.length], [2, nameBytes.length], [2, 0], [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]),
      nameBytes,
    ]));
  };
  record('data.pkl', stateDictPickle(meta));
  record('byteorder', Buffer.from('little'));
  const f = new Float32Array(ROWS * COLS);
  for (let i = 0; i < TENSORS; i++) {
    fillWeights(f, i + 1);
    record(`data/${i}`, new Uint8Array(f.buffer));
  }
  record('version', Buffer.from('3\n'));
  const cdStart = pos;
  for (const c of central) put(c);
  put(le([[4, 0x06054b50], [2, 0], [2, 0], [2, central.length], [2, central.length], [4, pos - cdStart], [4, cdStart], [2, 0]]));
  closeSync(fd);
  writeFileSync(done, '');
  return path;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function listFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (st.isFile()) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

/** The floor: read every byte and SHA-256 it, in 4 MiB reads. */
export function sha256Child(paths: string[]): TriageChildResult {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const files = listFiles(paths);
  const buf = Buffer.allocUnsafe(4 << 20);
  let bytes = 0;
  for (const file of files) {
    const fd = openSync(file, 'r');
    const h = createHash('sha256');
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      h.update(buf.subarray(0, n));
      bytes += n;
    }
    h.digest('hex');
    closeSync(fd);
  }
  const cpu = cpuSeconds();
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu, workCpuSeconds: cpu - c0, bytes, files: files.length, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

export async function triageChild(paths: string[]): Promise<TriageChildResult> {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const workers = Number(process.env['MLSHIELD_BENCH_WORKERS'] ?? 0);
  const run = await triagePaths(paths, { device: 'cpu', ...(workers > 0 ? { workers } : {}) });
  const verdicts: Record<string, number> = {};
  let bytes = 0;
  for (const r of run.results) {
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    bytes += r.size;
  }
  const engines = [...new Set(run.results.map((r) => r.statsEngine ?? ''))].filter(Boolean).join(', ');
  const cpu = cpuSeconds();
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu, workCpuSeconds: cpu - c0, bytes, files: run.results.length + run.skipped.length, maxRssMb: process.resourceUsage().maxRSS / 1024, verdicts, engine: engines };
}

function runChild(script: string, args: string[]): TriageChildResult {
  const r = spawnSync(process.execPath, [script, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TriageChildResult;
}

export async function runTriageBench(script: string, workDir: string, corpus: string | null, quick: boolean): Promise<object[]> {
  const rows: object[] = [];
  const cases: { name: string; paths: string[] }[] = [];
  if (!quick) {
    const t0 = performance.now();
    const big = prepareBigCheckpoint(workDir);
    console.log(JSON.stringify({ prepared: big, bytes: statSync(big).size, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) }));
    cases.push({ name: '1 GiB fp32 PyTorch zip', paths: [big] });
  }
  if (corpus && existsSync(corpus)) cases.push({ name: 'shared corpus', paths: [corpus] });
  for (const c of cases) {
    // The floor runs first and warms the page cache for both (a cold cache would favour neither fairly).
    runChild(script, ['sha256', ...c.paths]);
    const loadBefore = loadavg()[0]!;
    const floor = runChild(script, ['sha256', ...c.paths]);
    const ours = runChild(script, ['triage', ...c.paths]);
    const row = {
      case: c.name,
      files: floor.files,
      megabytes: Number((floor.bytes / 1e6).toFixed(1)),
      triageSeconds: Number(ours.seconds.toFixed(2)),
      triageMBps: Math.round(floor.bytes / 1e6 / ours.seconds),
      sha256Seconds: Number(floor.seconds.toFixed(2)),
      sha256MBps: Math.round(floor.bytes / 1e6 / floor.seconds),
      ratio: Number((ours.seconds / floor.seconds).toFixed(2)),
      cpuRatio: Number((ours.workCpuSeconds / floor.workCpuSeconds).toFixed(2)),
      triageCpuSeconds: Number(ours.cpuSeconds.toFixed(2)),
      sha256CpuSeconds: Number(floor.cpuSeconds.toFixed(2)),
      triageWorkCpuSeconds: Number(ours.workCpuSeconds.toFixed(2)),
      sha256WorkCpuSeconds: Number(floor.workCpuSeconds.toFixed(2)),
      cores: availableParallelism(),
      loadAverageBefore: Number(loadBefore.toFixed(2)),
      loadAverage: Number(loadavg()[0]!.toFixed(2)),
      triagePeakRssMb: Math.round(ours.maxRssMb),
      sha256PeakRssMb: Math.round(floor.maxRssMb),
      engine: ours.engine,
      verdicts: ours.verdicts,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  return rows;
}
