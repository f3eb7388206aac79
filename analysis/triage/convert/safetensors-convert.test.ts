/**
 * Conversion to safetensors: only tensors are written; the output is re-read with the safetensors
 * parser, every tensor's bytes hash to the source tensor's SHA-256, and triaging the output gives
 * the same statistics. A checkpoint with an os.system payload converts to a file with no pickle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { triageArtifact } from '../triage.js';
import { convertToSafetensors, verifyConversion, type ByteSink } from './safetensors-convert.js';

const fix = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../pickle/fixtures/pytorch-gen/${p}`, import.meta.url)));

function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write: async (b) => { parts.push(b.slice()); },
    bytes: () => new Uint8Array(Buffer.concat(parts)),
  };
}

describe.each(['ref_mlp.pt', 'fp16_mlp.pt', 'legacy_mlp.pt', 'full_ckpt.pt', 'reduce_os_system.pt'])('%s → safetensors', (file) => {
  it('writes only the state-dict tensors, verified by reading them back', async () => {
    const src = bufferSource(file, fix(file));
    const before = await triageArtifact(src);
    const sink = memorySink();
    const report = await convertToSafetensors(src, sink, { sourceSha256: before.sha256 });
    const out = bufferSource(`${file}.safetensors`, sink.bytes());
    expect(await verifyConversion(out, report)).toEqual([]);
    expect(report.written).toHaveLength(6);
    const after = await triageArtifact(out);
    expect(after.format).toBe('safetensors');
    expect(after.verdict).toBe('clean');
    expect(after.imports).toEqual([]);
    const prefix = before.stateDictPrefix;
    for (const t of before.tensors) {
      const c = after.tensors.find((x) => x.name === t.name.slice(prefix.length))!;
      expect(c.sha256, t.name).toBe(t.sha256);
      expect(c.dtype).toBe(t.dtype);
      expect(c.shape).toEqual(t.shape);
      expect(c.stats!.sum).toBe(t.stats!.sum);
    }
    expect(new TextDecoder().decode(sink.bytes().subarray(0, 400))).toContain(`"source_sha256":"${before.sha256}"`);
  });
});
