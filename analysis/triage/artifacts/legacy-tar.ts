/**
 * A pre-0.4 torch.save tar (`sys_info`, `pickle`, `tensors`, `storages`: torch/serialization.py
 * `legacy_load`): the two whole pickles are analysed, the record members are parsed in place
 * (legacy-tar-tensors.ts) so the tensors get statistics like any checkpoint's, and whatever does
 * not parse — and any member a legacy tar does not have — is carved for hidden pickles.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { readTar } from '../../ingest/archive/tar-reader.js';
import { triageFinding } from '../finding-ids.js';
import { analyzePickle } from '../pickle/analyze.js';
import type { SymValue } from '../pickle/sym-value.js';
import { addToPlan, emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { carvedPickleFindings } from './containers.js';
import { readLegacyTarTensors, type TarMemberSpan } from './legacy-tar-tensors.js';
import { MAX_PICKLE_BYTES, pickleOutcome } from './pickle-findings.js';
import { errorText } from './zip-entries.js';

const MAX_MEMBERS = 10_000;
/** Bytes of a record member carved for pickles where its records stop parsing. */
const CARVE_BYTES = 1 << 20;

async function* streamOf(src: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  for (let pos = 0; pos < src.size;) {
    const b = await src.read(pos, Math.min(1 << 20, src.size - pos));
    if (b.length === 0) return;
    pos += b.length;
    yield b;
  }
}

export async function readLegacyTorchTar(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('pytorch-legacy-tar');
  const spans: { storages: TarMemberSpan | null; tensors: TarMemberSpan | null } = { storages: null, tensors: null };
  let main: SymValue | null = null;
  let count = 0;
  try {
    for await (const e of readTar(streamOf(ctx.src), { name: ctx.src.name, maxEntries: MAX_MEMBERS })) {
      if (e.type !== 'file') continue;
      count++;
      if ((e.name === 'storages' || e.name === 'tensors') && spans[e.name] === null) {
        // Read in place later: an uncompressed tar keeps a member's data contiguous at `offset`.
        spans[e.name] = { offset: e.offset, size: Math.max(0, Math.min(e.size, ctx.src.size - e.offset)) };
        continue;
      }
      const bytes = await ctx.src.read(e.offset, Math.min(e.size, MAX_PICKLE_BYTES));
      if ((e.name === 'pickle' || e.name === 'sys_info') && (e.name !== 'pickle' || main === null)) {
        const report = analyzePickle(bytes, { context: e.name === 'pickle' ? 'torch-legacy' : 'generic', strict: ctx.strict });
        const out = pickleOutcome(report, e.name);
        addToPlan(plan, out.findings, out.imports);
        if (e.size > bytes.length) plan.findings.push(triageFinding('PICKLE_TOO_LARGE', `${e.size}-byte pickle; the first ${bytes.length} bytes were analysed`, e.name));
        if (e.name === 'pickle' && report.stopOffset !== null) main = report.result;
        continue;
      }
      // torch.load extracts the four members by name; anything else (or a repeat) rides along unread by it.
      plan.findings.push(triageFinding('TORCH_UNEXPECTED_ENTRY', `${e.name}: member outside the legacy tar layout`, e.name));
      carvedPickleFindings(plan, bytes.subarray(0, CARVE_BYTES), e.name, ctx.strict);
    }
  } catch (err) {
    plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `tar: ${errorText(err)}`));
    if (count === 0) {
      plan.unreadable = errorText(err);
      return plan;
    }
  }
  const t = await readLegacyTarTensors(ctx.src, spans, main, ctx.strict);
  addToPlan(plan, t.findings, t.imports);
  plan.tensors = t.tensors;
  plan.sharedStorages = t.sharedStorages;
  plan.stateDictPrefix = t.stateDictPrefix;
  for (const u of t.unparsed) {
    const span = spans[u.member]!;
    const len = Math.max(0, Math.min(CARVE_BYTES, span.size - u.offset));
    carvedPickleFindings(plan, await ctx.src.read(span.offset + u.offset, len), `${u.member}@${u.offset}`, ctx.strict);
  }
  if (main === null || t.unparsed.length > 0) {
    const why = main === null ? 'the pickle member is missing or did not parse (tensors are named by key)' : `${t.unparsed.map((u) => u.member).join(' and ')} did not parse to the end`;
    plan.findings.push(triageFinding('LEGACY_TAR_TENSORS', `pre-0.4 torch.save tar: ${why}`));
  }
  return plan;
}
