/**
 * The wrappers exec-wrappers.ts `unwrap` steps through, each with its options as its manual page
 * gives them: the options taking a value (the next word, or the rest of a short cluster for the
 * `letters` given), operands before the command, and where the command is a line of its own.
 * - Plain wrappers run their words as a command in the same place: coreutils and util-linux
 *   (`env`, `nohup`, `timeout`, `nice`, `flock FILE`, `unshare`, `setpriv`, `runuser -u U --`,
 *   `chrt PRIO`, `prlimit`), privilege droppers of container images (`sudo`, `gosu U`, `su-exec U`),
 *   init shims (`tini --`, `dumb-init`, `catatonit --`), tracers and profilers (`strace`, `ltrace`,
 *   `valgrind`, `perf stat`, `gdb --args`), schedulers (`srun`, `mpirun`, `systemd-run`,
 *   `numactl`, `taskset`), throttles and fakers (`trickle`, `cpulimit`, `faketime T`,
 *   `eatmydata`, `fakeroot`), proxies (`proxychains`, `torsocks`) and `firejail`.
 * - Package and environment runners run a package's program or a command inside an environment,
 *   by a subcommand: `npx` / `bunx` / `uvx`, `npm exec`, `pnpm dlx|exec`, `yarn dlx|exec`, `bun x`,
 *   `pipx run`, `uv run`, `uv tool run`, `conda|mamba|micromamba run`, `poetry|pipenv|pdm|hatch|pixi|rye run`.
 * - Command lines: `su -c`, `runuser -c`, `script -c` (`-qc`), `flock FILE -c`, `sg GROUP [-c]`,
 *   and the words a shell line is joined from (`watch -n 5 'cmd'`, `tmux new -d 'cmd'`).
 * A wrapper the tool words of a rule name keeps its own segment in `attrs.exec.toolWords`
 * (`strace -p`, `nsenter -t 1`): the command it runs is read past it as well.
 */

/** Options of a wrapper (see the header). */
export interface Wrapper {
  /** Options taking the next word as their value. */
  args?: readonly string[];
  /** Short-option letters taking a value: the rest of their cluster, or the next word when last (`-dmS name`). */
  letters?: string;
  /** Options taking the next two words (`mpirun -mca btl tcp`). */
  pairs?: readonly string[];
  /** Operands before the command (`timeout 5`, `gosu USER`, `flock FILE`). */
  operands?: number;
  /** `NAME=value` words before the command are the wrapper's (env). */
  assignments?: boolean;
  /** Options whose value is a command line the wrapper has a shell run (env -S, flock -c, after the operands too). */
  script?: readonly string[];
  /** The command's words are joined into one line a shell runs (watch, tmux, sg). */
  joined?: boolean;
  /** The command is the words after this one only (gdb's `--args`, lldb's `--`). */
  after?: string;
  /** Runs a command only when one of these options is given (runuser -u; else its operand is a user). */
  needs?: readonly string[];
  /** With one of these options it runs no command of its words (`screen -X`, `screen -r`). */
  refuse?: readonly string[];
}

const NPM_EXEC: Wrapper = { args: ['-p', '--package', '-w', '--workspace', '--prefix', '--registry'], script: ['-c', '--call'] };
const ENV_RUN: Wrapper = { args: ['-n', '--name', '-p', '--prefix', '--cwd', '-e', '--environment', '--manifest-path', '-C', '--directory', '-P', '--project'] };
const UV_RUN: Wrapper = {
  args: ['--with', '--with-requirements', '--with-editable', '--from', '--python', '-p', '--project', '--directory', '--env-file', '--extra', '--group',
    '--package', '--index', '--index-url', '--default-index', '--extra-index-url', '-f', '--find-links', '--config-file', '--cache-dir', '-C', '--config-setting'],
};
const PERF: Wrapper = { args: ['-e', '--event', '-p', '--pid', '-t', '--tid', '-o', '--output', '-r', '--repeat', '-C', '--cpu', '-G', '--cgroup', '-I', '-x', '-F', '--freq', '-c', '--count', '-m', '-u', '--uid'] };
/** Open MPI's and MPICH's launcher (mpirun and mpiexec are one program). */
const MPI_RUN: Wrapper = {
  args: ['-np', '-n', '-c', '-H', '--host', '-host', '-hostfile', '--hostfile', '-machinefile', '-x', '-bind-to', '--bind-to', '-map-by', '--map-by', '-wdir', '--wdir', '-ppn', '-npernode', '--npernode'],
  pairs: ['-mca', '--mca', '-genv', '-env'],
};
const TMUX_NEW: Wrapper = { args: ['-s', '-n', '-c', '-t', '-x', '-y', '-e', '-F', '-f', '-l'], joined: true };

