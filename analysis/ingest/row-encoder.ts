/**
 * The parse worker's side of the row batches (parse-worker-rows.ts): a RecordSink that runs the
 * stage window (store/stage-window.ts) and packs what comes out into numbers, UTF-8 bytes and the
 * strings the receiving table has not seen yet.
 */
import type { EventRecord, GpuSample, QuarantineRecord } from '../core/records.js';
import { eventAttrsJson, rawIsLine, seriesLabelsJson } from '../store/record-writer.js';
import { StageWindow, type EventHead, type HeldStages, type RawSource } from '../store/stage-window.js';
import type { LineAwareSink } from './parse-worker-source.js';
import { BufferPool } from './buffer-pool.js';
import {
  BATCH_BYTES, EVENT, EVENT_SLOTS, GPU, QUARANTINE, QUARANTINE_SLOTS, SAMPLE_SLOTS, type PackedBatch,
} from './parse-worker-rows.js';

/** String table bounds: entries and UTF-16 units (each side holds one). */
const TABLE_ENTRIES = 1 << 16;
const TABLE_CHARS = 4 << 20;
/** Strings up to this length are looked up in the table; longer ones (quarantine heads) are sent each time. */
const INTERN_MAX = 256;
/** Slots of a batch's `nums` before it grows (~680 events). */
const BATCH_SLOTS = 16_384;
/** Batch buffers kept for reuse (a few more than the batches in flight). */
const POOLED_BATCHES = 8;

/**
 * The worker-side sink: runs the stage window and encodes records into the current batch;
 * `full` says it is time to hand it over.
 */
export class RowEncoder implements LineAwareSink {
  currentRaw: string | null = null;
  currentLine = 0;
  private lineBuf: Buffer | null = null;
  private lineStart = 0;
  private lineEnd = 0;
  private window: StageWindow;
  /** The current record's raw text, reused (the window copies what it keeps). */
  private readonly raw: RawSource = { text: null, bytes: null, start: 0, end: 0 };
  private readonly numsPool = new BufferPool(BATCH_SLOTS * 8, POOLED_BATCHES);
  private readonly bytesPool = new BufferPool(BATCH_BYTES, POOLED_BATCHES);
  private nums = new Float64Array(this.numsPool.take());
  private n = 0;
  private bytes: Buffer = Buffer.from(this.bytesPool.take());
  private bytesLen = 0;
  /** Batch size estimate (bytes, plus string and slot costs) against BATCH_BYTES. */
  private size = 0;
  private readonly ids = new Map<string, number>();
  /** Per event column, the last value and its index: consecutive rows often repeat a column. */
  private readonly lastValue: (string | null)[] = new Array<string | null>(9).fill(null);
  private readonly lastId = new Float64Array(9);
  private nextId = 0;
  private tableChars = 0;
  private strings: string[] = [];
  private reset = false;
  private readonly labelsJson = new WeakMap<object, string>();

  constructor() {
    this.window = this.newWindow();
  }

  get full(): boolean {
    return this.size >= BATCH_BYTES;
  }

  /**
   * A new source: whatever the last one left is dropped (it ended, or was given up). New strings
   * stay for the next batch: the receiving table must see every one, in order.
   */
  startSource(): void {
    this.window = this.newWindow();
    this.n = 0;
    this.bytesLen = 0;
    this.size = 0;
  }

  /** End of the source: the rows still held leave the window, into the current batch. */
  endSource(): void {
    this.window.flushAll();
  }

  /** The batch so far (its buffers are to be transferred); the encoder starts a new one. */
  take(): PackedBatch {
    const batch: PackedBatch = {
      nums: new Float64Array(this.nums.buffer, 0, this.n),
      bytes: new Uint8Array(this.bytes.buffer, 0, this.bytesLen),
      strings: this.strings,
      reset: this.reset,
    };
    this.n = 0;
    this.nums = new Float64Array(this.numsPool.take());
    this.bytes = Buffer.from(this.bytesPool.take());
    this.bytesLen = 0;
    this.size = 0;
    this.strings = [];
    this.reset = false;
    // The table is cleared only between batches, so every index in a batch means one thing.
    if (this.nextId >= TABLE_ENTRIES || this.tableChars >= TABLE_CHARS) {
      this.ids.clear();
      this.lastValue.fill(null);
      this.nextId = 0;
      this.tableChars = 0;
      this.reset = true;
    }
    return batch;
  }

