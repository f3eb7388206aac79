/**
 * StreamsInfo of the 7z header (7zFormat.txt): PackInfo (where the packed streams lie, their
 * sizes and CRCs), UnpackInfo (folders: coders, bind pairs, packed-stream slots, unpack sizes,
 * CRCs) and SubStreamsInfo (how each folder's output splits into member streams). Unknown
 * attributes carry a size and are skipped, as 7-Zip's own reader does.
 */
import { hexId } from './coder-ids.js';
import type { HeaderCursor } from './header-cursor.js';
import { NID } from './property-ids.js';
import { SevenZipError } from './sevenzip-error.js';
import type { SevenZipLimits } from './sevenzip-limits.js';

export interface Coder {
  /** Method id as lowercase hex (coder-ids.ts). */
  id: string;
  numIn: number;
  numOut: number;
  props: Uint8Array;
}

export interface BindPair {
  /** Folder-wide in-stream index fed by… */
  inIndex: number;
  /** …this folder-wide out-stream index. */
  outIndex: number;
}

export interface Folder {
  coders: Coder[];
  bindPairs: BindPair[];
  /** Folder in-stream index of each of the folder's packed streams, in pack order. */
  packedStreams: number[];
  /** One size per out-stream of the folder's coders (folder-wide out index). */
  unpackSizes: number[];
  /** CRC-32 of the folder's main output, when the header gives one. */
  crc: number | null;
}

export interface StreamsInfo {
  /** Offset of the first packed stream after the 32-byte signature header. */
  packPos: number;
  packSizes: number[];
  packCrcs: (number | null)[];
  folders: Folder[];
  /** Member streams per folder (0 for a folder no file uses). */
  numUnpackStreams: number[];
  /** Size and CRC of every member stream, folder after folder. */
  streamSizes: number[];
  streamCrcs: (number | null)[];
}

/** The out-stream no bind pair consumes: the folder's output. */
export function mainOutStream(f: Folder): number {
  let total = 0;
  for (const c of f.coders) total += c.numOut;
  const bound = new Uint8Array(total);
  for (const b of f.bindPairs) bound[b.outIndex] = 1;
  return bound.indexOf(0);
}

export function folderUnpackSize(f: Folder): number {
  return f.unpackSizes[mainOutStream(f)] ?? 0;
}

/** Skips attributes (id, size, data) until `want` or kEnd; returns the id reached. */
function seek(cur: HeaderCursor, type: number, want: number): number {
  let t = type;
  while (t !== want && t !== NID.kEnd) {
    cur.skip(cur.bounded(cur.remaining, 'attribute size'), 'an attribute');
    t = cur.byte();
  }
  return t;
}

function parsePackInfo(cur: HeaderCursor, info: StreamsInfo, limits: SevenZipLimits): void {
  info.packPos = cur.number('pack position');
  // Up to 4 packed streams per folder (BCJ2), at most one folder per file.
  const n = cur.bounded(Math.min(cur.remaining, 4 * limits.maxFiles), 'pack stream count');
  let t = cur.byte();
  while (t !== NID.kEnd) {
    if (t === NID.kSize) {
      info.packSizes = Array.from({ length: n }, () => cur.number('pack size'));
    } else if (t === NID.kCRC) {
      info.packCrcs = cur.digests(n, 'pack stream CRCs');
    } else {
      cur.skip(cur.bounded(cur.remaining, 'attribute size'), 'a PackInfo attribute');
    }
    t = cur.byte();
  }
  if (info.packSizes.length !== n) throw new SevenZipError('malformed', 'PackInfo without pack sizes');
  if (info.packCrcs.length !== n) info.packCrcs = new Array<number | null>(n).fill(null);
}

