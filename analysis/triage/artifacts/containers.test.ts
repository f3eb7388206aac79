/**
 * Zip and tar members whose names (or link targets) leave the extraction folder ("zip slip"): the
 * same triage.container.path-escape finding the 7z reader gives, and the member is still triaged.
 * The zip cases are picklescan's real malicious1.zip (one stored member, data.pkl) with the name
 * patched in both the local header and the central directory to another of the same length, so
 * every offset and the CRC stay right. The tar cases are ustar headers (POSIX.1-1988) written here
 * around that zip's pickle bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { SEVERITIES } from '../severity.js';
import { triageArtifact } from '../triage.js';
import type { TriageResult } from '../triage-result.js';
import { mulberry32 } from '../../core/mulberry32.js';

const ZIP = new Uint8Array(readFileSync(new URL('../pickle/fixtures/pickle-malicious/picklescan__malicious1.zip', import.meta.url)));
const ESCAPE = 'triage.container.path-escape';
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** malicious1.zip with every occurrence of `data.pkl` (local header and central directory) renamed. */
function renamedZip(name: string): Uint8Array {
  const from = ascii('data.pkl');
  const to = ascii(name);
  if (to.length !== from.length) throw new Error('the new name must keep the length');
  const out = ZIP.slice();
  let hits = 0;
  for (let i = 0; i + from.length <= out.length; i++) {
    if (from.every((b, k) => out[i + k] === b)) {
      out.set(to, i);
      hits++;
    }
  }
  if (hits !== 2) throw new Error(`expected the name twice, found it ${hits} times`);
  return out;
}

/** The pickle inside malicious1.zip (the stored data of its only member). */
function picklePayload(): Uint8Array {
  const dv = new DataView(ZIP.buffer, ZIP.byteOffset);
  const size = dv.getUint32(18, true);
  const start = 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  return ZIP.subarray(start, start + size);
}

interface TarMember { name: string; data?: Uint8Array; type?: '0' | '2' | '5'; link?: string }

function tar(members: TarMember[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const put = (h: Uint8Array, at: number, s: string): void => { for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i); };
  for (const m of members) {
    const data = m.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    put(h, 0, m.name);
    put(h, 100, '0000644\0');
    put(h, 108, '0000000\0');
    put(h, 116, '0000000\0');
    put(h, 124, `${data.length.toString(8).padStart(11, '0')}\0`);
    put(h, 136, '00000000000\0');
    put(h, 148, '        ');
    put(h, 156, m.type ?? '0');
    if (m.link) put(h, 157, m.link);
    put(h, 257, 'ustar\x0000');
    put(h, 148, `${h.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return out;
}

const escapes = (r: TriageResult): [string | undefined, string][] => r.findings.filter((f) => f.id === ESCAPE).map((f) => [f.location, f.severity]);

describe('zip members leaving the extraction folder', () => {
  it.each([
    ['../a.pkl', 'has a .. component'],
    ['..\\a.pkl', 'has a .. component'],
    ['/tmp.pkl', 'is absolute'],
    ['C:/a.pkl', 'names a drive'],
  ])('%s is a path escape, and the member is still triaged', async (name, why) => {
    const r = await triageArtifact(bufferSource('slip.zip', renamedZip(name)));
    expect(r.format).toBe('zip');
    expect(escapes(r)).toEqual([[name, 'high']]);
    expect(r.findings.find((f) => f.id === ESCAPE)!.message).toContain(why);
    expect(r.children.map((c) => c.path)).toEqual([`slip.zip!/${name}`]);
    expect(r.children[0]!.verdict).toBe('malicious');
    expect(r.verdict).toBe('malicious');
  });

  it('says nothing of a name that stays inside', async () => {
    const r = await triageArtifact(bufferSource('ok.zip', renamedZip('ok/a.pkl')));
    expect(r.format).toBe('zip');
    expect(escapes(r)).toEqual([]);
    expect(r.children.map((c) => c.path)).toEqual(['ok.zip!/ok/a.pkl']);
  });
});

describe('tar members leaving the extraction folder', () => {
  const payload = picklePayload();

  it('flags names and link targets that leave, triages the files, and leaves the rest alone', async () => {
    const r = await triageArtifact(bufferSource('slip.tar', tar([
      { name: 'models/', type: '5' },
      { name: 'models/ok.pkl', data: payload },
      { name: '../../etc/cron.d/x.pkl', data: payload },
      { name: 'passwd-link', type: '2', link: '/etc/passwd' },
      { name: 'inside-link', type: '2', link: 'models/ok.pkl' },
    ])));
    expect(r.format).toBe('tar');
    expect(escapes(r)).toEqual([['../../etc/cron.d/x.pkl', 'high'], ['passwd-link', 'high']]);
    expect(r.findings.find((f) => f.location === 'passwd-link')!.message).toMatch(/link to "\/etc\/passwd" \(is absolute\)/);
    expect(r.children.map((c) => c.path)).toEqual(['slip.tar!/models/ok.pkl', 'slip.tar!/../../etc/cron.d/x.pkl']);
    expect(r.verdict).toBe('malicious');
  });

  it('names the first 20 escapes and counts the rest', async () => {
    const members = Array.from({ length: 25 }, (_, i): TarMember => ({ name: `../${i}.txt`, data: ascii('hello') }));
    const r = await triageArtifact(bufferSource('many.tar', tar(members)));
    const found = r.findings.filter((f) => f.id === ESCAPE);
    expect(found).toHaveLength(21);
    expect(found.at(-1)!.message).toBe('5 more member names leave the extraction folder');
  });
});

describe('fuzzed member names', () => {
  const prng = mulberry32;

  it('never throws, and every path-escape finding is well formed (300 random 8-byte names)', async () => {
    const rnd = prng(7);
    // ASCII only: the same length in bytes, so the zip keeps its offsets.
    const alphabet = ['.', '.', '/', '\\', ':', '~', 'a', 'C', '\0'];
    for (let n = 0; n < 300; n++) {
      const name = Array.from({ length: 8 }, () => alphabet[Math.floor(rnd() * alphabet.length)]!).join('');
      const r = await triageArtifact(bufferSource('fuzz.zip', renamedZip(name)));
      for (const f of r.findings) {
        expect(SEVERITIES).toContain(f.severity);
        if (f.id === ESCAPE) expect(f.location).toBe(name);
      }
    }
  });
});
