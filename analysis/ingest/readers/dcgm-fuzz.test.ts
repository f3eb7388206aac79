/**
 * Seeded random mutations of real DCGM inputs: no reader may throw, every record must end in
 * exactly one sink call, and every stored sample must be well-formed.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type GpuSample, type LineReader, type ReaderLimits, type RecordSink } from '../../core/records.js';
import type { DcgmReaderOptions } from './dcgm-clock.js';
import { createDcgmCsvReader } from './dcgm-csv.js';
import { createDcgmDmonReader } from './dcgm-dmon.js';
import { createDcgmPromReader } from './dcgm-prom.js';
import { createDcgmQueryRangeReader } from './dcgm-query-range.js';
import { feedLines, RecordingSink } from './dcgm-recording-sink.js';
import { mulberry32 } from '../../core/mulberry32.js';

const ITERATIONS = 3000;
const LIMITS: ReaderLimits = { ...DEFAULT_READER_LIMITS, maxLineBytes: 4096, maxDocumentBytes: 64 * 1024 };
const OPTS: DcgmReaderOptions = { fallbackTs: Date.UTC(2024, 0, 1) * 1000 };

const prng = mulberry32;

const ALPHABET = ['"', '{', '}', '=', ',', ';', '\\', ' ', '\t', '#', '\n', '\r\n', '.', 'e', '-', '+', '0', '9', 'a', 'N', 'é', '\u0000', '[', ']', ':', 'NaN', '9223372036854775792', 'N/A', 'GPU'];

function mutate(text: string, rnd: () => number): string {
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * (text.length + 1));
    const pick = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
    switch (Math.floor(rnd() * 6)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 8));
        break;
      case 1:
        text = text.slice(0, at) + pick + text.slice(at);
        break;
      case 2:
        text = text.slice(0, at) + pick + text.slice(at + 1);
        break;
      case 3: {
        const len = Math.floor(rnd() * 40);
        text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
        break;
      }
      case 4:
        text = text.slice(0, at);
        break;
      default: {
        const lines = text.split('\n');
        const i = Math.floor(rnd() * lines.length);
        const j = Math.floor(rnd() * lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join('\n');
      }
    }
  }
  return text;
}

/** A document of `count` random lines of `base`, kept in order so headers usually come first. */
function sampleDoc(lines: readonly string[], rnd: () => number, count: number): string {
  const start = Math.floor(rnd() * Math.max(1, lines.length - count));
  return lines.slice(start, start + count).join('\n');
}

/** Invariants of every sink; plain checks (not one expect per sample) keep 3,000 iterations fast. */
function checkSink(sink: RecordingSink, text: string): void {
  const physical = text.split('\n').length;
  const problems: string[] = [];
  for (const line of [...sink.records.map((r) => r.line), ...sink.quarantined.map((q) => q.line)]) {
    if (!(line >= 1 && line <= physical)) problems.push(`line ${line} outside 1..${physical}`);
  }
  for (const s of sink.samples) {
    if (!(s.ts >= LIMITS.minTs && s.ts <= LIMITS.maxTs)) problems.push(`ts ${s.ts} out of range`);
    if (!(s.value === null || Number.isFinite(s.value))) problems.push(`value ${s.value}`);
    if (typeof s.field !== 'string' || s.field.length === 0) problems.push('empty field');
  }
  for (const q of sink.quarantined) {
    if (q.reason.length === 0) problems.push('empty reason');
    if (Buffer.byteLength(q.head) > 200) problems.push('head longer than 200 bytes');
  }
  if (problems.length > 0) expect.fail(`${problems.join('; ')} in ${JSON.stringify(text)}`);
}

type Factory = (sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions) => LineReader;

/** Runs the iterations; returns how many records were stored and quarantined in total. */
function fuzz(
  factory: Factory,
  base: readonly string[],
  seed: number,
  extraCheck?: (sink: RecordingSink, text: string) => void,
  wholeDocument = false,
): { stored: number; quarantined: number } {
  const rnd = prng(seed);
  const totals = { stored: 0, quarantined: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const text = mutate(wholeDocument ? base.join('\n') : sampleDoc(base, rnd, 2 + Math.floor(rnd() * 12)), rnd);
    const sink = new RecordingSink();
    try {
      feedLines(factory(sink, LIMITS, OPTS), text);
    } catch (err) {
      throw new Error(`iteration ${i} threw on ${JSON.stringify(text)}: ${String(err)}`);
    }
    checkSink(sink, text);
    extraCheck?.(sink, text);
    totals.stored += sink.records.length;
    totals.quarantined += sink.quarantined.length;
  }
  // The mutations must exercise both outcomes, or the test proves little.
  expect(totals.stored).toBeGreaterThan(ITERATIONS / 10);
  expect(totals.quarantined).toBeGreaterThan(ITERATIONS / 10);
  return totals;
}

