/**
 * Containers holding artifacts: every member of a zip or tar is recognised by content and triaged
 * (depth-bounded by the orchestrator); members that are not recognised are carved for embedded
 * pickles. A 7-Zip file has no decoder here: its raw bytes are carved (stored or weakly compressed
 * members keep their pickles intact, as picklescan's malicious1.7z shows).
 */
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { collectBounded } from '../../ingest/archive/byte-streams.js';
import { readTar } from '../../ingest/archive/tar-reader.js';
import type { ZipArchive } from '../../ingest/archive/zip-reader.js';
import { sniffKind, SNIFF_BYTES } from '../../ingest/sniff.js';
import { triageFinding } from '../finding-ids.js';
import { analyzePickle } from '../pickle/analyze.js';
import { carvePickles } from '../pickle/pickle-carver.js';
import { emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { MAX_PICKLE_BYTES, pickleOutcome } from './pickle-findings.js';
import { entrySource, errorText, zipWarningFindings } from './zip-entries.js';

/** Members triaged per container; the rest are counted. */
const MAX_MEMBERS = 10_000;
/** Bytes of an unrecognised member searched for embedded pickles. */
const CARVE_BYTES = 1 << 20;
/** A tar member is buffered to be triaged (tar is a stream); larger ones are reported. */
const MAX_TAR_MEMBER = MAX_PICKLE_BYTES;

async function* streamOf(src: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  for (let pos = 0; pos < src.size;) {
    const b = await src.read(pos, Math.min(1 << 20, src.size - pos));
    if (b.length === 0) return;
    pos += b.length;
    yield b;
  }
}

/** Pickles carved out of `bytes`; only ones with findings are kept (carving random bytes finds harmless noise). */
export function carvedPickleFindings(plan: ArtifactPlan, bytes: Uint8Array, label: string, strict: boolean): number {
  let kept = 0;
  for (const c of carvePickles(bytes)) {
    const report = analyzePickle(bytes.subarray(c.offset, c.offset + c.length), { strict });
    const out = pickleOutcome(report, `${label}@${c.offset}`);
    if (out.findings.length === 0) continue;
    kept++;
    plan.findings.push(triageFinding('CARVED_PICKLE', `a ${c.length}-byte pickle (${c.opCount} opcodes) at byte ${c.offset}`, label));
    plan.findings.push(...out.findings);
    plan.imports.push(...out.imports);
  }
  return kept;
}

async function member(plan: ArtifactPlan, ctx: ReadContext, src: ByteSource, name: string): Promise<void> {
  const head = await src.read(0, SNIFF_BYTES);
  if (sniffKind(head, name) !== 'unknown') {
    if (!ctx.canNest) {
      plan.findings.push(triageFinding('CONTAINER_DEPTH', `${name} is an artifact nested deeper than the analysis bound; not analysed`, name));
      return;
    }
    plan.children.push(await ctx.nested(src, `${ctx.path}!/${name}`));
    return;
  }
  carvedPickleFindings(plan, await src.read(0, Math.min(src.size, CARVE_BYTES)), name, ctx.strict);
}

export async function readZipContainer(zip: ZipArchive, ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('zip');
  plan.findings.push(...zipWarningFindings(zip));
  let done = 0;
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    if (done++ >= MAX_MEMBERS) {
      plan.findings.push(triageFinding('CONTAINER_DEPTH', `more than ${MAX_MEMBERS} members; the rest were not analysed`));
      break;
    }
    if (e.encrypted) {
      plan.findings.push(triageFinding('CONTAINER_ENCRYPTED', `${e.name} is encrypted; not analysed (no loader reads it without the password)`, e.name));
      continue;
    }
    const src = await entrySource(zip, e);
    if (typeof src === 'string') {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${src}`, e.name));
      continue;
    }
    try {
      await member(plan, ctx, src, e.name);
    } catch (err) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${errorText(err)}`, e.name));
    }
  }
  return plan;
}

export async function readTarContainer(ctx: ReadContext, legacyTorch: boolean): Promise<ArtifactPlan> {
  const plan = emptyPlan(legacyTorch ? 'pytorch-legacy-tar' : 'tar');
  if (legacyTorch) plan.findings.push(triageFinding('LEGACY_TAR_TENSORS', 'pre-0.4 torch.save tar: its pickles are analysed, its tensors are not rebuilt'));
  let count = 0;
  try {
    for await (const e of readTar(streamOf(ctx.src), { name: ctx.src.name, maxEntries: MAX_MEMBERS })) {
      if (e.type !== 'file') continue;
      count++;
      if (e.size > MAX_TAR_MEMBER) {
        plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${e.size}-byte member too large to triage inside a tar`, e.name));
        continue;
      }
      const bytes = await collectBounded(e.data, MAX_TAR_MEMBER, e.name);
      if (legacyTorch) {
        // sys_info and pickle are single pickles; tensors and storages interleave pickles and raw data.
        if (e.name === 'pickle' || e.name === 'sys_info') {
          const out = pickleOutcome(analyzePickle(bytes, { context: e.name === 'pickle' ? 'torch-legacy' : 'generic', strict: ctx.strict }), e.name);
          plan.findings.push(...out.findings);
          plan.imports.push(...out.imports);
        } else {
          carvedPickleFindings(plan, bytes, e.name, ctx.strict);
        }
        continue;
      }
      await member(plan, ctx, bufferSource(`${ctx.src.name}!/${e.name}`, bytes), e.name);
    }
  } catch (err) {
    plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `tar: ${errorText(err)}`));
    if (count === 0) plan.unreadable = errorText(err);
  }
  return plan;
}

export async function read7z(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('7z');
  plan.findings.push(triageFinding('CONTAINER_NOT_DECODED', '7-Zip archive: no decoder here; its raw bytes were searched for pickles'));
  const bytes = await ctx.src.read(0, Math.min(ctx.src.size, MAX_PICKLE_BYTES));
  carvedPickleFindings(plan, bytes, '7z', ctx.strict);
  return plan;
}
