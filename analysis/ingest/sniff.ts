/**
 * Recognises a source by its content (never by its name alone) from its first 64 KiB. Binary
 * formats are checked first, by magic numbers and structure, then the text formats; a file that
 * is none of them is 'unknown'. For a gzip the caller decompresses and sniffs the inner head; for
 * a zip the caller can refine the verdict with the full entry list (`sniffZipKind`).
 */
import type { SourceKind } from '../core/kinds.js';
import { isGzip } from './archive/gzip.js';
import { isTarHeader } from './archive/tar-reader.js';
import { decodeName, u16, u32 } from './archive/zip-directory.js';
import { looksLikePickle } from './sniff-pickle.js';
import { sniffTextKind } from './sniff-text.js';

export { isGzip };

/** How much of a file sniffing looks at. */
export const SNIFF_BYTES = 64 * 1024;

/** Containers the bundle walker knows by magic number (only zip, tar and gzip are opened). */
export type ContainerFormat = 'zip' | 'tar' | 'gzip' | '7z' | 'bzip2' | 'xz' | 'zstd';

export function containerFormat(head: Uint8Array): ContainerFormat | null {
  if (isGzip(head)) return 'gzip';
  if (isZipMagic(head)) return 'zip';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(head, [0x42, 0x5a, 0x68]) && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bzip2'; // "BZh1".."BZh9"
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (head.length >= 512 && (asciiAt(head, 257, 'ustar') || isTarHeader(head.subarray(0, 512)))) return 'tar';
  return null;
}

export function sniffKind(head: Uint8Array, name: string): SourceKind {
  if (head.length === 0) return 'unknown';
  const container = containerFormat(head);
  if (container === 'zip') return sniffZipHead(head);
  if (container === 'tar') return isLegacyTorchTar(head) ? 'checkpoint_pytorch_legacy' : 'archive';
  if (container !== null) return 'archive';
  if (hdf5At(head)) return 'checkpoint_keras';
  if (asciiAt(head, 0, 'GGUF') && head.length >= 8 && u32(head, 4) >= 1 && u32(head, 4) < 16) return 'checkpoint_gguf';
  if (head[0] === 0x93 && asciiAt(head, 1, 'NUMPY') && head.length >= 8 && head[6]! >= 1 && head[6]! <= 3) return 'checkpoint_numpy';
  if (isSafetensors(head)) return 'checkpoint_safetensors';
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) {
    if (isLegacyTorchPickle(head)) return 'checkpoint_pytorch_legacy';
    if (looksLikePickle(head)) return 'checkpoint_pickle';
  }
  if (isOnnxModel(head)) return 'checkpoint_onnx';
  const text = sniffTextKind(head, name);
  if (text !== null) return text;
  // Protocol 0/1 pickles are text-like; checked after the text formats so a log never loses to them.
  if (looksLikePickle(head)) return 'checkpoint_pickle';
  return 'unknown';
}

/**
 * A zip's kind from its entry names (central-directory order). PyTorch names the archive after the
 * first entry's top folder and reads `<top>/data.pkl` (caffe2/serialize/inline_container.cc);
 * TorchScript adds `<top>/constants.pkl` and `<top>/code/` (2019 layout: `model.json` + `code/`);
 * NumPy's savez writes `<key>.npy` entries; Keras 3 writes `config.json` + `model.weights.h5`.
 */
export function sniffZipKind(entryNames: readonly string[]): SourceKind {
  if (entryNames.length === 0) return 'archive';
  const names = new Set(entryNames);
  const first = entryNames[0]!;
  const slash = first.indexOf('/');
  const top = slash === -1 ? '' : first.slice(0, slash + 1);
  const hasCode = entryNames.some((n) => n.startsWith(`${top}code/`));
  if (hasCode && (names.has(`${top}constants.pkl`) || names.has(`${top}model.json`))) return 'checkpoint_torchscript';
  if (names.has(`${top}data.pkl`) || names.has('data.pkl')) return 'checkpoint_pytorch_zip';
  const files = entryNames.filter((n) => !n.endsWith('/'));
  if (files.length > 0 && files.every((n) => n.endsWith('.npy'))) return 'checkpoint_numpy';
  if (names.has('config.json') && (names.has('model.weights.h5') || names.has('model.weights.npz'))) return 'checkpoint_keras';
  return 'archive';
}

/** Entry names a zip's first bytes reveal: its central directory if the head holds it, else its local headers. */
export function zipNamesInHead(head: Uint8Array): string[] {
  const central: string[] = [];
  const local: string[] = [];
  for (let i = head.indexOf(0x50); i !== -1 && i + 30 <= head.length; i = head.indexOf(0x50, i + 1)) {
    if (head[i + 1] !== 0x4b) continue;
    const sig = u32(head, i);
    if (sig === 0x02014b50 && i + 46 <= head.length) {
      const n = u16(head, i + 28);
      if (i + 46 + n <= head.length) central.push(decodeName(head.subarray(i + 46, i + 46 + n), (u16(head, i + 8) & 0x800) !== 0));
    } else if (sig === 0x04034b50) {
      const n = u16(head, i + 26);
      if (i + 30 + n <= head.length) local.push(decodeName(head.subarray(i + 30, i + 30 + n), (u16(head, i + 6) & 0x800) !== 0));
    }
  }
  return central.length > 0 ? central : local;
}

