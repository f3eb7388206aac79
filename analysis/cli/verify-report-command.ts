/**
 * `mlshield verify-report <report> --key <public.pem> [--envelope <file>] [--json]`: checks the
 * detached DSSE envelope written by `mlshield report --sign-key` (Ed25519 over the DSSE PAE) and
 * that the report is, byte for byte, the payload it signs. Exit 0 verified, 2 not verified (any
 * changed byte), 1 unreadable input.
 */
import { createPublicKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { MAX_ENVELOPE_BYTES } from '../triage/report/attestation.js';
import { envelopePathFor, verifyReportBytes } from '../report/report-sign.js';

const HELP = `Usage: mlshield verify-report <report file> --key <public.pem> [--envelope <file>] [--json]

Verifies a signed forensic report: the Ed25519 signature of its DSSE envelope, and that the report
is exactly the signed bytes.

Options:
  --key <pem>        the signer's Ed25519 public key (SPKI PEM; a private key PEM also works)
  --envelope <file>  the envelope (default: <report>.dsse.json)
  --json             print the result as JSON

Exit codes: 0 verified, 1 unreadable input, 2 not verified.`;

export const verifyReportCommand: Command = {
  name: 'verify-report',
  summary: 'verify a signed forensic report (DSSE, Ed25519, exact bytes)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { key: { type: 'string' }, envelope: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one report file');
    if (!values.key) throw new UsageError('--key <public.pem> is required');
    const reportPath = positionals[0]!;
    const envelopePath = values.envelope ?? envelopePathFor(reportPath);
    for (const p of [reportPath, envelopePath]) {
      const st = await stat(p).catch(() => null);
      if (!st?.isFile()) throw new Error(`${p} is not a file`);
      if (st.size > MAX_ENVELOPE_BYTES) throw new Error(`${p} is larger than ${MAX_ENVELOPE_BYTES} bytes`);
    }
    const key = createPublicKey(await readFile(values.key));
    let envelope: unknown;
    try {
      envelope = JSON.parse((await readFile(envelopePath)).toString('utf8'));
    } catch {
      envelope = null;
    }
    const v = verifyReportBytes(await readFile(reportPath), envelope, key);
    if (values.json) process.stdout.write(JSON.stringify({ verified: v.ok, report: reportPath, envelope: envelopePath, ...(v.ok ? { keyid: v.keyid, format: v.format } : { reason: v.reason }) }) + '\n');
    else if (v.ok) process.stdout.write(`Verified: ${reportPath} is the ${v.format.toUpperCase()} report signed by key ${v.keyid.slice(0, 16)}…\n`);
    else process.stdout.write(`NOT VERIFIED: ${v.reason}\n`);
    return v.ok ? EXIT.OK : EXIT.ALERT;
  },
};
