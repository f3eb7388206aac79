/**
 * PyTorch zip checkpoints and TorchScript archives (caffe2/serialize/inline_container.cc): the
 * archive folder is the first entry's top folder, whatever its name; `data.pkl` is the object,
 * `data/<key>` the raw storages, `byteorder` says their endianness (little when absent), and
 * `version`, `.format_version`, `.storage_alignment`, `.data/serialization_id`, `.data/version`
 * are bookkeeping. TorchScript adds `code/` (flagged for review), `constants.pkl` and `constants/`;
 * the 2019 layout has `model.json`, `attributes.pkl` and `tensors/`. Every pickle in the archive
 * is analysed; entries outside the layout are reported and, when they are artifacts, triaged.
 */
import type { ZipArchive, ZipEntry } from '../../ingest/archive/zip-reader.js';
import { sniffKind, SNIFF_BYTES } from '../../ingest/sniff.js';
import { triageFinding } from '../finding-ids.js';
import { buildTensorTable } from '../pickle/tensor-table.js';
import { addToPlan, emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { analyzePickleBytes, MAX_PICKLE_BYTES } from './pickle-findings.js';
import { stateDictPrefix } from './state-dict.js';
import { planTorchTensors, type StorageBytes } from './torch-tensors.js';
import { torchScriptCodeFindings } from './torchscript-code.js';
import { entrySource, errorText, readEntryPrefix, zipWarningFindings } from './zip-entries.js';

const MAX_CODE_BYTES = 4 << 20;
const MAX_CODE_FILES = 256;
const MAX_NESTED = 64;

/** Names (relative to the archive folder) that belong to the torch.save / TorchScript layouts. */
function isLayoutName(rel: string): boolean {
  return ['data.pkl', 'byteorder', 'version', '.format_version', '.storage_alignment', '.data/serialization_id', '.data/version',
    'constants.pkl', 'model.json', 'attributes.pkl'].includes(rel)
    || /^(data|constants|tensors)\/[^/]+$/.test(rel) || rel.startsWith('code/') || rel.startsWith('extra/') || rel.endsWith('/') || rel === '';
}

function isPickleName(name: string): boolean {
  return name.endsWith('.pkl') || name.endsWith('.pickle') || name.endsWith('.debug_pkl');
}

export async function readTorchZip(zip: ZipArchive, ctx: ReadContext, format: 'pytorch-zip' | 'torchscript'): Promise<ArtifactPlan> {
  const plan = emptyPlan(format);
  addToPlan(plan, zipWarningFindings(zip));
  const entries = zip.entries.filter((e) => !e.isDirectory);
  const first = zip.entries[0]?.name ?? '';
  const top = first.includes('/') ? first.slice(0, first.indexOf('/') + 1) : '';
  const byName = new Map<string, ZipEntry>();
  for (const e of entries) if (!byName.has(e.name)) byName.set(e.name, e);

  const dataPkl = byName.get(`${top}data.pkl`) ?? entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  const prefix = dataPkl ? dataPkl.name.slice(0, dataPkl.name.length - 'data.pkl'.length) : top;

  let littleEndian = true;
  const order = byName.get(`${prefix}byteorder`);
  if (order) {
    try {
      const text = new TextDecoder().decode(await readEntryPrefix(zip, order, 16)).trim();
      if (text === 'big') {
        littleEndian = false;
        plan.findings.push(triageFinding('TORCH_BIG_ENDIAN', 'byteorder record says big-endian; storages are byte-swapped for statistics', order.name));
      }
    } catch (e) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${order.name}: ${errorText(e)}`, order.name));
    }
  }

  // Every pickle in the archive; data.pkl in the torch context (its persistent ids are storages).
  const pickles = entries.filter((e) => isPickleName(e.name));
  if (dataPkl && !pickles.includes(dataPkl)) pickles.unshift(dataPkl);
  for (const e of pickles) {
    try {
      const bytes = await readEntryPrefix(zip, e, MAX_PICKLE_BYTES);
      const torchContext = e === dataPkl || e.name === `${prefix}constants.pkl` || e.name === `${prefix}attributes.pkl`;
      const out = analyzePickleBytes(bytes, e.name, { context: torchContext ? 'torch-zip' : 'generic', strict: ctx.strict }, e.uncompressedSize);
      addToPlan(plan, out.findings, out.imports);
      if (e === dataPkl) {
        const table = buildTensorTable(out.report.result);
        const storages = new Map<string, StorageBytes | string>();
        for (const s of table.storages) storages.set(s.key, await storageBytes(zip, byName.get(`${prefix}data/${s.key}`), ctx));
        plan.tensors = planTorchTensors(table, (k) => storages.get(k) ?? 'no storage record', littleEndian, plan.findings);
        plan.sharedStorages = table.shared;
        const root = out.report.result;
        plan.stateDictPrefix = stateDictPrefix(table.tensors.map((t) => t.name), root.k === 'list' || root.k === 'tuple');
      }
    } catch (err) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${errorText(err)}`, e.name));
    }
  }
  if (!dataPkl && !byName.has(`${prefix}model.json`)) {
    plan.findings.push(triageFinding('TORCH_NO_DATA_PKL', `no ${prefix}data.pkl: torch.load would refuse this archive`));
  }

  const codeFiles: { name: string; text: string }[] = [];
  for (const e of entries) {
    if (!e.name.startsWith(`${prefix}code/`) || !e.name.endsWith('.py') || codeFiles.length >= MAX_CODE_FILES) continue;
    try {
      codeFiles.push({ name: e.name, text: new TextDecoder().decode(await readEntryPrefix(zip, e, MAX_CODE_BYTES)) });
    } catch (err) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${errorText(err)}`, e.name));
    }
  }
  addToPlan(plan, torchScriptCodeFindings(codeFiles));

  let nested = 0;
  for (const e of entries) {
    const rel = e.name.startsWith(prefix) ? e.name.slice(prefix.length) : null;
    if (rel !== null && isLayoutName(rel)) continue;
    if (isPickleName(e.name)) continue; // analysed above
    plan.findings.push(triageFinding('TORCH_UNEXPECTED_ENTRY', `${e.name} is not part of the PyTorch layout; torch.load ignores it, another loader may not`, e.name));
    if (!ctx.canNest || nested >= MAX_NESTED) continue;
    const src = await entrySource(zip, e);
    if (typeof src === 'string') {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${src}`, e.name));
      continue;
    }
    const head = await src.read(0, SNIFF_BYTES);
    if (sniffKind(head, e.name) === 'unknown') continue;
    nested++;
    plan.children.push(await ctx.nested(src, `${ctx.path}!/${e.name}`));
  }
  return plan;
}

/** Where a storage record's bytes are: in the archive itself when stored, else inflated (bounded). */
async function storageBytes(zip: ZipArchive, entry: ZipEntry | undefined, ctx: ReadContext): Promise<StorageBytes | string> {
  if (!entry) return 'no storage record in the archive';
  const src = await entrySource(zip, entry);
  if (typeof src === 'string') return src;
  if (entry.method === 0 && entry.dataOffset !== null) {
    // Stored record: read it from the archive itself, so the one pass that hashes the file feeds it.
    return { source: ctx.src, offset: entry.dataOffset, length: Math.max(0, Math.min(entry.compressedSize, ctx.src.size - entry.dataOffset)) };
  }
  return { source: src, offset: 0, length: src.size };
}
