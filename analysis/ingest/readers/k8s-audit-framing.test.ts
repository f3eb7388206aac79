import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type ReaderLimits } from '../../core/records.js';
import { createAuditReader } from './k8s-audit.js';
import { MAX_JSON_DEPTH, mayNestDeeperThan, nestingDepth, PRUNED_MARK, pruneDeeperThan } from './k8s-audit-json-bounds.js';
import { JsonStructureScanner } from './k8s-audit-json-scanner.js';
import { feed, RecordingSink } from './k8s-audit-testkit.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const LOG = readFileSync(new URL('audit2rbac__demo.log', FIXTURES), 'utf8');
const LINES = LOG.split('\n').filter(Boolean);
const EVENTS = LINES.map((l) => JSON.parse(l) as Record<string, unknown>);
const EXEC = JSON.parse(readFileSync(new URL('falco__exec_pod.json', FIXTURES), 'utf8')) as Record<string, unknown>;

function read(text: string, limits: ReaderLimits = DEFAULT_READER_LIMITS): RecordingSink {
  const sink = new RecordingSink();
  feed(createAuditReader(sink, limits), text);
  return sink;
}

describe('documents', () => {
  it('reads a pretty-printed single event with its start line and offset', () => {
    const text = 'junk line\n' + JSON.stringify(EXEC, null, 2) + '\n';
    const sink = read(text);
    expect(sink.quarantined.map((q) => q.line)).toEqual([1]);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({ line: 2, offset: 10, resource: 'pods/exec' });
    expect(sink.events[0]!.attrs.item).toBeUndefined();
  });

  it('reads an EventList and a JSON array, items numbered', () => {
    const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: EVENTS.slice(0, 5) };
    for (const text of [JSON.stringify(list, null, 2), JSON.stringify(list), JSON.stringify(EVENTS.slice(0, 5), null, 1), '[\n' + LINES.slice(0, 5).join(',\n') + '\n]']) {
      const sink = read(text);
      expect(sink.quarantined).toEqual([]);
      expect(sink.events.map((e) => e.attrs.item)).toEqual([0, 1, 2, 3, 4]);
      expect(sink.events.every((e) => e.line === 1 && e.offset === 0)).toBe(true);
      expect(sink.events.map((e) => e.auditId)).toEqual(EVENTS.slice(0, 5).map((e) => e.auditID));
    }
  });

  it('quarantines bad items of a list one by one', () => {
    const sink = read(JSON.stringify([EVENTS[0], { kind: 0 }, 7, EVENTS[1]], null, 2));
    expect(sink.events.map((e) => e.attrs.item)).toEqual([0, 3]);
    expect(sink.quarantined.map((q) => q.head)).toEqual(['{"kind":0}', '7']);
    expect(sink.quarantined[0]!.reason).toBe('not an audit.k8s.io Event (kind is 0, expected "Event")');
  });

  it('reads a stream of pretty-printed events (jq . output) and JSONL after it', () => {
    const text = EVENTS.slice(0, 3).map((e) => JSON.stringify(e, null, 2)).join('\n') + '\n' + LINES.slice(3, 6).join('\n');
    const sink = read(text);
    expect(sink.quarantined).toEqual([]);
    expect(sink.events.map((e) => e.auditId)).toEqual(EVENTS.slice(0, 6).map((e) => e.auditID));
    const starts = text.split('\n').flatMap((l, i) => (l.startsWith('{') ? [i + 1] : []));
    expect(sink.events.map((e) => e.line)).toEqual(starts);
  });

  it('recovers after a truncated JSONL line: one quarantine, next line read alone', () => {
    const cut = LINES[1]!.slice(0, 300);
    for (const broken of [cut, LINES[1]!.slice(0, LINES[1]!.indexOf('"verb"'))]) {
      const sink = read([LINES[0], broken, LINES[2], LINES[3]].join('\n'));
      expect(sink.events.map((e) => e.line)).toEqual([1, 3, 4]);
      expect(sink.quarantined).toHaveLength(1);
      expect(sink.quarantined[0]).toMatchObject({ line: 2 });
      expect(sink.quarantined[0]!.reason).toMatch(/^(invalid JSON|invalid JSON document)/);
    }
  });

  it('quarantines every line of a document that never closes, or closes badly', () => {
    const pretty = JSON.stringify(EXEC, null, 2).split('\n');
    const open = read(pretty.slice(0, -1).join('\n'));
    expect(open.events).toHaveLength(0);
    expect(open.quarantined).toHaveLength(pretty.length - 1);
    expect(open.quarantined[0]!.reason).toMatch(/^invalid JSON document \(lines 1-\d+\): unexpected end of input/);
    const badLiteral = read(pretty.join('\n').replace('"allow"', 'allow'));
    expect(badLiteral.events).toHaveLength(0);
    expect(badLiteral.quarantined).toHaveLength(pretty.length);
  });

  it('quarantines a document over maxDocumentBytes line by line and reads on after it', () => {
    const pretty = JSON.stringify(EVENTS.slice(0, 4), null, 2);
    const limits = { ...DEFAULT_READER_LIMITS, maxDocumentBytes: 1000 };
    const sink = read(pretty + '\n' + LINES[5], limits);
    const prettyLines = pretty.split('\n').length;
    expect(sink.quarantined).toHaveLength(prettyLines);
    expect(sink.quarantined[0]!.reason).toBe('JSON document starting at line 1 exceeds maxDocumentBytes (1000 bytes)');
    expect(sink.events.map((e) => e.line)).toEqual([prettyLines + 1]);
  });
});

