/**
 * Containers holding artifacts: every member of a zip or tar is recognised by content and triaged
 * (depth-bounded by the orchestrator); members that are not recognised are carved for embedded
 * pickles. 7-Zip archives are decoded by sevenzip/; one whose directory cannot be decoded has its
 * raw bytes carved instead. In all three, a member name (or a link target) that would leave the
 * extraction folder — absolute, a drive, `..` (formats/path-escape.ts) — is a path-escape finding
 * ("zip slip"): we only use names as labels, but whoever extracts the archive would follow them.
 */
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { collectBounded } from '../../ingest/archive/byte-streams.js';
import { readTar } from '../../ingest/archive/tar-reader.js';
import type { ZipArchive } from '../../ingest/archive/zip-reader.js';
import { sniffKind, SNIFF_BYTES } from '../../ingest/sniff.js';
import { triageFinding } from '../finding-ids.js';
import { pathEscapeReason } from '../formats/path-escape.js';
import { analyzePickle } from '../pickle/analyze.js';
import { carvePickles } from '../pickle/pickle-carver.js';
import { openSevenZip } from '../sevenzip/archive-header.js';
import { sevenZipFinding, sevenZipMembers } from '../sevenzip/members.js';
import { addToPlan, emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { MAX_PICKLE_BYTES, pickleOutcome } from './pickle-findings.js';
import { entrySource, errorText, zipWarningFindings } from './zip-entries.js';

/** Members triaged per container; the rest are counted. */
const MAX_MEMBERS = 10_000;
/** Bytes of an unrecognised member searched for embedded pickles. */
const CARVE_BYTES = 1 << 20;
/** A tar member is buffered to be triaged (tar is a stream); larger ones are reported. */
const MAX_TAR_MEMBER = MAX_PICKLE_BYTES;
const UTF8 = new TextDecoder();
/** Escaping member names (and symbolic links) reported one by one; the rest are counted. */
const MAX_NAMED_ESCAPES = 20;
/** 7z members are decoded into memory like tar members, under the same bound. */
const SEVENZIP_LIMITS = { maxMemberBytes: MAX_TAR_MEMBER, maxTotalBytes: 4 * MAX_TAR_MEMBER } as const;

async function* streamOf(src: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  for (let pos = 0; pos < src.size;) {
    const b = await src.read(pos, Math.min(1 << 20, src.size - pos));
    if (b.length === 0) return;
    pos += b.length;
    yield b;
  }
}

/** Longest zip member read as a link target (the target is the member's content; PATH_MAX is 4096). */
const MAX_LINK_TARGET = 4096;

/** Counts escaping names of one archive: the first MAX_NAMED_ESCAPES are reported by name, the rest in one finding. */
interface EscapeTally { count: number }

function noteEscape(plan: ArtifactPlan, tally: EscapeTally, what: string, name: string): void {
  const escape = pathEscapeReason(name);
  if (escape === null || tally.count++ >= MAX_NAMED_ESCAPES) return;
  plan.findings.push(triageFinding('CONTAINER_PATH_ESCAPE', `${what} ${JSON.stringify(name)} ${escape}: extracting the archive writes outside its folder`, name));
}

function closeEscapes(plan: ArtifactPlan, tally: EscapeTally): void {
  if (tally.count > MAX_NAMED_ESCAPES) plan.findings.push(triageFinding('CONTAINER_PATH_ESCAPE', `${tally.count - MAX_NAMED_ESCAPES} more member names leave the extraction folder`));
}

/** A link (tar symlink or hard link, zip symlink) whose target leaves the folder: a zip-slip vector once extracted. */
function noteLinkEscape(plan: ArtifactPlan, tally: EscapeTally, name: string, target: string): void {
  const away = pathEscapeReason(target);
  if (away === null || tally.count++ >= MAX_NAMED_ESCAPES) return;
  plan.findings.push(triageFinding('CONTAINER_PATH_ESCAPE', `member ${JSON.stringify(name)} is a link to ${JSON.stringify(target.slice(0, 200))} (${away})`, name));
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
    addToPlan(plan, out.findings, out.imports);
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
  addToPlan(plan, zipWarningFindings(zip));
  // Names are only labels here (central-directory names, the ones an extractor uses), never paths we write to.
  const tally: EscapeTally = { count: 0 };
  for (const e of zip.entries) noteEscape(plan, tally, e.isDirectory ? 'directory' : 'member', e.name);
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
      // Info-ZIP stores a symbolic link's target as the member's content; Python's zipfile ignores
      // the link bit and writes the content as a file, so the member is triaged all the same.
      if (e.isSymlink && src.size <= MAX_LINK_TARGET) noteLinkEscape(plan, tally, e.name, UTF8.decode(await src.read(0, src.size)));
      await member(plan, ctx, src, e.name);
    } catch (err) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${errorText(err)}`, e.name));
    }
  }
  closeEscapes(plan, tally);
  return plan;
}

/** A tar of artifacts (a pre-0.4 torch.save tar is read by legacy-tar.ts instead). */
export async function readTarContainer(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('tar');
  const tally: EscapeTally = { count: 0 };
  let count = 0;
  try {
    for await (const e of readTar(streamOf(ctx.src), { name: ctx.src.name, maxEntries: MAX_MEMBERS })) {
      noteEscape(plan, tally, e.type === 'dir' ? 'directory' : 'member', e.name);
      if ((e.type === 'symlink' || e.type === 'hardlink') && e.linkName !== undefined) noteLinkEscape(plan, tally, e.name, e.linkName);
      if (e.type !== 'file') continue;
      count++;
      if (e.size > MAX_TAR_MEMBER) {
        plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${e.size}-byte member too large to triage inside a tar`, e.name));
        continue;
      }
      const bytes = await collectBounded(e.data, MAX_TAR_MEMBER, e.name);
      await member(plan, ctx, bufferSource(`${ctx.src.name}!/${e.name}`, bytes), e.name);
    }
  } catch (err) {
    plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `tar: ${errorText(err)}`));
    if (count === 0) plan.unreadable = errorText(err);
  }
  closeEscapes(plan, tally);
  return plan;
}