export const WRAPPERS: ReadonlyMap<string, Wrapper> = new Map<string, Wrapper>([
  ['env', { args: ['-u', '--unset', '-C', '--chdir'], assignments: true, script: ['-S', '--split-string'] }],
  ['nohup', {}],
  ['exec', { args: ['-a'] }],
  ['command', {}],
  ['builtin', {}],
  ['nice', { args: ['-n', '--adjustment'] }],
  ['ionice', { args: ['-c', '-n', '-p', '-P', '-u'] }],
  ['timeout', { args: ['-s', '--signal', '-k', '--kill-after'], operands: 1 }],
  ['stdbuf', { args: ['-i', '-o', '-e'] }],
  ['setsid', {}],
  ['sudo', { args: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T'] }],
  ['doas', { args: ['-u', '-C'] }],
  ['busybox', {}],
  ['chroot', { args: ['--userspec', '--groups'], operands: 1 }],
  ['taskset', { operands: 1 }],
  ['time', { args: ['-f', '--format', '-o', '--output'] }],
  ['xargs', { args: ['-I', '-n', '-P', '-d', '-a', '-E', '-L', '-s'] }],
  ['unbuffer', {}],
  // Proxying wrappers: the command they run connects through a proxy or Tor (proxychains-ng, torsocks, tsocks).
  ['proxychains', { args: ['-f'] }],
  ['proxychains4', { args: ['-f'] }],
  ['torsocks', { args: ['-u', '--user', '-p', '--pass', '-a', '--address', '-P', '--port'] }],
  ['torify', {}],
  ['tsocks', {}],
  // util-linux and friends.
  ['flock', { args: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'], operands: 1, script: ['-c', '--command'] }],
  ['unshare', { args: ['-S', '--setuid', '-G', '--setgid', '-R', '--root', '-w', '--wd'] }],
  ['nsenter', { args: ['-t', '--target', '-S', '--setuid', '-G', '--setgid'] }],
  ['setpriv', { args: ['--reuid', '--regid', '--ruid', '--rgid', '--euid', '--egid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set', '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile'] }],
  ['runuser', { args: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], needs: ['-u', '--user'] }],
  ['chrt', { args: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], operands: 1, refuse: ['-p', '--pid'] }],
  ['prlimit', { args: ['-o', '--output'], refuse: ['-p', '--pid'] }],
  ['numactl', { args: ['-C', '--physcpubind', '-N', '--cpunodebind', '-m', '--membind', '-p', '--preferred', '-i', '--interleave'] }],
  ['systemd-run', {
    args: ['-u', '--unit', '-p', '--property', '-E', '--setenv', '--description', '--slice', '-H', '--host', '-M', '--machine', '--uid', '--gid', '--nice',
      '--working-directory', '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-calendar', '--timer-property', '--service-type'],
  }],
  // Container images' privilege droppers and init shims.
  ['gosu', { operands: 1 }],
  ['su-exec', { operands: 1 }],
  ['tini', { args: ['-p', '-e'] }],
  ['dumb-init', { args: ['-r', '--rewrite'] }],
  ['catatonit', {}],
  // Tracers and profilers: the program they start runs.
  ['strace', { args: ['-e', '-o', '-p', '-s', '-u', '-E', '-a', '-b', '-I', '-O', '-P', '-S', '-X', '-U', '--output', '--string-limit', '--user', '--env', '--attach'] }],
  ['ltrace', { args: ['-e', '-o', '-p', '-s', '-u', '-a', '-A', '-D', '-F', '-l', '-n', '-w', '-x', '--output'] }],
  ['valgrind', {}],
  ['gdb', { after: '--args' }],
  ['lldb', { after: '--' }],
  // Schedulers and placement.
  ['srun', { letters: 'AbcCdDeGiJLmMnNopqrStTwWx' }],
  ['mpirun', MPI_RUN],
  ['mpiexec', MPI_RUN],
  // Throttles, fakers, sandboxes.
  ['trickle', { args: ['-d', '-u', '-w', '-t', '-l', '-n', '-L', '-P'] }],
  ['cpulimit', { args: ['-l', '--limit', '-c', '--cpu'], refuse: ['-p', '--pid', '-e', '--exe', '-P', '--path'] }],
  ['faketime', { args: ['--date-prog'], operands: 1 }],
  ['eatmydata', {}],
  ['fakeroot', { args: ['-l', '--lib', '--faked', '-s', '-i'] }],
  ['firejail', {}],
  // Package runners: the package's program runs.
  ['npx', NPM_EXEC],
  ['pnpx', {}],
  ['bunx', { args: ['-p', '--package'] }],
  ['uvx', UV_RUN],
  // Command lines joined from the words: watch(1) has `sh -c` run them.
  ['watch', { args: ['-n', '--interval', '-q', '--equexit'], joined: true }],
  ['sg', { operands: 1, script: ['-c'], joined: true }],
  ['screen', { letters: 'ScehptT', refuse: ['-X', '-r', '-R', '-x', '-ls', '-list', '-wipe', '-Q'] }],
]);

/** Tools that run a command by a subcommand (`npm exec`, `uv tool run`): tool → subcommand words → the options after them. */
export const SUBCOMMAND_WRAPPERS: ReadonlyMap<string, ReadonlyMap<string, Wrapper>> = new Map<string, ReadonlyMap<string, Wrapper>>([
  ['npm', new Map([['exec', NPM_EXEC], ['x', NPM_EXEC]])],
  ['pnpm', new Map([['dlx', { args: ['--package'] }], ['exec', { args: ['-C', '--dir', '--filter'] }]])],
  ['yarn', new Map([['dlx', { args: ['-p', '--package'] }], ['exec', {}]])],
  ['bun', new Map([['x', { args: ['-p', '--package'] }]])],
  ['pipx', new Map([['run', { args: ['--spec', '--python', '--index-url', '-i', '--pip-args'] }]])],
  ['uv', new Map([['run', UV_RUN], ['tool run', UV_RUN]])],
  ...['conda', 'mamba', 'micromamba', 'poetry', 'pipenv', 'pdm', 'hatch', 'pixi', 'rye'].map((t): [string, ReadonlyMap<string, Wrapper>] => [t, new Map([['run', ENV_RUN]])]),
  ['perf', new Map([['stat', PERF], ['record', PERF], ['trace', PERF]])],
  ['tmux', new Map([['new', TMUX_NEW], ['new-session', TMUX_NEW], ['neww', TMUX_NEW], ['new-window', TMUX_NEW], ['splitw', TMUX_NEW], ['split-window', TMUX_NEW]])],
]);

/** Wrappers whose `-c` option runs a command line wherever it stands (`su root -c '…'`, `script -qc '…' /dev/null`). */
export const SCRIPT_OPTION: ReadonlyMap<string, readonly string[]> = new Map([
  ['su', ['-c', '--command']],
  ['runuser', ['-c', '--command']],
  ['script', ['-c', '--command']],
]);

/** The spec of the wrapper at `t` named `name` and the index its options start at, or null. */
export function wrapperAt(words: readonly string[], t: number, name: string): { spec: Wrapper; from: number } | null {
  const spec = WRAPPERS.get(name);
  if (spec !== undefined) return { spec, from: t + 1 };
  const subs = SUBCOMMAND_WRAPPERS.get(name);
  if (subs === undefined) return null;
  const two = subs.get(`${words[t + 1]} ${words[t + 2]}`);
  if (two !== undefined) return { spec: two, from: t + 3 };
  const one = subs.get(words[t + 1] ?? '');
  return one === undefined ? null : { spec: one, from: t + 2 };
}
