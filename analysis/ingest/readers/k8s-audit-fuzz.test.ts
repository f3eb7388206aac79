import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { createAuditReader } from './k8s-audit.js';
import { feed, nonBlankLines, RecordingSink, seededRandom } from './k8s-audit-testkit.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const text = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

const REAL_LINES = [
  ...text('audit2rbac__demo.log').split('\n'),
  ...text('falco__create_configmap_sensitive_values.json').split('\n'),
  text('falco__exec_pod.json'),
  text('falco__create_nginx_pod_privileged.json'),
  text('falco__fal_01_003.json'),
]
  .map((l) => l.trim())
  .filter(Boolean);
const EXEC = REAL_LINES.find((l) => l.includes('"subresource":"exec"'))!;
const SEEDS = [
  ...REAL_LINES,
  JSON.stringify({ '@message': EXEC, '@logStream': 'kube-apiserver-audit-1' }),
  JSON.stringify({ category: 'kube-audit', properties: { log: EXEC } }),
  JSON.stringify({ log: JSON.parse(EXEC) as unknown }),
  JSON.stringify({
    timestamp: '2024-03-05T08:09:10Z',
    protoPayload: { methodName: 'io.k8s.core.v1.pods.exec.create', resourceName: 'core/v1/namespaces/ml/pods/p-0/exec', status: {} },
  }),
];

const ALPHABET = '{}[]":,\\ \t\r\n0123456789eE.+-truefalsenull\u00e9\u{1F600}\uFEFF\u2028';

function mutate(line: string, rnd: () => number): string {
  let s = line;
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const r = rnd();
    if (r < 0.25) s = s.slice(0, at); // truncation
    else if (r < 0.45) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20)); // deletion
    else if (r < 0.7) s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + s.slice(at + 1); // replacement
    else if (r < 0.85) s = s.slice(0, at) + s.slice(Math.max(0, at - 30), at) + s.slice(at); // duplication of a span
    else s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x80)) + s.slice(at); // inserted ASCII, controls included
  }
  return s;
}

describe('createAuditReader fuzz', () => {
  it('JSONL: 5,000 mutated inputs, no throw, exactly one sink call per non-blank line', () => {
    const rnd = seededRandom(0x5eed);
    for (let iter = 0; iter < 5000; iter++) {
      const lines: string[] = [];
      const n = 1 + Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) {
        const seed = SEEDS[Math.floor(rnd() * SEEDS.length)]!;
        const r = rnd();
        if (r < 0.6) lines.push(mutate(seed, rnd));
        else if (r < 0.7) lines.push(seed, seed); // duplicated line
        else lines.push(seed);
      }
      const input = Buffer.from(lines.join(rnd() < 0.5 ? '\n' : '\r\n'), 'utf8');
      // Byte-level damage too: the splitter hands over valid UTF-8, U+FFFD where bytes were bad.
      if (rnd() < 0.2) input[Math.floor(rnd() * input.length)] = Math.floor(rnd() * 256);
      const sink = new RecordingSink();
      expect(() => feed(createAuditReader(sink, DEFAULT_READER_LIMITS), input)).not.toThrow();
      expect(sink.calls, `iteration ${iter}`).toBe(nonBlankLines(input));
      for (const e of sink.events) expect(typeof e.action).toBe('string');
    }
  });

  it('documents: mutated pretty-printed events and lists never throw, every line accounted at most once', () => {
    const rnd = seededRandom(42);
    const objects = REAL_LINES.slice(0, 12).map((l) => JSON.parse(l) as unknown);
    for (let iter = 0; iter < 600; iter++) {
      const pick = objects.slice(0, 1 + Math.floor(rnd() * 4));
      const doc = rnd() < 0.5 ? JSON.stringify(pick, null, 2) : pick.map((o) => JSON.stringify(o, null, 1)).join('\n');
      const lines = doc.split('\n');
      const k = Math.floor(rnd() * lines.length);
      lines[k] = mutate(lines[k]!, rnd);
      if (rnd() < 0.3) lines.splice(Math.floor(rnd() * lines.length), 1);
      const input = lines.join('\n');
      const sink = new RecordingSink();
      expect(() => feed(createAuditReader(sink, DEFAULT_READER_LIMITS), input)).not.toThrow();
      // Lines of a broken document are quarantined one by one, never twice.
      const broken = sink.quarantined.filter((q) => q.reason.startsWith('invalid JSON')).map((q) => q.line);
      expect(new Set(broken).size).toBe(broken.length);
      expect(sink.calls).toBeGreaterThan(0);
    }
  });
});
