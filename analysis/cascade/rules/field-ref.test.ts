import { describe, expect, it } from 'vitest';
import { compileFieldRef, sameFieldValue } from './field-ref.js';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import { actorNamespace } from './event-fields.js';
import { appEvent, T0 } from './fixtures.test-support.js';

type Row = Record<string, unknown>;
const resolve = (name: string) => (/^[a-z]+$/.test(name) ? { get: (r: Row) => r[name] } : { error: `unknown field '${name}'` });

describe('fieldref', () => {
  it('compares scalars: strings without case, numbers by value; absent, null, arrays and objects never match', () => {
    expect(sameFieldValue('ml-train', 'ml-train')).toBe(true);
    expect(sameFieldValue('ML-Train', 'ml-train')).toBe(true);
    expect(sameFieldValue('ml-train', 'ml-train2')).toBe(false);
    expect(sameFieldValue(403, '403')).toBe(true);
    expect(sameFieldValue(true, true)).toBe(true);
    for (const [a, b] of [[undefined, undefined], [null, null], [['a'], ['a']], [{}, {}], [NaN, NaN], ['a', undefined]] as const) expect(sameFieldValue(a, b)).toBe(false);
  });

  it('compiles one or several referenced fields (any of them), and refuses bad references', () => {
    const one = compileFieldRef(['fieldref'], 'b', (r: Row) => r.a, resolve);
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    expect(one.pred({ a: 'x', b: 'X' })).toBe(true);
    expect(one.pred({ a: 'x', b: 'y' })).toBe(false);
    expect(one.pred({ a: 'x' })).toBe(false);
    expect(one.test.matchesAbsent).toBe(false);
    const many = compileFieldRef(['fieldref'], ['b', 'c'], (r: Row) => r.a, resolve);
    expect(many.ok && many.pred({ a: 'x', b: 'y', c: 'x' })).toBe(true);
    expect(compileFieldRef(['fieldref', 'contains'], 'b', (r: Row) => r.a, resolve)).toMatchObject({ ok: false, error: expect.stringContaining('contains') });
    expect(compileFieldRef(['fieldref'], 'B-1', (r: Row) => r.a, resolve)).toMatchObject({ ok: false, error: expect.stringContaining('unknown field') });
    expect(compileFieldRef(['fieldref'], 3, (r: Row) => r.a, resolve)).toMatchObject({ ok: false });
    expect(compileFieldRef(['fieldref'], [], (r: Row) => r.a, resolve)).toMatchObject({ ok: false });
  });

  it('works in a rule file, and a bad reference is a load error naming the file and line', () => {
    const rule = (ref: string) => `id: MLS-K8S-901\ntitle: t\nseverity: low\nfamily: k8s-misconfig\nphase: recon\ndecision: escalate\ndetection:\n  sel:\n    namespace|fieldref: ${ref}\n  condition: sel\n`;
    const good = loadRuleSet([{ path: 'mlshield/t.yaml', text: rule('actorNamespace') }]);
    expect(good.errors, JSON.stringify(good.errors)).toEqual([]);
    const e = createRuleEngine(good.rules);
    expect(e.evaluate(appEvent(T0, 'x', { namespace: 'a', actor: 'system:serviceaccount:a:sa' }))).toHaveLength(1);
    expect(e.evaluate(appEvent(T0, 'x', { namespace: 'a', actor: 'system:serviceaccount:b:sa' }))).toHaveLength(0);
    const bad = loadRuleSet([{ path: 'mlshield/t.yaml', text: rule('nosuchfield') }]);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatchObject({ file: 'mlshield/t.yaml', line: expect.any(Number) });
    expect(bad.errors[0]!.message).toMatch(/fieldref.*unknown/);
  });
});

describe('actorNamespace', () => {
  it("is a service account's namespace, else null", () => {
    const ns = (actor: string | null) => actorNamespace(appEvent(T0, 'x', { actor }));
    expect(ns('system:serviceaccount:ml-train:default-editor')).toBe('ml-train');
    expect(ns('system:serviceaccount:ml-train')).toBeNull();
    expect(ns('system:serviceaccount::x')).toBeNull();
    expect(ns(`system:serviceaccount:${'n'.repeat(64)}:x`)).toBeNull();
    expect(ns('oidc:alice@corp.example')).toBeNull();
    expect(ns('system:node:gpu-1')).toBeNull();
    expect(ns(null)).toBeNull();
  });
});
