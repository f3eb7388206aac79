/**
 * The parse worker's side of the row batches (parse-worker-rows.ts): a RecordSink that packs
 * each record, attrs serialised, into numbers, UTF-8 bytes and the strings the receiving table
 * has not seen yet, in the shared batch slots, one after the other. An audit source's attrs are
 * written as bytes straight into the slot (audit-attrs-writer.ts); other attrs go through
 * eventAttrsJson, as in-thread. The stage window runs on the receiving side (record-writer.ts).
 */
import type { EventRecord, GpuSample, QuarantineRecord } from '../core/records.js';
import { eventAttrsJson, LabelsJsonMemo, rawIsLine } from '../store/record-columns.js';
import type { SourceKind } from '../core/kinds.js';
import { AuditAttrsWriter } from './audit-attrs-writer.js';
import type { LineAwareSink } from './parse-worker-source.js';
import {
  BATCH_BYTES, BATCH_RING, EVENT, EVENT_SLOTS, GPU, QUARANTINE, QUARANTINE_SLOTS, SAMPLE_SLOTS, SLOT_BYTES, SLOT_NUMS,
  type PackedBatch, type ParseWorkerMemory,
} from './parse-worker-rows.js';

/** String table bounds: entries and UTF-16 units (each side holds one). */
const TABLE_ENTRIES = 1 << 16;
const TABLE_CHARS = 4 << 20;
/** Strings up to this length are looked up in the table; longer ones (quarantine heads) are sent each time. */
const INTERN_MAX = 256;

/** The worker-side sink: encodes records into the current batch; `full` says it is time to hand it over. */
export class RowEncoder implements LineAwareSink {
  currentRaw: string | null = null;
  currentLine = 0;
  private lineBuf: Buffer | null = null;
  private lineStart = 0;
  private lineEnd = 0;
  /** Batches handed over: the next one goes to shared slot `batchNo % BATCH_RING` (parse-worker.ts waits until it is free). */
  private batchNo = 0;
  /** The current batch's numbers and bytes: its shared slot, or buffers of their own once it outgrew the slot. */
  private nums: Float64Array;
  private n = 0;
  private bytes: Buffer;
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
  private auditIds: string[] = [];
  private readonly labelsJson = new LabelsJsonMemo();
  /**
   * The source is an audit log: its reader makes every event with auditEventRecord, whose attrs
   * AuditAttrsWriter writes (any other reader's attrs may hold other keys).
   */
  private auditSource = false;
  private readonly auditAttrs = new AuditAttrsWriter();

  constructor(private readonly memory: ParseWorkerMemory) {
    this.nums = this.slotNums();
    this.bytes = this.slotBytes();
  }

  get full(): boolean {
    return this.size >= BATCH_BYTES;
  }

  /**
   * A new source: whatever the last one left is dropped (it ended, or was given up). New strings
   * stay for the next batch: the receiving table must see every one, in order.
   */
  startSource(kind: SourceKind): void {
    this.auditSource = kind === 'k8s_audit';
    this.n = 0;
    this.bytesLen = 0;
    this.size = 0;
    this.auditIds = [];
  }

  /** The batch so far (parts of it outside its slot are to be transferred); the encoder starts the next one. */
  take(): PackedBatch {
    const slot = this.batchNo % BATCH_RING;
    const batch: PackedBatch = {
      slot,
      numsLen: this.n,
      bytesLen: this.bytesLen,
      nums: this.nums.buffer === this.memory.nums ? null : this.nums.subarray(0, this.n),
      bytes: this.bytes.buffer === this.memory.bytes ? null : this.bytes.subarray(0, this.bytesLen),
      strings: this.strings,
      reset: this.reset,
      auditIds: this.auditIds,
    };
    this.batchNo++;
    this.n = 0;
    this.nums = this.slotNums();
    this.bytes = this.slotBytes();
    this.bytesLen = 0;
    this.size = 0;
    this.strings = [];
    this.reset = false;
    this.auditIds = [];
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

  private slotNums(): Float64Array {
    return new Float64Array(this.memory.nums, (this.batchNo % BATCH_RING) * SLOT_NUMS * 8, SLOT_NUMS);
  }

  private slotBytes(): Buffer {
    return Buffer.from(this.memory.bytes, (this.batchNo % BATCH_RING) * SLOT_BYTES, SLOT_BYTES);
  }

  lineBytes(bytes: Buffer, start: number, end: number): void {
    this.lineBuf = bytes;
    this.lineStart = start;
    this.lineEnd = end;
  }

  event(e: EventRecord): void {
    const attrs = e.attrs;
    this.ensureSlots(EVENT_SLOTS);
    const v = this.nums;
    const i = this.n;
    const before = this.bytesLen;
    const end = this.auditSource ? this.auditAttrs.write(attrs, this.bytes, before) : -1;
    if (end >= 0) {
      v[i + 11] = before;
      v[i + 12] = end - before;
      v[i + 13] = this.auditAttrs.units;
      this.bytesLen = end;
    } else {
      const attrsJson = eventAttrsJson(attrs);
      this.putText(attrsJson, v, i + 11);
      v[i + 13] = attrsJson.length;
    }
    v[i] = EVENT;
    v[i + 1] = e.ts;
    v[i + 2] = this.column(e.source, 0);
    v[i + 3] = this.column(e.actor, 1);
    v[i + 4] = this.column(e.action, 2);
    v[i + 5] = this.column(e.resource, 3);
    v[i + 6] = this.column(e.namespace, 4);
    v[i + 7] = this.column(e.job, 5);
    v[i + 8] = this.column(e.node, 6);
    v[i + 9] = this.column(e.gpu, 7);
    v[i + 10] = this.column(e.outcome, 8);
    const buf = this.lineBuf;
    if (!rawIsLine(attrs, e.line === this.currentLine ? this.currentRaw : null)) {
      this.putText(attrs.audit !== undefined ? JSON.stringify(attrs.audit) : null, v, i + 14);
    } else if (buf !== null && buf.buffer === this.memory.input) {
      // The line as read, still in its shared input block: named where it is, not copied. The
      // block goes back to the main thread with this batch or a later one, which that thread
      // applies first (parse-worker-client.ts), so the bytes stay put until they are bound.
      v[i + 14] = -1 - (buf.byteOffset + this.lineStart);
      v[i + 15] = this.lineEnd - this.lineStart;
    } else if (buf !== null) {
      // A line pieced together from two blocks, or in a block of its own: copied.
      const len = this.lineEnd - this.lineStart;
      const at = this.room(len);
      buf.copy(this.bytes, at, this.lineStart, this.lineEnd);
      this.bytesLen = at + len;
      v[i + 14] = at;
      v[i + 15] = len;
    } else this.putText(this.currentRaw, v, i + 14);
    v[i + 16] = e.line;
    v[i + 17] = e.offset;
    const auditId = e.auditId;
    v[i + 18] = auditId === undefined || auditId === null ? -1 : this.auditIds.push(auditId) - 1;
    v[i + 19] = e.stageRank ?? -1;
    this.n = i + EVENT_SLOTS;
    this.size += 128 + (auditId?.length ?? 0) + this.bytesLen - before;
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
      v[i++] = this.ref(this.labelsJson.of(s.labels));
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

  /** Where `len` more bytes go in the batch's bytes (out of the slot into a buffer of their own, grown, when needed). */
  private room(len: number): number {
    const start = this.bytesLen;
    if (start + len > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, start + len));
      this.bytes.copy(grown, 0, 0, start);
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
    this.nums = grown;
  }
}