function parseFolder(cur: HeaderCursor, limits: SevenZipLimits): Folder {
  const numCoders = cur.bounded(limits.maxCoders, 'coder count');
  if (numCoders === 0) throw new SevenZipError('malformed', 'folder without coders');
  const coders: Coder[] = [];
  let totalIn = 0;
  let totalOut = 0;
  for (let i = 0; i < numCoders; i++) {
    const flags = cur.byte('coder flags');
    // Bit 7 ("alternative methods") was never used; bit 6 is reserved: 7-Zip refuses both.
    if ((flags & 0xc0) !== 0) throw new SevenZipError('unsupported', `coder flags 0x${flags.toString(16)} (reserved bits set)`);
    const id = hexId(cur.take(flags & 0x0f, 'a coder id'));
    const complex = (flags & 0x10) !== 0;
    const numIn = complex ? cur.bounded(limits.maxCoders, 'coder in-streams') : 1;
    const numOut = complex ? cur.bounded(limits.maxCoders, 'coder out-streams') : 1;
    if (totalIn + numIn > limits.maxCoders || totalOut + numOut > limits.maxCoders) throw new SevenZipError('limit', `folder with more than ${limits.maxCoders} coder streams`);
    const props = (flags & 0x20) !== 0 ? cur.take(cur.bounded(cur.remaining, 'coder properties size'), 'coder properties') : new Uint8Array(0);
    coders.push({ id, numIn, numOut, props });
    totalIn += numIn;
    totalOut += numOut;
  }
  if (totalOut === 0 || totalOut - 1 > totalIn) throw new SevenZipError('malformed', `folder with ${totalIn} in-streams and ${totalOut} out-streams`);
  const bindPairs: BindPair[] = [];
  const boundIn = new Uint8Array(totalIn);
  for (let i = 0; i < totalOut - 1; i++) {
    const inIndex = cur.number('bind pair in-index');
    const outIndex = cur.number('bind pair out-index');
    if (inIndex >= totalIn || outIndex >= totalOut) throw new SevenZipError('malformed', `bind pair ${inIndex}→${outIndex} outside the folder's streams`);
    bindPairs.push({ inIndex, outIndex });
    boundIn[inIndex] = 1;
  }
  const numPacked = totalIn - bindPairs.length;
  const packedStreams: number[] = [];
  if (numPacked === 1) {
    const free = boundIn.indexOf(0);
    if (free < 0) throw new SevenZipError('malformed', 'folder without an unbound in-stream');
    packedStreams.push(free);
  } else {
    for (let i = 0; i < numPacked; i++) {
      const idx = cur.number('packed stream index');
      if (idx >= totalIn) throw new SevenZipError('malformed', `packed stream index ${idx} outside the folder`);
      packedStreams.push(idx);
    }
  }
  return { coders, bindPairs, packedStreams, unpackSizes: [], crc: null };
}

function parseUnpackInfo(cur: HeaderCursor, info: StreamsInfo, limits: SevenZipLimits): void {
  if (seek(cur, cur.byte(), NID.kFolder) !== NID.kFolder) throw new SevenZipError('malformed', 'UnpackInfo without folders');
  // A folder takes at least 3 header bytes (coder count, flags, one unpack size); 7-Zip makes at most one per file.
  const n = cur.bounded(Math.min(Math.floor(cur.remaining / 3), limits.maxFiles), 'folder count');
  if (cur.byte('the External flag') !== 0) throw new SevenZipError('unsupported', 'folders stored in an external data stream');
  info.folders = Array.from({ length: n }, () => parseFolder(cur, limits));
  if (seek(cur, cur.byte(), NID.kCodersUnpackSize) !== NID.kCodersUnpackSize) throw new SevenZipError('malformed', 'UnpackInfo without unpack sizes');
  for (const f of info.folders) {
    const outs = f.coders.reduce((s, c) => s + c.numOut, 0);
    for (let i = 0; i < outs; i++) f.unpackSizes.push(cur.number('unpack size'));
  }
  let t = cur.byte();
  while (t !== NID.kEnd) {
    if (t === NID.kCRC) {
      cur.digests(n, 'folder CRCs').forEach((c, i) => { info.folders[i]!.crc = c; });
    } else {
      cur.skip(cur.bounded(cur.remaining, 'attribute size'), 'an UnpackInfo attribute');
    }
    t = cur.byte();
  }
}

