import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type EventRecord } from '../core/records.js';
import { eventAttrsJson } from '../store/record-columns.js';
import { AUDIT_ATTR_KEYS, AuditAttrsWriter } from './audit-attrs-writer.js';
import { auditEventRecord } from './readers/k8s-audit-event.js';
import { createAuditReader } from './readers/k8s-audit.js';
import { feed, RecordingSink, seededRandom } from './readers/k8s-audit-testkit.js';

const FIXTURES = new URL('./readers/fixtures/', import.meta.url);

/** Every event the audit reader makes of the real audit fixtures, alone and as one EventList. */
function fixtureEvents(): EventRecord[] {
  const sink = new RecordingSink();
  const items: unknown[] = [];
  for (const name of readdirSync(FIXTURES)) {
    if (!/^(falco|audit2rbac)__.*\.(json|log)$/.test(name)) continue;
    const text = readFileSync(new URL(name, FIXTURES), 'utf8');
    feed(createAuditReader(sink, DEFAULT_READER_LIMITS), text);
    if (name.endsWith('.json')) items.push(...text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown));
  }
  feed(createAuditReader(sink, DEFAULT_READER_LIMITS), JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }));
  return sink.events;
}

/** What the in-thread ingest stores for the attrs: their JSON (without `audit`) as UTF-8, and its UTF-16 length. */
function expected(attrs: Record<string, unknown>): { bytes: Buffer; units: number } {
  const json = eventAttrsJson(attrs);
  return { bytes: Buffer.from(json, 'utf8'), units: json.length };
}

function written(attrs: Record<string, unknown>, room = 1 << 16, at = 7): { bytes: Buffer; units: number } | null {
  const out = Buffer.alloc(at + room, 0xaa);
  const w = new AuditAttrsWriter();
  const end = w.write(attrs, out, at);
  if (end < 0) return null;
  return { bytes: out.subarray(at, end), units: w.units };
}

const TRICKY_STRINGS = [
  '', 'a', 'say "hi"', 'back\\slash', '\\"', 'tab\there', 'nl\nx', '\u0000', '\u001f', '\u007f', 'caf\u00e9',
  '\u00ff', '\u2028\u2029', '\u{1F600}', '\ud800', 'x\udfffy', '\ufeff', '</script>', 'a'.repeat(3000),
];

/** An audit event whose every attrs field is set from `pick`. */
function hostileEvent(rnd: () => number): Record<string, unknown> {
  const pick = (): string => {
    const r = rnd();
    if (r < 0.4) return TRICKY_STRINGS[Math.floor(rnd() * TRICKY_STRINGS.length)]!;
    let s = '';
    const n = Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rnd() < 0.8 ? 0x20 + Math.floor(rnd() * 0x5f) : Math.floor(rnd() * 0x10000));
    return s;
  };
  const maybe = <T>(v: () => T): T | undefined => (rnd() < 0.7 ? v() : undefined);
  const codes = [200, 101, 403, 0, -0, 1e21, 1.5, -7, Number.MAX_VALUE, 5e-324];
  const ips = (): unknown => {
    const r = rnd();
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 3) }, pick);
    if (r < 0.8) return [pick(), 7, null, { a: pick() }];
    return 'not-an-array';
  };
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: pick(), stage: 'ResponseComplete', verb: 'create',
    requestURI: `/api/v1/namespaces/ns/pods/p/exec?command=${pick()}&command=%E2%9C%93%ZZ&container=c&stdin=true`,
    requestReceivedTimestamp: '2024-05-01T10:00:00.123456Z',
    stageTimestamp: maybe(() => (rnd() < 0.5 ? '2024-05-01T10:00:00.5Z' : pick())),
    user: { username: maybe(pick) },
    userAgent: maybe(pick),
    sourceIPs: maybe(ips),
    impersonatedUser: maybe(() => ({ username: pick() })),
    objectRef: maybe(() => ({ resource: 'pods', subresource: rnd() < 0.5 ? 'exec' : pick(), name: pick(), apiGroup: pick(), namespace: 'ns' })),
    responseStatus: maybe(() => ({ code: codes[Math.floor(rnd() * codes.length)] })),
    annotations: maybe(() => ({ 'authorization.k8s.io/decision': pick(), 'authorization.k8s.io/reason': pick() })),
  };
}

