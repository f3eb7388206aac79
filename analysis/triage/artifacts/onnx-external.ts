/**
 * ONNX initializers stored outside the model (TensorProto.data_location = EXTERNAL, onnx.proto
 * `external_data` keys `location`, `offset`, `length`, `checksum`): their bytes are read from the
 * side file through the read context's confined opener, so their statistics come out exactly as
 * for inline tensors. A tensor is read only when its location stays in the model folder, its
 * offset and length lie inside the file, and the length is dims × element size (onnx's loader
 * reads `length` bytes at `offset`, or the rest of the file when no length is given). The
 * `checksum` key is the SHA-1 of the whole side file; it is verified for files up to a bound.
 */
import { createHash } from 'node:crypto';
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { ELEMENT_BITS, elementCount } from '../formats/element-types.js';
import { formatFinding, type FormatFindingKey } from '../formats/finding-ids.js';
import type { OnnxTensorInfo } from '../formats/onnx.js';
import type { OnnxExternalData } from '../formats/onnx-messages.js';
import { pathEscapeReason } from '../formats/path-escape.js';
import { excerpt } from '../formats/suspicious-text.js';
import type { TensorJob } from '../tensors/tensor-scan.js';
import type { OpenSibling, SiblingOpen, SiblingRefusal } from './artifact-plan.js';

/** Side-file bytes hashed per artifact to verify `checksum` keys; larger files are not verified. */
export const MAX_CHECKSUM_BYTES = 1 << 30;

const REFUSAL_FINDING: Readonly<Record<SiblingRefusal, FormatFindingKey>> = {
  escape: 'ONNX_EXTERNAL_DATA_ESCAPE',
  missing: 'ONNX_EXTERNAL_DATA_MISSING',
  'not-a-file': 'ONNX_EXTERNAL_DATA_INVALID',
  limit: 'FORMAT_LIMIT_EXCEEDED',
};

const DIGITS = /^\d{1,15}$/;

/** What to read for one external tensor, or why not (the finding, if any, is already recorded). */
export interface ExternalRead {
  job: TensorJob | null;
  note?: string;
}

/** Opens each side file once, records one finding per refused file, verifies checksums. */
export class ExternalData {
  readonly findings: Finding[] = [];
  /** Bytes of the side files opened (they widen the artifact's read bound). */
  sideBytes = 0;
  private readonly files = new Map<string, SiblingOpen>();
  private readonly checked = new Set<string>();
  private checksumBudget = MAX_CHECKSUM_BYTES;

  constructor(private readonly open: OpenSibling) {}

  async read(t: OnnxTensorInfo, x: OnnxExternalData): Promise<ExternalRead> {
    const label = `tensor ${JSON.stringify(excerpt(t.name))}`;
    const loc = x.location;
    // readOnnx already reported a missing, escaping or non-numeric entry.
    if (loc === null || loc === '') return { job: null, note: 'external data names no location (not read)' };
    if (pathEscapeReason(loc) !== null) return { job: null, note: `external data location ${JSON.stringify(excerpt(loc))} leaves the model folder (refused, not read)` };
    if ((x.offset !== null && !DIGITS.test(x.offset)) || (x.length !== null && !DIGITS.test(x.length))) {
      return { job: null, note: 'external offset or length is not a non-negative integer (not read)' };
    }
    const bits = ELEMENT_BITS[t.dtype];
    const count = elementCount(t.shape);
    // Sub-byte types (int4, float4) are packed with the last byte padded, as onnx.ts checks raw_data.
    const total = bits === undefined || count === null ? null : Math.ceil((count * bits) / 8);
    const expected = total !== null && Number.isSafeInteger(total) ? total : null;
    if (expected === null) return { job: null, note: `external ${t.dtype} data of dims [${t.shape.join(', ')}] has no fixed byte size (not read)` };

    const file = await this.file(loc);
    if (!('source' in file)) return { job: null, note: `external data in ${JSON.stringify(excerpt(loc))}: ${file.reason} (not read)` };
    const src = file.source;
    const offset = x.offset === null ? 0 : Number(x.offset);
    const length = x.length === null ? src.size - offset : Number(x.length);
    let why: string | null = null;
    if (offset > src.size) why = `offset ${offset} is past the end of the ${src.size}-byte file`;
    else if (offset + length > src.size) why = `bytes ${offset}–${offset + length} run past the end of the ${src.size}-byte file`;
    else if (length !== expected) {
      why = `${x.length === null ? `the ${length} bytes from offset ${offset} to the end of the file` : `length ${length}`} ≠ ${expected} bytes for dims [${t.shape.join(', ')}] of ${t.dtype}`;
    }
    if (why !== null) {
      this.findings.push(formatFinding('ONNX_EXTERNAL_DATA_SIZE', `${label} external data in ${JSON.stringify(excerpt(loc))}: ${why}; not read`, t.path));
      return { job: null, note: `external data does not fit: ${why} (not read)` };
    }
    const checksum = x.other['checksum'];
    if (checksum !== undefined) await this.verifyChecksum(loc, src, checksum, t.path);
    return { job: { dtype: t.dtype, littleEndian: true, span: { source: src, offset, length } } };
  }

  private async file(loc: string): Promise<SiblingOpen> {
    const hit = this.files.get(loc);
    if (hit) return hit;
    let r: SiblingOpen;
    try {
      r = await this.open(loc);
    } catch (e) {
      r = { refused: 'missing', reason: e instanceof Error ? e.message : String(e) };
    }
    this.files.set(loc, r);
    const where = JSON.stringify(excerpt(loc));
    if ('source' in r) this.sideBytes += r.source.size;
    else if (r.refused === 'escape') this.findings.push(formatFinding('ONNX_EXTERNAL_DATA_ESCAPE', `external data location ${where} ${r.reason}: it reads a file outside the model folder; refused`, loc));
    else this.findings.push(formatFinding(REFUSAL_FINDING[r.refused], `external data file ${where} not read: ${r.reason}`, loc));
    return r;
  }

  /** onnx.proto: "checksum - SHA1 digest of file specified in under 'location' key". */
  private async verifyChecksum(loc: string, src: ByteSource, checksum: string, path: string): Promise<void> {
    if (this.checked.has(loc)) return;
    this.checked.add(loc);
    const where = JSON.stringify(excerpt(loc));
    if (!/^[0-9a-fA-F]{40}$/.test(checksum)) {
      this.findings.push(formatFinding('ONNX_EXTERNAL_DATA_INVALID', `external data ${where} checksum ${JSON.stringify(excerpt(checksum, 60))} is not a SHA-1 digest`, path));
      return;
    }
    if (src.size > this.checksumBudget) return;
    this.checksumBudget -= src.size;
    const h = createHash('sha1');
    for (let pos = 0; pos < src.size;) {
      const b = await src.read(pos, Math.min(4 << 20, src.size - pos));
      if (b.length === 0) return;
      h.update(b);
      pos += b.length;
    }
    const got = h.digest('hex');
    if (got !== checksum.toLowerCase()) {
      this.findings.push(formatFinding('ONNX_EXTERNAL_DATA_CHECKSUM', `external data ${where} has SHA-1 ${got}; the model records ${checksum.toLowerCase()} (the file changed after the model was written)`, path));
    }
  }
}
