/**
 * Signing a report: a DSSE envelope (github.com/secure-systems-lab/dsse, Ed25519 over
 * PAE(payloadType, payload)) whose payload is the report file's exact bytes, written detached next
 * to it as `<report>.dsse.json`. Detached rather than embedded so the report stays the plain file a
 * reader opens (report.json validates against its schema as it is), and verification is a byte
 * comparison: `verify-report` fails when any byte of the report or of the envelope changed.
 * The payload type names the format, so an envelope for the HTML cannot pass for the JSON.
 */
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { signPayload, verifyPayload, type Envelope } from '../triage/report/attestation.js';
import { REPORT_JSON_MEDIA_TYPE } from './report-json.js';
import type { ReportFormat } from './report-formats.js';

export const REPORT_PAYLOAD_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: REPORT_JSON_MEDIA_TYPE,
  html: 'text/html; profile="https://mlshield.dev/forensic-report/v1"',
  pdf: 'application/pdf; profile="https://mlshield.dev/forensic-report/v1"',
  sarif: 'application/sarif+json',
  jsonl: 'application/x-ndjson; profile="https://timesketch.org/jsonl"',
};

export const ENVELOPE_SUFFIX = '.dsse.json';

export function envelopePathFor(reportPath: string): string {
  return reportPath + ENVELOPE_SUFFIX;
}

export function signReport(bytes: Uint8Array, format: ReportFormat, privateKey: KeyObject): Envelope {
  return signPayload(REPORT_PAYLOAD_TYPES[format], bytes, privateKey);
}

export type ReportVerification = { ok: true; keyid: string; format: ReportFormat } | { ok: false; reason: string };

/** Verifies the envelope's signature, then that its payload is byte for byte the report given. */
export function verifyReportBytes(report: Uint8Array, envelope: unknown, publicKey: KeyObject): ReportVerification {
  const v = verifyPayload(envelope, Object.values(REPORT_PAYLOAD_TYPES), publicKey);
  if (!v.ok) return v;
  const format = (Object.keys(REPORT_PAYLOAD_TYPES) as ReportFormat[]).find((f) => REPORT_PAYLOAD_TYPES[f] === v.payloadType)!;
  const a = Buffer.from(report);
  if (a.length !== v.payload.length) return { ok: false, reason: `the report is ${a.length} bytes, the signed one ${v.payload.length}: it was changed after signing` };
  if (!timingSafeEqual(a, v.payload)) {
    let at = 0;
    while (at < a.length && a[at] === v.payload[at]) at++;
    return { ok: false, reason: `the report differs from the signed bytes at byte ${at}: it was changed after signing` };
  }
  return { ok: true, keyid: v.keyid, format };
}
