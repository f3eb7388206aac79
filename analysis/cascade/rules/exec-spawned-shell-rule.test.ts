/**
 * A shell started for the session with no script to run (`attrs.exec.spawnsShell`, exec-canonical.ts):
 * interpreter code that runs a bare shell (`pty.spawn("/bin/bash")`), `script` recording to
 * /dev/null; and MLS-RAY-042 over it, through the shipped rule set and the real engine. A shell
 * given a command or a script, `script` recording to a file, a plain shell from kubectl exec and
 * the shell-picking one-liners of cluster consoles raise nothing.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('attrs.exec.spawnsShell', () => {
  it('reads a bare shell started by interpreter code, whatever call starts it, and by script into /dev/null', () => {
    const cases: Array<[string[], string[]]> = [
      [sh(`python3 -c 'import pty; pty.spawn("/bin/bash")'`), ['python3 bash']],
      [sh(`python -c "import pty;pty.spawn(['/bin/sh', '-i'])"`), ['python sh']],
      [sh(`python3 -c "from pty import spawn; spawn('bash')"`), ['python3 bash']],
      [sh(`python3 -c "__import__('pty').spawn('/bin/bash')"`), ['python3 bash']],
      [sh(`python3 -c "import os; os.system('/bin/sh')"`), ['python3 sh']],
      [sh(`python3 -c "import subprocess; subprocess.call(['/bin/bash', '-i'])"`), ['python3 bash']],
      [sh(`perl -e 'exec "/bin/sh";'`), ['perl sh']],
      [sh(`ruby -e 'exec "/bin/sh"'`), ['ruby sh']],
      [sh(`php -r 'system("/bin/bash");'`), ['php bash']],
      [sh(`lua -e 'os.execute("/bin/sh")'`), ['lua sh']],
      [sh(`node -e 'require("child_process").spawn("/bin/sh", {stdio: [0, 1, 2]})'`), ['node sh']],
      [sh(`awk 'BEGIN {system("/bin/sh")}'`), ['awk sh']],
      [sh(`vim -c ':!/bin/sh'`), ['vim sh']],
      [sh(`echo "import pty; pty.spawn('/bin/zsh')" | python3`), ['python3 zsh']],
      [['python3', '-c', 'import pty; pty.spawn("/bin/bash")'], ['python3 bash']],
      [sh('script -qc /bin/bash /dev/null'), ['script bash']],
      [sh('script /dev/null -c "bash -i"'), ['script bash']],
      [sh('script -q /dev/null'), ['script shell']],
      [['script', '-qc', '/bin/sh', '/dev/null'], ['script sh']],
      [['sudo', 'script', '-q', '/dev/null'], ['script shell']],
    ];
    for (const [argv, want] of cases) expect(canonicalExec(argv).spawnedShells, argv.join(' ')).toEqual(want);
  });

  it('reads nothing for a shell given a command or a script, script recording to a file or running a command, or a shell run directly', () => {
    for (const argv of [
      sh(`python3 -c "import os; os.system('ls /mnt')"`),
      sh(`python3 -c "import subprocess; subprocess.run(['bash', '-c', 'nvidia-smi'])"`),
      sh(`python3 -c "import subprocess; subprocess.run(['bash', '/opt/run.sh'])"`),
      sh(`awk 'BEGIN{print "id" | "sh"}'`),
      sh('script -q /tmp/session.log'),
      sh('script -qc bash /var/log/sessions/alice.log'),
      sh('script -qec "npm test" /dev/null'),
      ['bash'],
      ['bash', '-il'],
      sh('exec bash'),
      sh('command -v bash >/dev/null && exec bash || exec sh'),
    ]) expect(canonicalExec(argv).spawnedShells, argv.join(' ')).toEqual([]);
  });
});

describe('MLS-RAY-042: exec has a program start an interactive shell for it', () => {
  it('alerts on a terminal upgrade and a shell escape, for a person and a service account', () => {
    for (const line of [
      `python3 -c 'import pty; pty.spawn("/bin/bash")'`,
      `python3 -c "import os; os.execl('/bin/bash', 'bash', '-i')"`,
      `perl -e 'exec "/bin/sh";'`,
      `awk 'BEGIN {system("/bin/sh")}'`,
      `vim -c ':!/bin/sh'`,
      'script -qc /bin/bash /dev/null',
      'script -q /dev/null',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-042');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-042');
    }
  });

  it('leaves a shell from kubectl exec, console shell pickers, commands run through an interpreter and sessions recorded', () => {
    for (const argv of [
      ['bash'],
      ['/bin/sh', '-i'],
      sh('clear; (bash || ash || sh)'),
      sh('command -v bash >/dev/null && exec bash || exec sh'),
      sh(`python3 -c "import subprocess; print(subprocess.check_output(['nvidia-smi']).decode())"`),
      sh(`python3 -c "import os; os.system('bash /opt/healthcheck.sh')"`),
      sh('script -q /tmp/alice-session.log'),
      sh('script -qec "pytest -x" /dev/null'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-042');
  });
});