/** SubStreamsInfo, up to and including its kEnd. */
function parseSubStreams(cur: HeaderCursor, info: StreamsInfo, limits: SevenZipLimits): void {
  const folders = info.folders;
  info.numUnpackStreams = folders.map(() => 1);
  let t = cur.byte();
  while (t !== NID.kEnd && t !== NID.kCRC && t !== NID.kSize) {
    if (t === NID.kNumUnpackStream) {
      let total = 0;
      info.numUnpackStreams = folders.map(() => {
        const k = cur.bounded(limits.maxFiles, 'member streams in a folder');
        total += k;
        if (total > limits.maxFiles) throw new SevenZipError('limit', `more than ${limits.maxFiles} member streams`);
        return k;
      });
    } else {
      cur.skip(cur.bounded(cur.remaining, 'attribute size'), 'a SubStreamsInfo attribute');
    }
    t = cur.byte();
  }
  const sizes: number[] = [];
  folders.forEach((f, i) => {
    const k = info.numUnpackStreams[i]!;
    if (k === 0) return;
    const whole = folderUnpackSize(f);
    let sum = 0;
    if (t === NID.kSize) {
      for (let j = 1; j < k; j++) {
        const s = cur.number('member size');
        sizes.push(s);
        sum += s;
      }
    } else if (k > 1) {
      throw new SevenZipError('malformed', `folder ${i} splits into ${k} members without their sizes`);
    }
    if (sum > whole) throw new SevenZipError('malformed', `folder ${i}: member sizes add up to ${sum}, over its ${whole} bytes`);
    sizes.push(whole - sum);
  });
  if (t === NID.kSize) t = cur.byte();
  info.streamSizes = sizes;
  // A folder with one member and a folder CRC gives that member's CRC; every other member's CRC is listed.
  const known = (i: number): boolean => info.numUnpackStreams[i] === 1 && folders[i]!.crc !== null;
  let listed = 0;
  folders.forEach((_, i) => { if (!known(i)) listed += info.numUnpackStreams[i]!; });
  let digests: (number | null)[] = new Array<number | null>(listed).fill(null);
  while (t !== NID.kEnd) {
    if (t === NID.kCRC) digests = cur.digests(listed, 'member CRCs');
    else cur.skip(cur.bounded(cur.remaining, 'attribute size'), 'a SubStreamsInfo attribute');
    t = cur.byte();
  }
  const crcs: (number | null)[] = [];
  let d = 0;
  folders.forEach((f, i) => {
    if (known(i)) crcs.push(f.crc);
    else for (let j = 0; j < info.numUnpackStreams[i]!; j++) crcs.push(digests[d++] ?? null);
  });
  info.streamCrcs = crcs;
}

/** StreamsInfo, its leading property id already consumed by the caller. */
export function parseStreamsInfo(cur: HeaderCursor, limits: SevenZipLimits): StreamsInfo {
  const info: StreamsInfo = { packPos: 0, packSizes: [], packCrcs: [], folders: [], numUnpackStreams: [], streamSizes: [], streamCrcs: [] };
  let t = cur.byte();
  if (t === NID.kPackInfo) {
    parsePackInfo(cur, info, limits);
    t = cur.byte();
  }
  if (t === NID.kUnpackInfo) {
    parseUnpackInfo(cur, info, limits);
    t = cur.byte();
  }
  if (t === NID.kSubStreamsInfo) {
    parseSubStreams(cur, info, limits);
    t = cur.byte();
  } else {
    info.numUnpackStreams = info.folders.map(() => 1);
    info.streamSizes = info.folders.map(folderUnpackSize);
    info.streamCrcs = info.folders.map((f) => f.crc);
  }
  if (t !== NID.kEnd) throw new SevenZipError('malformed', `StreamsInfo ends with property 0x${t.toString(16)}`);
  const packedNeeded = info.folders.reduce((s, f) => s + f.packedStreams.length, 0);
  if (packedNeeded > info.packSizes.length) throw new SevenZipError('malformed', `folders use ${packedNeeded} packed streams, PackInfo lists ${info.packSizes.length}`);
  return info;
}
