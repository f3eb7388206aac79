/**
 * The JSON form of a report: the ForensicReport as it is, two-space indented, one trailing newline.
 * Its shape is documented by report.schema.json (JSON Schema 2020-12, checked in next to this file
 * and validated in report-json.test.ts). These exact bytes are what report-sign.ts signs.
 */
import { readFileSync } from 'node:fs';
import type { ForensicReport } from './forensic-report.js';
import type { JsonSchema } from './json-schema-check.js';

export const REPORT_JSON_MEDIA_TYPE = 'application/vnd.mlshield.forensic-report+json';

export function reportJson(report: ForensicReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** The checked-in schema (read from the source tree; the CLI bundle ships it next to itself). */
export function reportSchema(): JsonSchema {
  return JSON.parse(readFileSync(new URL('./report.schema.json', import.meta.url), 'utf8')) as JsonSchema;
}
