import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { detectDelimiter, OPEN_QUOTE, splitCsvRecord } from './dcgm-csv-record.js';
import { createDcgmCsvReader } from './dcgm-csv.js';
import { feedLines, RecordingSink } from './dcgm-recording-sink.js';

const FALLBACK = Date.UTC(2024, 0, 15, 12, 0, 0) * 1000;
const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;

function read(text: string): RecordingSink {
  const sink = new RecordingSink();
  feedLines(createDcgmCsvReader(sink, DEFAULT_READER_LIMITS, { fallbackTs: FALLBACK }), text);
  return sink;
}

describe('RFC 4180 splitting', () => {
  it('handles quotes, doubled quotes and delimiters inside quotes', () => {
    expect(splitCsvRecord('a,"b,c","say ""hi""",', ',')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(splitCsvRecord('a;"b;c"', ';')).toEqual(['a', 'b;c']);
    expect(splitCsvRecord('a,"open', ',')).toBe(OPEN_QUOTE);
    expect(splitCsvRecord('"a"b,c', ',')).toEqual({ error: 'text after a closing quote at column 4' });
    expect(splitCsvRecord('5 "inch",x', ',')).toEqual(['5 "inch"', 'x']);
  });

  it('detects the delimiter from the header', () => {
    expect(detectDelimiter('time,host,gpu')).toBe(',');
    expect(detectDelimiter('time;host;"a,b";gpu')).toBe(';');
    expect(detectDelimiter('time\thost\tgpu,x')).toBe('\t');
  });
});

describe('long CSV', () => {
  it('reads one sample per row with synonyms and ISO / epoch timestamps', () => {
    const text = [
      'Time,Node,GPU_ID,Metric,Value,UUID,pod,namespace',
      '2024-03-01T10:00:00Z,dgx-1,0,DCGM_FI_DEV_GPU_UTIL,87,GPU-a,"trainer-worker-1",ml',
      '1709287215,dgx-1,0,DCGM_FI_DEV_FB_USED,40960,GPU-a,,',
      '1709287230000,dgx-1,0,DCGM_FI_DEV_POWER_USAGE,N/A,GPU-a,,',
      '1709287245000000,dgx-1,0,DCGM_FI_DEV_GPU_TEMP,9223372036854775792,GPU-a,,',
      '2024-03-01 10:01:00 UTC,dgx-1,0,DCGM_FI_DEV_SM_CLOCK,NaN,GPU-a,,',
    ].join('\n');
    const sink = read(text);
    expect(sink.quarantined).toEqual([]);
    expect(sink.samples[0]).toEqual({
      ts: T0,
      node: 'dgx-1',
      gpu: '0',
      job: 'ml/trainer',
      field: 'DCGM_FI_DEV_GPU_UTIL',
      value: 87,
      labels: { UUID: 'GPU-a', pod: 'trainer-worker-1', namespace: 'ml' },
    });
    expect(sink.samples.map((s) => s.ts - T0)).toEqual([0, 15e6, 30e6, 45e6, 60e6]);
    expect(sink.samples.map((s) => s.value)).toEqual([87, 40960, null, null, null]);
    expect(sink.samples[4]!.labels).toEqual({ UUID: 'GPU-a', raw: 'NaN' });
  });

  it('quarantines bad rows with reasons', () => {
    const text = [
      'timestamp,hostname,gpu,field,value',
      '2024-03-01T10:00:00Z,h,0,DCGM_FI_DEV_GPU_UTIL,high',
      'yesterday,h,0,DCGM_FI_DEV_GPU_UTIL,1',
      ',h,0,DCGM_FI_DEV_GPU_UTIL,1',
      '2024-03-01T10:00:00Z,h,0,DCGM_FI_DEV_GPU_UTIL',
      '2024-03-01T10:00:00Z,h,0,,1',
      '1,h,0,DCGM_FI_DEV_GPU_UTIL,1',
      '"2024-03-01T10:00:00Z"x,h,0,DCGM_FI_DEV_GPU_UTIL,1',
    ].join('\n');
    const sink = read(text);
    expect(sink.records).toEqual([]);
    expect(sink.quarantined.map((q) => q.reason)).toEqual([
      'csv: value "high" in column "value" is not a number',
      'csv: timestamp "yesterday" is neither ISO 8601 nor epoch time',
      'csv: missing timestamp',
      'csv: expected 5 columns, got 4',
      'csv: empty metric name',
      'csv: timestamp "1" outside the accepted range',
      'csv: text after a closing quote at column 23',
    ]);
  });
});

describe('wide CSV', () => {
  it('reads one sample per metric column, labels from label columns, quoted cells with commas', () => {
    const text = [
      '\uFEFFtimestamp;hostname;gpu;modelName;DCGM_FI_DEV_GPU_UTIL;DCGM_FI_DEV_FB_USED;DCGM_FI_DRIVER_VERSION',
      '2024-03-01T10:00:00Z;n1;0;"NVIDIA A100; 80GB";55;1000;535.54.03',
      '2024-03-01T10:00:30Z;n1;0;"NVIDIA A100; 80GB";;1001;535.54.03',
      'timestamp;hostname;gpu;modelName;DCGM_FI_DEV_GPU_UTIL;DCGM_FI_DEV_FB_USED;DCGM_FI_DRIVER_VERSION',
      '2024-03-01T10:01:00Z;n1;0;"multi',
      'line; model";56;1002;535.54.03',
    ].join('\r\n');
    const sink = read(text);
    expect(sink.quarantined).toEqual([]);
    expect(sink.records.map((r) => [r.line, r.samples.length])).toEqual([
      [2, 2],
      [3, 1],
      [5, 2],
    ]);
    expect(sink.records[0]!.samples).toEqual([
      { ts: T0, node: 'n1', gpu: '0', job: null, field: 'DCGM_FI_DEV_GPU_UTIL', value: 55, labels: { modelName: 'NVIDIA A100; 80GB', DCGM_FI_DRIVER_VERSION: '535.54.03' } },
      { ts: T0, node: 'n1', gpu: '0', job: null, field: 'DCGM_FI_DEV_FB_USED', value: 1000, labels: { modelName: 'NVIDIA A100; 80GB', DCGM_FI_DRIVER_VERSION: '535.54.03' } },
    ]);
    expect(sink.records[2]!.samples[0]!.labels?.['modelName']).toBe('multi\nline; model');
  });

  it('infers timestamps per host and gpu when there is no time column, and reads dmon-style headers', () => {
    const text = ['#Entity,GPUTL,DCGM_FI_DEV_FB_USED', 'GPU 0,1,2', 'GPU 1,3,4', 'GPU 0,5,6'].join('\n');
    const sink = read(text);
    expect(sink.quarantined).toEqual([]);
    expect(sink.records.map((r) => [r.samples[0]!.gpu, r.samples[0]!.ts - FALLBACK, r.samples[0]!.labels?.['ts_inferred']])).toEqual([
      ['GPU 0', 0, '1'],
      ['GPU 1', 0, '1'],
      ['GPU 0', 30e6, '1'],
    ]);
    expect(sink.records[0]!.samples.map((s) => s.field)).toEqual(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED']);
  });

  it('gives up on a quoted cell left open and reads the following lines again', () => {
    const text = ['time,host,gpu,DCGM_FI_DEV_GPU_UTIL', '2024-03-01T10:00:00Z,h,"0,1', ...Array.from({ length: 9 }, (_, k) => `2024-03-01T10:00:${10 + k}Z,h,0,${k}`)].join('\n');
    const sink = read(text);
    expect(sink.quarantined.map((q) => [q.line, q.reason])).toEqual([[2, 'csv: quoted field still open after 8 lines']]);
    expect(sink.records.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sink.read).toBe(10);
  });
});
