/**
 * Small helpers over the lenient zip reader (ingest/archive/zip-reader.ts) for triage: bounded
 * reads of an entry's start, an entry as a ByteSource, and the archive's oddities as findings.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { ZipArchive, ZipEntry } from '../../ingest/archive/zip-reader.js';
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';

const MAX_WARNING_FINDINGS = 20;

/** The first `max` bytes of an entry (all of it when smaller), without inflating the rest. */
export async function readEntryPrefix(zip: ZipArchive, entry: ZipEntry, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of zip.stream(entry)) {
    const take = Math.min(chunk.length, max - total);
    parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    total += take;
    if (total >= max) break;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The entry's bytes as a source, or the reason it cannot be read (encrypted, method, bomb). */
export async function entrySource(zip: ZipArchive, entry: ZipEntry): Promise<ByteSource | string> {
  try {
    return await zip.source(entry);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function zipWarningFindings(zip: ZipArchive): Finding[] {
  const out = zip.warnings.slice(0, MAX_WARNING_FINDINGS).map((w) => triageFinding('CONTAINER_WARNING', w));
  if (zip.warnings.length > MAX_WARNING_FINDINGS) out.push(triageFinding('CONTAINER_WARNING', `${zip.warnings.length - MAX_WARNING_FINDINGS} more archive warnings`));
  return out;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
