/**
 * FilesInfo of the 7z header (7zFormat.txt): the file count, then properties each with a size —
 * kEmptyStream (directories and empty files have no stream), kEmptyFile, kAnti, kName (UTF-16LE,
 * NUL-terminated), kWinAttributes (high 16 bits: Unix mode when bit 15 is set). Times, kDummy and
 * unknown properties are skipped by their size. Each property is parsed inside its declared size.
 */
import { HeaderCursor } from './header-cursor.js';
import { NID } from './property-ids.js';
import { SevenZipError } from './sevenzip-error.js';
import type { SevenZipLimits } from './sevenzip-limits.js';

export interface FileRecord {
  /** As stored (cut at maxNameChars); '' when the header gives none. */
  name: string;
  hasStream: boolean;
  isDirectory: boolean;
  /** An "anti" item (deletes a file in an update): no content. */
  isAnti: boolean;
  /** Windows attributes; bits 16–31 hold the Unix mode when bit 15 (0x8000) is set. */
  attributes: number | null;
}

const FILE_ATTRIBUTE_DIRECTORY = 0x10;
const FILE_ATTRIBUTE_UNIX_EXTENSION = 0x8000;
const S_IFMT = 0xf000;
const S_IFLNK = 0xa000;

/** True when the attributes carry a Unix mode saying symbolic link (p7zip stores the target as content). */
export function isSymlink(attributes: number | null): boolean {
  return attributes !== null && (attributes & FILE_ATTRIBUTE_UNIX_EXTENSION) !== 0 && ((attributes >>> 16) & S_IFMT) === S_IFLNK;
}

const utf16 = new TextDecoder('utf-16le');

function parseNames(cur: HeaderCursor, count: number, limits: SevenZipLimits, warnings: string[]): string[] {
  if (cur.byte('the names External flag') !== 0) throw new SevenZipError('unsupported', 'file names stored in an external data stream');
  const names: string[] = [];
  const b = cur.bytes;
  let p = cur.pos;
  let cut = 0;
  while (names.length < count && p + 1 < cur.end) {
    let q = p;
    while (q + 1 < cur.end && (b[q]! | b[q + 1]!) !== 0) q += 2;
    if (q + 1 >= cur.end) throw new SevenZipError('truncated', `file name ${names.length} has no terminating NUL`);
    let end = q;
    if ((q - p) / 2 > limits.maxNameChars) {
      end = p + 2 * limits.maxNameChars;
      cut++;
    }
    names.push(utf16.decode(b.subarray(p, end)));
    p = q + 2;
  }
  if (cut > 0) warnings.push(`${cut} file names longer than ${limits.maxNameChars} characters were cut`);
  if (names.length < count) warnings.push(`the header names ${names.length} of ${count} files`);
  cur.pos = cur.end;
  return names;
}

function parseAttributes(cur: HeaderCursor, count: number): (number | null)[] {
  const def = cur.defined(count, 'attribute flags');
  if (cur.byte('the attributes External flag') !== 0) throw new SevenZipError('unsupported', 'attributes stored in an external data stream');
  return def.map((d) => (d ? cur.uint32('an attribute') : null));
}

/** FilesInfo, its kFilesInfo id already consumed. `warnings` collects oddities that do not stop reading. */
export function parseFilesInfo(cur: HeaderCursor, limits: SevenZipLimits, warnings: string[]): FileRecord[] {
  const count = cur.bounded(limits.maxFiles, 'file count');
  let emptyStream: boolean[] = new Array<boolean>(count).fill(false);
  let numEmpty = 0;
  let emptyFile: boolean[] = [];
  let anti: boolean[] = [];
  let names: string[] = [];
  let attributes: (number | null)[] = [];
  for (;;) {
    const type = cur.byte('a file property id');
    if (type === NID.kEnd) break;
    const size = cur.bounded(cur.remaining, 'file property size');
    const sub = new HeaderCursor(cur.bytes, cur.pos, cur.pos + size);
    switch (type) {
      case NID.kEmptyStream:
        emptyStream = sub.bits(count, 'the empty-stream vector');
        numEmpty = emptyStream.reduce((n, e) => n + (e ? 1 : 0), 0);
        break;
      case NID.kEmptyFile: emptyFile = sub.bits(numEmpty, 'the empty-file vector'); break;
      case NID.kAnti: anti = sub.bits(numEmpty, 'the anti vector'); break;
      case NID.kName: names = parseNames(sub, count, limits, warnings); break;
      case NID.kWinAttributes: attributes = parseAttributes(sub, count); break;
      default: break; // times, kStartPos, kDummy, kComment and unknown ids: skipped by size
    }
    cur.skip(size, 'a file property');
  }
  const files: FileRecord[] = [];
  let e = 0;
  for (let i = 0; i < count; i++) {
    const empty = emptyStream[i] === true;
    const attr = attributes[i] ?? null;
    const isEmptyFile = empty && emptyFile[e] === true;
    const isAnti = empty && anti[e] === true;
    if (empty) e++;
    const dirAttr = attr !== null && (attr & FILE_ATTRIBUTE_DIRECTORY) !== 0;
    files.push({ name: names[i] ?? '', hasStream: !empty, isDirectory: empty && (!isEmptyFile || dirAttr) && !isAnti, isAnti, attributes: attr });
  }
  return files;
}
