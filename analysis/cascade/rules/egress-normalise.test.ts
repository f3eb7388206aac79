/**
 * Spellings of a destination that an attacker writes into an app event so that a spec's deny
 * entry does not match while the HTTP client still reaches the same place (WHATWG URL, curl with
 * libidn2). Each must raise `egress.deny` on a deny-only spec (before the fix: no hit at all), and
 * the benign spellings around them must not start alerting.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { createRuleEngine } from './engine.js';
import { compileEgressEntry, parseDestination } from './egress-match.js';
import { loadRuleSet } from './rule-loader.js';
import { appEvent, T0 } from './fixtures.test-support.js';

const DENY = `kind: BehaviouralSpec
id: SPEC-EVADE
title: egress evasions
selector: {namespaces: ['ml-*']}
egress:
  deny: ['transfer.sh', '*.ngrok.io', '169.254.169.254', 's3://corp-ckpt/public/**', 'https://storage.example.com/exports/*.pt', 'bücher.de', 'xn--fa-hia.de', '*.ｐａｓｔｅ．ｅｅ', 'gs://corp-ml/模型/**']
`;

const ALLOW = `kind: BehaviouralSpec
id: SPEC-ALLOW
title: egress allow spellings
selector: {namespaces: ['ml-*']}
egress:
  allow: ['huggingface.co', '*.ｃｏｒｐ．ｅｘａｍｐｌｅ', 's3://corp-ckpt/runs/**', '10.0.0.0/8', 'https://models.example.com/模型/**', 'ＭＩＮＩＯ．ｓｖｃ', 'transfer.sh.']
`;

function engine(text: string) {
  const set = loadRuleSet([{ path: 'e.yaml', text }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules);
}

const j: Partial<EventRecord> = { job: 'ml-train/a', namespace: 'ml-train' };
/** Test names: the spelling as JSON, cut short (some are thousands of characters). */
const named = (list: string[]): Array<[string, string]> => list.map((d) => [JSON.stringify(d).slice(0, 60), d]);
const hits = (e: ReturnType<typeof engine>, dest: string, key = 'destination') =>
  e.evaluate(appEvent(T0, 'upload', j, { [key]: dest })).map((h) => h.ruleId.slice(h.ruleId.indexOf('/') + 1));

describe('egress.deny is not evaded by another spelling of the host', () => {
  const deny = engine(DENY);
  it.each(named([
    // Full-width letters and digits, ideographic full stops, case (UTS #46 mapping).
    'ｔｒａｎｓｆｅｒ．ｓｈ', 'transfer。sh', 'transfer｡sh', 'TRANSFER．SH', 'https://ｔｒａｎｓｆｅｒ．ｓｈ/x', 'ｔｒａｎｓｆｅｒ．ｓｈ．', 'ⓣⓡⓐⓝⓢⓕⓔⓡ.sh',
    // Default ignorables dropped: soft hyphen, zero-width space, variation selector.
    'trans\u00ADfer.sh', 'https://trans\u200Bfer.sh/', 'transfer.s\uFE0Fh',
    // Percent-encoding in the host, of ASCII and of the full-width forms.
    '%74ransfer.sh', 'https://%74ransfer%2Esh/x', 'https://%EF%BD%94ransfer.sh/',
    // curl + libidn2 retries with transitional processing: ZWJ/ZWNJ dropped.
    'https://tr\u200Dansfer.sh/', 'tran\u200Csfer.sh',
    // WHATWG special-scheme slashes, tabs and newlines, leading C0 controls.
    'https:transfer.sh/x', 'https:///transfer.sh/x', 'https:\\\\transfer.sh', 'HTTPS:/\\transfer.sh', 'https://trans\tfer.sh/', 'https://transfer\n.sh/', '\u0001https://transfer.sh/',
    // Longer than MAX_DESTINATION: the host still counts.
    `https://transfer.sh/${'a'.repeat(5000)}`,
    // A host padded past the URL-parser bound with ignorables, raw or percent-encoded.
    `https://tran${'\u00AD'.repeat(1000)}sfer.sh/`, `https://tran${'%C2%AD'.repeat(600)}sfer.sh/`,
    // Wildcard entries, and an entry written in full width.
    'x.ＮＧＲＯＫ．ＩＯ', 'https://a.ngrok。io/', 'x.paste.ee', 'X.PASTE。EE',
    // IPv4 spelled in full width or with escapes (and the WHATWG IPv4 parser behind them).
    'http://１６９．２５４．１６９．２５４/latest', 'http://%31%36%39.254.169.254/', 'http://０ｘＡ９ＦＥＡ９ＦＥ/',
    // IDN entries match in either spelling.
    'xn--bcher-kva.de', 'BÜCHER.DE', 'https://b%C3%BCcher.de/', 'faß.de', 'FAß.DE',
  ]))('%s', (_, dest) => {
    expect(hits(deny, dest)).toEqual(['egress.deny']);
    expect(hits(deny, dest, 'url')).toEqual(['egress.deny']);
  });

  it('benign neighbours stay quiet', () => {
    for (const d of ['transfer.sh.example.com', 'https://transfersh.com/', 'ngrok.io.example', 'https://huggingface.co/x', 'fass.de', 'bucher.de', 'http://169.254.169.253/', 'paste.ee.evil.example', 'https://transfer.sh%2F.example.com/']) {
      expect(hits(deny, d), d).toEqual([]);
    }
  });
});

