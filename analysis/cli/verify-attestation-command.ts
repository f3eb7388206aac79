/**
 * `mlshield verify-attestation <envelope.json> --key <public.pem> [--subject <file>...] [--json]`:
 * checks a DSSE envelope written by `mlshield triage --sign-key` (Ed25519 over the DSSE PAE), that
 * it carries an in-toto Statement v1, and, for each `--subject` file, that its SHA-256 is one of
 * the statement's subjects. Exit 0 verified, 2 signature or subject mismatch, 1 unreadable input.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { fileSource } from '../triage/fs-inputs.js';
import { MAX_ENVELOPE_BYTES, verifyEnvelope } from '../triage/report/attestation.js';

const HELP = `Usage: mlshield verify-attestation <envelope.json> --key <public.pem> [--subject <file>...] [--json]

Verifies a signed triage attestation (DSSE envelope, in-toto Statement v1, Ed25519).

Options:
  --key <pem>        the signer's Ed25519 public key (SPKI PEM; a private key PEM also works)
  --subject <file>   a file whose SHA-256 must be a subject of the statement (repeatable)
  --json             print the verification result as JSON

Exit codes: 0 verified, 1 unreadable input, 2 invalid signature or subject mismatch.`;

async function sha256File(path: string): Promise<string> {
  const src = await fileSource(path);
  const h = createHash('sha256');
  for (let pos = 0; pos < src.size;) {
    const b = await src.read(pos, Math.min(8 << 20, src.size - pos));
    if (b.length === 0) break;
    h.update(b);
    pos += b.length;
  }
  return h.digest('hex');
}

export const verifyAttestationCommand: Command = {
  name: 'verify-attestation',
  summary: 'verify a signed triage attestation (DSSE, in-toto, Ed25519)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { key: { type: 'string' }, subject: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one envelope file');
    if (!values.key) throw new UsageError('--key <public.pem> is required');
    const envelopePath = positionals[0]!;
    const raw = await readFile(envelopePath);
    if (raw.length > MAX_ENVELOPE_BYTES) throw new Error(`${envelopePath} is larger than ${MAX_ENVELOPE_BYTES} bytes`);
    const key = createPublicKey(await readFile(values.key));
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = null;
    }
    const v = verifyEnvelope(json, key);
    const subjects: { file: string; sha256: string; listed: boolean }[] = [];
    if (v.ok) {
      const digests = new Set(v.statement.subject.map((s) => s.digest['sha256']).filter((d): d is string => typeof d === 'string'));
      for (const file of values.subject ?? []) {
        const sha256 = await sha256File(file);
        subjects.push({ file, sha256, listed: digests.has(sha256) });
      }
    }
    const ok = v.ok && subjects.every((s) => s.listed);
    if (values.json) {
      process.stdout.write(JSON.stringify({
        verified: ok,
        ...(v.ok ? { keyid: v.keyid, predicateType: v.statement.predicateType, subjects: v.statement.subject } : { reason: v.reason }),
        checkedSubjects: subjects,
      }) + '\n');
    } else if (!v.ok) {
      process.stdout.write(`NOT VERIFIED: ${v.reason}\n`);
    } else {
      process.stdout.write(`Signature verified (key ${v.keyid.slice(0, 16)}…), ${v.statement.subject.length} subject(s), predicate ${v.statement.predicateType}\n`);
      for (const s of subjects) process.stdout.write(`  ${s.listed ? 'ok      ' : 'MISSING '} ${s.file} ${s.sha256}\n`);
    }
    return ok ? EXIT.OK : EXIT.ALERT;
  },
};