/**
 * A 7-Zip archive, member by member like zip and tar (sevenzip/: header, LZMA/LZMA2/BCJ/Delta).
 * When the directory cannot be decoded at all (encrypted header, unknown coder, damage), the raw
 * bytes are carved for pickles instead: stored or weakly compressed members keep them intact.
 */
export async function read7z(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('7z');
  const opened = await openSevenZip(ctx.src, SEVENZIP_LIMITS);
  addToPlan(plan, opened.findings);
  if (!opened.ok) {
    plan.findings.push(sevenZipFinding(opened.kind, `7-Zip directory not decoded: ${opened.reason}`));
    plan.findings.push(triageFinding('CONTAINER_NOT_DECODED', '7-Zip archive not decoded; its raw bytes were searched for pickles'));
    const bytes = await ctx.src.read(0, Math.min(ctx.src.size, MAX_PICKLE_BYTES));
    carvedPickleFindings(plan, bytes, '7z', ctx.strict);
    return plan;
  }
  // Names are only labels here, never paths we write to; an extractor would follow them.
  const tally: EscapeTally = { count: 0 };
  for (const e of opened.archive.entries) noteEscape(plan, tally, e.isDirectory ? 'directory' : 'member', e.name);
  closeEscapes(plan, tally);
  let done = 0;
  let links = 0;
  for await (const m of sevenZipMembers(ctx.src, opened.archive, plan.findings, SEVENZIP_LIMITS)) {
    const name = m.entry.name;
    if (m.bytes.length === 0) continue;
    if (done++ >= MAX_MEMBERS) {
      plan.findings.push(triageFinding('CONTAINER_DEPTH', `more than ${MAX_MEMBERS} members; the rest were not analysed`));
      break;
    }
    if (m.entry.isSymlink) {
      // p7zip stores a link's target as its content; one leaving the folder is a zip-slip vector.
      if (links++ >= MAX_NAMED_ESCAPES) continue;
      const target = UTF8.decode(m.bytes.subarray(0, MAX_LINK_TARGET));
      const away = pathEscapeReason(target);
      plan.findings.push(triageFinding(away === null ? 'CONTAINER_WARNING' : 'CONTAINER_PATH_ESCAPE', `member ${JSON.stringify(name)} is a symbolic link to ${JSON.stringify(target)}${away === null ? '' : ` (${away})`}`, name));
      continue;
    }
    try {
      await member(plan, ctx, bufferSource(`${ctx.src.name}!/${name}`, m.bytes), name);
    } catch (err) {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${name}: ${errorText(err)}`, name));
    }
  }
  return plan;
}