const promLines = [
  ...readFileSync(new URL('./fixtures/datadog__dcgm_metrics.txt', import.meta.url), 'utf8').split('\n'),
  'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-1",Hostname="h",pod="p-1",namespace="ns",GPU_I_ID="3"} 42 1700000000000',
  'm{a="x,y=z}",b="say \\"hi\\"",c="\\\\"} NaN',
  '# EOF',
];

describe('fuzzing DCGM readers with mutated real inputs', () => {
  it('Prometheus text: one call per sample line', () => {
    fuzz(createDcgmPromReader, promLines, 1, (sink, text) => {
      const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      expect(sink.read).toBe(lines.filter((l) => !/^[ \t]*(#|$)/.test(l)).length);
      // Differential check of the label-set memo: each line read alone by a fresh reader must
      // give the same outcome and the same sample (timestamps aside, as scrapes depend on context).
      const strip = (s: GpuSample): unknown => ({ ...s, ts: 0, labels: { ...s.labels, ts_inferred: undefined } });
      const together = new Map<number, unknown>();
      for (const r of sink.records) together.set(r.line, r.samples.map(strip));
      for (const q of sink.quarantined) together.set(q.line, q.reason);
      lines.forEach((l, k) => {
        if (!together.has(k + 1)) return;
        const alone = new RecordingSink();
        feedLines(createDcgmPromReader(alone, LIMITS, OPTS), l);
        const got = alone.records.length > 0 ? alone.records[0]!.samples.map(strip) : alone.quarantined[0]?.reason;
        if (typeof got === 'string' && /timestamp/.test(got)) return; // inferred times differ by context
        if (!isDeepStrictEqual(got, together.get(k + 1))) expect(got).toEqual(together.get(k + 1));
      });
    });
  });

  it('query_range JSON: never throws, a non-blank document yields records', () => {
    const doc = JSON.stringify(
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { __name__: 'DCGM_FI_DEV_GPU_UTIL', gpu: '0', Hostname: 'h' }, values: [[1700000000, '1'], [1700000015, 'NaN']] },
            { metric: { __name__: 'DCGM_FI_DEV_FB_USED', gpu: '1' }, values: [[1700000000.5, '9223372036854775792']] },
          ],
        },
      },
      null,
      1,
    ).split('\n');
    fuzz(
      createDcgmQueryRangeReader,
      doc,
      2,
      (sink, text) => {
        if (text.trim() !== '') expect(sink.read).toBeGreaterThanOrEqual(1);
      },
      true,
    );
  });

  it('dcgmi dmon: at most one call per line', () => {
    const dmon = [
      '#Entity   GPUTL      FBUSD      POWER      SMACT      ',
      'ID                               W                     ',
      'GPU 0     45         1024       61.234     0.512      ',
      'GPU 1     N/A        512        N/A        N/A        ',
      'GPU-I 3   46         1030       62.000     0.520      ',
      'GPU 0     0          512        40.100     0.000      ',
      '# Entity  DVNAM                     GPUTL      ',
      'GPU 0     NVIDIA H100 80GB HBM3     99         ',
    ];
    fuzz(createDcgmDmonReader, dmon, 3, (sink, text) => {
      expect(sink.read).toBeLessThanOrEqual(text.split('\n').length);
      expect(new Set(sink.records.map((r) => r.line)).size).toBe(sink.records.length);
    });
  });

  it('CSV: at most one call per line, quoted multi-line cells included', () => {
    const csv = [
      'timestamp,hostname,gpu,DCGM_FI_DEV_GPU_UTIL,DCGM_FI_DEV_FB_USED,modelName',
      '2024-03-01T10:00:00Z,n1,0,55,1000,"NVIDIA A100, 80GB"',
      '1709287215,n1,1,56,1001,"say ""x"""',
      '2024-03-01T10:01:00Z,n1,0,N/A,,"multi',
      'line"',
      'time;host;gpu;field;value',
      '2024-03-01T10:00:00Z;n1;0;DCGM_FI_DEV_GPU_UTIL;NaN',
    ];
    fuzz(createDcgmCsvReader, csv, 4, (sink, text) => {
      const lines = [...sink.records.map((r) => r.line), ...sink.quarantined.map((q) => q.line)];
      expect(new Set(lines).size).toBe(lines.length);
      expect(sink.read).toBeLessThanOrEqual(text.split('\n').length);
    });
  });
});
