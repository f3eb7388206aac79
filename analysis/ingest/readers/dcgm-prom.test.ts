import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { createDcgmPromReader } from './dcgm-prom.js';
import { feedLines, RecordingSink } from './dcgm-recording-sink.js';

const FALLBACK = Date.UTC(2024, 0, 15, 12, 0, 0) * 1000;
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function read(text: string, interval?: number): RecordingSink {
  const sink = new RecordingSink();
  feedLines(createDcgmPromReader(sink, DEFAULT_READER_LIMITS, { fallbackTs: FALLBACK, scrapeIntervalUs: interval }), text);
  return sink;
}

/** Independent count of sample lines: non-blank lines not starting with '#'. */
function sampleLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length;
}

describe('dcgm-exporter corpus files', () => {
  for (const name of ['datadog__dcgm_metrics.txt', 'datadog__dcgm_docker_serve_metrics.txt', 'netdata__dcgm_metrics_non_dcgm.prom']) {
    it(`reads every sample line of ${name}`, () => {
      const text = fixture(name);
      const sink = read(text);
      expect(sink.read).toBe(sink.records.length + sink.quarantined.length);
      expect(sink.quarantined).toEqual([]);
      expect(sink.records.length).toBe(sampleLines(text));
      expect(sink.samples.length).toBe(sampleLines(text));
      // One scrape without timestamps: every sample at the fallback time, marked inferred.
      for (const s of sink.samples) {
        expect(s.ts).toBe(FALLBACK);
        expect(s.labels?.['ts_inferred']).toBe('1');
      }
    });
  }

  it('keeps Hostname, gpu and UUID of a T4 sample in datadog__dcgm_metrics.txt', () => {
    const sink = read(fixture('datadog__dcgm_metrics.txt'));
    const power = sink.samples.find((s) => s.field === 'DCGM_FI_DEV_POWER_USAGE');
    expect(power).toMatchObject({
      node: '424773df46e0',
      gpu: '0',
      job: null,
      value: 8.969,
      labels: {
        UUID: 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e',
        device: 'nvidia0',
        modelName: 'Tesla T4',
        DCGM_FI_DRIVER_VERSION: '460.106.00',
        DCGM_FI_PROCESS_NAME: '/usr/bin/dcgm-exporter',
      },
    });
    expect(power?.labels?.['Hostname']).toBeUndefined();
    const energy = sink.samples.find((s) => s.field === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
    expect(energy?.value).toBe(128996013);
    const fbFree = sink.samples.find((s) => s.field === 'DCGM_FI_DEV_FB_FREE');
    expect(fbFree?.value).toBe(15109);
  });

  it('reads the second host, unlabelled PROF lines and the A10G pod line', () => {
    const sink = read(fixture('datadog__dcgm_metrics.txt'));
    const slowdown = sink.samples.find((s) => s.field === 'DCGM_FI_DEV_SLOWDOWN_TEMP');
    expect(slowdown).toMatchObject({ node: '551bdf382151', gpu: '0', value: 93 });
    expect(slowdown?.labels?.['DCGM_FI_DEV_SERIAL']).toBe('1565220008176');
    const fan = sink.samples.find((s) => s.field === 'DCGM_FI_DEV_FAN_SPEED');
    expect(fan).toMatchObject({ node: null, gpu: null, job: null, value: 0, labels: { ts_inferred: '1' } });
    const dram = sink.samples.find((s) => s.field === 'DCGM_FI_PROF_DRAM_ACTIVE');
    expect(dram).toMatchObject({
      node: 'ip-11111',
      gpu: '0',
      job: 'ray-llm/ray',
      value: 0.000003,
      labels: { pod: 'ray-1111111', namespace: 'ray-llm', container: 'ray-worker', modelName: 'NVIDIA A10G' },
    });
    const hosts = new Set(sink.samples.map((s) => s.node));
    expect(hosts).toEqual(new Set(['424773df46e0', '551bdf382151', 'ip-11111', null]));
  });

  it('keeps non-DCGM metrics by name', () => {
    const sink = read(fixture('netdata__dcgm_metrics_non_dcgm.prom'));
    expect(sink.samples).toEqual([
      { ts: FALLBACK, node: null, gpu: null, job: null, field: 'process_cpu_seconds_total', value: 12, labels: { ts_inferred: '1' } },
    ]);
  });
});

describe('Prometheus text tokenizer', () => {
  it('reads quoted label values holding commas, =, } and escapes', () => {
    const sink = read(String.raw`m{a="x,y=z}",b="say \"hi\"",c="back\\slash",d="two\nlines",gpu="1",} 5 1700000000000`);
    expect(sink.quarantined).toEqual([]);
    expect(sink.samples[0]).toEqual({
      ts: 1700000000000 * 1000,
      node: null,
      gpu: '1',
      job: null,
      field: 'm',
      value: 5,
      labels: { a: 'x,y=z}', b: 'say "hi"', c: 'back\\slash', d: 'two\nlines' },
    });
  });

  it('accepts blanks inside braces, empty braces and OpenMetrics seconds with exemplars', () => {
    const sink = read(['m { a = "1" , b="2" } 1', 'n{} 2', 'o 3 1700000000.5 # {trace_id="abc"} 1'].join('\n'));
    expect(sink.quarantined).toEqual([]);
    expect(sink.samples.map((s) => s.labels)).toEqual([{ a: '1', b: '2', ts_inferred: '1' }, { ts_inferred: '1' }, undefined]);
    expect(sink.samples[2]?.ts).toBe(1700000000500000);
  });

  it('reads Prometheus 3 quoted metric names', () => {
    const sink = read('{"dcgm.gpu.util", gpu="3"} 7');
    expect(sink.samples[0]).toMatchObject({ field: 'dcgm.gpu.util', gpu: '3', value: 7 });
  });

  it('reuses parsed label sets without changing what a line means', () => {
    const sink = read(
      [
        'a{gpu="0",UUID="GPU-1"} NaN 1700000000000',
        'b{gpu="0",UUID="GPU-1"} 2 1700000000000',
        'c{gpu="0",UUID="GPU-1"} 3 1700000000000 # {trace_id="t"} 1',
        'c{gpu="0",UUID="GPU-1"} 3 1700000000000 # {trace_id="t"} 1',
        '{"q", gpu="0"} 4 1700000000000',
        'm{"q", gpu="0"} 5 1700000000000',
        'd{gpu="0",UUID="GPU-1"} 6',
      ].join('\n'),
    );
    expect(sink.samples.map((s) => [s.field, s.gpu, s.value, s.labels])).toEqual([
      ['a', '0', null, { UUID: 'GPU-1', raw: 'NaN' }],
      ['b', '0', 2, { UUID: 'GPU-1' }],
      ['c', '0', 3, { UUID: 'GPU-1' }],
      ['c', '0', 3, { UUID: 'GPU-1' }],
      ['q', '0', 4, undefined],
      ['d', '0', 6, { UUID: 'GPU-1', ts_inferred: '1' }],
    ]);
    expect(sink.quarantined.map((q) => q.line)).toEqual([6]);
  });

  it('quarantines malformed lines with a precise reason', () => {
    const bad = [
      'm{a="1" 5',
      'm{a=1} 5',
      'm{a="1",a="2"} 5',
      'm{a="\\x"} 5',
      'm{9a="1"} 5',
      'm{a="1"} five',
      'm{a="1"}',
      'm{a="1"} 5 notatime',
      'm{a="1"} 5 1700000000000 extra',
      'm 5 99999999999999',
      '{a="1"} 5',
      'm{a="unterminated} 5',
    ];
    const sink = read(bad.join('\n'));
    expect(sink.records).toEqual([]);
    expect(sink.quarantined.map((q) => q.line)).toEqual(bad.map((_, i) => i + 1));
    const reasons = sink.quarantined.map((q) => q.reason);
    expect(reasons[0]).toMatch(/expected ',' or '}'/);
    expect(reasons[1]).toMatch(/expected '"' to open the value of label "a"/);
    expect(reasons[2]).toMatch(/duplicate label "a"/);
    expect(reasons[3]).toMatch(/invalid escape '\\x'/);
    expect(reasons[4]).toMatch(/expected a label name/);
    expect(reasons[5]).toMatch(/value "five" is not a number/);
    expect(reasons[6]).toMatch(/missing value/);
    expect(reasons[7]).toMatch(/timestamp "notatime" is not a number/);
    expect(reasons[8]).toMatch(/unexpected text after the timestamp/);
    expect(reasons[9]).toMatch(/outside the accepted range/);
    expect(reasons[10]).toMatch(/missing metric name/);
    expect(reasons[11]).toMatch(/unterminated/);
    expect(sink.quarantined[0]?.head).toBe('m{a="1" 5');
  });

  it('uses byte offsets of the input lines', () => {
    const sink = read('# HELP é\nm 1\nn 2\r\no 3');
    expect(sink.records.map((r) => [r.line, r.offset])).toEqual([
      [2, 10], // '# HELP é\n' is 10 bytes
      [3, 14],
      [4, 19],
    ]);
  });
});

describe('values', () => {
  it('stores DCGM blank sentinels as null and keeps the record', () => {
    const lines = [
      'a 9223372036854775792',
      'b 9223372036854775794',
      'c 9223372036854775807',
      'd 2147483632',
      'e 2147483635',
      'f 140737488355328.000000',
      'g 140737488355331',
      'h 9223372036854775791',
      'i 2147483636',
      'j 140737488355332',
    ];
    const sink = read(lines.join('\n'));
    expect(sink.quarantined).toEqual([]);
    expect(sink.samples.map((s) => s.value)).toEqual([null, null, null, null, null, null, null, 9223372036854775791, 2147483636, 140737488355332]);
    expect(sink.samples[0]?.labels?.['raw']).toBeUndefined();
  });

  it('stores NaN and Inf as null with the literal in labels.raw', () => {
    const sink = read('a NaN\nb +Inf\nc -Inf');
    expect(sink.samples.map((s) => [s.value, s.labels?.['raw']])).toEqual([
      [null, 'NaN'],
      [null, '+Inf'],
      [null, '-Inf'],
    ]);
  });
});

describe('scrapes and MIG', () => {
  const scrape = [
    '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).',
    '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
    'DCGM_FI_DEV_GPU_UTIL{gpu="0",Hostname="n1"} 10',
    'DCGM_FI_DEV_GPU_UTIL{gpu="1",Hostname="n1"} 20',
  ];

  it('gives two concatenated scrapes without timestamps two distinct times', () => {
    const sink = read([...scrape, ...scrape].join('\n'), 15_000_000);
    expect(sink.samples.map((s) => s.ts)).toEqual([FALLBACK, FALLBACK, FALLBACK + 15_000_000, FALLBACK + 15_000_000]);
  });

  it('detects the boundary by repeated series when HELP lines are absent', () => {
    const lines = [scrape[2], scrape[3], scrape[2], scrape[3], scrape[2]].join('\n');
    const ts = read(lines).samples.map((s) => s.ts);
    expect(new Set(ts).size).toBe(3);
    expect(ts[4]).toBe(FALLBACK + 2 * 30_000_000);
  });

  it('treats OpenMetrics # EOF as the end of a scrape', () => {
    const sink = read(['a 1', '# EOF', 'b 1', '# EOF'].join('\n'));
    expect(sink.samples.map((s) => s.ts)).toEqual([FALLBACK, FALLBACK + 30_000_000]);
  });

  it('keeps MIG instance labels and names the gpu <gpu>/<GPU_I_ID>', () => {
    const sink = read(
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="2",UUID="GPU-x",device="nvidia2",modelName="NVIDIA A100-SXM4-40GB",GPU_I_PROFILE="1g.5gb",GPU_I_ID="7",Hostname="dgx",exported_pod="trainer-worker-3",exported_namespace="ml",pod="dcgm-exporter-abcde",namespace="gpu-operator"} 0.25 1700000000000',
    );
    expect(sink.samples[0]).toMatchObject({
      node: 'dgx',
      gpu: '2/7',
      job: 'ml/trainer',
      labels: { GPU_I_ID: '7', GPU_I_PROFILE: '1g.5gb', UUID: 'GPU-x' },
    });
  });

  it('takes the node from hostname or from instance without its port', () => {
    const sink = read('a{hostname="h1"} 1\nb{instance="10.0.0.5:9400"} 1\nc{instance="[fe80::1]:9400"} 1');
    expect(sink.samples.map((s) => s.node)).toEqual(['h1', '10.0.0.5', 'fe80::1']);
  });
});
