/**
 * The stage collapse of Kubernetes audit events (audit.k8s.io/v1 `stage`: RequestReceived,
 * ResponseStarted, ResponseComplete, Panic) before the rows reach SQLite. The stages of one
 * request are logged close to each other, so a window of recent auditIDs merges almost all of
 * them in memory; a stage that arrives after its row was written, or after its auditID left the
 * window, is merged by the database (record-writer.ts), into the same row.
 *
 * Rows are written in the order their first record arrived (so event ids follow the log). A row
 * is written as soon as it is complete (ResponseComplete or Panic merged) and every older row is
 * written: when requests are logged stage after stage, or with one stage each, a record goes
 * straight out, content never copied; rows behind an incomplete one wait, their content in a
 * fixed arena (content-arena.ts), until it completes or leaves the window. A written auditID
 * stays in the window, without content, so a repeated stage is still caught here.
 *
 * The window runs in the thread that owns SQLite (record-writer.ts), over records handed to
 * `RecordWriter.event` or, already serialised by the parse worker, to `RecordWriter.eventColumns`
 * (ingest/parse-worker-rows.ts): its content arrives as a string or as UTF-8 bytes, and both make
 * the same decisions on the same input (the room a row takes is bounded from its UTF-16 length
 * either way). It is bounded
 * whatever the input: STAGE_WINDOW_ROWS auditIDs and STAGE_WINDOW_BYTES of held content; a hostile
 * log of large lines with distinct auditIDs only makes rows leave sooner (and take the database
 * merge).
 */
import { ContentArena } from './content-arena.js';
import { StageWindowIndex } from './stage-window-index.js';
import { randomHashSeed } from './audit-id-table.js';

export const STAGE_NAMES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
/** Ranks from which a request is complete: its row is written without waiting. */
const COMPLETE_RANK = 2;

export function stageName(rank: number): string {
  return STAGE_NAMES[rank] ?? String(rank);
}

/** An event's columns other than attrs and raw, in `events` column order. */
export type EventHead = [
  ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
  job: string | null, node: string | null, gpu: string | null, outcome: string | null,
];

/** A record's raw text: a string, or UTF-8 bytes `bytes[start, end)` (the line as read). */
export interface RawSource {
  text: string | null;
  bytes: Buffer | null;
  start: number;
  end: number;
}

/** What collapsing decided for one row: the content of its most complete stage, provenance of its first. */
export interface CollapsedStages {
  auditId: string;
  /** `hashOf(auditId, seed)` under the window's seed (StageWindow `seed`). */
  hash: number;
  /** Stage rank of the content. */
  rank: number;
  /** Bit per stage rank merged into the row. */
  mask: number;
  /** Records merged into the row. */
  stages: number;
  /** Provenance of the first record seen. */
  line: number;
  offset: number;
  /** Range of the timestamps of every record merged (the source's first/last timestamp count them all). */
  tsMin: number;
  tsMax: number;
}

/** A row the window held: its attrs (UTF-8, `attrsLen` bytes) then raw (`rawLen`; -1: null) at `at` in `bytes`. */
export interface HeldStages extends CollapsedStages {
  head: EventHead;
  bytes: Buffer;
  at: number;
  attrsLen: number;
  rawLen: number;
}

/** A record's attrs JSON: the string, or its UTF-8 bytes. */
export type AttrsText = string | Buffer;

export interface StageWindowOutput {
  /** A held row leaves the window: write it. Its bytes are valid only during the call. */
  flushHeld(row: HeldStages): void;
  /** Write a row whose content is the record being offered (`attrs`, `raw`). */
  write(row: CollapsedStages, head: EventHead, attrs: AttrsText, raw: RawSource): void;
  /** A record repeats a stage its auditID already has in the window: quarantine it. */
  duplicate(line: number, offset: number, reason: string, head: string): void;
  /** Whether the case already holds a row of this auditID (written, and gone from the window); `hash` as in CollapsedStages. */
  stored(auditId: string, hash: number): boolean;
}

/** Rows held: measured as enough to merge the stages of real apiserver logs. */
export const STAGE_WINDOW_ROWS = 8192;
/** Arena for the held rows' attrs and raw (8192 typical ~1.5 KB rows take ~12 MB). */
export const STAGE_WINDOW_BYTES = 16 << 20;
/** Content larger than this gets a buffer of its own instead of crowding the arena. */
const OWN_BUFFER_BYTES = STAGE_WINDOW_BYTES >> 3;

/** One auditID in the window: waiting (content in `bytes`), or written. */
interface Entry extends HeldStages {
  /** Arrival number: the entry's place in the ring. */
  seq: number;
  /** Complete (ResponseComplete or Panic merged), waiting only for older rows. */
  complete: boolean;
  written: boolean;
  /** The content's arena region, or -1 when it has a buffer of its own (or none). */
  region: number;
}

