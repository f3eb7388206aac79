/**
 * `cidr` tests over an address with two readings (`010.1.2.3`: 10.1.2.3 decimal, 8.1.2.3 to URL
 * parsers, curl, inet_aton): a rule hits when it would under either reading — a selection fires
 * on either, an exemption under `not` must hold in both (field-test.ts `CidrReadings`).
 */
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRulesFrom } from '../rule-files.js';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import { compileFieldTest } from './field-test.js';
import { appEvent, MIN, T0 } from './fixtures.test-support.js';
import { mulberry32 } from '../../core/mulberry32.js';

const shipped = loadRulesFrom([defaultRulesDir()!]).rules;

function engineFor(yaml: string) {
  const set = loadRuleSet([{ path: 'r.yaml', text: yaml }]);
  if (set.errors.length) throw new Error(JSON.stringify(set.errors));
  return createRuleEngine(set.rules);
}

const head = (id: string) => `id: ${id}\ntitle: t\nseverity: high\nfamily: weight-exfil\nphase: exfiltration\n`;

describe('MLS-EXFIL-030/031 internal-IP exemption over both readings', () => {
  const ids = (destination: string): string[] => {
    const eng = createRuleEngine(shipped);
    const e = appEvent(T0, 'http_post', { job: 'train-1', namespace: 'ml' }, { destination, bytes: 2 ** 31 });
    return eng.evaluate(e).map((h) => h.ruleId);
  };

  it('a public address alerts; a leading-zero quad that URL clients send to a public address alerts too', () => {
    expect(ids('http://8.1.2.3/up')).toEqual(expect.arrayContaining(['MLS-EXFIL-030', 'MLS-EXFIL-031']));
    expect(ids('http://010.1.2.3/up')).toEqual(expect.arrayContaining(['MLS-EXFIL-030', 'MLS-EXFIL-031']));
    expect(ids('https://010.001.002.003:443/up')).toEqual(expect.arrayContaining(['MLS-EXFIL-030', 'MLS-EXFIL-031']));
  });

  it('internal in every reading stays exempt', () => {
    for (const d of ['http://10.1.2.3/up', 'http://10.010.1.2/up', 'http://10.0.0.010/up', 'http://192.168.01.010/up']) {
      const got = ids(d);
      expect(got, d).not.toContain('MLS-EXFIL-030');
      expect(got, d).not.toContain('MLS-EXFIL-031');
    }
  });
});

describe('cidr polarity in hand-written rules', () => {
  it('a deny-style selection fires on either reading', () => {
    const eng = engineFor(head('MLS-TEST-001') + 'detection:\n  s:\n    action: upload\n    destinationHost|cidr: 8.0.0.0/8\n  condition: s\n');
    expect(eng.evaluate(appEvent(T0, 'upload', {}, { destination: 'http://010.1.2.3/up' }))).toHaveLength(1);
    expect(eng.evaluate(appEvent(T0, 'upload', {}, { destination: 'http://8.1.2.3/up' }))).toHaveLength(1);
    expect(eng.evaluate(appEvent(T0, 'upload', {}, { destination: 'http://10.1.2.3/up' }))).toHaveLength(0);
  });

  it('an exemption holds when each reading is in some listed block', () => {
    const eng = engineFor(
      head('MLS-TEST-002') + "detection:\n  s: {action: upload}\n  f:\n    destinationHost|cidr: [10.0.0.0/8, 8.0.0.0/8]\n  condition: s and not f\n",
    );
    expect(eng.evaluate(appEvent(T0, 'upload', {}, { destination: 'http://010.1.2.3/up' }))).toHaveLength(0);
    expect(eng.evaluate(appEvent(T0, 'upload', {}, { destination: 'http://0110.1.2.3/up' }))).toHaveLength(1); // 110 / 72
  });

  it('stateful rules see each event once (a count over ambiguous destinations)', () => {
    const eng = engineFor(
      head('MLS-TEST-003') +
        "detection:\n  s: {action: upload}\n  f: {destinationHost|cidr: '10.0.0.0/8'}\n  condition: s and not f\nwindow: {by: [job], size: 10m, threshold: {count: 3}}\n",
    );
    const fire = (i: number) => eng.evaluate(appEvent(T0 + i * MIN, 'upload', { job: 'j' }, { destination: 'http://010.1.2.3/up' })).length;
    expect([fire(0), fire(1), fire(2), fire(3)]).toEqual([0, 0, 1, 1]);
  });
});

describe('compileFieldTest cidr readings', () => {
  const any = compileFieldTest(['cidr'], ['10.0.0.0/8']);
  const every = compileFieldTest(['cidr'], ['10.0.0.0/8'], 'every');
  const all = compileFieldTest(['cidr', 'all'], ['10.0.0.0/8', '10.1.0.0/16'], 'every');
  if (!any.ok || !every.ok || !all.ok) throw new Error('compile');

  it('reads unambiguous addresses as before and ambiguous ones by mode', () => {
    for (const t of [any.test, every.test]) {
      expect(t.matches('10.1.2.3')).toBe(true);
      expect(t.matches('8.1.2.3')).toBe(false);
      expect(t.matches('10.0.0.010')).toBe(true);
      expect(t.matches(undefined)).toBe(false);
      expect(t.matches('not-an-ip')).toBe(false);
      // Hex and integer forms have one reading, the URL parser's (10.1.2.3 here).
      expect(t.matches('0x0a.1.2.3')).toBe(true);
      expect(t.matches('167838211')).toBe(true);
      expect(t.matches('0x08.1.2.3')).toBe(false);
    }
    expect(any.test.matches('010.1.2.3')).toBe(true);
    expect(every.test.matches('010.1.2.3')).toBe(false);
    expect(any.test.matches('0010.1.2.3')).toBe(true); // decimal 10.1.2.3, octal 8.1.2.3
    expect(any.test.matches('012.1.2.3')).toBe(true); // octal 10.1.2.3, decimal 12.1.2.3
    expect(every.test.matches('012.1.2.3')).toBe(false);
  });

  it('all: every block, per reading mode', () => {
    expect(all.test.matches('10.1.2.3')).toBe(true);
    expect(all.test.matches('10.01.2.3')).toBe(true);
    expect(all.test.matches('10.010.2.3')).toBe(false);
  });

  it('fuzz: no throw on mutated quads, every implies any', () => {
    const rnd = mulberry32(7);
    const alphabet = '0123456789.x:abf';
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const n = 1 + Math.floor(rnd() * 20);
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const e = every.test.matches(s);
      const a = any.test.matches(s);
      if (e) expect(a, s).toBe(true);
    }
  });
});
