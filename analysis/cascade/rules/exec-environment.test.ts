/**
 * `attrs.exec.environment` (exec-environment.ts): the variables an exec's commands set, read from
 * the canonical reading of real command lines: assignment words, a wrapper's, export's and
 * declare's; never a word given to another tool.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { environmentWords, MAX_VARIABLES } from './exec-environment.js';

const environment = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.environment;
const sh = (line: string): string[] => ['sh', '-c', line];

describe('attrs.exec.environment', () => {
  it('reads assignment words, a wrapper\'s, export\'s and declare\'s, and a command that only assigns', () => {
    const cases: Array<[string[], string[]]> = [
      [sh('LD_PRELOAD=/tmp/h.so python3 train.py'), ['LD_PRELOAD=/tmp/h.so']],
      [sh('A=1 B=2 python3 train.py'), ['A=1', 'B=2']],
      [sh('timeout 60 env -u LANG PYTHONPATH=/tmp/m python3 train.py'), ['PYTHONPATH=/tmp/m']],
      [sh('nohup env LD_AUDIT=/tmp/a.so python3 serve.py &'), ['LD_AUDIT=/tmp/a.so']],
      [sh('export LD_LIBRARY_PATH=/tmp/lib; python3 train.py'), ['LD_LIBRARY_PATH=/tmp/lib']],
      [sh('declare -x P=/dev/shm/m; local Q=1'), ['P=/dev/shm/m', 'Q=1']],
      [sh('P=/tmp/m; export P'), ['P=/tmp/m']],
      [['env', 'LD_PRELOAD=/tmp/h.so', 'python3', 'train.py'], ['LD_PRELOAD=/tmp/h.so']],
      // Given to a shell that runs a script: the shell is no command of the reading, its assignments still count.
      [['env', 'LD_PRELOAD=/dev/shm/h.so', 'sh', '-c', 'python3 t.py'], ['LD_PRELOAD=/dev/shm/h.so']],
      [sh("LD_PRELOAD=/dev/shm/h.so sh -c 'python3 t.py'"), ['LD_PRELOAD=/dev/shm/h.so']],
      [sh("env PYTHONPATH=/tmp/m bash -c 'python3 t.py'"), ['PYTHONPATH=/tmp/m']],
    ];
    for (const [argv, want] of cases) expect(environment(argv), argv.join(' ')).toEqual(want);
  });

  it('reads the environment interpreter code sets for itself and for what it runs', () => {
    const py = (code: string): string[] => ['python3', '-c', code];
    const cases: Array<[string[], string[]]> = [
      [py("import os; os.environ['LD_PRELOAD'] = '/dev/shm/h.so'; os.system('python3 t.py')"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("from os import environ\nenviron['PYTHONPATH']='/tmp/m'"), ['PYTHONPATH=/tmp/m']],
      [py("import os\nk = 'LD_PRELOAD'\nos.environ[k] = '/dev/shm/h.so'"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import os; os.putenv('LD_PRELOAD', '/tmp/x.so')"), ['LD_PRELOAD=/tmp/x.so']],
      [py("import os; os.environ.update({'LD_PRELOAD': '/tmp/x.so', 'A': 'b'})"), ['LD_PRELOAD=/tmp/x.so', 'A=b']],
      [py("import os; os.environ.update(LD_PRELOAD='/tmp/x.so')"), ['LD_PRELOAD=/tmp/x.so']],
      [py("import os; os.environ.setdefault('LD_AUDIT', '/tmp/a.so')"), ['LD_AUDIT=/tmp/a.so']],
      [py("import subprocess; subprocess.run(['python3', 't.py'], env={'LD_PRELOAD': '/dev/shm/h.so'})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import subprocess, os; subprocess.run('python3 t.py', shell=True, env={**os.environ, 'LD_PRELOAD': '/dev/shm/h.so'})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [['node', '-e', "require('child_process').spawn('python3', ['t.py'], {env: {LD_PRELOAD: '/dev/shm/h.so'}})"], ['LD_PRELOAD=/dev/shm/h.so']],
      // Read, compared, another dict's key, a value known only at run time: nothing set.
      [py("import os; print(os.environ['LD_PRELOAD'])"), []],
      [py("import os; x = os.environ['HOME'] == '/root'"), []],
      [py("d = {}; d['LD_PRELOAD'] = '/tmp/x'"), []],
      [py("import os, subprocess; subprocess.run(['python3', 'x.py'], env={'PATH': os.environ['PATH']})"), []],
    ];
    for (const [argv, want] of cases) expect(environment(argv), argv[2]).toEqual(want);
  });

  it('reads the environment each interpreter sets, appended to, or built up in a dict before the call', () => {
    const py = (code: string): string[] => ['python3', '-c', code];
    const node = (code: string): string[] => ['node', '-e', code];
    const cases: Array<[string[], string[]]> = [
      // Appended to: the earlier value stays in front.
      [py("import os; os.environ['LD_LIBRARY_PATH'] += ':/tmp/x'"), ['LD_LIBRARY_PATH=${LD_LIBRARY_PATH}:/tmp/x']],
      [py("import os; os.environ['LD_LIBRARY_PATH'] = os.environ.get('LD_LIBRARY_PATH', '') + ':/tmp/x'"), ['LD_LIBRARY_PATH=${RUNTIME}:/tmp/x']],
      [py("import os; os.environ.__setitem__('LD_PRELOAD', '/dev/shm/h.so')"), ['LD_PRELOAD=/dev/shm/h.so']],
      // A child's environment built first.
      [py("import os, subprocess; subprocess.run(['python3', 't.py'], env=dict(os.environ, LD_PRELOAD='/dev/shm/h.so'))"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import os, subprocess\ne = os.environ.copy()\ne['LD_PRELOAD'] = '/dev/shm/h.so'\nsubprocess.Popen(['python3', 't.py'], env=e)"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import os, subprocess\ne = dict(os.environ)\ne.update(PYTHONPATH='/tmp/m')\nsubprocess.run('python3 t.py', shell=True, env=e)"), ['PYTHONPATH=/tmp/m']],
      [py("import os; os.execve('/usr/bin/python3', ['python3', 't.py'], {'LD_PRELOAD': '/dev/shm/h.so'})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import os; os.execle('/usr/bin/python3', 'python3', 't.py', {'LD_PRELOAD': '/dev/shm/h.so'})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [py("import os; os.spawnve(os.P_WAIT, '/usr/bin/python3', ['python3', 't.py'], {'LD_AUDIT': '/tmp/a.so'})"), ['LD_AUDIT=/tmp/a.so']],
      // JavaScript.
      [node("process.env.LD_PRELOAD = '/dev/shm/h.so'; require('child_process').execSync('python3 t.py')"), ['LD_PRELOAD=/dev/shm/h.so']],
      [node("process.env['PYTHONPATH'] = '/tmp/m'"), ['PYTHONPATH=/tmp/m']],
      [node("Object.assign(process.env, {LD_PRELOAD: '/dev/shm/h.so'})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [node("require('child_process').execSync('python3 t.py', {env: {...process.env, LD_PRELOAD: '/dev/shm/h.so'}})"), ['LD_PRELOAD=/dev/shm/h.so']],
      [node("const e = Object.assign({}, process.env); e.LD_PRELOAD = '/dev/shm/h.so'; require('child_process').spawn('python3', ['t.py'], {env: e})"), ['LD_PRELOAD=/dev/shm/h.so']],
      // Perl, Ruby, PHP.
      [['perl', '-e', "$ENV{LD_PRELOAD} = '/dev/shm/h.so'; system('python3 t.py')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['perl', '-e', "local $ENV{'LD_LIBRARY_PATH'} .= ':/tmp/x'; system('python3 t.py')"], ['LD_LIBRARY_PATH=${LD_LIBRARY_PATH}:/tmp/x']],
      // Perl's whole environment assigned: a hash in the list spreads into pairs and is stepped over.
      [['perl', '-e', "%ENV = (%ENV, LD_PRELOAD => '/dev/shm/h.so', 'PYTHONPATH', '/tmp/m'); system('python3 t.py')"], ['LD_PRELOAD=/dev/shm/h.so', 'PYTHONPATH=/tmp/m']],
      [['perl', '-e', "local %ENV = (LD_PRELOAD => '/dev/shm/h.so'); exec 'python3', 't.py'"], ['LD_PRELOAD=/dev/shm/h.so']],
      // The process environment under another name.
      [py("import os, subprocess\ne = os.environ\ne['LD_PRELOAD'] = '/dev/shm/h.so'\nsubprocess.run(['id'])"), ['LD_PRELOAD=/dev/shm/h.so']],
      [['ruby', '-e', "e = ENV; e['LD_PRELOAD'] = '/dev/shm/h.so'; system('id')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['ruby', '-e', "ENV['LD_PRELOAD'] = '/dev/shm/h.so'; system('python3 t.py')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['ruby', '-e', "ENV.store('PYTHONPATH', '/tmp/m')"], ['PYTHONPATH=/tmp/m']],
      [['ruby', '-e', "ENV.update('LD_PRELOAD' => '/dev/shm/h.so')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['ruby', '-e', "system({'LD_PRELOAD' => '/dev/shm/h.so'}, 'python3 t.py')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['ruby', '-e', "IO.popen({'LD_PRELOAD' => '/dev/shm/h.so'}, 'python3 t.py')"], ['LD_PRELOAD=/dev/shm/h.so']],
      [['php', '-r', "putenv('LD_PRELOAD=/tmp/x.so'); mail('a', 'b', 'c', 'd');"], ['LD_PRELOAD=/tmp/x.so']],
      [['php', '-r', "proc_open('python3 t.py', [], $p, null, ['LD_PRELOAD' => '/dev/shm/h.so']);"], ['LD_PRELOAD=/dev/shm/h.so']],
      // Another object's keys, a read, a comparison, PHP's $_ENV (no child inherits it): nothing set.
      [node("const o = {}; o.LD_PRELOAD = '/tmp/x.so'; console.log(o)"), []],
      [node("if (process.env.LD_PRELOAD == '/tmp/x') console.log(1)"), []],
      [node("const o = {}; Object.assign(o, {LD_PRELOAD: '/tmp/x.so'})"), []],
      [['perl', '-e', "print $ENV{LD_PRELOAD}; my %h; $h{LD_PRELOAD} = '/tmp/x.so';"], []],
      [['perl', '-e', "my %h = (LD_PRELOAD => '/tmp/x.so'); %ENV == 0 or print 1"], []],
      [['ruby', '-e', "h = {}; h['LD_PRELOAD'] = '/tmp/x.so'; puts ENV['HOME']"], []],
      [['php', '-r', "$_ENV['LD_PRELOAD'] = '/tmp/x.so'; echo getenv('HOME');"], []],
      [py("import os; os.environ['A'] = os.environ.get('B')"), []],
    ];
    for (const [argv, want] of cases) expect(environment(argv), argv[2]).toEqual(want);
  });

  it('reads no variable from a word another tool is given', () => {
    for (const argv of [
      sh('echo LD_PRELOAD=/tmp/x'),
      sh('echo "PYTHONPATH=/tmp/p" >> /workspace/notes.txt'),
      sh('grep -rn LD_PRELOAD=/tmp /etc/environment'),
      sh('python3 train.py lr=3e-4 batch=8'),
      sh('make CC=/tmp/gcc all'),
      ['torchrun', 'train.py', 'model.name=llama'],
    ]) expect(environment(argv), argv.join(' ')).toEqual([]);
  });

  it('keeps each variable once and at most MAX_VARIABLES of them', () => {
    const many = Array.from({ length: 40 }, (_, i) => [`V${i}=x`, 'true']);
    expect(environmentWords(many)).toHaveLength(MAX_VARIABLES);
    expect(environmentWords([['A=1', 'true'], ['A=1', 'true']])).toEqual(['A=1']);
  });
});