/** Slots of the window's auditID index: at most a quarter used, so probes stay short. */
const INDEX_SLOTS = 4 * STAGE_WINDOW_ROWS;

export class StageWindow {
  /** The ring slot of each auditID held. */
  private readonly index: StageWindowIndex;
  /** The entries in arrival order, `ring[seq % STAGE_WINDOW_ROWS]` for seq in [first, next). */
  private readonly ring: (Entry | undefined)[] = new Array<Entry | undefined>(STAGE_WINDOW_ROWS);
  private first = 0;
  private next = 0;
  /** The oldest entry not written yet: entries before it are written, entries from it on are not. */
  private unwritten = 0;
  /** Entries that left, reused (they live long enough to be promoted by the GC: promote them once). */
  private readonly spare: Entry[] = [];
  private arena: ContentArena | null = null;
  /** Bytes of content held in buffers of their own (bounded like the arena). */
  private ownBytes = 0;

  /**
   * `seed`: of the auditID hash the window computes once per record and hands on with each row
   * (CollapsedStages `hash`); the writer passes its auditID table's, so that table need not hash
   * again. Random when not given.
   */
  constructor(private readonly out: StageWindowOutput, seed: number = randomHashSeed()) {
    this.index = new StageWindowIndex(seed, INDEX_SLOTS);
  }

  /**
   * One record of `auditId` at stage `rank`. Returns false when it repeats a stage already in the
   * window (it went to `out.duplicate`); else it is merged, held or written. `attrsUnits`: the
   * UTF-16 length of the attrs JSON (of which `attrs` may be the UTF-8 bytes).
   */
  offer(auditId: string, rank: number, head: EventHead, attrs: AttrsText, attrsUnits: number, raw: RawSource, line: number, offset: number): boolean {
    const ts = head[0];
    const bit = 1 << rank;
    const complete = rank >= COMPLETE_RANK;
    const hash = this.index.hash(auditId);
    const slot = this.index.get(auditId, hash);
    const e = slot < 0 ? undefined : this.ring[slot]!;
    if (e === undefined && this.out.stored(auditId, hash)) {
      // A straggler of a row that already left the window: the database merges it into that row,
      // record by record. Held as a new entry, it would take later stages into one merged record
      // whose repeat of a stored stage then quarantined them all under the best stage's reason
      // (its content lost, the repeat mislabelled).
      this.out.write({ auditId, hash, rank, mask: bit, stages: 1, line, offset, tsMin: ts, tsMax: ts }, head, attrs, raw);
      return true;
    }
    if (e === undefined) {
      const n = this.add(auditId, hash, rank, bit, line, offset, ts, head);
      if (complete && n.seq === this.unwritten) this.writeNow(n, head, attrs, raw);
      else this.wait(n, complete, attrs, attrsUnits, raw);
      return true;
    }
    if ((e.mask & bit) !== 0) {
      this.out.duplicate(line, offset, `duplicate record: auditID ${auditId} stage ${stageName(rank)} already read at line ${e.line}`, rawHead(raw));
      return false;
    }
    if (e.written) {
      // The row is in the case already: this stage goes there as a row of its own, merged by the
      // database into that row (provenance stays with its first record).
      e.mask |= bit;
      if (rank > e.rank) e.rank = rank;
      this.out.write({ auditId, hash, rank, mask: bit, stages: 1, line, offset, tsMin: ts, tsMax: ts }, head, attrs, raw);
      return true;
    }
    e.mask |= bit;
    e.stages++;
    if (ts < e.tsMin) e.tsMin = ts;
    if (ts > e.tsMax) e.tsMax = ts;
    if (rank > e.rank) {
      // The more complete stage's content; provenance stays with the first record seen.
      e.rank = rank;
      this.release(e);
      if (complete && e.seq === this.unwritten) {
        this.writeNow(e, head, attrs, raw);
        this.writeCompleted();
      } else {
        e.head = head;
        this.wait(e, complete, attrs, attrsUnits, raw);
      }
    }
    return true;
  }

  /** Writes every row still waiting, oldest first (end of a source). */
  flushAll(): void {
    while (this.next > this.first) this.leaveOldest();
  }

  private add(auditId: string, hash: number, rank: number, bit: number, line: number, offset: number, ts: number, head: EventHead): Entry {
    if (this.next - this.first === STAGE_WINDOW_ROWS) this.leaveOldest();
    const e = this.spare.pop() ?? ({ bytes: EMPTY, at: 0, attrsLen: 0, rawLen: -1, region: -1 } as Entry);
    e.auditId = auditId;
    e.hash = hash;
    e.head = head;
    e.rank = rank;
    e.mask = bit;
    e.stages = 1;
    e.line = line;
    e.offset = offset;
    e.tsMin = ts;
    e.tsMax = ts;
    e.complete = false;
    e.written = false;
    e.seq = this.next++;
    const slot = e.seq % STAGE_WINDOW_ROWS;
    this.ring[slot] = e;
    this.index.set(auditId, hash, slot);
    return e;
  }

