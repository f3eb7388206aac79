/**
 * `mlshield triage <path...>`: static checkpoint triage (analysis/triage). Exit codes (DESIGN.md,
 * mlsec): 0 clean, 1 an input could not be read (or an output could not be written), 2 alert — a
 * finding at or above the gate. An alert wins over an error: a security signal is never hidden by
 * an unreadable sibling file.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { bytesText, table } from './format.js';
import { convertToSafetensors, verifyConversion } from '../triage/convert/safetensors-convert.js';
import { convertedName, fileSink, fileSource, triagePaths } from '../triage/fs-inputs.js';
import { loadReference, withComparison } from '../triage/reference.js';
import { signStatement, triageStatement } from '../triage/report/attestation.js';
import { sarifLog } from '../triage/report/sarif.js';
import { triageJson } from '../triage/report/triage-json.js';
import { isAtLeast, isSeverity, SEVERITIES, type Severity } from '../triage/severity.js';
import { fingerprintOf } from '../triage/tensors/fingerprint.js';
import { isStatsDevice, STATS_DEVICES, type StatsDevice } from '../triage/tensors/engine-select.js';
import type { TriageResult } from '../triage/triage-result.js';
import { DEFAULT_GATE, reachesGate } from '../triage/verdict.js';

const HELP = `Usage: mlshield triage <path...> [--json] [--sarif <file>] [--reference <ckpt|fingerprint.json>]
                       [--fingerprint <out.json>] [--convert-safetensors <dir>] [--strict]
                       [--device auto|cpu|cuda|webgpu] [--gate <severity>] [--sign-key <ed25519.pem> --attestation <out.json>]

Triages model checkpoints without running them: PyTorch zip / legacy / TorchScript, raw pickles,
NumPy .npy/.npz, safetensors, ONNX, GGUF, Keras, and zip/tar/7z containers — recognised by content.
Paths may be files or folders (recursive; in folders, files that are not model artifacts are skipped).

Options:
  --json                     print the result document on stdout
  --sarif <file>             write a SARIF 2.1.0 log
  --reference <path>         compare with a reference checkpoint or a fingerprint from --fingerprint
  --fingerprint <out.json>   write the fingerprint of the (single) checkpoint triaged
  --convert-safetensors <dir> write each checkpoint's tensors (only) as <dir>/<name>.safetensors, verified
  --strict                   every pickle import outside the allowlist counts as dangerous
  --device <d>               auto|cpu|cuda|webgpu: where tensor statistics run (ONNX Runtime on the GPU,
                             else CPU worker threads; auto uses a GPU for large checkpoints when present)
  --gate <severity>          alert threshold for exit code 2: ${SEVERITIES.join(', ')} (default ${DEFAULT_GATE})
  --sign-key <pem>           Ed25519 private key (PKCS#8 PEM) signing an in-toto attestation (DSSE)
  --attestation <file>       where the signed attestation goes (with --sign-key)
  --workers <n>              CPU worker threads for statistics

Exit codes: 0 clean, 1 error (an input could not be read), 2 alert (a finding at or above the gate).`;

interface Flags {
  json: boolean;
  sarif?: string;
  reference?: string;
  fingerprint?: string;
  convert?: string;
  strict: boolean;
  device: StatsDevice;
  gate: Severity;
  signKey?: string;
  attestation?: string;
  workers?: number;
}

function flags(argv: string[]): { f: Flags; paths: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      sarif: { type: 'string' },
      reference: { type: 'string' },
      fingerprint: { type: 'string' },
      'convert-safetensors': { type: 'string' },
      strict: { type: 'boolean', default: false },
      device: { type: 'string', default: 'auto' },
      gate: { type: 'string', default: DEFAULT_GATE },
      'sign-key': { type: 'string' },
      attestation: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('give at least one file or folder to triage');
  const device = values.device;
  if (!isStatsDevice(device)) throw new UsageError(`--device must be one of ${STATS_DEVICES.join(', ')}`);
  if (!isSeverity(values.gate)) throw new UsageError(`--gate must be one of ${SEVERITIES.join(', ')}`);
  if (values['sign-key'] && !values.attestation) throw new UsageError('--sign-key needs --attestation <out.json>');
  if (values.attestation && !values['sign-key']) throw new UsageError('--attestation needs --sign-key <ed25519.pem>');
  const f: Flags = { json: values.json!, strict: values.strict!, device, gate: values.gate };
  if (values.sarif) f.sarif = values.sarif;
  if (values.reference) f.reference = values.reference;
  if (values.fingerprint) f.fingerprint = values.fingerprint;
  if (values['convert-safetensors']) f.convert = values['convert-safetensors'];
  if (values['sign-key']) f.signKey = values['sign-key'];
  if (values.attestation) f.attestation = values.attestation;
  if (values.workers) {
    const n = Number(values.workers);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('--workers must be an integer from 1 to 64');
    f.workers = n;
  }
  return { f, paths: positionals };
}

export const triageCommand: Command = {
  name: 'triage',
  summary: 'statically triage model checkpoints (pickle, tensors, formats)',
  help: HELP,
  async run(argv) {
    const { f, paths } = flags(argv);
    let failed = false;
    const problem = (msg: string): void => {
      failed = true;
      process.stderr.write(`mlshield triage: ${msg}\n`);
    };
    const run = await triagePaths(paths, { strict: f.strict, device: f.device, ...(f.workers ? { workers: f.workers } : {}) });
    let results: TriageResult[] = run.results;
    for (const note of run.deviceNotes) process.stderr.write(`mlshield triage: ${note}\n`);
    if (f.reference) {
      const reference = await loadReference(await fileSource(f.reference), { strict: f.strict }).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
      results = results.map((r) => withComparison(r, reference));
    }
    if (f.fingerprint) {
      const withTensors = results.filter((r) => r.tensors.length > 0);
      if (withTensors.length !== 1) problem(`--fingerprint needs exactly one checkpoint with tensors (got ${withTensors.length})`);
      else await writeFile(f.fingerprint, JSON.stringify(fingerprintOf(withTensors[0]!), null, 1) + '\n').catch((e: unknown) => problem(`cannot write ${f.fingerprint}: ${String(e)}`));
    }
    const conversions = f.convert ? await convertAll(results, f.convert, f.strict, problem) : [];
    if (f.sarif) await writeFile(f.sarif, JSON.stringify(sarifLog(results), null, 1) + '\n').catch((e: unknown) => problem(`cannot write ${f.sarif}: ${String(e)}`));
    if (f.signKey && f.attestation) {
      try {
        const key = createPrivateKey(await readFile(f.signKey));
        const envelope = signStatement(triageStatement(results, f.gate), key);
        await writeFile(f.attestation, JSON.stringify(envelope, null, 1) + '\n');
      } catch (e) {
        problem(`attestation not written: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const alert = results.some((r) => reachesGate(r.findings, f.gate));
    const error = failed || results.some((r) => r.verdict === 'error') || results.length === 0;
    const code = alert ? EXIT.ALERT : error ? EXIT.ERROR : EXIT.OK;
    if (f.json) process.stdout.write(JSON.stringify({ ...triageJson(results, f.gate, code), skipped: run.skipped, conversions }) + '\n');
    else process.stdout.write(renderTriage(results, run.skipped, f.gate, conversions));
    return code;
  },
};

interface ConversionRow { input: string; output: string; tensors: number; skipped: number; bytes: number; verified: boolean }

async function convertAll(results: readonly TriageResult[], dir: string, strict: boolean, problem: (m: string) => void): Promise<ConversionRow[]> {
  await mkdir(dir, { recursive: true });
  const rows: ConversionRow[] = [];
  for (const r of results) {
    if (r.verdict === 'error' || r.tensors.length === 0) continue;
    const output = convertedName(dir, r.path);
    try {
      const sink = await fileSink(output);
      let report;
      try {
        report = await convertToSafetensors(await fileSource(r.path), sink, { strict, sourceSha256: r.sha256 });
      } finally {
        await sink.close();
      }
      const problems = await verifyConversion(await fileSource(output), report);
      for (const p of problems) problem(`${output}: ${p}`);
      rows.push({ input: r.path, output, tensors: report.written.length, skipped: report.skipped.length, bytes: report.bytes, verified: problems.length === 0 });
    } catch (e) {
      problem(`${r.path}: conversion failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return rows;
}

export function renderTriage(results: readonly TriageResult[], skipped: readonly { path: string; reason: string }[], gate: Severity, conversions: readonly ConversionRow[]): string {
  const out: string[] = [];
  const count = (r: TriageResult, s: Severity): number => r.findings.filter((x) => x.severity === s).length;
  out.push(table(['path', 'format', 'verdict', 'crit', 'high', 'med', 'low', 'tensors', 'size'],
    results.map((r) => [r.path, r.format, r.verdict, count(r, 'critical'), count(r, 'high'), count(r, 'medium'), count(r, 'low'), r.tensors.length, bytesText(r.size)])));
  for (const r of results) {
    const shown = r.findings.filter((x) => isAtLeast(x.severity, 'low'));
    if (shown.length === 0) continue;
    out.push('', `${r.path} (${r.verdict}, sha256 ${r.sha256.slice(0, 16)}…)`);
    for (const x of shown.slice(0, 40)) out.push(`  ${isAtLeast(x.severity, gate) ? '!' : ' '} ${x.severity.padEnd(8)} ${x.id}  ${x.message}${x.location ? `  [${x.location}]` : ''}`);
    if (shown.length > 40) out.push(`    … ${shown.length - 40} more (use --json)`);
  }
  if (conversions.length > 0) {
    out.push('', 'Converted to safetensors');
    out.push(table(['input', 'output', 'tensors', 'skipped', 'size', 'verified'], conversions.map((c) => [c.input, c.output, c.tensors, c.skipped, bytesText(c.bytes), c.verified ? 'yes' : 'NO'])));
  }
  if (skipped.length > 0) out.push('', `Skipped ${skipped.length} file(s) that are not model artifacts (or links): ${skipped.slice(0, 5).map((s) => s.path).join(', ')}${skipped.length > 5 ? ', …' : ''}`);
  return out.join('\n') + '\n';
}
