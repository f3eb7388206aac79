/**
 * A process started through kubectl exec with the dynamic linker or Python told to load code from
 * a place the attacker can write, through the shipped rule set and the real engine: a preload or
 * audit library from a scratch or home directory (MLS-RAY-031), and a scratch directory first on
 * the Python or library search path (MLS-POISON-012); beside them the allocators serving images
 * preload and the project paths training pods set every day, which they leave.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('MLS-RAY-031: exec preloads a shared library from a scratch or home directory', () => {
  it('alerts on a preload from /tmp, /dev/shm, a home or a relative path, in an assignment, env, export, a list or the loader run by hand', () => {
    for (const argv of [
      sh('LD_PRELOAD=/tmp/libhook.so python3 train.py'),
      sh('env LD_PRELOAD=/dev/shm/.x.so torchrun --nproc_per_node 8 train.py'),
      sh('export LD_PRELOAD=./libprocesshider.so; ./xmrig -o pool:3333'),
      sh('LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /tmp/h.so" python3 serve.py'),
      sh('LD_PRELOAD=/usr/lib/libjemalloc.so:/var/tmp/h.so python3 serve.py'),
      sh('LD_PRELOAD=$HOME/.cache/h.so python3 train.py'),
      sh('p=/dev/shm/h.so; LD_PRELOAD=$p python3 train.py'),
      sh('LD_AUDIT=/opt/tools/audit.so python3 train.py'),
      sh('/lib64/ld-linux-x86-64.so.2 --preload /tmp/h.so /usr/bin/python3 train.py'),
      sh('echo "export LD_PRELOAD=/dev/shm/h.so" >> ~/.bashrc'),
      ['env', 'LD_PRELOAD=/tmp/h.so', 'python3', 'train.py'],
      // Past wrappers, through declare, from a variable the script set.
      sh('timeout 600 env -u LANG LD_PRELOAD=/tmp/h.so python3 train.py'),
      sh('nohup env LD_AUDIT=/var/tmp/a.so python3 serve.py &'),
      sh('declare -x LD_PRELOAD=/dev/shm/h.so; python3 train.py'),
      sh('L=/dev/shm/h.so; export LD_PRELOAD=$L; python3 train.py'),
      // Given to a shell that runs the command, and set by interpreter code for itself or what it runs.
      sh("LD_PRELOAD=/dev/shm/h.so sh -c 'python3 train.py'"),
      ['python3', '-c', "import os; os.environ['LD_PRELOAD'] = '/dev/shm/h.so'; os.system('python3 /workspace/train.py')"],
      ['python3', '-c', "import subprocess; subprocess.run('torchrun train.py', shell=True, env={'LD_PRELOAD': '/tmp/h.so'})"],
      ['python3', '-c', "import os, subprocess\ne = os.environ.copy()\ne['LD_PRELOAD'] = '/dev/shm/h.so'\nsubprocess.Popen(['python3', 'train.py'], env=e)"],
      ['python3', '-c', "import os; os.execve('/usr/bin/python3', ['python3', 'serve.py'], dict(os.environ, LD_PRELOAD='/tmp/h.so'))"],
      ['node', '-e', "process.env.LD_PRELOAD = '/dev/shm/h.so'; require('child_process').execSync('python3 serve.py')"],
      ['perl', '-e', "$ENV{LD_PRELOAD} = '/dev/shm/h.so'; exec 'python3', 'serve.py'"],
      ['ruby', '-e', "system({'LD_PRELOAD' => '/dev/shm/h.so'}, 'python3 serve.py')"],
      // PHP's disable_functions bypass: a preload, then mail() runs sendmail through a shell.
      ['php', '-r', "putenv('LD_PRELOAD=/tmp/x.so'); mail('a@b.c', 's', 'm');"],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-031');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-031');
    }
  });

  it('leaves allocators preloaded from the image or by name, scripts in /tmp run with one, and a search for the variable', () => {
    for (const argv of [
      sh('LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 python3 /tmp/train.py'),
      sh('LD_PRELOAD=libtcmalloc.so.4 python3 -m vllm.entrypoints.openai.api_server --port 8000'),
      sh('export LD_PRELOAD=/opt/conda/lib/libtcmalloc_minimal.so.4; python3 serve.py'),
      sh('env | grep LD_PRELOAD'),
      sh('unset LD_PRELOAD; python3 train.py'),
      sh('cat /proc/1/environ | tr "\\0" "\\n" | grep -c LD_'),
      sh('ldd /tmp/build/libops.so'),
      // The variable as another tool's data: printed, searched for, written to a notes file.
      sh('echo LD_PRELOAD=/tmp/x'),
      sh('echo "LD_PRELOAD=/tmp/x.so" >> /workspace/notes.txt'),
      sh('grep -rn LD_PRELOAD=/tmp /etc/environment /etc/profile.d/'),
      sh('printf "%s\\n" LD_AUDIT=/tmp/a.so'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-031');
  });
});

describe('MLS-POISON-012: exec puts a scratch directory on a process Python or library path', () => {
  it('escalates PYTHONPATH, PYTHONHOME or LD_LIBRARY_PATH into a scratch directory, and sys.path given one first', () => {
    for (const argv of [
      sh('PYTHONPATH=/tmp/p python3 train.py'),
      sh('env PYTHONPATH=/dev/shm/m:$PYTHONPATH torchrun train.py'),
      sh('export LD_LIBRARY_PATH=/tmp/lib:$LD_LIBRARY_PATH && python3 train.py'),
      sh('PYTHONHOME=/var/tmp/py python3 -m train'),
      sh('PYTHONPATH=/workspace/src:/tmp python3 train.py'),
      ['python3', '-c', "import sys; sys.path.insert(0, '/tmp/m'); import train; train.main()"],
      ['env', 'PYTHONPATH=/dev/shm/m', 'python3', 'train.py'],
      ['python3', '-c', "import os, subprocess; os.environ['PYTHONPATH'] = '/tmp/m'; subprocess.run(['python3', 'train.py'])"],
      ['python3', '-c', "import subprocess; subprocess.Popen(['python3', 'train.py'], env={'LD_LIBRARY_PATH': '/dev/shm/lib'})"],
      ['python3', '-c', "import os, subprocess; os.environ['LD_LIBRARY_PATH'] += ':/tmp/lib'; subprocess.run(['python3', 'train.py'])"],
      ['python3', '-c', "import os, subprocess; os.environ['PYTHONPATH'] = '/dev/shm/m:' + os.environ.get('PYTHONPATH', ''); subprocess.run(['python3', 'train.py'])"],
      ['perl', '-e', "$ENV{PYTHONPATH} = '/tmp/m'; system('python3 train.py')"],
      ['ruby', '-e', "ENV['LD_LIBRARY_PATH'] = '/var/tmp/lib'; system('python3 train.py')"],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-POISON-012');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-POISON-012');
    }
  });

  it('leaves the project directory, CUDA libraries, scratch paths given as data and a tmp-prefixed name', () => {
    for (const argv of [
      sh('PYTHONPATH=. python3 train.py --out /tmp/run1'),
      sh('PYTHONPATH=/workspace/src python3 train.py'),
      sh('LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH python3 /tmp/bench.py'),
      sh('TMPDIR=/tmp/x python3 train.py'),
      sh('PYTHONPATH=/tmpfs/src python3 train.py'),
      sh('echo PYTHONPATH=/tmp/p'),
      sh('grep -n LD_LIBRARY_PATH=/tmp /etc/environment'),
      ['python3', '-c', "import sys; sys.path.insert(0, '/workspace/src'); open('/tmp/x').read()"],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-POISON-012');
  });
});
