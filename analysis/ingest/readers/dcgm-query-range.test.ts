import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type ReaderLimits } from '../../core/records.js';
import { createDcgmQueryRangeReader } from './dcgm-query-range.js';
import { feedLines, RecordingSink } from './dcgm-recording-sink.js';

function read(text: string, limits: ReaderLimits = DEFAULT_READER_LIMITS): RecordingSink {
  const sink = new RecordingSink();
  feedLines(createDcgmQueryRangeReader(sink, limits, { fallbackTs: 0 }), text);
  return sink;
}

const metric = {
  __name__: 'DCGM_FI_DEV_GPU_UTIL',
  gpu: '0',
  UUID: 'GPU-1',
  Hostname: 'node-a',
  instance: '10.1.2.3:9400',
  job: 'dcgm-exporter',
  exported_pod: 'llama-finetune-worker-0',
  exported_namespace: 'research',
  modelName: 'NVIDIA H100 80GB HBM3',
};

describe('query_range matrix', () => {
  const doc = JSON.stringify(
    {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric, values: [[1700000000.123, '42'], [1700000015, '43'], [1700000030, 'NaN'], [1700000045, 'oops']] },
          { metric: { ...metric, gpu: '1', UUID: 'GPU-2' }, values: [[1700000000, '9223372036854775794']] },
        ],
      },
    },
    null,
    2,
  );

  it('turns every point into one record at the document start line', () => {
    const sink = read(`\n${doc}\n`);
    expect(sink.read).toBe(5);
    expect(sink.records.length).toBe(4);
    expect(sink.records.every((r) => r.line === 2 && r.offset === 1)).toBe(true);
    const [first, , nan, blank] = sink.samples;
    expect(first).toEqual({
      ts: 1700000000123000,
      node: 'node-a',
      gpu: '0',
      job: 'research/llama-finetune',
      field: 'DCGM_FI_DEV_GPU_UTIL',
      value: 42,
      labels: {
        UUID: 'GPU-1',
        instance: '10.1.2.3:9400',
        job: 'dcgm-exporter',
        exported_pod: 'llama-finetune-worker-0',
        exported_namespace: 'research',
        modelName: 'NVIDIA H100 80GB HBM3',
      },
    });
    expect(nan).toMatchObject({ value: null, labels: { raw: 'NaN' } });
    expect(blank).toMatchObject({ gpu: '1', value: null });
    expect(sink.quarantined).toHaveLength(1);
    expect(sink.quarantined[0]?.reason).toMatch(/DCGM_FI_DEV_GPU_UTIL: value "oops" is not a number/);
    expect(sink.quarantined[0]?.line).toBe(2);
  });
});

describe('other result types and errors', () => {
  it('reads an instant vector', () => {
    const sink = read(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { __name__: 'DCGM_FI_DEV_FB_USED', gpu: '3' }, value: [1700000000, '1024'] }] },
      }),
    );
    expect(sink.samples).toEqual([
      { ts: 1700000000000000, node: null, gpu: '3', job: null, field: 'DCGM_FI_DEV_FB_USED', value: 1024, labels: undefined },
    ]);
  });

  it('names series without __name__ and reads scalars', () => {
    const sink = read(
      [
        JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { gpu: '0' }, value: [1700000000, '0.5'] }] } }),
        JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '7'] } }),
      ].join('\n'),
    );
    expect(sink.samples.map((s) => [s.field, s.value])).toEqual([
      ['(unnamed)', 0.5],
      ['(scalar)', 7],
    ]);
    expect(sink.records.map((r) => r.line)).toEqual([1, 2]);
  });

  it('quarantines an API error once, with its text', () => {
    const sink = read('{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": parse error"}');
    expect(sink.records).toEqual([]);
    expect(sink.quarantined).toHaveLength(1);
    expect(sink.quarantined[0]?.reason).toBe('prometheus api: Prometheus API error (bad_data): invalid parameter "query": parse error');
  });

  it('quarantines invalid JSON and oversize documents once', () => {
    expect(read('{"status": "success", "data": {').quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/^prometheus api: invalid JSON/),
    ]);
    const big = read(`{"status":"success",\n"data":{"resultType":"matrix","result":[]},\n"pad":"${'x'.repeat(200)}"}`, {
      ...DEFAULT_READER_LIMITS,
      maxDocumentBytes: 100,
    });
    expect(big.quarantined).toHaveLength(1);
    expect(big.quarantined[0]?.reason).toMatch(/larger than 100 bytes/);
    expect(big.quarantined[0]?.line).toBe(1);
  });

  it('quarantines bad points and timestamps out of range, per point', () => {
    const sink = read(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [{ metric: { __name__: 'x' }, values: [[1, '1'], ['abc', '1'], [1700000000], 5, [1700000000, '1']] }],
        },
      }),
    );
    expect(sink.records).toHaveLength(1);
    expect(sink.quarantined.map((q) => q.reason)).toEqual([
      'prometheus api: x: timestamp 1 outside the accepted range',
      'prometheus api: x: timestamp "abc" is not a number',
      'prometheus api: x: point is not a [timestamp, value] pair',
      'prometheus api: x: point is not a [timestamp, value] pair',
    ]);
  });

  it('reads documents that are not Prometheus responses as one quarantined record', () => {
    expect(read('[1,2,3]').quarantined.map((q) => q.reason)).toEqual(['prometheus api: not a Prometheus API response (not a JSON object)']);
    expect(read('{"a":1}').quarantined.map((q) => q.reason)).toEqual(['prometheus api: not a Prometheus API response (no data.resultType)']);
    expect(read('   \n\n').read).toBe(0);
  });
});
