/** The report formats `mlshield report --format` and the workbench's Export report… write. */
export const REPORT_FORMATS = ['html', 'pdf', 'json', 'sarif', 'jsonl'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(x: unknown): x is ReportFormat {
  return typeof x === 'string' && (REPORT_FORMATS as readonly string[]).includes(x);
}

/** The format a file name implies (`.html`/`.htm`, `.pdf`, `.json`, `.sarif`/`.sarif.json`, `.jsonl`/`.ndjson`), or null. */
export function formatForPath(path: string): ReportFormat | null {
  const p = path.toLowerCase();
  if (p.endsWith('.sarif') || p.endsWith('.sarif.json')) return 'sarif';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson')) return 'jsonl';
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.html') || p.endsWith('.htm')) return 'html';
  if (p.endsWith('.pdf')) return 'pdf';
  return null;
}