  /** A batch buffer the receiving thread is done with. */
  recycle(buf: ArrayBuffer): void {
    if (buf.byteLength === this.numsPool.size) this.numsPool.give(buf);
    else this.bytesPool.give(buf);
  }

  lineBytes(bytes: Buffer, start: number, end: number): void {
    this.lineBuf = bytes;
    this.lineStart = start;
    this.lineEnd = end;
  }

  event(e: EventRecord): void {
    const attrs = e.attrs;
    const lineRaw = e.line === this.currentLine ? this.currentRaw : null;
    const raw = this.raw;
    if (rawIsLine(attrs, lineRaw)) {
      // The line's own bytes: copied, not encoded again.
      raw.text = null;
      raw.bytes = this.lineBuf;
      raw.start = this.lineStart;
      raw.end = this.lineEnd;
    } else {
      raw.text = attrs.audit !== undefined ? JSON.stringify(attrs.audit) : null;
      raw.bytes = null;
    }
    const attrsJson = eventAttrsJson(attrs);
    const head: EventHead = [e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome];
    const auditId = e.auditId ?? null;
    const rank = e.stageRank ?? null;
    if (auditId === null || rank === null) {
      this.encodeDirect(head, attrsJson, raw, e.line, e.offset, auditId, rank, -1, 1, e.ts, e.ts);
      return;
    }
    this.window.offer(auditId, rank, head, attrsJson, raw, e.line, e.offset);
  }

  gpuRecord(samples: GpuSample[], line: number): void {
    this.ensureSlots(3 + SAMPLE_SLOTS * samples.length);
    const v = this.nums;
    let i = this.n;
    v[i++] = GPU;
    v[i++] = line;
    v[i++] = samples.length;
    for (const s of samples) {
      v[i++] = this.ref(s.node);
      v[i++] = this.ref(s.gpu);
      v[i++] = this.ref(s.job);
      v[i++] = this.ref(s.field);
      v[i++] = this.ref(this.labelsOf(s.labels));
      v[i++] = s.ts;
      v[i++] = s.value === null ? 0 : 1;
      v[i++] = s.value ?? 0;
    }
    this.n = i;
    this.size += 32 + 64 * samples.length;
  }

  quarantine(q: QuarantineRecord): void {
    this.ensureSlots(QUARANTINE_SLOTS);
    const v = this.nums;
    const i = this.n;
    v[i] = QUARANTINE;
    v[i + 1] = q.line;
    v[i + 2] = q.offset;
    v[i + 3] = this.ref(q.reason);
    v[i + 4] = this.ref(q.head);
    this.n = i + QUARANTINE_SLOTS;
    this.size += 64;
  }

  private newWindow(): StageWindow {
    return new StageWindow({
      flushHeld: (h) => this.encodeHeld(h),
      write: (c, head, attrs, raw) => this.encodeDirect(head, attrs, raw, c.line, c.offset, c.auditId, c.rank, c.mask, c.stages, c.tsMin, c.tsMax),
      duplicate: (line, offset, reason, head) => this.quarantine({ line, offset, reason, head }),
    });
  }

  /** A row that leaves the window: its attrs and raw are copied from the window's bytes. */
  private encodeHeld(h: HeldStages): void {
    const i = this.encodeHead(h.head, h.line, h.offset, h.auditId, h.rank, h.mask, h.stages, h.tsMin, h.tsMax);
    const v = this.nums;
    const len = h.attrsLen + Math.max(0, h.rawLen);
    const at = this.room(len);
    h.bytes.copy(this.bytes, at, h.at, h.at + len);
    this.bytesLen = at + len;
    v[i + 11] = at;
    v[i + 12] = h.attrsLen;
    v[i + 13] = at + h.attrsLen;
    v[i + 14] = h.rawLen;
    this.size += len;
  }