describe('AuditAttrsWriter', () => {
  it('writes the keys auditEventRecord creates, in its order (a key added there must be added here)', () => {
    const rec = auditEventRecord(
      { kind: 'Event', apiVersion: 'audit.k8s.io/v1', verb: 'get', auditID: 'a', requestReceivedTimestamp: '2024-05-01T10:00:00Z' },
      { line: 1, offset: 0, sizeHint: 100 },
      DEFAULT_READER_LIMITS,
    );
    if (typeof rec === 'string') throw new Error(rec);
    expect(Object.keys(rec.attrs)).toEqual([...AUDIT_ATTR_KEYS]);
  });

  it('writes the bytes the in-thread ingest stores, for every event of the real audit fixtures', () => {
    const events = fixtureEvents();
    expect(events.length).toBeGreaterThan(40);
    // The fixtures reach the fields the common case skips: exec, item, wrapper-less pod creations.
    expect(events.some((e) => e.attrs.exec !== undefined)).toBe(true);
    expect(events.some((e) => e.attrs.item !== undefined)).toBe(true);
    for (const e of events) expect(written(e.attrs)).toEqual(expected(e.attrs));
  });

  it('writes the same bytes as JSON.stringify for hostile values: escapes, controls, non-ASCII, lone surrogates, odd numbers and arrays', () => {
    const rnd = seededRandom(0xa77);
    let nonAscii = 0;
    for (let iter = 0; iter < 3000; iter++) {
      const ev = hostileEvent(rnd);
      const rec = auditEventRecord(ev, { line: 1, offset: 0, sizeHint: 1e6, item: rnd() < 0.2 ? iter : undefined, nestingTruncated: rnd() < 0.2 }, DEFAULT_READER_LIMITS);
      if (typeof rec === 'string') throw new Error(rec);
      if (rnd() < 0.1) rec.attrs.wrapper = { logStream: ev.userAgent ?? 'x', n: 1 };
      if (rnd() < 0.05) rec.attrs.code = Number.POSITIVE_INFINITY; // JSON.parse('1e999'): JSON.stringify writes null
      const want = expected(rec.attrs);
      if (want.bytes.length !== want.units) nonAscii++;
      const got = written(rec.attrs);
      // Compared as text first: a mismatch then shows where.
      expect(got?.bytes.toString('utf8'), `iteration ${iter}`).toBe(want.bytes.toString('utf8'));
      expect(got!.bytes.equals(want.bytes) && got!.units === want.units, `iteration ${iter}`).toBe(true);
    }
    expect(nonAscii).toBeGreaterThan(100);
  });

  it('an empty attrs object is {}', () => {
    expect(written({})).toEqual({ bytes: Buffer.from('{}'), units: 2 });
    expect(written({ audit: { verb: 'get' } })).toEqual({ bytes: Buffer.from('{}'), units: 2 });
  });

  it('answers -1 when the text may not fit, never a cut text, and writes nothing past the room', () => {
    const rec = fixtureEvents().find((e) => e.attrs.exec !== undefined)!;
    // Non-ASCII text is bounded by 3 bytes a unit: room for it is asked for before it is written.
    for (const attrs of [rec.attrs, { code: 200, userAgent: 'x\u00e9\u2713\u{1F600}'.repeat(40) }]) {
      const want = expected(attrs);
      for (let room = 0; room < want.bytes.length; room++) expect(written(attrs, room)).toBeNull();
      let fitted = 0;
      for (let room = want.bytes.length; room <= 3 * want.bytes.length; room++) {
        const out = Buffer.alloc(room + 1, 0xaa);
        const w = new AuditAttrsWriter();
        const end = w.write(attrs, out.subarray(0, room), 0);
        expect(out[room]).toBe(0xaa);
        if (end < 0) continue;
        fitted++;
        expect(out.subarray(0, end).equals(want.bytes) && w.units === want.units).toBe(true);
      }
      expect(fitted).toBeGreaterThan(0);
    }
  });
});
