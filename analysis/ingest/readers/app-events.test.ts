import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { appTimestamp, createAppEventReader } from './app-events.js';
import { feed, nonBlankLines, RecordingSink, seededRandom } from './k8s-audit-testkit.js';

/**
 * The MLShield seed's event body, verbatim from its README (`curl -X POST /api/v1/events -d …`),
 * plus the timestamp a log line carries.
 */
const SEED_BODY = '{"action": "k8s_get", "resource": "secrets/aws-credentials", "job_id": "train-42"}';
const SEED_LINE = SEED_BODY.replace('{', '{"ts": "2024-05-01T10:00:00.250Z", ');
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;

function read(text: string): RecordingSink {
  const sink = new RecordingSink();
  feed(createAppEventReader(sink, DEFAULT_READER_LIMITS), text);
  return sink;
}

describe('createAppEventReader', () => {
  it('reads the seed event shape', () => {
    const sink = read(SEED_LINE);
    expect(sink.quarantined).toEqual([]);
    expect(sink.events).toEqual([
      {
        ts: T0 + 250_000,
        source: 'app',
        actor: null,
        action: 'k8s_get',
        resource: 'secrets/aws-credentials',
        namespace: null,
        job: 'train-42',
        node: null,
        gpu: null,
        outcome: null,
        attrs: {},
        line: 1,
        offset: 0,
      },
    ]);
  });

  it('maps every known field, lower-cases the action, and keeps details and unknown fields in attrs', () => {
    const line = JSON.stringify({
      timestamp: 1714557600,
      action: 'Checkpoint_Save',
      resource: 's3://ckpt/llama/step-1000.pt',
      job_id: 42,
      user: 'alice',
      namespace: 'ml',
      node: 'gpu-node-7',
      gpu: 3,
      outcome: 'success',
      details: { bytes: 13421772800, dest: '203.0.113.5', severity: 'details win' },
      severity: 'info',
      trace_id: 'abc',
    });
    const [e] = read(line).events;
    expect(e).toMatchObject({ ts: T0, action: 'checkpoint_save', job: 'ml/42', actor: 'alice', namespace: 'ml', node: 'gpu-node-7', gpu: '3', outcome: 'success' });
    expect(e!.attrs).toEqual({ bytes: 13421772800, dest: '203.0.113.5', severity: 'details win', trace_id: 'abc', overriddenFields: { severity: 'info' } });
  });

  it('reads epoch seconds, milliseconds, microseconds, nanoseconds and numeric text', () => {
    for (const ts of [1714557600, 1714557600.25, 1714557600000, '1714557600', 1714557600000000, 1714557600000000000]) {
      expect(appTimestamp(ts), String(ts)).toBe(typeof ts === 'number' && ts % 1 !== 0 ? T0 + 250_000 : T0);
    }
    expect(appTimestamp('2024-05-01T12:00:00.123456789+02:00')).toBe(T0 + 123_456);
    expect(appTimestamp('2024-05-01T10:00:00')).toBe(T0); // Python's isoformat() without a zone: UTC
    for (const bad of [0, -5, Number.NaN, 'soon', '', '1e9', {}, null, true]) expect(appTimestamp(bad), String(bad)).toBeNull();
  });

  it('quarantines records without an action or a usable timestamp, and non-objects', () => {
    const sink = read([SEED_BODY, SEED_LINE.replace('"action": "k8s_get", ', ''), SEED_LINE.replace('2024', '1999'), '[1]', '"x"', '{"ts": 1714557600, "action": "  "}'].join('\n'));
    expect(sink.events).toHaveLength(0);
    expect(sink.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, 'timestamp out of range: ts missing is not an ISO 8601 time or epoch number'],
      [2, 'not an app event (action is missing)'],
      [3, 'timestamp out of range: ts "1999-05-01T10:00:00.250Z" is outside the accepted window'],
      [4, 'not an app event (JSON 1)'],
      [5, 'not an app event (JSON "x")'],
      [6, 'not an app event (action is "  ")'],
    ]);
  });

  it('keeps non-scalar column fields in attrs and drops fields over 16 Ki with a flag', () => {
    const big = 'x'.repeat(20_000);
    const line = JSON.stringify({ ts: 1714557600, action: 'upload', user: { name: 'bob' }, details: { blob: big, note: 'kept' }, extra: [big] });
    const [e] = read(line).events;
    expect(e!.actor).toBeNull();
    expect(e!.attrs).toEqual({ note: 'kept', user: { name: 'bob' }, droppedFields: ['blob', 'extra'] });
  });

  it('does not let a __proto__ key change the prototype of attrs', () => {
    const [e] = read('{"ts": 1714557600, "action": "x", "details": {"__proto__": {"polluted": true}}, "__proto__": {"also": 1}}').events;
    expect(Object.getPrototypeOf(e!.attrs)).toBe(Object.prototype);
    expect((e!.attrs as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(e!.attrs))).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "overriddenFields": {"__proto__": {"also": 1}}}'));
  });

  it('reads a JSON array document with item indices', () => {
    const events = [JSON.parse(SEED_LINE), { ...JSON.parse(SEED_LINE), action: 'k8s_list' }, { nope: 1 }];
    const sink = read(JSON.stringify(events, null, 2));
    expect(sink.events.map((e) => [e.action, e.attrs.item, e.line])).toEqual([['k8s_get', 0, 1], ['k8s_list', 1, 1]]);
    expect(sink.quarantined.map((q) => q.reason)).toEqual(['not an app event (action is missing)']);
  });

  it('fuzz: 3,000 mutated JSONL inputs, no throw, one sink call per non-blank line', () => {
    const rnd = seededRandom(99);
    const seeds = [SEED_LINE, JSON.stringify({ ts: 1714557600123, action: 'gpu_alloc', job_id: 'j', details: { a: [1, { b: 'c' }] } })];
    const alphabet = '{}[]":,\\ 0123456789.-e\u00e9\uFEFF';
    for (let iter = 0; iter < 3000; iter++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
        let s = seeds[Math.floor(rnd() * seeds.length)]!;
        const at = Math.floor(rnd() * (s.length + 1));
        const r = rnd();
        if (r < 0.3) s = s.slice(0, at);
        else if (r < 0.6) s = s.slice(0, at) + alphabet[Math.floor(rnd() * alphabet.length)] + s.slice(at + 1);
        else if (r < 0.8) s = s.slice(0, at) + s.slice(at, at + 15) + s.slice(at);
        return s;
      });
      const input = lines.join('\n');
      const sink = new RecordingSink();
      expect(() => feed(createAppEventReader(sink, DEFAULT_READER_LIMITS), input)).not.toThrow();
      expect(sink.calls, input).toBe(nonBlankLines(input));
    }
  });
});
