/**
 * How parsed records cross from the parse worker to the thread that owns SQLite:
 * - records arrive as the reader gave them, attrs already serialised; the stage window
 *   (store/stage-window.ts) runs in the receiving thread (record-writer.ts), which has time to
 *   spare while the parsing worker is the busier of the two;
 * - each batch is numbers (`nums`) and UTF-8 bytes (`bytes`: attrs and raw, bound as blobs and
 *   cast to TEXT in SQL) in a slot of memory both threads share for the whole ingest
 *   (`ParseWorkerMemory`), plus the batch's auditIDs (strings: the window tells them apart as the
 *   reader read them), plus the strings first seen in the batch: short column values (actor,
 *   verb, namespace, job, series labels…) repeat, so each crosses once and later rows name it by
 *   number in a table both sides keep (bounded: both sides clear it together, at a batch
 *   boundary, when it grows past its limits);
 * - a line stored as `raw` is named where it was read, in its shared input block (which goes back
 *   to the main thread only with the batch that names it, or a later one), or in the inflate
 *   region the worker inflated it into (taken again only once that batch is applied), not copied.
 * Shared slots, not buffers transferred with each message: a transferred buffer counts as new
 * external memory in the isolate that receives it until its next GC, and ~3 GB of them per 1M
 * events made the ingesting thread run a full GC every few batches (measured: ~1 s of its time
 * and more of V8's helper threads). Messages carry slot numbers; a batch or input block that
 * outgrows its slot travels in a buffer of its own, transferred as before.
 * Records keep their order: they reach the writer exactly as in an in-thread ingest, so the rows,
 * quarantine rows and merges are the same, which the tests compare.
 * This module is the format and the receiving side; row-encoder.ts writes batches in the worker.
 */
import type { SourceKind } from '../core/kinds.js';
import type { RecordWriter } from '../store/record-writer.js';
import type { EventHead, RawSource } from '../store/stage-window.js';
import type { ReaderContext } from './reader-for-kind.js';
import { INFLATE_CHUNK_BYTES } from './archive/bounded-inflate.js';

/** Op codes of a batch's `nums`. */
export const EVENT = 0;
export const GPU = 1;
export const QUARANTINE = 2;
/**
 * `[EVENT, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrsAt,
 * attrsLen, attrsUnits, rawAt, rawLen, line, offset, auditId, rank]`: one record as the reader
 * gave it. String columns are table indexes (-1: null); attrs and raw are offset and length in
 * `bytes` (raw length -1: null), a negative rawAt `-1 - o` naming offset `o` of the shared input
 * blocks, where the line was read; attrsUnits is the attrs JSON's UTF-16 length; auditId an
 * index into the batch's `auditIds` (-1: null); rank -1 for null.
 */
export const EVENT_SLOTS = 20;
/** `[GPU, line, n]`, then per sample `[node, gpu, job, field, labels, ts, hasValue, value]`. */
export const SAMPLE_SLOTS = 8;
/** `[QUARANTINE, line, offset, reason, head]`. */
export const QUARANTINE_SLOTS = 5;

/** Input bytes per block sent to the worker (decompressed, or a .gz's compressed bytes). */
export const BLOCK_BYTES = 1 << 20;
/** Shared input blocks: the blocks in flight (parse-worker-client.ts), and two being filled. */
export const INPUT_BLOCKS = 10;
/**
 * Regions after the input blocks where the worker inflates a .gz source (parse-worker-gunzip.ts),
 * INFLATE_CHUNK_BYTES each: as many bytes in flight as the input blocks hold.
 */
