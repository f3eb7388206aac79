import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { createDcgmDmonReader } from './dcgm-dmon.js';
import { feedLines, RecordingSink } from './dcgm-recording-sink.js';

const FALLBACK = Date.UTC(2024, 0, 15, 12, 0, 0) * 1000;

function read(text: string, scrapeIntervalUs?: number): RecordingSink {
  const sink = new RecordingSink();
  feedLines(createDcgmDmonReader(sink, DEFAULT_READER_LIMITS, { fallbackTs: FALLBACK, scrapeIntervalUs }), text);
  return sink;
}

// Layout as printed by dcgmi/DeviceMonitor.cpp: "#Entity" padded to 10, each column width + 2.
const HEADER = '#Entity   GPUTL      FBUSD      POWER      SMACT      ';
const UNITS = 'ID                               W                     ';

describe('dcgmi dmon', () => {
  it('reads rows, repeated headers, N/A and infers one interval per entity repeat', () => {
    const text = [
      HEADER,
      UNITS,
      'GPU 0     45         1024       61.234     0.512      ',
      'GPU 1     N/A        512        N/A        N/A        ',
      'GPU 0     46         1030       62.000     0.520      ',
      'GPU 1     0          512        40.100     0.000      ',
      HEADER,
      UNITS,
      'GPU 0     47         1031       63.000     0.530      ',
      '',
      'dmon was stopped do to receiving a signal',
    ].join('\n');
    const sink = read(text);
    expect(sink.quarantined).toEqual([]);
    expect(sink.records.map((r) => r.line)).toEqual([3, 4, 5, 6, 9]);
    expect(sink.records.every((r) => r.samples.length === 4)).toBe(true);
    expect(sink.records[0]!.samples.map((s) => [s.field, s.value])).toEqual([
      ['DCGM_FI_DEV_GPU_UTIL', 45],
      ['DCGM_FI_DEV_FB_USED', 1024],
      ['DCGM_FI_DEV_POWER_USAGE', 61.234],
      ['DCGM_FI_PROF_SM_ACTIVE', 0.512],
    ]);
    expect(sink.records[1]!.samples.map((s) => s.value)).toEqual([null, 512, null, null]);
    expect(sink.records.map((r) => r.samples[0]!.ts)).toEqual([FALLBACK, FALLBACK, FALLBACK + 1e6, FALLBACK + 1e6, FALLBACK + 2e6]);
    expect(sink.samples[0]).toMatchObject({ node: null, gpu: '0', job: null, labels: { ts_inferred: '1' } });
  });

  it('accepts "# Entity", MIG entities, unknown short names and a custom interval', () => {
    const text = ['# Entity  SMOCC  XYZAB', '# ID', 'GPU 0     0.1    1', 'GPU-I 3   0.2    2', 'GPU-CI 5  0.3    3', 'GPU-I 3   0.4    4'].join('\n');
    const sink = read(text, 5_000_000);
    expect(sink.quarantined).toEqual([]);
    expect(sink.records[1]!.samples[0]).toMatchObject({
      gpu: 'GPU-I:3',
      field: 'DCGM_FI_PROF_SM_OCCUPANCY',
      value: 0.2,
      labels: { entity_group: 'GPU-I', entity_id: '3', ts_inferred: '1' },
    });
    expect(sink.records[2]!.samples[1]).toMatchObject({ gpu: 'GPU-CI:5', field: 'DMON_XYZAB', value: 3 });
    expect(sink.records[3]!.samples[0]!.ts).toBe(FALLBACK + 5_000_000);
  });

  it('cuts string cells holding spaces by column position', () => {
    const header = '#Entity   DVNAM                     GPUTL      ';
    const row = 'GPU 0     NVIDIA H100 80GB HBM3     99         ';
    const sink = read([header, 'ID', row].join('\n'));
    expect(sink.quarantined).toEqual([]);
    expect(sink.records[0]!.samples.map((s) => [s.field, s.value, s.labels?.['raw']])).toEqual([
      ['DMON_DVNAM', null, 'NVIDIA H100 80GB HBM3'],
      ['DCGM_FI_DEV_GPU_UTIL', 99, undefined],
    ]);
  });

  it('quarantines rows with the wrong column count, rows before a header and unknown lines', () => {
    const text = ['GPU 0 1 2', HEADER, 'GPU 0     45         1024', 'garbage here', 'GPU x 1 2 3 4'].join('\n');
    const sink = read(text);
    expect(sink.records).toEqual([]);
    expect(sink.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, 'dcgmi dmon: row before any "#Entity" header'],
      [3, 'dcgmi dmon: expected 4 values, got 2'],
      [4, 'dcgmi dmon: not a dmon row: expected "<entity group> <id>", got "garbage here"'],
      [5, 'dcgmi dmon: not a dmon row: expected "<entity group> <id>", got "GPU x"'],
    ]);
  });
});
