/**
 * Provenance of a triage run: an in-toto Statement v1 (github.com/in-toto/attestation
 * spec/v1/statement.md) whose subjects are the inputs with their SHA-256 and whose predicate is the
 * findings and the tool version, wrapped in a DSSE envelope (github.com/secure-systems-lab/dsse
 * protocol.md) signed with Ed25519 over the pre-authentication encoding
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
 * Verification checks the payload type, the signature (by key id when given) and the statement's
 * shape; it never trusts a field it has not checked.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { TOOL_NAME, TOOL_VERSION } from '../../core/version.js';
import type { Severity } from '../severity.js';
import type { TriageResult } from '../triage-result.js';

export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const TRIAGE_PREDICATE_TYPE = 'https://mlshield.dev/attestations/checkpoint-triage/v1';
/** Envelopes larger than this are refused before parsing. */
export const MAX_ENVELOPE_BYTES = 256 << 20;

export interface TriagePredicate {
  tool: { name: string; version: string };
  gate: Severity;
  createdAt: string;
  results: {
    path: string;
    format: string;
    sha256: string;
    verdict: string;
    findings: { id: string; severity: Severity; message: string; location?: string }[];
  }[];
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: TriagePredicate;
}

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export function triageStatement(results: readonly TriageResult[], gate: Severity, now = new Date()): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: results.filter((r) => /^[0-9a-f]{64}$/.test(r.sha256)).map((r) => ({ name: r.path, digest: { sha256: r.sha256 } })),
    predicateType: TRIAGE_PREDICATE_TYPE,
    predicate: {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      gate,
      createdAt: now.toISOString(),
      results: results.map((r) => ({
        path: r.path, format: r.format, sha256: r.sha256, verdict: r.verdict,
        findings: r.findings.map((f) => (f.location ? { id: f.id, severity: f.severity, message: f.message, location: f.location } : { id: f.id, severity: f.severity, message: f.message })),
      })),
    },
  };
}

/** DSSE pre-authentication encoding; LEN is the byte length in ASCII decimal. */
export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/** Key id: SHA-256 (hex) of the public key's SubjectPublicKeyInfo DER. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signStatement(statement: Statement, privateKey: KeyObject): Envelope {
  return signPayload(DSSE_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), privateKey);
}

/** A DSSE envelope over any payload bytes (the forensic report signs its exact JSON bytes with it). */
export function signPayload(payloadType: string, body: Uint8Array, privateKey: KeyObject): Envelope {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`signing key is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}, Ed25519 expected`);
  const sig = sign(null, pae(payloadType, body), privateKey);
  return { payloadType, payload: Buffer.from(body).toString('base64'), signatures: [{ keyid: keyIdOf(privateKey), sig: sig.toString('base64') }] };
}

const envelopeSchema = z.object({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.object({ keyid: z.string().optional(), sig: z.string() })).min(1).max(64),
});

const statementSchema = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) })).max(1_000_000),
  predicateType: z.string(),
  predicate: z.unknown(),
});

export type Verification =
  | { ok: true; statement: z.infer<typeof statementSchema>; keyid: string }
  | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type PayloadVerification = { ok: true; payloadType: string; payload: Buffer; keyid: string } | { ok: false; reason: string };

/** Checks the envelope's shape, that its payloadType is one of `payloadTypes`, and an Ed25519 signature over PAE by `publicKey`. */
export function verifyPayload(json: unknown, payloadTypes: readonly string[], publicKey: KeyObject): PayloadVerification {
  const env = envelopeSchema.safeParse(json);
  if (!env.success) return { ok: false, reason: 'not a DSSE envelope (payloadType, payload, signatures[])' };
  const e = env.data;
  if (!payloadTypes.includes(e.payloadType)) return { ok: false, reason: `payloadType ${JSON.stringify(e.payloadType)}, expected ${payloadTypes.join(' or ')}` };
  if (!BASE64.test(e.payload)) return { ok: false, reason: 'payload is not base64' };
  const body = Buffer.from(e.payload, 'base64');
  const message = pae(e.payloadType, body);
  const keyid = keyIdOf(publicKey);
  let matched = false;
  for (const s of e.signatures) {
    if (s.keyid && s.keyid !== keyid) continue;
    if (!BASE64.test(s.sig)) continue;
    try {
      if (verify(null, message, publicKey, Buffer.from(s.sig, 'base64'))) { matched = true; break; }
    } catch {
      // a malformed signature is simply not a valid one
    }
  }
  if (!matched) return { ok: false, reason: `no signature verifies with key ${keyid.slice(0, 16)}…` };
  return { ok: true, payloadType: e.payloadType, payload: body, keyid };
}

export function verifyEnvelope(json: unknown, publicKey: KeyObject): Verification {
  const v = verifyPayload(json, [DSSE_PAYLOAD_TYPE], publicKey);
  if (!v.ok) return v;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v.payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'signed payload is not JSON' };
  }
  const st = statementSchema.safeParse(parsed);
  if (!st.success) return { ok: false, reason: 'signed payload is not an in-toto Statement v1' };
  return { ok: true, statement: st.data, keyid: v.keyid };
}