export const INFLATE_REGIONS = ((INPUT_BLOCKS - 2) * BLOCK_BYTES) / INFLATE_CHUNK_BYTES;
/** Where the inflate regions start in `ParseWorkerMemory.input`. */
export const INFLATE_REGIONS_AT = INPUT_BLOCKS * BLOCK_BYTES;
/** Batches handed over and not yet applied before the worker waits (parse-worker.ts). */
export const MAX_BATCHES_IN_FLIGHT = 16;
/** Shared batch slots: those in flight and the one being filled. */
export const BATCH_RING = MAX_BATCHES_IN_FLIGHT + 1;
/** Approximate bytes a batch may hold before it is handed over (bounds the worker's memory). */
export const BATCH_BYTES = 512 << 10;
/**
 * A batch slot's room. The worker hands a batch over at each input block's end and when it
 * passes BATCH_BYTES, checked between 64 KiB pieces of input, so a batch may pass it by what one
 * piece makes (1 MiB of audit lines: ~900 records, ~18K numbers and ~300 KiB of attrs, the lines
 * themselves staying in their input block; tiny DCGM lines: more numbers). Only pages written
 * are resident.
 */
export const SLOT_NUMS = 128 << 10;
export const SLOT_BYTES = 1 << 20;

/** Memory the two threads share for the whole ingest (made by the client, sent in workerData). */
export interface ParseWorkerMemory {
  /** INPUT_BLOCKS blocks of BLOCK_BYTES, then INFLATE_REGIONS regions of INFLATE_CHUNK_BYTES. */
  input: SharedArrayBuffer;
  /** BATCH_RING slots of SLOT_NUMS float64s. */
  nums: SharedArrayBuffer;
  /** BATCH_RING slots of SLOT_BYTES bytes. */
  bytes: SharedArrayBuffer;
}

export function createParseWorkerMemory(): ParseWorkerMemory {
  return {
    input: new SharedArrayBuffer(INFLATE_REGIONS_AT + INFLATE_REGIONS * INFLATE_CHUNK_BYTES),
    nums: new SharedArrayBuffer(BATCH_RING * SLOT_NUMS * 8),
    bytes: new SharedArrayBuffer(BATCH_RING * SLOT_BYTES),
  };
}

/**
 * How the worker inflates a .gz source (archive/gzip.ts GunzipOptions, sent as data): `budget` is
 * the bundle's decompression budget as it stands, which the worker charges and sends back.
 */
export interface WorkerGunzip {
  name: string;
  maxBytes: number;
  maxRatio: number;
  budget: { max: number; used: number } | null;
}

/**
 * Main thread → worker. A chunk is `length` bytes of shared input block `block`, or (block -1,
 * no block free) its own transferred `bytes`; compressed when the source came with `gunzip`.
 */
export type ToParseWorker =
  | { t: 'source'; seq: number; kind: SourceKind; ctx: ReaderContext; gunzip: WorkerGunzip | null }
  | { t: 'chunk'; seq: number; block: number; length: number; bytes: Uint8Array | null }
  /** `quiet`: the stream already failed; errors while ending are not reported. */
  | { t: 'end'; seq: number; quiet: boolean };

/**
 * One packed batch (see the module comment): `numsLen` numbers and `bytesLen` bytes in shared slot
 * `slot`, or, for a part that outgrew the slot, in `nums` / `bytes` of its own.
 */
export interface PackedBatch {
  slot: number;
  numsLen: number;
  bytesLen: number;
  nums: Float64Array | null;
  bytes: Uint8Array | null;
  /** Appended to the receiver's string table, in order, after clearing it when `reset`. */
  strings: string[];
  reset: boolean;
  /** The auditIDs of the batch's records, in order. */
  auditIds: string[];
}

/**
 * Worker → main thread. `consumed`: input bytes fully parsed into this and earlier batches;
 * `returned`: shared input blocks parsed, free to fill again. For a .gz source, `inflated`: the
 * bytes it inflated to so far (all of them went to the reader), and `budgetUsed`: the bundle's
 * decompression budget after them (null for other sources).
 */
export type FromParseWorker =
  | { t: 'ready' }
  | ({ t: 'rows'; consumed: number } & WorkerBatch)
  | ({ t: 'done' } & WorkerBatch);

interface WorkerBatch {
  seq: number;
  batch: PackedBatch;
  error: string | null;
  returned: number[];
  inflated: number;
  budgetUsed: number | null;
}

