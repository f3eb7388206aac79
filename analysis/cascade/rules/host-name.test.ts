/**
 * host-name.ts against node:url `domainToASCII` (the URL Standard's domain-to-ASCII, reached
 * through another entry point than `new URL`): on real spellings and on seeded random mixtures
 * of the characters attackers use, `canonicalHost` must give what domainToASCII gives (or the
 * host as written, lower-cased, where it rejects it), never throw, and stay fast on long hosts.
 */
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalHost, canonicalHostGlob, IDNA_IGNORED } from './host-name.js';

const DELIMITERS = /[:/?#@[\]\\]/;
const DEVIATION = /[\u00DF\u03C2\u200C\u200D]/;

/** What the module comment promises, written with domainToASCII. */
function reference(host: string): string {
  const strip = (h: string) => h.replace(/\.+$/, '');
  if (!/[^\x21-\x7e]|%/.test(host)) return strip(host.toLowerCase());
  if (DELIMITERS.test(host)) return strip(host.toLowerCase());
  let a = domainToASCII(host);
  if (!a && DEVIATION.test(host)) a = domainToASCII(host.replace(/ß/g, 'ss').replace(/ς/g, 'σ').replace(/[\u200C\u200D]/g, ''));
  return strip(a || host.toLowerCase());
}

const SPELLINGS = [
  'evil.com', 'EVIL.COM.', 'ｅｖｉｌ．ｃｏｍ', 'evil。com', 'evil｡com', 'ＥＶＩＬ．ＣＯＭ', '%65vil.com', '%45VIL.com', 'ev%C3%A9il.com', 'évil.com', 'ÉVIL.com',
  'ev\u00ADil.com', 'xn--vil-9la.com', 'faß.de', 'ς.gr', 'bücher.de', 'BÜCHER.DE', 'xn--bcher-kva.de', 'ev%2Eil.com', '１６９．２５４．１６９．２５４', '0xA9FEA9FE',
  '%30xA9FEA9FE', 'ｔｒａｎｓｆｅｒ．ｓｈ．', 'a b.com', 'ev%00il', 'xn--a.com', 'e\u200Bvil.com', 'e\u200Dvil.com', 'e\u200Cvil.com', '%ef%bd%85vil.com', 'ⓔvil.com',
  'evil.co\u2024m', '\u212Aelvin.com', 'ıstanbul.com', 'İstanbul.com', 'huggingface.co\u3002', 'a..b', '-a.com', 'a_b.com', 'exa%mple.com', '%zz.com', 'a%2A.com',
  'e\u0301vil.com', 'ｅ\uFE0Fvil.com', '\uD83D\uDE00.com', '\uD800.com', '%F0%9F%98%80.com', '%ff.com', 'fe80::1', 'evil.com%2F', 'ev%40il.com', '', '.', '..',
];

describe('canonicalHost', () => {
  it('gives what domainToASCII gives, on real spellings', () => {
    for (const h of SPELLINGS) expect(canonicalHost(h), JSON.stringify(h)).toBe(reference(h));
    expect(canonicalHost('ｅｖｉｌ．ｃｏｍ')).toBe('evil.com');
    expect(canonicalHost('e\u200Dvil.com')).toBe('evil.com'); // curl's transitional retry
    expect(canonicalHost('faß.de')).toBe('xn--fa-hia.de'); // non-transitional first, as WHATWG and curl
  });

  it('gives what domainToASCII gives, on seeded random mixtures (no throw)', () => {
    const parts = ['e', 'V', 'i', 'l', '.', '-', '0', '9', 'x', 'n', '--', 'ｅ', 'Ｖ', '．', '。', '｡', '\u00AD', '\u200B', '\u200C', '\u200D', 'ß', 'ς', 'É', 'ü', '\u0301',
      '%65', '%2e', '%2E', '%C3%A9', '%EF%BD%85', '%', '%4', '%zz', '%C2%AD', '\uFEFF', '\uD800', '\uDC00', '\uD83D\uDE00', '*', '_', ' ', '\u0000', '\u3000', '１', 'Ⅸ', 'ﬀ'];
    const r = mulberry32(46);
    for (let i = 0; i < 3000; i++) {
      let h = '';
      const n = 1 + Math.floor(r() * 12);
      for (let k = 0; k < n; k++) h += parts[Math.floor(r() * parts.length)];
      // Past MAX_URL_HOST: the reduced path must agree too.
      if (r() < 0.1) h = h.slice(0, 3) + (r() < 0.5 ? '\u00AD'.repeat(600) : '%C2%AD'.repeat(200)) + h.slice(3);
      expect(canonicalHost(h), JSON.stringify(h)).toBe(reference(h));
    }
  });

  it('reduces long hosts as the parser would, and stays fast on them', () => {
    expect(canonicalHost(`tran${'\u00AD'.repeat(3000)}sfer.sh`)).toBe('transfer.sh');
    expect(canonicalHost(`tran${'%C2%AD'.repeat(600)}sfer.sh`)).toBe('transfer.sh');
    expect(canonicalHost(`tran${'\u00AD'.repeat(600)}sfer.sh%2F`)).toBe(`tran${'\u00AD'.repeat(600)}sfer.sh%2f`);
    let cjk = '';
    for (let i = 0; i < 4000; i++) cjk += String.fromCharCode(0x4e00 + i);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(canonicalHost(cjk)).toBe(cjk);
    expect(canonicalHost(`${'%E4%B8%80'.repeat(1300)}.com`).length).toBeGreaterThan(1000);
    // Unbounded, each call would cost ~17 ms (punycode is quadratic in a label's length).
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('IDNA_IGNORED holds only code points the URL parser drops', () => {
    const ranges = [[0xad, 0xad], [0x34f, 0x34f], [0x180b, 0x180d], [0x180f, 0x180f], [0x200b, 0x200b], [0x2060, 0x2060], [0x2064, 0x2064], [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0x1bca0, 0x1bca3], [0xe0100, 0xe01ef]];
    let n = 0;
    for (const [a, b] of ranges) {
      for (let cp = a!; cp <= b!; cp++) {
        const ch = String.fromCodePoint(cp);
        expect(ch.replace(IDNA_IGNORED, ''), cp.toString(16)).toBe('');
        expect(new URL(`http://e${ch}vil.com`).hostname, cp.toString(16)).toBe('evil.com');
        n++;
      }
    }
    expect(n).toBe(1 + 1 + 3 + 1 + 1 + 1 + 1 + 16 + 1 + 4 + 240);
    expect('a\u180E\u200C\u200D\u00DF'.replace(IDNA_IGNORED, '')).toBe('a\u180E\u200C\u200D\u00DF');
  });
});

describe('canonicalHostGlob', () => {
  it('converts the labels without wildcards, keeps the others, refuses wildcards in IDN labels', () => {
    expect(canonicalHostGlob('*.ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('*.example.com');
    expect(canonicalHostGlob('*.bücher.de')).toBe('*.xn--bcher-kva.de');
    expect(canonicalHostGlob('?.ＥＸ.com.')).toBe('?.ex.com');
    expect(canonicalHostGlob('a\\*b.ｃｏｍ')).toBe('a\\*b.com');
    expect(canonicalHostGlob('ＨＵＧＧＩＮＧＦＡＣＥ．ＣＯ')).toBe('huggingface.co');
    expect(canonicalHostGlob('Transfer.SH.')).toBe('transfer.sh');
    expect(canonicalHostGlob('*bücher.de')).toBeNull();
    expect(canonicalHostGlob('*%2e.com')).toBeNull();
    // Rejected by the parser: as written, lower-cased (it then matches only that spelling).
    expect(canonicalHostGlob('*.e\u0000x.com')).toBe('*.e\u0000x.com');
  });
});
