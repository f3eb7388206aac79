/**
 * The shipped rules' regexes over exec commands that once backtracked quadratically (each
 * occurrence of a word tried against the rest of the command: ~2–8 ms on 4 KiB of crafted text,
 * the most a regex is given, field-test.ts MAX_REGEX_INPUT) now start once per command or list and
 * take their first candidate atomically (`(?=(…))\1`). These tests read the patterns from the
 * rule files as they ship and compare them, on seeded random commands over each pattern's own
 * words and separators, with the plain patterns they replaced: the same answer everywhere, except
 * where the rewrite meant to read differently (said per test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { mulberry32 } from '../../core/mulberry32.js';
import { defaultRulesDir } from '../rule-files.js';
import { execRuleIds } from './exec-events.test-support.js';

type Doc = { id: string; detection: Record<string, Record<string, unknown>> };
const docs: Doc[] = ['weight-exfil.yaml', 'data-poisoning.yaml', 'shadowray.yaml'].flatMap((f) =>
  parseAllDocuments(readFileSync(join(defaultRulesDir()!, 'mlshield', f), 'utf8')).map((d) => d.toJS() as Doc),
);

/** The shipped alternatives of one `re` selection: each list entry, or each top-level `|` part of a single pattern. */
function shipped(id: string, selection: string): RegExp[] {
  const sel = docs.find((d) => d.id === id)!.detection[selection]!;
  const [key, value] = Object.entries(sel)[0]!;
  const flags = key.split('|').includes('i') ? 'i' : '';
  return (Array.isArray(value) ? value : [value]).map((p) => new RegExp(String(p), flags));
}

/** One top-level alternative of a pattern written as `a|b|c` (no group spans a top-level bar in these). */
function alternative(re: RegExp, k: number): RegExp {
  const parts: string[] = [];
  let depth = 0;
  let cls = false;
  let start = 0;
  const s = re.source;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (cls) cls = c !== ']';
    else if (c === '[') cls = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return new RegExp(parts[k]!, re.flags);
}

/** `n` seeded random strings of 1–40 tokens from `tokens`. */
function samples(tokens: readonly string[], n: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = 1 + Math.floor(rnd() * 40);
    for (let j = 0; j < len; j++) s += tokens[Math.floor(rnd() * tokens.length)];
    out.push(s);
  }
  return out;
}

function expectSame(now: RegExp, before: RegExp, texts: readonly string[]): void {
  let held = 0;
  for (const t of texts) {
    const a = now.test(t);
    expect(a, JSON.stringify(t)).toBe(before.test(t));
    if (a) held++;
  }
  // The samples reach both answers.
  expect(held).toBeGreaterThan(texts.length / 50);
  expect(held).toBeLessThan(texts.length - texts.length / 50);
}

const SEPARATORS = [' ', ' ', ' ', ' | ', '|', ';', '&', '\n', 'x', '/'];

describe('checkpoints fed through a pipeline (MLS-EXFIL-013, MLS-EXFIL-043)', () => {
  const CKPT = ['ckpt', 'checkpoint', '.pt', '.safetensors', '.bin', 'weights', 'model', 'MODEL'];
  it('MLS-EXFIL-013 answers as the plain pattern did', () => {
    const before = /(?:ckpt|checkpoint|\.pt|\.safetensors|\.bin|weights|model)[^|;&]*\|[^;&]*\b(?:tar|cp|rsync|zip|7z|7za|gzip|pigz|bzip2|xz|zstd|lz4)\b/i;
    expectSame(shipped('MLS-EXFIL-013', 'sel_checkpoint_fed')[0]!, before, samples([...CKPT, 'tar', 'cp', 'rsync', 'zip', '7z', 'xz', 'gzip', 'xtar', ...SEPARATORS], 20_000, 13));
  });
  it('MLS-EXFIL-043 answers as the plain pattern did', () => {
    const before = /(?:ckpt|checkpoint|\.pt|\.safetensors|\.bin|\.gguf|weights|model)[^|;&]*\|[^;&]*\b(?:base64|base32|basenc|xxd|gpg|gpg2|age|openssl|split|csplit)\b/i;
    expectSame(shipped('MLS-EXFIL-043', 'sel_checkpoint_fed')[0]!, before, samples([...CKPT, '.gguf', 'base64', 'gpg', 'split', 'xxd', 'agex', ...SEPARATORS], 20_000, 43));
  });
});

