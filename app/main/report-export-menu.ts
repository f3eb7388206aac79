/**
 * File → Export Report… (pure, tested): the save dialog's options, the report format chosen from
 * the file name the analyst typed (HTML when it names none), and the sentence shown afterwards.
 * The export itself is the contract's `report.export` call.
 */
import type { ReportExported } from '../../contract/index.js';
import { REPORT_EXPORT_FORMATS } from '../../contract/index.js';

type ExportFormat = (typeof REPORT_EXPORT_FORMATS)[number];

export const REPORT_FILTERS = [
  { name: 'HTML report', extensions: ['html'] },
  { name: 'PDF report', extensions: ['pdf'] },
  { name: 'JSON report', extensions: ['json'] },
  { name: 'SARIF 2.1.0', extensions: ['sarif'] },
  { name: 'Timesketch JSONL', extensions: ['jsonl'] },
];

export function reportSaveDialogOptions(casePath: string | null) {
  const base = casePath ? casePath.replace(/\.(sqlite3?|db|mlshield)$/i, '').replace(/^.*[\\/]/, '') : 'incident';
  return { title: 'Export report', defaultPath: `${base}-report.html`, filters: REPORT_FILTERS, properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[] };
}

/** `.sarif.json` is SARIF, `.ndjson` is JSONL; anything unknown is written as HTML. */
export function exportFormatFor(path: string): ExportFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.sarif') || p.endsWith('.sarif.json')) return 'sarif';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson')) return 'jsonl';
  for (const f of REPORT_EXPORT_FORMATS) if (p.endsWith(`.${f}`)) return f;
  return 'html';
}

export function exportedMessage(r: ReportExported): string {
  return `Wrote the ${r.format.toUpperCase()} report to ${r.path} (${r.bytes.toLocaleString('en-US')} bytes).\nSHA-256 ${r.sha256}`;
}
