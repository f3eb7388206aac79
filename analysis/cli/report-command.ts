/**
 * `mlshield report <case.sqlite> --format html|pdf|json|sarif|jsonl --out <file> [--sign-key <ed25519.pem>]`:
 * the forensic report of a case (analysis/report). The case is opened read-only; the format
 * defaults to the one the output name implies. With --sign-key a detached DSSE envelope
 * `<file>.dsse.json` is written next to the report (check it with `mlshield verify-report`).
 */
import { createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { CaseStore } from '../store/case-store.js';
import { REPORT_FORMATS, formatForPath, isReportFormat } from '../report/report-formats.js';
import { exportReport } from '../report/report-export.js';

const HELP = `Usage: mlshield report <case.sqlite> --out <file> [--format ${REPORT_FORMATS.join('|')}] [--sign-key <ed25519.pem>]

Writes the forensic report of an analysed case:
  html   one self-contained file (inline styles and SVG charts, no network request when opened)
  pdf    the same content paginated, with page numbers and a table of contents (headless Chromium:
         MLSHIELD_CHROMIUM or /usr/bin/chromium)
  json   the same facts for machines (schema: analysis/report/report.schema.json)
  sarif  SARIF 2.1.0: every alert and checkpoint finding, with file:line and fingerprints
  jsonl  the event timeline with detections and annotations, for Timesketch import

Options:
  --out <file>          where to write (required)
  --format <f>          default: from the --out extension
  --sign-key <pem>      Ed25519 private key (PKCS#8 PEM): also write <file>.dsse.json, a DSSE
                        envelope over the report's exact bytes
  --json                print the result (path, bytes, sha256, envelope) as JSON

Exit codes: 0 written, 1 error.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the forensic report of a case (HTML, PDF, JSON, SARIF, Timesketch JSONL)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, format: { type: 'string' }, 'sign-key': { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one case file');
    if (!values.out) throw new UsageError('--out <file> is required');
    const format = values.format ?? formatForPath(values.out);
    if (!isReportFormat(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}${values.format ? '' : ' (the --out extension names none)'}`);
    const casePath = resolve(positionals[0]!);
    const st = await stat(casePath).catch(() => null);
    if (!st?.isFile()) throw new UsageError(`${casePath} is not a file`);
    const signKey = values['sign-key'] ? createPrivateKey(await readFile(values['sign-key'])) : undefined;
    if (signKey && signKey.asymmetricKeyType !== 'ed25519') throw new UsageError(`--sign-key is a ${signKey.asymmetricKeyType ?? 'non-asymmetric'} key; Ed25519 expected`);
    const store = CaseStore.open(casePath, { readonly: true });
    try {
      const r = await exportReport(store.db, { format, outPath: resolve(values.out), casePath, schemaVersion: store.schemaVersion(), ...(signKey ? { signKey } : {}) });
      if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`Wrote ${r.format.toUpperCase()} report ${r.path} (${r.bytes} bytes, SHA-256 ${r.sha256})${r.envelopePath ? `\nSigned: ${r.envelopePath}` : ''}\n`);
      return EXIT.OK;
    } finally {
      store.close();
    }
  },
};