describe('a packing tool given a command substitution (MLS-EXFIL-013)', () => {
  const now = shipped('MLS-EXFIL-013', 'sel_checkpoint_fed')[1]!;
  it('answers as the plain pattern did on commands with one substitution level and no other `$`', () => {
    const before = /\b(?:tar|cp|rsync|zip|7z|7za)\b[^;&|$`]*(?:\$\(|`)[^;&|)`]*(?:ckpt|checkpoint|\.pt|\.safetensors|\.bin|weights|model)/i;
    // A `$(` inside a substitution (no `)` is drawn, so it nests) is kept out: see below.
    const texts = samples(['tar', 'cp', 'zip', 'xcp', 'ckpt', '.pt', 'model', '$(', '`', ' ', ' ', 'x', ';', '&', '|', '/'], 40_000, 7).filter((t) => !/(?:\$\(|`)[^;&|)`]*\$\(/.test(t));
    expectSame(now, before, texts);
  });
  it('reads past a variable before the substitution, where the plain pattern stopped at its `$`', () => {
    expect(now.test('tar czf $OUT $(find /mnt/ckpt -name "*.pt")')).toBe(true);
    expect(now.test('tar czf $OUT $(date +%s)')).toBe(false);
  });
  it('reads a substitution up to a nested one: the nested one is read from its own start only when a packing tool precedes it there', () => {
    expect(now.test('tar czf x $(find /data $(echo /mnt/ckpt))')).toBe(false);
    expect(now.test('echo $(tar czf x $(ls /mnt/ckpt))')).toBe(true);
  });
});

describe('logs and shell history removed (MLS-POISON-006, MLS-RAY-020)', () => {
  const TOOLS = ['rm', 'shred', 'truncate', 'unlink', 'wipe', 'srm', 'xrm', 'rm'];
  const SEP = [' ', ' ', '\t', '(', 'x', ';', '&', '|', '\n', '-f '];
  /** The plain patterns let the tool's whitespace be a newline, and so read `rm` and a path on the next line as one command: kept out of the comparison. */
  const oneLine = (t: string): boolean => !/(?:rm|shred|truncate|unlink|wipe|srm)\n/.test(t);
  it('MLS-POISON-006 answers as the plain pattern did', () => {
    const before = /(?:^|[\s;&|(])(?:rm|shred|truncate|unlink|wipe|srm)\s[^;&|\n]*\/var\/log\//;
    expectSame(alternative(shipped('MLS-POISON-006', 'sel_log_wipe')[0]!, 0), before, samples([...TOOLS, '/var/log/', '/var/lib/', ...SEP], 20_000, 6).filter(oneLine));
    expect(alternative(shipped('MLS-POISON-006', 'sel_log_wipe')[0]!, 0).test('rm\n/var/log/x')).toBe(false);
  });
  it('MLS-RAY-020 answers as the plain pattern did', () => {
    const before = /(?:^|[\s;&|(])(?:rm|shred|truncate|unlink|wipe|srm)\s[^;&|\n]*\.(?:bash|zsh|ash|sh|fish)_history/;
    expectSame(alternative(shipped('MLS-RAY-020', 'sel_history_file')[0]!, 0), before, samples([...TOOLS, '~/.bash_history', '.zsh_history', '.bashrc', ...SEP], 20_000, 20).filter(oneLine));
  });
  it('a history file emptied by a redirection (MLS-RAY-020): as the plain pattern, except that an append (`>>`) no longer counts', () => {
    const now = alternative(shipped('MLS-RAY-020', 'sel_history_file')[0]!, 1);
    const before = /(?:^|[^>])>\|?\s*\S*\.(?:bash|zsh|ash|sh)_history/;
    const texts = samples(['>', '>|', ' ', 'x', '~/.bash_history', '.zsh_history', '/', ';', '.bashrc'], 20_000, 21).filter((t) => !t.includes('>>'));
    expectSame(now, before, texts);
    expect(now.test('echo "export PS1=x">>~/.bash_history')).toBe(false);
    expect(before.test('echo "export PS1=x">>~/.bash_history')).toBe(true);
    expect(now.test(': > ~/.bash_history')).toBe(true);
  });
  it('a kernel hook written by a redirection (MLS-RAY-021): as the plain pattern', () => {
    const now = shipped('MLS-RAY-021', 'sel_kernel_hook')[0]!;
    const before = />\|?\s*\S*\/(?:core_pattern|release_agent|uevent_helper|sysrq-trigger|sys\/kernel\/modprobe)(?![\w.-])/;
    expectSame(now, before, samples(['>', '>|', ' ', 'x', '/proc/sys/kernel/core_pattern', '/release_agent', '.', '-', '/', '"'], 20_000, 21));
  });
});

describe('the rules as they run', () => {
  it('still alert on what these patterns were written for', () => {
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.pt' | xargs tar czf /tmp/a.tgz"])).toContain('MLS-EXFIL-013');
    expect(execRuleIds(['sh', '-c', 'tar czf /tmp/a.tgz $(find /mnt/ckpt -name "*.pt")'])).toContain('MLS-EXFIL-013');
    expect(execRuleIds(['sh', '-c', 'cat /mnt/ckpt/m.safetensors | gpg -c --batch --passphrase x > /tmp/m.gpg'])).toContain('MLS-EXFIL-043');
    expect(execRuleIds(['sh', '-c', 'cd /; rm -rf /var/log/audit/*'])).toContain('MLS-POISON-006');
    expect(execRuleIds(['sh', '-c', 'shred -u ~/.bash_history'])).toContain('MLS-RAY-020');
    expect(execRuleIds(['sh', '-c', "echo '|/tmp/x' > /proc/sys/kernel/core_pattern"])).toContain('MLS-RAY-021');
  });
});