/** The batch's numbers and bytes, wherever they are. */
export function batchViews(batch: PackedBatch, memory: ParseWorkerMemory): { nums: Float64Array; bytes: Buffer } {
  const nums = batch.nums ?? new Float64Array(memory.nums, batch.slot * SLOT_NUMS * 8, batch.numsLen);
  const b = batch.bytes;
  const bytes = b === null ? Buffer.from(memory.bytes, batch.slot * SLOT_BYTES, batch.bytesLen) : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return { nums, bytes };
}

/** The receiving side's copy of the worker's string table. */
export class StringTable {
  readonly strings: string[] = [];

  /** Takes a batch's new strings; call for every batch, in order, applied or not. */
  update(batch: PackedBatch): void {
    const t = this.strings;
    if (batch.reset) t.length = 0;
    for (const s of batch.strings) t.push(s);
  }
}

/** Replays a batch into the source's writer, in order (after `table.update(batch)`). */
export function applyBatch(writer: RecordWriter, v: Float64Array, bytes: Buffer, input: Buffer, table: StringTable, auditIds: string[]): void {
  // Rows may share INSERTs while the batch's memory is held; all are written before it is let go.
  writer.deferRows = true;
  try {
    replayBatch(writer, v, bytes, input, table.strings, auditIds);
  } finally {
    writer.deferRows = false;
    writer.flushRows();
  }
}

function replayBatch(writer: RecordWriter, v: Float64Array, bytes: Buffer, input: Buffer, t: string[], auditIds: string[]): void {
  const n = v.length;
  // Reused: the stage window copies what it keeps.
  const raw: RawSource = { text: null, bytes: null, start: 0, end: 0 };
  let i = 0;
  while (i < n) {
    const op = v[i];
    if (op === EVENT) {
      const head: EventHead = [
        v[i + 1]!, t[v[i + 2]!]!, str(t, v[i + 3]!), t[v[i + 4]!]!, str(t, v[i + 5]!), str(t, v[i + 6]!),
        str(t, v[i + 7]!), str(t, v[i + 8]!), str(t, v[i + 9]!), str(t, v[i + 10]!),
      ];
      const attrsAt = v[i + 11]!;
      const rawAt = v[i + 14]!;
      const rawLen = v[i + 15]!;
      if (rawLen < 0) raw.bytes = null;
      else if (rawAt >= 0) {
        raw.bytes = bytes;
        raw.start = rawAt;
      } else {
        raw.bytes = input;
        raw.start = -1 - rawAt;
      }
      raw.end = raw.start + rawLen;
      const auditRef = v[i + 18]!;
      const rank = v[i + 19]!;
      writer.eventColumns(
        head, bytes.subarray(attrsAt, attrsAt + v[i + 12]!), v[i + 13]!, raw, v[i + 16]!, v[i + 17]!,
        auditRef < 0 ? null : auditIds[auditRef]!, rank < 0 ? null : rank,
      );
      i += EVENT_SLOTS;
    } else if (op === GPU) {
      const line = v[i + 1]!;
      const count = v[i + 2]!;
      i += 3;
      writer.beginGpuRecord();
      for (let k = 0; k < count; k++, i += SAMPLE_SLOTS) {
        writer.gpuSampleRow(
          str(t, v[i]!), str(t, v[i + 1]!), str(t, v[i + 2]!), t[v[i + 3]!]!, t[v[i + 4]!]!, v[i + 5]!,
          v[i + 6] === 0 ? null : v[i + 7]!, line,
        );
      }
      writer.endGpuRecord(count);
    } else if (op === QUARANTINE) {
      writer.quarantine({ line: v[i + 1]!, offset: v[i + 2]!, reason: t[v[i + 3]!]!, head: t[v[i + 4]!]! });
      i += QUARANTINE_SLOTS;
    } else {
      throw new Error(`corrupt row batch: op ${String(op)} at ${i}`);
    }
  }
}

function str(t: string[], ref: number): string | null {
  return ref < 0 ? null : t[ref]!;
}