  /** A row whose content is the record being read: straight into the batch. */
  private encodeDirect(
    head: EventHead, attrs: string, raw: RawSource, line: number, offset: number, auditId: string | null, rank: number | null,
    mask: number, stages: number, tsMin: number, tsMax: number,
  ): void {
    const i = this.encodeHead(head, line, offset, auditId, rank, mask, stages, tsMin, tsMax);
    const v = this.nums;
    const before = this.bytesLen;
    this.putText(attrs, v, i + 11);
    if (raw.bytes !== null) {
      const len = raw.end - raw.start;
      const at = this.room(len);
      raw.bytes.copy(this.bytes, at, raw.start, raw.end);
      this.bytesLen = at + len;
      v[i + 13] = at;
      v[i + 14] = len;
    } else this.putText(raw.text, v, i + 13);
    this.size += this.bytesLen - before;
  }

  /** An event op's slots but attrs and raw (`v[i + 11…14]`); returns `i`. */
  private encodeHead(
    c: EventHead, line: number, offset: number, auditId: string | null, rank: number | null, mask: number,
    stages: number, tsMin: number, tsMax: number,
  ): number {
    this.ensureSlots(EVENT_SLOTS);
    const v = this.nums;
    const i = this.n;
    v[i] = EVENT;
    v[i + 1] = c[0];
    v[i + 2] = this.column(c[1], 0);
    v[i + 3] = this.column(c[2], 1);
    v[i + 4] = this.column(c[3], 2);
    v[i + 5] = this.column(c[4], 3);
    v[i + 6] = this.column(c[5], 4);
    v[i + 7] = this.column(c[6], 5);
    v[i + 8] = this.column(c[7], 6);
    v[i + 9] = this.column(c[8], 7);
    v[i + 10] = this.column(c[9], 8);
    const before = this.bytesLen;
    this.putText(auditId, v, i + 17);
    v[i + 15] = line;
    v[i + 16] = offset;
    v[i + 19] = rank ?? -1;
    v[i + 20] = mask;
    v[i + 21] = stages;
    v[i + 22] = tsMin;
    v[i + 23] = tsMax;
    this.n = i + EVENT_SLOTS;
    this.size += 128 + this.bytesLen - before;
    return i;
  }

  /** Where `len` more bytes go in the batch's bytes (grown when needed). */
  private room(len: number): number {
    const start = this.bytesLen;
    if (start + len > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, start + len));
      this.bytes.copy(grown, 0, 0, start);
      this.bytesPool.give(this.bytes.buffer as ArrayBuffer);
      this.bytes = grown;
    }
    return start;
  }

  /** Appends a text column as UTF-8; writes offset and length (length -1: null) at `v[at]`, `v[at + 1]`. */
  private putText(value: string | null, v: Float64Array, at: number): void {
    if (value === null) {
      v[at] = 0;
      v[at + 1] = -1;
      return;
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    const start = this.room(3 * value.length);
    this.bytesLen = start + this.bytes.write(value, start);
    v[at] = start;
    v[at + 1] = this.bytesLen - start;
  }

  /** `ref` for event column `col` (0: source … 8: outcome), through the column's last value. */
  private column(s: string | null, col: number): number {
    if (s === null) return -1;
    if (s === this.lastValue[col]) return this.lastId[col]!;
    const id = this.ref(s);
    this.lastValue[col] = s;
    this.lastId[col] = id;
    return id;
  }

  /** The table index of a string (sent with this batch the first time), -1 for null. */
  private ref(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    const interned = s.length <= INTERN_MAX;
    if (interned) {
      const id = this.ids.get(s);
      if (id !== undefined) return id;
    }
    const id = this.nextId++;
    if (interned) this.ids.set(s, id);
    this.strings.push(s);
    this.tableChars += s.length;
    this.size += 16 + s.length;
    return id;
  }

  private ensureSlots(k: number): void {
    if (this.n + k <= this.nums.length) return;
    const grown = new Float64Array(Math.max(2 * this.nums.length, this.n + k));
    grown.set(this.nums.subarray(0, this.n));
    this.numsPool.give(this.nums.buffer as ArrayBuffer);
    this.nums = grown;
  }

  private labelsOf(labels: Record<string, string> | undefined): string {
    if (!labels) return '{}';
    let json = this.labelsJson.get(labels);
    if (json === undefined) {
      json = seriesLabelsJson(labels);
      this.labelsJson.set(labels, json);
    }
    return json;
  }
}

