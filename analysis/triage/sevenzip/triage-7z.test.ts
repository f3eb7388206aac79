/**
 * 7z archives through the whole triage (triage.ts → artifacts/containers.ts read7z): every member
 * is triaged as if it were a file on its own — a pickle inside a .7z raises exactly the findings
 * and imports of the bare pickle — and what cannot be inspected (7zAES, unknown coders, bombs,
 * names leaving the folder, symbolic links) is a finding that keeps the verdict off 'clean'.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { triageArtifact } from '../triage.js';
import type { TriageResult } from '../triage-result.js';
import { replaceInHeader, utf16 } from './archive-patch.test-support.js';
import { openSevenZip } from './archive-header.js';
import { sevenZipMembers } from './members.js';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url)));
const triage = (name: string, bytes = fixture(name)): Promise<TriageResult> => triageArtifact(bufferSource(name, bytes));
const ids = (r: TriageResult): string[] => r.findings.map((f) => f.id);

/** Findings and imports of a result, without where they were found. */
function essence(r: TriageResult): { findings: string[]; imports: string[] } {
  return {
    findings: r.findings.map((f) => `${f.id} ${f.severity} ${f.message}`),
    imports: r.imports.map((i) => `${i.module}.${i.name} ${i.classification} ${i.severity}`),
  };
}

/** fixtures/SOURCES.tsv rows of the archives: [file, expected verdict]. */
const EXPECTED: [string, string][] = readFileSync(new URL('./fixtures/SOURCES.tsv', import.meta.url), 'utf8')
  .trim().split('\n').slice(1).map((l) => l.split('\t')).filter((c) => c[0]!.endsWith('.7z')).map((c) => [c[0]!, c[6]!]);

