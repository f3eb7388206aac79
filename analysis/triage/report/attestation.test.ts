/**
 * DSSE + in-toto round trip with node:crypto Ed25519: sign, verify, and detect every tampering —
 * payload, payload type, signature, the wrong key — plus the PAE test vector of the DSSE spec.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TriageResult } from '../triage-result.js';
import { DSSE_PAYLOAD_TYPE, keyIdOf, pae, signStatement, STATEMENT_TYPE, triageStatement, verifyEnvelope, type Envelope } from './attestation.js';

const result: TriageResult = {
  path: 'models/ckpt.pt', format: 'pytorch-zip', size: 10, sha256: 'a'.repeat(64), verdict: 'malicious',
  findings: [{ id: 'pickle.import.dangerous', severity: 'critical', message: 'GLOBAL posix.system', location: 'data.pkl@5' }],
  imports: [], tensors: [], stateDictPrefix: '', sharedStorages: [], children: [],
};

describe('DSSE envelope over an in-toto statement', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const statement = triageStatement([result, { ...result, path: 'unreadable.bin', sha256: '', verdict: 'error' }], 'medium', new Date('2026-01-02T03:04:05Z'));
  const env = signStatement(statement, privateKey);

  it('encodes PAE as the DSSE spec test vector', () => {
    expect(Buffer.from(pae('http://example.com/HelloWorld', Buffer.from('hello world'))).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('carries a Statement v1 with every readable input as a subject', () => {
    expect(statement._type).toBe(STATEMENT_TYPE);
    expect(statement.subject).toEqual([{ name: 'models/ckpt.pt', digest: { sha256: 'a'.repeat(64) } }]);
    expect(statement.predicate.results).toHaveLength(2);
    expect(statement.predicate.tool.name).toBe('mlshield');
    expect(env.payloadType).toBe(DSSE_PAYLOAD_TYPE);
    expect(env.signatures[0]!.keyid).toBe(keyIdOf(publicKey));
  });

  it('verifies with the right key', () => {
    const v = verifyEnvelope(JSON.parse(JSON.stringify(env)), publicKey);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.statement.subject[0]!.digest['sha256']).toBe('a'.repeat(64));
  });

  const tampered: [string, (e: Envelope) => Envelope][] = [
    ['a changed payload', (e) => ({ ...e, payload: Buffer.from(Buffer.from(e.payload, 'base64').toString().replace('malicious', 'clean')).toString('base64') })],
    ['a changed payload type', (e) => ({ ...e, payloadType: 'application/json' })],
    ['a flipped signature bit', (e) => { const s = Buffer.from(e.signatures[0]!.sig, 'base64'); s[3]! ^= 1; return { ...e, signatures: [{ ...e.signatures[0]!, sig: s.toString('base64') }] }; }],
    ['no signatures', (e) => ({ ...e, signatures: [] })],
    ['not base64', (e) => ({ ...e, payload: '%%%' })],
  ];
  it.each(tampered)('rejects %s', (_what, mutate) => {
    expect(verifyEnvelope(mutate(structuredClone(env)), publicKey).ok).toBe(false);
  });

  it('rejects another key and non-envelopes', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyEnvelope(env, other).ok).toBe(false);
    expect(verifyEnvelope(null, publicKey).ok).toBe(false);
    expect(verifyEnvelope({ payloadType: 1 }, publicKey).ok).toBe(false);
  });

  it('refuses to sign with a non-Ed25519 key', () => {
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signStatement(statement, ec)).toThrow(/Ed25519/);
  });
});