function sniffZipHead(head: Uint8Array): SourceKind {
  const names = zipNamesInHead(head);
  const kind = sniffZipKind(names);
  if (kind !== 'archive') return kind;
  // Big torch.save files start with their storages (`<top>/data/0`); data.pkl comes later.
  const first = names[0];
  const top = first?.includes('/') ? first.slice(0, first.indexOf('/') + 1) : null;
  if (top && names.some((n) => n.startsWith(`${top}data/`) && /^\d+$/.test(n.slice(top.length + 5)))) return 'checkpoint_pytorch_zip';
  return 'archive';
}

function isZipMagic(head: Uint8Array): boolean {
  // Local file header, or the end record of an empty zip (APPNOTE §4.3.7, §4.3.16).
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** torch.save before 0.4 wrote a tar of `sys_info`, `pickle`, `tensors`, `storages` (torch/serialization.py legacy_load). */
function isLegacyTorchTar(head: Uint8Array): boolean {
  const nul = head.subarray(0, 100).indexOf(0);
  const first = new TextDecoder().decode(head.subarray(0, nul === -1 ? 100 : nul));
  return first === 'sys_info' || first === 'pickle' || first === 'tensors' || first === 'storages';
}

/** Legacy (non-zip) torch.save: a pickle whose first object is the magic number 0x1950a86a20f9469cfc6c (LONG1). */
function isLegacyTorchPickle(head: Uint8Array): boolean {
  const magic = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  // After PROTO (2 bytes) and, from protocol 4, a FRAME (9 bytes).
  for (const at of [2, 11]) if (bytesAt(head, at, magic)) return true;
  return false;
}

/** HDF5 superblock signature, at 0 or after a user block of 512·2^k bytes (HDF5 spec §II.A). */
function hdf5At(head: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) if (bytesAt(head, at, sig)) return true;
  return false;
}

/** safetensors: u64 LE header length N (the format caps it at 100 MB), then a JSON object. */
function isSafetensors(head: Uint8Array): boolean {
  if (head.length < 10) return false;
  const lo = u32(head, 0);
  const hi = u32(head, 4);
  if (hi !== 0 || lo < 2 || lo > 100_000_000 || head[8] !== 0x7b) return false;
  const next = head[9]!;
  if (next !== 0x22 && next !== 0x7d && next !== 0x20 && next !== 0x0a) return false; // '"', '}', space, LF
  if (8 + lo <= head.length) {
    let end = 8 + lo - 1;
    while (end > 8 && head[end] === 0x20) end--; // the header may be space-padded
    return head[end] === 0x7d;
  }
  return true;
}

/**
 * ONNX ModelProto (onnx.proto3): field 1 ir_version comes first (protobuf writes fields in number
 * order), every top-level field must be a known ModelProto field with its wire type, and a graph
 * (7) or opset_import (8) must be present — a lone varint is not enough.
 */
function isOnnxModel(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0x08) return false;
  const wire: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2 };
  let pos = 0;
  let sawGraphOrOpset = false;
  let fields = 0;
  while (pos < b.length) {
    const tag = varint(b, pos);
    if (!tag) return false;
    const field = Math.floor(tag.value / 8);
    const type = tag.value % 8;
    if (wire[field] !== type) return false;
    pos = tag.next;
    const v = varint(b, pos);
    if (!v) return fields > 0 && sawGraphOrOpset && b.length >= 65536;
    if (field === 1 && (fields !== 0 || v.value < 1 || v.value > 64)) return false;
    if (fields === 0 && field !== 1) return false;
    pos = v.next;
    if (type === 2) {
      if (field === 7 || field === 8) sawGraphOrOpset = true;
      if (field === 2 && !printable(b.subarray(pos, Math.min(b.length, pos + v.value)))) return false;
      if (pos + v.value > b.length) return sawGraphOrOpset && b.length >= 65536; // runs past a truncated head
      pos += v.value;
    }
    fields++;
  }
  return sawGraphOrOpset;
}

function varint(b: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  let mul = 1;
  for (let i = at; i < b.length && i < at + 10; i++) {
    value += (b[i]! & 0x7f) * mul;
    if (!Number.isSafeInteger(value)) return null;
    mul *= 128;
    if ((b[i]! & 0x80) === 0) return { value, next: i + 1 };
  }
  return null;
}

function printable(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! < 0x20 || b[i] === 0x7f) return false;
  return true;
}

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  return bytesAt(b, 0, sig);
}

function bytesAt(b: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function asciiAt(b: Uint8Array, at: number, s: string): boolean {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}