describe('7z triage, member by member', () => {
  it.each(EXPECTED)('%s has its SOURCES.tsv verdict (%s)', async (file, expected) => {
    expect((await triage(file)).verdict).toBe(expected === 'benign' ? 'clean' : expected);
  });

  it.each(['copy.7z', 'lzma2.7z', 'solid.7z', 'plain-header.7z'])('%s: the pickle inside reads exactly like the bare pickle', async (file) => {
    const bare = await triage('modelaudit__malicious_system_call.pkl');
    expect(bare.verdict).toBe('malicious');
    const r = await triage(file);
    expect(r.format).toBe('7z');
    expect(r.verdict).toBe('malicious');
    expect(ids(r)).not.toContain('triage.container.not-decoded');
    const child = r.children.find((c) => c.path === `${file}!/malicious_system_call.pkl`);
    expect(child?.format).toBe('pickle');
    expect(essence(child!)).toEqual(essence(bare));
    // …and the parent carries them too, located in the member.
    expect(r.imports.filter((i) => i.pickle?.startsWith('malicious_system_call.pkl')).map((i) => `${i.module}.${i.name}`)).toEqual(bare.imports.map((i) => `${i.module}.${i.name}`));
  });

  it('triages every kind of member of the solid archive by content', async () => {
    const r = await triage('solid.7z');
    expect(Object.fromEntries(r.children.map((c) => [c.path.slice('solid.7z!/'.length), [c.format, c.verdict]]))).toEqual({
      'fp16_mlp.pt': ['pytorch-zip', 'clean'],
      'malicious_system_call.pkl': ['pickle', 'malicious'],
      'model.safetensors': ['safetensors', 'clean'],
      'models/sub/unsafe_zip_pytorch.pt': ['pytorch-zip', 'malicious'],
      'ref_mlp.pt': ['pytorch-zip', 'clean'],
      'unsafe_zip_pytorch.pt': ['pytorch-zip', 'malicious'],
    });
    // The PyTorch zip inside the 7z gets its tensors read, as a bare one does.
    const ref = r.children.find((c) => c.path.endsWith('!/ref_mlp.pt'))!;
    const bareRef = await triageArtifact(bufferSource('ref_mlp.pt', await memberBytes('solid.7z', 'ref_mlp.pt')));
    expect(ref.tensors.map((t) => [t.name, t.sha256])).toEqual(bareRef.tensors.map((t) => [t.name, t.sha256]));
    expect(ref.tensors.length).toBe(6);
  });

  it('decodes picklescan\'s malicious1.7z instead of carving it', async () => {
    const r = await triage('picklescan__malicious1.7z');
    expect(r.verdict).toBe('malicious');
    expect(ids(r)).not.toContain('triage.container.not-decoded');
    expect(ids(r)).not.toContain('triage.pickle.carved');
    expect(r.children.map((c) => c.path)).toEqual(['picklescan__malicious1.7z!/data.pkl']);
    expect(r.imports.map((i) => `${i.module}.${i.name}`)).toContain('builtins.eval');
  });

  it('reports encrypted members (7zAES) as medium, never clean', async () => {
    const r = await triage('encrypted-data.7z');
    const enc = r.findings.filter((f) => f.id === 'triage.7z.encrypted');
    expect(enc).toHaveLength(1);
    expect(enc[0]).toMatchObject({ severity: 'medium', location: 'malicious_system_call.pkl' });
    expect(enc[0]!.message).toMatch(/7zAES/);
    expect(r.verdict).toBe('suspicious');
  });

  it('reports an encrypted header, then falls back to carving', async () => {
    const r = await triage('encrypted-header.7z');
    expect(ids(r)).toEqual(['triage.7z.encrypted', 'triage.container.not-decoded']);
    expect(r.verdict).toBe('suspicious');
  });

  it('names an unknown coder and a known one not decoded here', async () => {
    const lzmaCoder = Uint8Array.of(0x23, 0x03, 0x01, 0x01, 0x05);
    const unknown = replaceInHeader(fixture('plain-header.7z'), lzmaCoder, Uint8Array.of(0x23, 0x7f, 0x7e, 0x7d, 0x05));
    const r = await triage('unknown.7z', unknown);
    const f = r.findings.filter((x) => x.id === 'triage.7z.unsupported-coder');
    expect(f.map((x) => x.location)).toEqual(['malicious_system_call.pkl', 'models/sub/unsafe_zip_pytorch.pt']);
    expect(f[0]!.message).toMatch(/unknown coder 7f7e7d/);
    expect(r.verdict).toBe('suspicious');
    const deflate = await triage('deflate.7z', replaceInHeader(fixture('plain-header.7z'), lzmaCoder, Uint8Array.of(0x23, 0x04, 0x01, 0x08, 0x05)));
    expect(deflate.findings.find((x) => x.id === 'triage.7z.unsupported-coder')?.message).toMatch(/Deflate \(040108\)/);
  });

  it('flags member names that leave the extraction folder, and keeps triaging them', async () => {
    const from = utf16('models/sub/unsafe_zip_pytorch.pt');
    const to = utf16('../../../x/unsafe_zip_pytorch.pt');
    let bytes = replaceInHeader(fixture('plain-header.7z'), from, to);
    bytes = replaceInHeader(bytes, utf16('malicious_system_call.pkl'), utf16('/etc/cron.d/malicious.pkl'));
    const r = await triage('slip.7z', bytes);
    const esc = r.findings.filter((f) => f.id === 'triage.container.path-escape');
    expect(esc.map((f) => [f.location, f.severity])).toEqual([
      ['/etc/cron.d/malicious.pkl', 'high'],
      ['../../../x/unsafe_zip_pytorch.pt', 'high'],
    ]);
    expect(r.children.map((c) => c.path)).toEqual(['slip.7z!//etc/cron.d/malicious.pkl', 'slip.7z!/../../../x/unsafe_zip_pytorch.pt']);
    expect(r.verdict).toBe('malicious');
  });

  it('reports symbolic links, and the ones pointing out of the folder as path escapes', async () => {
    const r = await triage('symlink.7z');
    const links = r.findings.filter((f) => /symbolic link/.test(f.message)).map((f) => [f.id, f.location]);
    expect(links).toEqual([
      ['triage.container.path-escape', 'keys-link'],
      ['triage.container.path-escape', 'passwd-link'],
    ]);
    expect(r.children.map((c) => c.path)).toEqual(['symlink.7z!/malicious_system_call.pkl']);
  });

  it('stops the bomb at its bound and says so', async () => {
    const t0 = performance.now();
    const r = await triage('bomb.7z');
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(r.findings.find((f) => f.id === 'triage.container.entry-unreadable')?.message).toMatch(/decompression bomb/);
    expect(r.verdict).not.toBe('clean');
  });
});

/** A member's bytes (decoders.test.ts checks they are the corpus file's). */
async function memberBytes(file: string, name: string): Promise<Uint8Array> {
  const src = bufferSource(file, fixture(file));
  const o = await openSevenZip(src);
  if (!o.ok) throw new Error(o.reason);
  for await (const m of sevenZipMembers(src, o.archive, [])) if (m.entry.name === name) return m.bytes;
  throw new Error(`${name} not in ${file}`);
}