describe('hostile nesting', () => {
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  it('survives 2 MB of nesting on one line and in a multi-line document', () => {
    const line = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(line.length).toBe(2_000_000);
    const sink = read(line);
    expect(sink.quarantined).toHaveLength(1);
    expect(sink.quarantined[0]!.reason).toMatch(/^not an audit.k8s.io Event/);
    const doc = read(['{"items":', deep(90_000), '}'].join('\n'));
    expect(doc.calls).toBe(1);
    expect(doc.quarantined[0]).toMatchObject({ line: 1, reason: 'not an audit.k8s.io Event (verb is missing)' });
    expect(Buffer.byteLength(doc.quarantined[0]!.head)).toBeLessThanOrEqual(200);
    // Deeper than the scanner follows: the document is refused, each line accounted for once.
    const deeper = read(['{"items":', deep(350_000), '}'].join('\n'));
    expect(deeper.quarantined.map((q) => q.line)).toEqual([1, 2, 3]);
  });

  it('keeps an event whose requestObject nests 300,000 levels, pruned and serialisable', () => {
    const ev = { ...EXEC, requestObject: '__DEEP__' };
    const line = JSON.stringify(ev).replace('"__DEEP__"', deep(300_000));
    const sink = read(line);
    expect(sink.events).toHaveLength(1);
    const e = sink.events[0]!;
    expect(e.attrs.nestingTruncated).toBe(true);
    expect(JSON.stringify((e.attrs.audit as Record<string, unknown>).requestObject)).toContain(PRUNED_MARK);
    expect(() => JSON.stringify(e)).not.toThrow();
  });

  it('prunes in place and measures depth outside strings only', () => {
    const v = JSON.parse(deep(MAX_JSON_DEPTH + 5)) as Record<string, unknown>;
    expect(pruneDeeperThan(v, MAX_JSON_DEPTH)).toBe(true);
    expect(nestingDepth(JSON.stringify(v))).toBe(MAX_JSON_DEPTH);
    expect(JSON.stringify(v)).toContain(PRUNED_MARK);
    expect(nestingDepth('{"a":"[[[[{{{{\\"[["}')).toBe(1);
    expect(mayNestDeeperThan('{"a":"' + '['.repeat(3000) + '"}', MAX_JSON_DEPTH)).toBe(false);
    expect(mayNestDeeperThan('[' + '{"a":1},'.repeat(3000) + '1]', MAX_JSON_DEPTH)).toBe(false);
    expect(mayNestDeeperThan(deep(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(mayNestDeeperThan(deep(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('JsonStructureScanner', () => {
  function scan(...lines: string[]): JsonStructureScanner {
    const s = new JsonStructureScanner();
    lines.forEach((l, i) => s.feedLine(l, i + 1));
    return s;
  }
  it('knows when a document closes', () => {
    expect(scan('{', '  "a": [1, 2.5e3, true, null, "x\\"}"],', '  "b": {}', '}').state).toBe('closed');
    expect(scan('[', '{"a":1},', '{"b":2}').state).toBe('open');
    expect(scan('[]').state).toBe('closed');
  });
  it('stops at the first line that can not continue the document', () => {
    const s = scan('{"kind":"Event","verb":"get",', '{"kind":"Event"}');
    expect(s.state).toBe('error');
    expect(s.error).toBe('unexpected "{" at line 2 column 1 (expected a key)');
    expect(scan('{"a":"unterminated').error).toBe('unterminated string at end of line 1');
    expect(scan('{"a":1}}').error).toMatch(/after the end of the JSON value/);
    expect(scan('[1 2]').state).toBe('error');
    expect(scan('{"a" 1}').state).toBe('error');
    expect(scan('[}').state).toBe('error');
  });
});
