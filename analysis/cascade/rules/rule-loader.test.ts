import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';

const sigma = (detection: string, extra = ''): string => `title: T
id: 11111111-2222-3333-4444-555555555555
logsource:
  product: kubernetes
  service: audit
detection:
${detection}
level: high
${extra}`;

function one(text: string, path = 'rules/x.yml') {
  return loadRuleSet([{ path, text }]);
}

describe('loadRuleSet errors name file and line', () => {
  it('bad YAML', () => {
    const r = one('title: T\nid: x\n  bad: indentation\n', 'a.yml');
    expect(r.rules).toEqual([]);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]).toMatchObject({ file: 'a.yml', line: 2 });
    expect(r.errors[0]!.message).toMatch(/^YAML: /);
  });

  it('duplicate keys are a YAML error', () => {
    const r = one('a: 1\na: 2\n');
    expect(r.errors[0]).toMatchObject({ line: 2 });
    expect(r.errors[0]!.message).toMatch(/unique/i);
  });

  it('unknown modifier, at the field line', () => {
    const r = one(sigma('  selection:\n    verb: create\n    requestURI|bogus: x\n  condition: selection'));
    expect(r.errors).toEqual([{ file: 'rules/x.yml', line: 9, message: "11111111-2222-3333-4444-555555555555: requestURI|bogus: unknown modifier 'bogus'" }]);
  });

  it('bad condition, at the condition line', () => {
    const r = one(sigma('  selection:\n    verb: create\n  condition: selection and (not'));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 9 });
    expect(r.errors[0]!.message).toMatch(/condition: condition ends too early/);
    const r2 = one(sigma('  selection:\n    verb: create\n  condition: selection or nosuch'));
    expect(r2.errors[0]!.message).toMatch(/unknown selection 'nosuch'/);
    const r3 = one(sigma('  selection:\n    verb: create\n  condition: selection | count() by user > 5'));
    expect(r3.errors[0]!.message).toMatch(/aggregation pipes/);
    const r4 = one(sigma('  selection:\n    verb: create\n  condition: 1 of filter*'));
    expect(r4.errors[0]!.message).toMatch(/'filter\*' matches no selection/);
  });

  it('schema errors point at the offending key', () => {
    const r = one(sigma('  selection:\n    verb: create\n  condition: selection').replace('level: high', 'level: severe'));
    expect(r.errors[0]).toMatchObject({ line: 10 });
    expect(r.errors[0]!.message).toMatch(/level/);
    const m = one('id: MLS-X-001\ntitle: t\nseverity: high\nfamily: nosuch\ndetection:\n  s: {action: get}\n  condition: s\n');
    expect(m.errors[0]).toMatchObject({ line: 4 });
    expect(m.errors[0]!.message).toMatch(/^MLS-X-001: family:/);
  });

  it('bad regex, bad CIDR, bad numeric modifier value', () => {
    expect(one(sigma("  s:\n    requestURI|re: '(unclosed'\n  condition: s")).errors[0]!.message).toMatch(/invalid regular expression/);
    // A repetition inside a repetition: exponential backtracking on a hostile audit field, refused with the rule's line.
    const redos = one(sigma("  s:\n    requestURI|re: '^(?:[a-z]+/?)*$'\n  condition: s"));
    expect(redos.errors[0]!.message).toMatch(/repeats a repetition \(\(\?:\[a-z\]\+\/\?\)\*\)/);
    expect(redos.errors[0]!.line).toBeGreaterThan(0);
    expect(one(sigma("  s:\n    sourceIPs|cidr: '10.0.0.0/33'\n  condition: s")).errors[0]!.message).toMatch(/invalid CIDR/);
    expect(one(sigma("  s:\n    responseStatus.code|gt: 'x'\n  condition: s")).errors[0]!.message).toMatch(/needs a number/);
    expect(one(sigma('  s:\n    verb|contains|startswith: x\n  condition: s')).errors[0]!.message).toMatch(/cannot be combined/);
    expect(one(sigma('  s:\n    verb|i: x\n  condition: s')).errors[0]!.message).toMatch(/only valid after 're'/);
  });

  it('unsupported logsource and unknown document kinds', () => {
    const r = one(sigma('  s:\n    verb: x\n  condition: s').replace('product: kubernetes', 'product: windows'));
    expect(r.errors[0]!.message).toMatch(/unsupported logsource/);
    expect(r.errors[0]!.line).toBe(3);
    expect(one('foo: bar\n').errors[0]!.message).toMatch(/not a rule/);
    expect(one('- a\n- b\n').errors[0]!.message).toMatch(/mapping/);
  });

  it('unknown MLShield event field', () => {
    const r = one('id: MLS-X-001\ntitle: t\nseverity: high\nfamily: benign\ndetection:\n  s:\n    verbb: get\n  condition: s\n');
    expect(r.errors[0]).toMatchObject({ line: 7 });
    expect(r.errors[0]!.message).toMatch(/unknown event field 'verbb'/);
  });

  it('duplicate ids across files', () => {
    const text = sigma('  s:\n    verb: x\n  condition: s');
    const r = loadRuleSet([{ path: 'a.yml', text }, { path: 'b.yml', text }]);
    expect(r.rules).toHaveLength(1);
    expect(r.errors).toEqual([{ file: 'b.yml', line: 2, message: '11111111-2222-3333-4444-555555555555: duplicate rule id (first defined in a.yml:1)' }]);
  });

  it('several documents: a bad one does not stop the good ones, lines are per document', () => {
    const good = sigma('  s:\n    verb: x\n  condition: s');
    const bad = good.replace('11111111', '99999999').replace('verb: x', 'verb|nope: x');
    const r = one(`${good}---\n${bad}`);
    expect(r.rules).toHaveLength(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(10 + 9);
  });

  it('windash loads with a warning; deprecated status warns; missing level warns', () => {
    const r = one(sigma("  s:\n    requestURI|windash|contains: '-x'\n  condition: s", 'status: deprecated'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/windash.*ignored/);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/deprecated/);
    expect(r.warnings.find((w) => /windash/.test(w.message))!.line).toBe(8);
    expect(one(sigma('  s:\n    verb: x\n  condition: s').replace('level: high\n', '')).warnings.some((w) => /no 'level'/.test(w.message))).toBe(true);
  });

  it('Sigma collections (action: global) are refused', () => {
    expect(one('action: global\ntitle: x\n').errors[0]!.message).toMatch(/collections/);
  });

  it('stateful MLShield rule checks', () => {
    const base = 'id: MLS-X-001\ntitle: t\nseverity: high\nfamily: benign\ndetection:\n  s: {action: get}\n  condition: s\n';
    expect(one(base + 'window: {by: [actor], size: 10m, threshold: {count: 2, distinct: 3}}\n').errors[0]!.message).toMatch(/exactly one of/);
    expect(one(base + 'window: {by: [actor], size: 10m, threshold: {distinct: 3}}\n').errors[0]!.message).toMatch(/needs 'distinct/);
    expect(one(base + 'window: {by: [actor], size: 10x, threshold: {count: 3}}\n').errors[0]!.message).toMatch(/duration/);
    expect(one(base + 'window: {by: [nosuch], size: 10m, threshold: {count: 3}}\n').errors[0]!.message).toMatch(/unknown event field/);
    expect(one(base + 'window: {by: [actor], size: 10m, threshold: {count: 99999}}\n').errors[0]!.message).toMatch(/4096/);
    expect(one(base + 'decision: clear\nwindow: {by: [actor], size: 10m, threshold: {count: 3}}\n').errors[0]!.message).toMatch(/stateless/);
    const seq = 'id: MLS-X-002\ntitle: t\nseverity: high\nfamily: benign\ndetection:\n  a: {action: get}\n  b: {action: put}\nsequence: {by: [job], within: 1h, steps: [a, c]}\n';
    const e = one(seq).errors[0]!;
    expect(e.message).toMatch(/unknown selection 'c'/);
    expect(e.line).toBe(8);
  });

  it('spec errors', () => {
    const spec = 'kind: BehaviouralSpec\nid: SPEC-X\ntitle: t\nselector: {jobs: [a]}\n';
    expect(one(spec.replace('{jobs: [a]}', '{}')).errors[0]!.message).toMatch(/selector needs/);
    expect(one(spec + 'egress: {allow: ["has space"]}\n').errors[0]!.message).toMatch(/invalid egress entry/);
    expect(one(spec + 'overrides: {nosuch: {severity: low}}\n').errors[0]!.message).toMatch(/unknown spec field 'nosuch'/);
    expect(one(spec + 'gpu: {utilization: {min: 90, max: 10}}\n').errors[0]!.message).toMatch(/min must not exceed max/);
    expect(one(spec + 'bogus: 1\n').errors[0]).toMatchObject({ line: 0 + 1 });
    expect(one(spec).errors).toEqual([]);
  });

  it('never throws on hostile input', () => {
    expect(() => loadRuleSet([{ path: 'x', text: 'a: &a [*a, *a]\n' }])).not.toThrow();
    expect(() => loadRuleSet([{ path: 'x', text: '\u0000\uffff: [' }])).not.toThrow();
    expect(loadRuleSet([{ path: 'big', text: 'x'.repeat((1 << 20) + 1) }]).errors[0]!.message).toMatch(/larger than/);
    expect(loadRuleSet([{ path: 'empty', text: '' }])).toEqual({ rules: [], errors: [], warnings: [] });
    expect(loadRuleSet([{ path: 'comment', text: '# nothing\n---\n' }]).errors).toEqual([]);
  });
});