describe('egress.deny is not evaded by another spelling of the path', () => {
  const deny = engine(DENY);
  it.each(named([
    // Unreserved characters percent-encoded (RFC 3986 §6.2.2.2), and %2e dot segments (kept).
    's3://corp-ckpt/%70ublic/m.pt', 's3://corp-ckpt/pub%6Cic/x', 's3://corp-ckpt/x/%2E%2E/public/m.pt',
    // %2F: object stores decode it into the key's `/`.
    's3://corp-ckpt/public%2Fm.pt', 's3://corp-ckpt/public%2fsub%2Fm.pt',
    // Query and fragment are not part of the path; `\` is `/` in an http(s) path.
    'https://storage.example.com/exports/m.pt?x=1', 'https://storage.example.com/exports/m.pt#a', 'https://storage.example.com/exports\\m.pt',
    'https://storage.example.com/x\\..\\exports/m.pt', 'https://storage.example.com/%65xports/m%2Ept', 'https://STORAGE.example.com./exports/m.pt',
    // Non-ASCII path in either spelling.
    'gs://corp-ml/模型/w.bin', 'gs://corp-ml/%E6%A8%A1%E5%9E%8B/w.bin', 'gs://corp-ml/%e6%a8%a1%e5%9e%8b/w.bin',
  ]))('%s', (_, dest) => {
    expect(hits(deny, dest)).toEqual(['egress.deny']);
  });

  it('benign neighbours stay quiet', () => {
    for (const d of ['s3://corp-ckpt/runs/1', 's3://corp-ckpt/publicity/x', 's3://corp-ckpt/public/../runs/m.pt', 'https://storage.example.com/exports/sub/m.pt', 'https://storage.example.com/exports/m.ptx', 'https://storage.example.com/exports/sub%2Fm.pt', 'gs://corp-ml/模型x/w.bin']) {
      expect(hits(deny, d), d).toEqual([]);
    }
  });
});

describe('allow entries match every spelling of what they name, and nothing else', () => {
  const allow = engine(ALLOW);
  it('allowed', () => {
    for (const d of ['https://HuggingFace.co./x', 'https://ｈｕｇｇｉｎｇｆａｃｅ．ｃｏ/', 'minio.corp.example', 'https://a.b.CORP.example:9000/', 's3://corp-ckpt/runs/%31/m.pt', 'https://models.example.com/%E6%A8%A1%E5%9E%8B/x', 'https://models.example.com/模型/x', 'minio.svc:9000', 'transfer.sh', 'http://0x0a.1/', 'http://１０．１．２．３/']) {
      expect(hits(allow, d), d).toEqual([]);
    }
  });
  it('not allowed', () => {
    for (const d of ['https://huggingface.co.evil.com/', 'https://evil.com\\@huggingface.co', 'https://huggingface.co%2F.evil.com/', 's3://corp-ckpt/public/m.pt', 's3://corp-ckpt/runs/../public/m.pt', 'https://models.example.com/x/模型/', 'corp.example.evil', 'http://11.0.0.1/']) {
      expect(hits(allow, d), d).toEqual(['egress.allow']);
    }
  });
});

describe('parseDestination and compileEgressEntry', () => {
  it('bring both sides to one spelling', () => {
    expect(parseDestination('https://user@ＥＸＡＭＰＬＥ．ｃｏｍ．:8443/a/%2e%2E/%62/c%2fd?q=1#f')).toEqual({ scheme: 'https', host: 'example.com', path: '/b/c/d' });
    expect(parseDestination('s3://Bücket/%7Ex')).toEqual({ scheme: 's3', host: 'xn--bcket-kva', path: '/~x' });
    expect(parseDestination('http://[FD12::1%25eth0]:443/')?.host).toBe('fd12::1%25eth0');
    expect(parseDestination('fe80::1')?.host).toBe('fe80::1');
    expect(parseDestination('https:')).toBeNull();
    expect(parseDestination('\u00AD\u200B')?.host).toBe('\u00AD\u200B'); // empty once mapped: rejected, kept
    expect(parseDestination(`${'x'.repeat(5000)}.com`)).toBeNull();
    // Rejected by the URL parser: kept as written (lower-cased); no client reaches a name through it.
    expect(parseDestination('http://ev%00il.COM/')?.host).toBe('ev%00il.com');
    expect(parseDestination('http://a b.COM/')?.host).toBe('a b.com');
    expect(parseDestination('localhost:8080/x')).toEqual({ scheme: null, host: 'localhost', path: '/x' });
    expect(parseDestination('user:pw@pypi.org')).toEqual({ scheme: null, host: 'pypi.org', path: '' });
    // `%2F` is a separator for globs, but never makes a dot segment: the object-store reading
    // (S3 decodes it into the key and resolves nothing), see dot-segments.ts.
    expect(parseDestination('s3://b/runs/..%2F..%2Fpublic/x')?.path).toBe('/runs/../../public/x');
  });

  it('entries: a wildcard inside an internationalised label is refused, others are normalised', () => {
    expect(compileEgressEntry('*bücher.de')).toBeNull();
    expect(compileEgressEntry('s3://*bücket/x')).toBeNull();
    const e = compileEgressEntry('*.ｅｘａｍｐｌｅ．ｃｏｍ')!;
    expect(e.matches(parseDestination('a.example.com')!)).toBe(true);
    expect(e.matches(parseDestination('a.Ｅxample.com.')!)).toBe(true);
    expect(e.matches(parseDestination('example.com.evil')!)).toBe(false);
    const ip = compileEgressEntry('１６９．２５４．１６９．２５４')!;
    expect(ip.matches(parseDestination('http://2852039166/')!)).toBe(true);
    const q = compileEgressEntry('s3://b/a%2fb/*.pt')!;
    expect(q.matches(parseDestination('s3://b/a/b/m.pt')!)).toBe(true);
    expect(q.matches(parseDestination('s3://b/a/b/c%2Fm.pt')!)).toBe(false);
  });
});
