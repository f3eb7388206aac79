/**
 * A dotted quad with a leading-zero part is read two ways (egress-match.ts `destinationIp`): in
 * decimal (ip-cidr.ts `parseIp`; Java's InetAddress) and as WHATWG URL parsers, curl and glibc
 * inet_aton read it, the part in octal: `010.1.2.3` is 10.1.2.3 or 8.1.2.3. Deny CIDR entries fire
 * on either reading, allow CIDR entries and rate exemptions count only when every reading is inside
 * one (spec-program.ts policy). Before the fix only the decimal reading existed: allow 10.0.0.0/8
 * let `http://010.1.2.3/` through to the public 8.1.2.3, deny 8.0.0.0/8 missed it.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { createRuleEngine } from './engine.js';
import { compileEgressEntry, destinationIp, parseDestination, type Destination } from './egress-match.js';
import { decimalQuad, hasLeadingZeroPart, parseIp, parseNumericIpv4, type Ip16 } from './ip-cidr.js';
import { loadRuleSet } from './rule-loader.js';
import { appEvent, T0 } from './fixtures.test-support.js';
import { oracleSpec } from './spec-oracle.test-support.js';

const spec = (id: string, egress: string) => `kind: BehaviouralSpec\nid: SPEC-${id}\ntitle: t\nselector: {namespaces: ['ml-*']}\negress: ${egress}\n`;

function engine(text: string) {
  const set = loadRuleSet([{ path: 'e.yaml', text }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules);
}

const j: Partial<EventRecord> = { job: 'ml-train/a', namespace: 'ml-train' };
const ev = (dest: string, bytes?: number) => appEvent(T0, 'upload', j, bytes === undefined ? { destination: dest } : { destination: dest, bytes });
const hits = (e: ReturnType<typeof engine>, dest: string, bytes?: number) => e.evaluate(ev(dest, bytes)).map((h) => h.ruleId.slice(h.ruleId.indexOf('/') + 1)).sort();

const allow10 = engine(spec('A10', "{allow: ['10.0.0.0/8']}"));
const deny8 = engine(spec('D8', "{deny: ['8.0.0.0/8']}"));
const deny10 = engine(spec('D10', "{deny: ['10.0.0.0/8']}"));
const allow8 = engine(spec('A8', "{allow: ['8.0.0.0/8']}"));

describe('an ambiguous dotted quad has both readings', () => {
  it('http://010.1.2.3/ against allow 10.0.0.0/8 is an egress.allow violation (was: allowed)', () => {
    expect(hits(allow10, 'http://010.1.2.3/')).toEqual(['egress.allow']);
    expect(hits(allow10, '010.1.2.3:443')).toEqual(['egress.allow']);
  });

  it('http://010.1.2.3/ against deny 8.0.0.0/8 fires (was: no hit)', () => {
    expect(hits(deny8, 'http://010.1.2.3/')).toEqual(['egress.deny']);
    // The decimal reading still counts for a deny.
    expect(hits(deny10, 'http://010.1.2.3/')).toEqual(['egress.deny']);
    expect(hits(allow8, 'http://010.1.2.3/')).toEqual(['egress.allow']);
  });

  it('an allow list counts when each reading is inside some entry', () => {
    const both = engine(spec('A810', "{allow: ['10.0.0.0/8', '8.0.0.0/8']}"));
    expect(hits(both, 'http://010.1.2.3/')).toEqual([]);
    expect(hits(both, 'http://010.1.2.077/')).toEqual([]);
  });

  it('every part may be ambiguous, and longer zero runs too (`0200` is 200 or 128)', () => {
    expect(hits(engine(spec('D', "{deny: ['10.8.0.0/16']}")), 'http://10.010.0.1/')).toEqual(['egress.deny']);
    expect(hits(engine(spec('D', "{deny: ['200.0.0.0/8']}")), 'http://0200.0.0.1/')).toEqual(['egress.deny']);
    expect(hits(engine(spec('A', "{allow: ['128.0.0.0/8']}")), 'http://0200.0.0.1/')).toEqual(['egress.allow']);
    expect(hits(engine(spec('A', "{allow: ['10.0.0.0/8']}")), 'http://0010.1.2.3/')).toEqual(['egress.allow']);
  });

  it('unchanged: a quad without leading zeros, and readings that agree', () => {
    expect(hits(allow10, 'http://10.1.2.3/')).toEqual([]);
    expect(hits(deny8, 'http://10.1.2.3/')).toEqual([]);
    expect(hits(deny8, 'http://8.1.2.3/')).toEqual(['egress.deny']);
    expect(hits(allow10, 'http://8.1.2.3/')).toEqual(['egress.allow']);
    expect(hits(allow10, 'http://10.0.0.1/')).toEqual([]);
    // 01..07 and 00 read the same in octal: one reading.
    expect(hits(allow10, 'http://10.01.07.00/')).toEqual([]);
  });

  it('only one reading valid: that one is the reading', () => {
    // Octal only (decimal 251, 376 are no bytes): 169.254.169.254.
    expect(hits(engine(spec('M', "{deny: ['169.254.169.254']}")), 'http://0251.0376.0251.0376/')).toEqual(['egress.deny']);
    expect(hits(engine(spec('M', "{allow: ['169.254.0.0/16']}")), 'http://0251.0376.0251.0376/')).toEqual([]);
    expect(hits(engine(spec('M', "{allow: ['192.0.0.0/8']}")), 'http://0300.0.0.1/')).toEqual([]);
    // Decimal only (`09` is no octal number): 9.1.2.3.
    expect(hits(engine(spec('N', "{allow: ['9.0.0.0/8']}")), 'http://09.1.2.3/')).toEqual([]);
    expect(hits(engine(spec('N', "{deny: ['9.0.0.0/8']}")), 'http://09.1.2.3/')).toEqual(['egress.deny']);
  });

  it('hex parts and short forms keep the WHATWG reading alone', () => {
    expect(hits(allow10, 'http://0x0a.1.2.3/')).toEqual([]);
    expect(hits(allow10, 'http://0x0a.010.2.3/')).toEqual([]); // 10.8.2.3
    expect(hits(allow8, 'http://010.1.2/')).toEqual([]); // 8.1.0.2
    expect(hits(deny10, 'http://010.1.2/')).toEqual([]);
    expect(hits(deny10, 'http://010.1.2.3.4/')).toEqual([]); // five parts: a name
  });

  it('full-width and percent-encoded spellings of the quad have the same two readings', () => {
    for (const d of ['http://０１０.1.2.3/', 'http://%30%31%30.1.2.3/', 'http://０１０．１．２．３．/', 'http://%30%31%30.1.2.3%2e/']) {
      expect(hits(allow8, d), d).toEqual(['egress.allow']);
      expect(hits(deny10, d), d).toEqual(['egress.deny']);
      expect(hits(deny8, d), d).toEqual(['egress.deny']);
    }
    // A percent-encoded quad without leading zeros: one reading.
    expect(hits(allow10, 'http://%31%30.1.2.3/')).toEqual([]);
  });

  it('rate exemptions count only when every reading is exempt', () => {
    const e = engine(spec('R', "{rate: {window: 1h, max_bytes: 100, exempt: ['10.0.0.0/8']}}"));
    expect(hits(e, 'http://10.1.2.3/', 1000)).toEqual([]);
    expect(hits(e, 'http://010.1.2.3/', 1000)).toEqual(['egress.rate']);
  });

  it('IP readings combine with path readings (each pair must be allowed)', () => {
    const e = engine(spec('P', "{allow: ['10.0.0.0/8', 'http://*/ok/**']}"));
    // (8.1.2.3, /z) is inside neither entry.
    expect(hits(e, 'http://010.1.2.3/ok/..%2Fz')).toEqual(['egress.allow']);
    expect(hits(e, 'http://10.1.2.3/ok/..%2Fz')).toEqual([]);
    expect(hits(e, 'http://010.1.2.3/ok/z')).toEqual([]);
  });

  it('CIDR entries in spec files keep the decimal reading', () => {
    const entry = compileEgressEntry('010.0.0.0/8')!;
    expect(entry.matches(parseDestination('10.1.2.3')!)).toBe(true);
    expect(entry.matches(parseDestination('8.1.2.3')!)).toBe(false);
  });
});

const v4 = (ip: Ip16 | null): string | null => (ip === null ? null : `${ip[6]! >> 8}.${ip[6]! & 255}.${ip[7]! >> 8}.${ip[7]! & 255}`);

describe('ip-cidr.ts readings', () => {
  it('decimalQuad reads four decimal parts, leading zeros and all; parseIp is unchanged', () => {
    expect(v4(decimalQuad('010.1.2.3'))).toBe('10.1.2.3');
    expect(v4(decimalQuad('0010.1.2.0255'))).toBe('10.1.2.255');
    for (const t of ['256.1.2.3', '1.2.3', '1.2.3.4.5', '0x1.2.3.4', '1..2.3', '1.2.3.', '', '١.2.3.4', '1.2.3.4 ']) expect(decimalQuad(t), t).toBeNull();
    expect(v4(parseIp('010.1.2.3'))).toBe('10.1.2.3');
    expect(parseIp('0010.1.2.3')).toBeNull();
    expect(v4(parseNumericIpv4('010.1.2.3'))).toBe('8.1.2.3');
  });

  it('hasLeadingZeroPart', () => {
    for (const t of ['010.1.2.3', '1.02.3.4', '1.2.3.00', '00']) expect(hasLeadingZeroPart(t), t).toBe(true);
    for (const t of ['10.0.0.1', '0.0.0.0', 'a.0b.c', 'x.0', '100.200.0.1', '']) expect(hasLeadingZeroPart(t), t).toBe(false);
  });
});

describe('destinationIp', () => {
  it('reads a host without a leading-zero part as before (parseIp, else the WHATWG forms), one reading', () => {
    const r = mulberry32(9);
    const atoms = ['0', '1', '9', '10', '255', '256', '0x', 'a', 'f', '.', '.', ':', '::', 'ffff', '%', 'x', '-', '１'];
    for (let i = 0; i < 5000; i++) {
      let h = '';
      const n = 1 + Math.floor(r() * 12);
      for (let k = 0; k < n; k++) h += atoms[Math.floor(r() * atoms.length)];
      if (hasLeadingZeroPart(h)) continue;
      const d: Destination = { scheme: null, host: h, path: '' };
      const want = parseIp(h) ?? parseNumericIpv4(h);
      expect(v4or6(destinationIp(d)), h).toEqual(v4or6(want));
      expect(d.ipOther ?? null, h).toBeNull();
    }
  });

  it('ambiguous quads: decimal first, the WHATWG reading second; never throws on mutated quads', () => {
    const d = parseDestination('http://010.1.2.3/')!;
    expect(v4(destinationIp(d))).toBe('10.1.2.3');
    expect(v4(d.ipOther ?? null)).toBe('8.1.2.3');
    const r = mulberry32(13);
    const chars = '0123456789.x%:[]０．';
    for (let i = 0; i < 3000; i++) {
      let t = '010.1.02.3';
      for (let k = Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * (t.length + 1));
        t = t.slice(0, at) + (r() < 0.5 ? chars[Math.floor(r() * chars.length)] : '') + t.slice(at + (r() < 0.5 ? 1 : 0));
      }
      const x = parseDestination(`http://${t}/`);
      if (x === null) continue;
      const ip = destinationIp(x);
      if (x.ipOther) expect(ip, t).not.toBeNull();
    }
  });
});

const v4or6 = (ip: Ip16 | null): number[] | null => (ip === null ? null : [...ip]);

/** The same decisions as the reference evaluator (spec-oracle.test-support.ts), which models both readings independently. */
describe('agrees with the reference evaluator on ambiguous quads', () => {
  const ENTRIES = ['10.0.0.0/8', '8.0.0.0/8', '8.1.2.3', '10.8.0.0/16', '200.0.0.0/8', '128.0.0.0/8', '169.254.169.254', '192.0.0.0/8', '9.0.0.0/8', 'http://*/ok/**', '::ffff:0:0/96', '010.0.0.0/8'];
  const PARTS = ['0', '00', '010', '08', '09', '077', '0200', '0300', '0377', '10', '8', '255', '256', '0x0a', '01', '0010', '１０'];
  const r = mulberry32(41);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  it('random quads against random allow/deny lists', () => {
    let hitCount = 0;
    for (let k = 0; k < 60; k++) {
      const allow = ENTRIES.filter(() => r() < 0.25);
      const deny = ENTRIES.filter(() => r() < 0.15);
      const eg = `{${allow.length ? `allow: ${JSON.stringify(allow)}` : ''}${allow.length && deny.length ? ', ' : ''}${deny.length ? `deny: ${JSON.stringify(deny)}` : ''}}`;
      if (eg === '{}') continue;
      const text = spec(`O${k}`, eg);
      const e = engine(text);
      const o = oracleSpec(text);
      for (let i = 0; i < 60; i++) {
        const n = r() < 0.1 ? 3 : 4;
        let host = Array.from({ length: n }, () => pick(PARTS)).join('.');
        if (r() < 0.1) host = host.replace(/0/g, '%30');
        if (r() < 0.1) host = host.replace(/\./g, pick(['．', '。', '%2e', '.']));
        if (r() < 0.05) host += pick(['.', '．', '%2E']);
        if (r() < 0.05) host = `[::ffff:${host}]`;
        const dest = `http://${host}/${r() < 0.2 ? 'ok/..%2Fz' : 'ok/a'}`;
        const event = ev(dest);
        const ours = e.evaluate(event).map((h) => h.ruleId).sort();
        const want = o.event(event).sort();
        hitCount += want.length;
        expect(ours, `${dest} ${eg}`).toEqual(want);
      }
    }
    expect(hitCount).toBeGreaterThan(100);
  });
});
