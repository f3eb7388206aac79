/**
 * The decoders interpreter one-liners hide their payload behind (MITRE T1140; T1027.010): the
 * standard library calls of each language that turn a literal into code or a command line —
 * Python `base64.b64decode`, `binascii.unhexlify`, `bytes.fromhex`, `zlib.decompress`,
 * `codecs.decode(…, 'rot13')`; Perl `MIME::Base64::decode_base64`, `pack('H*', …)`,
 * `unpack('m', …)`; Ruby `Base64.decode64`, `String#unpack1('m')`, `Array#pack('H*')`,
 * `Zlib::Inflate.inflate`; JavaScript `Buffer.from(…, 'base64')`, `atob`, `zlib.inflateSync`;
 * PHP `base64_decode`, `hex2bin`, `str_rot13`, `strrev`, `gzinflate`. Each reads bytes and writes
 * bytes (exec-decode.ts does the RFC 4648 work; node:zlib inflates, its output bounded so a bomb
 * stops at MAX_DECODED_BYTES). These decoders are lenient as the languages' own are: characters
 * outside the alphabet are skipped (Python's `validate=False`, Perl, Ruby's `decode64`, Node, PHP's
 * non-strict mode).
 */
import { inflateRawSync, inflateSync } from 'node:zlib';
import { decodeGzip, decodeHexPlain, decodeRadix, decodedText, MAX_DECODED_BYTES } from './exec-decode.js';

export type Codec = 'base64' | 'base32' | 'hex' | 'gzip' | 'zlib' | 'deflate' | 'rot13' | 'reverse' | 'text';

const ENCODER = new TextEncoder();

/** A literal's bytes as a decoder reads them: one byte per code unit when all are below 256 (bytes literals, `\xNN`), else UTF-8. */
export function literalBytes(s: string): Uint8Array {
  const n = Math.min(s.length, MAX_DECODED_BYTES);
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0xff) return ENCODER.encode(s.slice(0, n));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

function inflate(f: typeof inflateSync, input: Uint8Array): Uint8Array | null {
  try {
    return new Uint8Array(f(input, { maxOutputLength: MAX_DECODED_BYTES }));
  } catch {
    return null;
  }
}

const rot13Byte = (b: number): number => (b >= 0x41 && b <= 0x5a ? ((b - 0x41 + 13) % 26) + 0x41 : b >= 0x61 && b <= 0x7a ? ((b - 0x61 + 13) % 26) + 0x61 : b);

/** The bytes `codec` writes for `input`, or null when it writes nothing readable. */
export function applyCodec(codec: Codec, input: Uint8Array): Uint8Array | null {
  switch (codec) {
    case 'base64': {
      // Both alphabets (Node reads base64url under 'base64'; the others skip what is not theirs).
      let url = false;
      for (let i = 0; i < input.length && !url; i++) url = input[i] === 0x2d || input[i] === 0x5f;
      return decodeRadix(input, url ? 'base64url' : 'base64', true).bytes;
    }
    case 'base32':
      return decodeRadix(input, 'base32', true).bytes;
    case 'hex':
      return decodeHexPlain(input);
    case 'gzip':
      return decodeGzip(input);
    case 'zlib':
      return inflate(inflateSync, input);
    case 'deflate':
      return inflate(inflateRawSync, input);
    case 'rot13':
      return input.map(rot13Byte);
    case 'reverse': {
      const text = decodedText(input);
      return text === null ? null : ENCODER.encode(Array.from(text).reverse().join(''));
    }
    case 'text':
      return input;
  }
}

/** Codec names the languages' own calls take as an argument (`codecs.decode(x, 'rot13')`, `Buffer.from(x, 'hex')`). */
export function codecNamed(name: string): Codec | null {
  switch (name.toLowerCase().replace(/[-_]/g, '')) {
    case 'base64':
    case 'base64url':
    case 'base64codec':
      return 'base64';
    case 'hex':
    case 'hexcodec':
      return 'hex';
    case 'rot13':
      return 'rot13';
    case 'zlib':
    case 'zlibcodec':
      return 'zlib';
    case 'utf8':
    case 'ascii':
    case 'latin1':
    case 'binary':
    case 'utf16le':
      return 'text';
    default:
      return null;
  }
}

/** Decoder functions by name, per language family (a name not here is no decoder). */
const DECODERS: ReadonlyMap<string, Codec> = new Map<string, Codec>([
  // Python: base64, binascii, bytes, zlib, gzip.
  ['b64decode', 'base64'], ['standard_b64decode', 'base64'], ['urlsafe_b64decode', 'base64'], ['decodebytes', 'base64'], ['decodestring', 'base64'], ['a2b_base64', 'base64'],
  ['b32decode', 'base32'], ['b16decode', 'hex'], ['a2b_hex', 'hex'], ['unhexlify', 'hex'], ['fromhex', 'hex'],
  // Perl: MIME::Base64, Compress::Zlib.
  ['decode_base64', 'base64'], ['decode_base64url', 'base64'], ['uncompress', 'zlib'], ['memGunzip', 'gzip'],
  // Ruby: Base64, Zlib.
  ['decode64', 'base64'], ['strict_decode64', 'base64'], ['urlsafe_decode64', 'base64'], ['inflate', 'zlib'], ['gunzip', 'gzip'],
  // JavaScript: atob, zlib.
  ['atob', 'base64'], ['inflateSync', 'zlib'], ['gunzipSync', 'gzip'], ['inflateRawSync', 'deflate'], ['unzipSync', 'zlib'],
  // PHP.
  ['base64_decode', 'base64'], ['hex2bin', 'hex'], ['str_rot13', 'rot13'], ['strrev', 'reverse'], ['gzinflate', 'deflate'], ['gzuncompress', 'zlib'], ['gzdecode', 'gzip'],
]);

/**
 * The codec a call named `name` (after `qualifier`, '' for none) applies to its first argument,
 * or null. `decompress` is zlib's or gzip's as its module says; `decode` is MIME::Base64's.
 */
export function decoderOf(name: string, qualifier: string): Codec | null {
  if (name === 'decompress') return qualifier === 'zlib' ? 'zlib' : qualifier === 'gzip' ? 'gzip' : null;
  if (name === 'decode' && qualifier.endsWith('Base64')) return 'base64';
  return DECODERS.get(name) ?? null;
}