  /** The oldest waiting entry completes with the record being offered: written with its content. */
  private writeNow(e: Entry, head: EventHead, attrs: AttrsText, raw: RawSource): void {
    e.written = true;
    e.head = NO_HEAD;
    this.unwritten++;
    this.out.write(e, head, attrs, raw);
  }

  /**
   * An entry keeps the record's content until its row can be written. Making room may write
   * older rows, up to this one: then, complete, it goes out too.
   */
  private wait(e: Entry, complete: boolean, attrs: AttrsText, attrsUnits: number, raw: RawSource): void {
    e.complete = false; // not yet: its content is not stored while room is made
    this.store(e, attrs, attrsUnits, raw);
    e.complete = complete;
    if (complete && e.seq === this.unwritten) this.writeCompleted();
  }

  /** Complete entries that were waiting only for older rows go out, in order. */
  private writeCompleted(): void {
    while (this.unwritten < this.next) {
      const e = this.ring[this.unwritten % STAGE_WINDOW_ROWS]!;
      if (!e.complete) return;
      this.writeHeld(e);
    }
  }

  private writeHeld(e: Entry): void {
    this.out.flushHeld(e);
    this.release(e);
    e.written = true;
    e.head = NO_HEAD;
    this.unwritten++;
  }

  /** Puts a waiting row's content in the arena (making room by letting the oldest entries leave), or in a buffer of its own. */
  private store(e: Entry, attrs: AttrsText, attrsUnits: number, raw: RawSource): void {
    // Exact for raw (as text or as bytes alike, so every caller decides the same), a bound for
    // attrs from its UTF-16 length (a unit is at most 3 UTF-8 bytes), whichever form it came in.
    const rawLen = raw.bytes !== null ? raw.end - raw.start : raw.text !== null ? Buffer.byteLength(raw.text) : 0;
    const most = 3 * attrsUnits + rawLen;
    let at = -1;
    if (most <= OWN_BUFFER_BYTES) {
      this.arena ??= new ContentArena(STAGE_WINDOW_BYTES, 2 * STAGE_WINDOW_ROWS);
      // Only entries older than this one leave to make room, oldest first, as the row bound does.
      for (at = this.arena.place(most); at < 0 && this.first !== e.seq; at = this.arena.place(most)) this.leaveOldest();
    }
    const own = at < 0;
    const buf = own ? Buffer.allocUnsafe(most) : this.arena!.buf;
    if (own) at = 0;
    const attrsLen = typeof attrs === 'string' ? buf.write(attrs, at) : attrs.copy(buf, at);
    if (raw.bytes !== null) raw.bytes.copy(buf, at + attrsLen, raw.start, raw.end);
    else if (raw.text !== null) buf.write(raw.text, at + attrsLen);
    e.bytes = buf;
    e.at = at;
    e.attrsLen = attrsLen;
    e.rawLen = raw.bytes === null && raw.text === null ? -1 : rawLen;
    if (!own) {
      e.region = this.arena!.commit(attrsLen + rawLen);
      return;
    }
    e.region = -1;
    this.ownBytes += buf.length;
    while (this.ownBytes > STAGE_WINDOW_BYTES && this.first !== e.seq) this.leaveOldest();
  }

  private release(e: Entry): void {
    if (e.region >= 0) this.arena!.free(e.region);
    else this.ownBytes -= e.bytes.length;
    e.region = -1;
    e.bytes = EMPTY;
  }

  /** The oldest entry leaves: written if it was waiting (then so are complete ones behind it). */
  private leaveOldest(): void {
    const e = this.ring[this.first % STAGE_WINDOW_ROWS]!;
    if (!e.written) {
      this.writeHeld(e);
      this.first++;
      this.writeCompleted();
    } else this.first++;
    this.ring[e.seq % STAGE_WINDOW_ROWS] = undefined;
    this.index.delete(e.auditId, e.hash);
    e.auditId = '';
    e.head = NO_HEAD;
    this.spare.push(e);
  }
}

const EMPTY = Buffer.alloc(0);
const NO_HEAD: EventHead = [0, '', null, '', null, null, null, null, null, null];

/** The first 200 UTF-16 units of a record's raw text, for a quarantine row. */
export function rawHead(raw: RawSource): string {
  if (raw.text !== null) return raw.text.slice(0, 200);
  if (raw.bytes !== null) return raw.bytes.toString('utf8', raw.start, Math.min(raw.end, raw.start + 800)).slice(0, 200);
  return '';
}
