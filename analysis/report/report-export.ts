/**
 * Writes one report file from a case — the single entry point of `mlshield report`, the workbench's
 * `report.export` call and the Electron menu. Builds the ForensicReport (report-model.ts) with its
 * chain of custody (custody.ts), renders the asked format, writes it atomically (temporary file,
 * then rename), and with a signing key writes the detached DSSE envelope `<file>.dsse.json`
 * (report-sign.ts). Returns the file's size and SHA-256, which the caller shows the analyst.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Db } from '../store/case-store.js';
import { collectCustody, type CustodyOptions } from './custody.js';
import { buildForensicReport, type ReportOptions } from './report-model.js';
import type { ForensicReport } from './forensic-report.js';
import type { ReportFormat } from './report-formats.js';
import { reportJson } from './report-json.js';
import { reportHtml } from './report-html.js';
import { caseSarifLog } from './report-sarif.js';
import { timesketchLines } from './report-timesketch.js';
import { withChromiumPdf } from './report-pdf.js';
import { printWithTocPageNumbers, type PrintHtml } from './toc-page-numbers.js';
import { envelopePathFor, signReport } from './report-sign.js';

/**
 * A PDF printer (Electron's printToPDF in the app; headless Chromium otherwise): it opens its page
 * or window for `report` (header and footer from pdf-layout.ts), runs `job` with a function that
 * prints HTML there — more than once, for the contents' page numbers — closes it, and returns the
 * job's PDF. The passes themselves are the shared toc-page-numbers.ts, the same for both printers.
 */
export type PdfPrinter = (report: ForensicReport, job: (print: PrintHtml) => Promise<Uint8Array>) => Promise<Uint8Array>;

export const playwrightPdfPrinter: PdfPrinter = async (report, job) => (await withChromiumPdf(report.title, report.generatedAt, job)).result;

export interface ExportOptions extends Omit<CustodyOptions, 'now'> {
  format: ReportFormat;
  outPath: string;
  signKey?: KeyObject;
  now?: Date;
  printPdf?: PdfPrinter;
  report?: Omit<ReportOptions, 'now'>;
}

export interface ExportResult {
  path: string;
  format: ReportFormat;
  bytes: number;
  sha256: string;
  envelopePath: string | null;
}

/** JSON and SARIF list every alert (machines read them); HTML and PDF the first HTML_MAX_ALERTS. */
const MACHINE_MAX_ALERTS = 1_000_000;

export function buildReportFor(db: Db, opts: Omit<ExportOptions, 'outPath'>): ForensicReport {
  const now = opts.now ?? new Date();
  const custody = collectCustody(db, { ...opts, now });
  const machine = opts.format === 'json' || opts.format === 'sarif';
  return buildForensicReport(db, custody, { ...(machine ? { maxAlerts: MACHINE_MAX_ALERTS } : {}), ...opts.report, now });
}

/** The rendered bytes of every format but JSONL (which is streamed). */
export async function renderReport(report: ForensicReport, format: Exclude<ReportFormat, 'jsonl'>, printPdf: PdfPrinter = playwrightPdfPrinter): Promise<Uint8Array> {
  switch (format) {
    case 'json':
      return Buffer.from(reportJson(report), 'utf8');
    case 'html':
      return Buffer.from(reportHtml(report), 'utf8');
    case 'sarif':
      return Buffer.from(JSON.stringify(caseSarifLog(report), null, 2) + '\n', 'utf8');
    case 'pdf':
      return printPdf(report, async (print) => (await printWithTocPageNumbers(report, print)).pdf);
  }
}

async function writeJsonl(db: Db, path: string): Promise<void> {
  const out = createWriteStream(path);
  for (const line of timesketchLines(db)) {
    if (!out.write(line)) await new Promise<void>((res) => out.once('drain', () => res()));
  }
  out.end();
  await finished(out);
}

export async function exportReport(db: Db, opts: ExportOptions): Promise<ExportResult> {
  const tmp = `${opts.outPath}.partial-${process.pid}`;
  try {
    if (opts.format === 'jsonl') await writeJsonl(db, tmp);
    else await writeFile(tmp, await renderReport(buildReportFor(db, opts), opts.format, opts.printPdf));
    await rename(tmp, opts.outPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Hash (and sign) what is on disk, byte for byte; unsigned files are hashed as a stream (JSONL can be large).
  let bytes = 0;
  const hash = createHash('sha256');
  let envelopePath: string | null = null;
  if (opts.signKey) {
    const body = await readFile(opts.outPath);
    bytes = body.length;
    hash.update(body);
    envelopePath = envelopePathFor(opts.outPath);
    await writeFile(envelopePath, JSON.stringify(signReport(body, opts.format, opts.signKey), null, 2) + '\n');
  } else {
    for await (const chunk of createReadStream(opts.outPath)) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
  }
  const sha256 = hash.digest('hex');
  return { path: opts.outPath, format: opts.format, bytes, sha256, envelopePath };
}
