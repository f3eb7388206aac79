import { describe, expect, it } from 'vitest';
import { SeriesLabels, stripPort } from './dcgm-labels.js';

function identityOf(pairs: Array<[string, string]>) {
  const c = new SeriesLabels();
  for (const [k, v] of pairs) expect(c.add(k, v)).toBe(true);
  return c.identity();
}

describe('SeriesLabels', () => {
  it('moves Hostname and gpu into node and gpu and keeps every other label', () => {
    expect(identityOf([['gpu', '1'], ['UUID', 'GPU-9'], ['Hostname', 'h'], ['pci_bus_id', '00000000:3B:00.0']])).toEqual({
      node: 'h',
      gpu: '1',
      job: null,
      labels: { UUID: 'GPU-9', pci_bus_id: '00000000:3B:00.0' },
    });
  });

  it('rejects duplicate names, including the intercepted ones', () => {
    const c = new SeriesLabels();
    expect(c.add('gpu', '0')).toBe(true);
    expect(c.add('gpu', '1')).toBe(false);
    expect(c.add('a', '1')).toBe(true);
    expect(c.add('a', '2')).toBe(false);
  });

  it('stores a __proto__ label as data, not as a prototype', () => {
    const id = identityOf([['__proto__', 'x']]);
    expect(Object.getPrototypeOf(id.labels)).toBe(Object.prototype);
    expect(Object.keys(id.labels ?? {})).toEqual(['__proto__']);
    expect(JSON.stringify(id.labels)).toBe('{"__proto__":"x"}');
  });

  it('derives the job from the workload pod, preferring exported_* over the scraper target labels', () => {
    expect(identityOf([['pod', 'train-7d9f8b6c5d-x2k4q'], ['namespace', 'ml']]).job).toBe('ml/train');
    expect(identityOf([['pod', 'dcgm-exporter-abcde'], ['namespace', 'gpu-operator'], ['exported_pod', 'bert-master-0'], ['exported_namespace', 'nlp']]).job).toBe('nlp/bert');
    expect(identityOf([['pod', ''], ['namespace', 'ml']]).job).toBeNull();
  });

  it('treats an empty gpu as unknown', () => {
    expect(identityOf([['gpu', ''], ['GPU_I_ID', '3']]).gpu).toBeNull();
  });
});

describe('stripPort', () => {
  it('removes ports from host, IPv4 and bracketed IPv6, keeps bare IPv6', () => {
    expect(stripPort('node-1:9400')).toBe('node-1');
    expect(stripPort('10.0.0.1:9400')).toBe('10.0.0.1');
    expect(stripPort('[fe80::1]:9400')).toBe('fe80::1');
    expect(stripPort('fe80::1')).toBe('fe80::1');
    expect(stripPort('node-1')).toBe('node-1');
  });
});
