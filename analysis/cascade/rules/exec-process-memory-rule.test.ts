/**
 * A running process's memory from a pod's exec, through the shipped rule set and the real engine:
 * core dumps, /proc/<pid>/mem read, code injected (MLS-EXFIL-045), tracers printing what a process
 * reads and writes (MLS-EXFIL-046, escalated); and what an engineer takes of a hung job (stack
 * traces, strace's default view), which dumps no memory and prints no data.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const RULES = ['MLS-EXFIL-045', 'MLS-EXFIL-046'];
const fired = (argv: string[]): string[] => execRuleIds(argv).filter((id) => RULES.includes(id));

describe('a running process read from a pod (MLS-EXFIL-045, MLS-EXFIL-046)', () => {
  it('alerts on a core dump, a memory range dumped, /proc/<pid>/mem or /proc/kcore read, code injected', () => {
    for (const argv of [
      sh('gcore -o /tmp/trainer 1'),
      sh("gdb -p 1 -batch -ex 'generate-core-file /tmp/core'"),
      sh("gdb --batch -p $(pgrep -f train.py) -ex 'dump memory /tmp/m.bin 0x7f0000000000 0x7f0040000000'"),
      sh('dd if=/proc/1/mem of=/tmp/mem bs=1M skip=4096 count=1024'),
      ['python3', '-c', "f = open('/proc/1/mem', 'rb'); f.seek(0x7f0000000000); open('/tmp/m', 'wb').write(f.read(1 << 30))"],
      sh('cat /proc/kcore > /dev/shm/k'),
      sh('procdump -p 1 /tmp/dumps'),
      sh('pyrasite 1 /tmp/payload.py'),
      sh(`gdb -p 1 -batch -ex 'call (void)dlopen("/dev/shm/x.so", 2)'`),
    ]) {
      expect(fired(argv), argv.join(' ')).toContain('MLS-EXFIL-045');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-EXFIL-045');
    }
  });

  it('escalates strace printing what a process reads or writes, ltrace attached, py-spy printing locals', () => {
    for (const argv of [
      sh('strace -f -p 1 -e trace=read -s 4096 -o /tmp/s'),
      sh('strace -p 1 -s 1024'),
      sh('strace -p 1 -e read=all'),
      sh('strace --attach=1 --trace=%network --string-limit=65535'),
      sh('ltrace -p 1 -e SSL_write'),
      sh('py-spy dump --pid 1 --locals'),
    ]) expect(fired(argv), argv.join(' ')).toEqual(['MLS-EXFIL-046']);
  });

  it('leaves a stack dump, strace default view, memory statistics, process listings and a traced new program', () => {
    for (const argv of [
      sh("gdb -p 1 -batch -ex 'thread apply all bt'"),
      sh('strace -p 1'),
      sh('strace -f -p 1 -e trace=futex,epoll_wait'),
      sh('py-spy dump --pid 1'),
      sh('py-spy top --pid 1'),
      sh('cat /proc/meminfo; free -g'),
      sh('cat /proc/1/status; cat /proc/1/maps | wc -l'),
      sh('strace -f -o /tmp/s python3 -c "import torch"'),
      sh('gdb --version'),
      sh('nvidia-smi --query-gpu=memory.used --format=csv'),
    ]) expect(fired(argv), argv.join(' ')).toEqual([]);
  });
});
