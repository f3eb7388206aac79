import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_DECODED_BYTES, decodeGzip, decodeHexPlain, decodeRadix, decodedText, reverseLines, textBytes, translate, trSet } from './exec-decode.js';
import { echoOutput, printfOutput } from './exec-decode-print.js';
import { stageOutput } from './exec-decode-stage.js';

const te = new TextEncoder();
const td = new TextDecoder();
const bytes = (s: string): Uint8Array => te.encode(s);
const text = (b: Uint8Array | null | undefined): string | null | undefined => (b ? td.decode(b) : b);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('decodeRadix: RFC 4648 as GNU base64/base32/basenc -d write it', () => {
  it('decodes padded, unpadded, wrapped and concatenated input', () => {
    expect(decodeRadix(bytes('Y3VybCAtVCBhIGI=\n'), 'base64', false)).toEqual({ bytes: bytes('curl -T a b'), clean: true });
    expect(text(decodeRadix(bytes('Y3VybA'), 'base64', false).bytes)).toBe('curl');
    expect(text(decodeRadix(bytes('Y3Vy\nbA==\r\n'), 'base64', false).bytes)).toBe('curl');
    expect(text(decodeRadix(bytes('Y3VybA==Y3VybA=='), 'base64', false).bytes)).toBe('curlcurl');
    expect(decodeRadix(bytes('-_8'), 'base64url', false).bytes).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(decodeRadix(bytes('-_8'), 'base64', false).bytes.length).toBe(0);
    expect(text(decodeRadix(bytes('MN2XE3A='), 'base32', false).bytes)).toBe('curl');
    expect(text(decodeRadix(bytes('6375726c'), 'base16', false).bytes)).toBe('curl');
  });

  it('bad padding and invalid characters: the bytes before them, not clean (GNU writes those, then fails)', () => {
    expect(decodeRadix(bytes('Y3Vy=bA=='), 'base64', false)).toEqual({ bytes: bytes('cur'), clean: false });
    expect(decodeRadix(bytes('Y3Vy bA=='), 'base64', false)).toEqual({ bytes: bytes('cur'), clean: false });
    expect(decodeRadix(bytes('Y3VybAx'), 'base64', false).clean).toBe(true);
    expect(decodeRadix(bytes('Y3VybA=x'), 'base64', false).clean).toBe(false);
    expect(decodeRadix(bytes('Y'), 'base64', false)).toEqual({ bytes: new Uint8Array(0), clean: false });
    expect(decodeRadix(bytes('!!!!'), 'base64', false).bytes.length).toBe(0);
    expect(decodeRadix(bytes('MN2XE3A=!'), 'base32', false).clean).toBe(false);
  });

  it('-i skips characters outside the alphabet', () => {
    expect(text(decodeRadix(bytes('Y3V*ybA=='), 'base64', true).bytes)).toBe('curl');
    expect(text(decodeRadix(bytes('Y3V*ybA=='), 'base64', false).bytes)).toBe('cu');
  });

  it('huge input is bounded by MAX_DECODED_BYTES', () => {
    const big = bytes('QUFB'.repeat(100_000));
    const t0 = Date.now();
    expect(decodeRadix(big, 'base64', false).bytes.length).toBe(MAX_DECODED_BYTES);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('other decoders', () => {
  it('xxd -r -p: hex pairs, other characters skipped, an odd digit dropped', () => {
    expect(text(decodeHexPlain(bytes('63 75\n72:6c 7')))).toBe('curl');
    expect(decodeHexPlain(bytes('f'.repeat(1_000_000))).length).toBe(MAX_DECODED_BYTES);
  });
  it('rev: each line reversed by characters; no text, null', () => {
    expect(text(reverseLines(bytes('b a lruc\néx\n')))).toBe('curl a b\nxé\n');
    expect(reverseLines(new Uint8Array([0xff, 0xfe]))).toBeNull();
  });
  it('tr: ranges, classes, escapes, -d; other forms unknown', () => {
    expect(text(translate(bytes('phey -G'), 'A-Za-z', 'N-ZA-Mn-za-m'))).toBe('curl -T');
    expect(text(translate(bytes('CURL'), '[:upper:]', '[:lower:]'))).toBe('curl');
    expect(text(translate(bytes('c u\nr\tl'), ' \\n\\t', null))).toBe('curl');
    expect(text(translate(bytes('abc'), 'abc', 'x'))).toBe('xxx'); // SET2 padded with its last byte
    expect(trSet('[=a=]')).toBeNull();
    expect(trSet('z-a')).toBeNull();
    expect(translate(bytes('x'), '[:punct:]', 'y')).toBeNull();
  });
  it('gzip: a stream decodes, a bomb stops at the bound, other bytes are null', () => {
    expect(text(decodeGzip(new Uint8Array(gzipSync(Buffer.from('curl -T a b')))))).toBe('curl -T a b');
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(50_000_000, 0x61)));
    const t0 = Date.now();
    expect(decodeGzip(bomb)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(decodeGzip(bytes('not gzip at all, really'))).toBeNull();
  });
});

describe('decodedText: only UTF-8 text is a script', () => {
  it('accepts text, rejects binary, control characters and invalid UTF-8', () => {
    expect(decodedText(bytes('curl -T a b\n\tx\r\n'))).toBe('curl -T a b\n\tx\r\n');
    expect(decodedText(new Uint8Array([0x63, 0x00, 0x64]))).toBeNull();
    expect(decodedText(new Uint8Array([0x63, 0x1b, 0x64]))).toBeNull();
    expect(decodedText(new Uint8Array([0x63, 0xc3, 0x28]))).toBeNull();
    expect(decodedText(new Uint8Array([0xff, 0xfe, 0x00]))).toBeNull();
  });
  it('a sequence cut at the end (by a bound or a decoder) is dropped, not fatal', () => {
    expect(decodedText(new Uint8Array([0x63, 0xc3]))).toBe('c');
    expect(decodedText(new Uint8Array([0x63, 0xe2, 0x82]))).toBe('c');
    expect(decodedText(bytes('é'))).toBe('é');
  });
  it('textBytes bounds what it encodes', () => {
    expect(textBytes('a'.repeat(MAX_DECODED_BYTES * 3)).length).toBe(MAX_DECODED_BYTES);
  });
});

describe('echo and printf output', () => {
  it('echo: options, escapes unless -E, \\c ends output', () => {
    expect(text(echoOutput(['Y3Vy', 'bA==']))).toBe('Y3Vy bA==\n');
    expect(text(echoOutput(['-n', 'a\\tb']))).toBe('a\tb');
    expect(text(echoOutput(['-E', 'a\\tb']))).toBe('a\\tb\n');
    expect(text(echoOutput(['-e', '\\x63\\0165rl', '-x']))).toBe('curl -x\n');
    expect(text(echoOutput(['a\\cb', 'c']))).toBe('a');
  });
  it('printf: format escapes, conversions, precision and width, format reuse', () => {
    expect(text(printfOutput(['\\x63\\x75\\x72\\x6c -T a b']))).toBe('curl -T a b');
    expect(text(printfOutput(['\\143\\165\\162\\154']))).toBe('curl');
    expect(text(printfOutput(['%s %s\\n', 'a', 'b', 'c']))).toBe('a b\nc \n');
    expect(text(printfOutput(['%b', '\\0143url']))).toBe('curl');
    expect(text(printfOutput(['%c%.2s%3s|%-3s|', 'cat', 'urx', 'l', 'x']))).toBe('cur  l|x  |');
    expect(text(printfOutput(['%d:%x:%o:%X:%%', '99', '255', '8', "'c"]))).toBe('99:ff:10:63:%');
    expect(text(printfOutput(['--', '%s', 'x']))).toBe('x');
  });
  it('printf: no stdout (-v), unknown conversions and output past the bound are null', () => {
    expect(printfOutput(['-v', 'x', 'y'])).toBeNull();
    expect(printfOutput(['%f', '1'])).toBeNull();
    expect(printfOutput([])).toBeNull();
    expect(printfOutput(['%s%s%s%s', ...Array.from({ length: 400 }, () => 'x'.repeat(200))])).toBeNull();
  });
});

describe('stageOutput: options as the tools read them', () => {
  const input = bytes(`${b64('curl -T a b')}\n`);
  const run = (words: string[], stdin: Uint8Array | null = input) => text(stageOutput(words, 0, stdin));
  it('decoders with their decode options', () => {
    for (const w of [['base64', '-d'], ['base64', '--decode'], ['base64', '-D'], ['base64', '-di'], ['base64', '-w0', '-d'], ['base64', '-d', '-'], ['openssl', 'base64', '-d'], ['openssl', 'base64', '-d', '-A'], ['openssl', 'enc', '-d', '-base64'], ['openssl', 'enc', '-a', '-d'], ['basenc', '--base64', '-d']]) {
      expect(run(w), w.join(' ')).toBe('curl -T a b');
    }
    expect(run(['base32', '-d'], bytes('MN2XE3A=\n'))).toBe('curl');
    for (const w of [['xxd', '-r', '-p'], ['xxd', '-rp'], ['xxd', '-r', '-ps'], ['xxd', '-revert', '-plain']]) expect(run(w, bytes('6375726c')), w.join(' ')).toBe('curl');
    expect(run(['cat'])).toBe(text(input));
  });
  it('encoding, file operands, ciphers, stdout redirected, unknown stdin: not read (undefined)', () => {
    for (const w of [['base64'], ['base64', 'file.b64', '-d'], ['base64', '-d', '--foo'], ['openssl', 'enc', '-d', '-aes-256-cbc', '-a'], ['openssl', 'dgst'], ['xxd', '-r'], ['cat', 'f'], ['base64', '-d', '>', '/tmp/x'], ['rev', 'f'], ['tr', '-c', 'a', 'b'], ['gzip']]) {
      expect(stageOutput(w, 0, input), w.join(' ')).toBeUndefined();
    }
    expect(stageOutput(['base64', '-d'], 0, null)).toBeUndefined();
    expect(text(stageOutput(['base64', '-d', '2', '>', '/dev/null'], 0, input))).toBe('curl -T a b');
  });
});
