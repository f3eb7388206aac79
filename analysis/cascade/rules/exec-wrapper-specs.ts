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
 *   `eatmydata`, `fakeroot`), proxies (`proxychains`, `torsocks`), sandboxes (`firejail`, `bwrap`,
 *   `cgexec`, SELinux's `runcon CONTEXT` or `runcon -t T`), `pkexec`, `sshpass`, supervisors' setters (`chpst`, `setuidgid`, `s6-setuidgid`, `softlimit`),
 *   `daemonize`, launchers and retriers (`horovodrun`, `retry`, `sem`, `entr`), web terminals
 *   (`ttyd`, `gotty`: the command each client gets; their options end at the first word that is none).
 * - Runners by a subcommand, after the options they take before it (GLOBAL_OPTIONS): `ip netns exec NS`,
 *   `ip vrf exec`, `apptainer|singularity exec IMAGE`, and the package and environment runners below.
 * - Package and environment runners run a package's program or a command inside an environment,
 *   by a subcommand: `npx` / `bunx` / `uvx`, `npm exec`, `pnpm dlx|exec`, `yarn dlx|exec`, `bun x`,
 *   `pipx run`, `uv run`, `uv tool run`, `conda|mamba|micromamba run`, `poetry|pipenv|pdm|hatch|pixi|rye run`.
 * - Command lines: `su -c`, `runuser -c`, `script -c` (`-qc`), `flock FILE -c`, `sg GROUP [-c]`,
 *   `entr -s`, `tmux -c`, the words a shell line is joined from (`watch -n 5 'cmd'`, `tmux new -d
 *   'cmd'`), and GNU parallel's, with the items given after `:::` (exec-wrapper-parallel.ts `parallelLine`).
 * start-stop-daemon's program is an option's value (exec-wrappers.ts `startStopDaemon`).
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
  /** With one of these options (a short one also with its value joined, `-tT`) there are no operands (`runcon -t T cmd`; `runcon CONTEXT cmd`). */
  noOperandWith?: readonly string[];
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
  /** A short cluster holding one of these letters makes the command a line a shell runs (`entr -rs 'cmd'`). */
  scriptLetters?: string;
  /** The command's words are followed by `::: ITEM…` groups whose items it is run with (GNU parallel). */
  items?: boolean;
}

/** Options a subcommand tool takes before its subcommand (`npm --prefix D exec`, `ip -all netns exec`). */
export interface GlobalOptions {
  /** Those taking the next word as their value; any other option word is a switch. */
  args: readonly string[];
  /** Options whose value is a command line a shell runs (`tmux -c 'cmd'`). */
  script?: readonly string[];
  /** Switches with which the subcommand takes no operand (`ip -all netns exec CMD`: every namespace). */
  noOperands?: readonly string[];
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
/** GNU parallel's options that take a value (`-j 4`, `-S host`); `--dry-run` prints the commands instead. */
const PARALLEL: Wrapper = {
  args: ['-I', '-j', '--jobs', '-P', '--max-procs', '-S', '--sshlogin', '--joblog', '--colsep', '-d', '--delimiter', '-E', '-n', '--max-args', '-N', '-L',
    '--max-lines', '--results', '--res', '--tmpdir', '--timeout', '--delay', '--retries', '--halt', '--memfree', '--load', '--env', '--workdir', '--wd',
    '--basefile', '--bf', '--return', '--transferfile', '--tf', '--tagstring', '--block', '--id', '-s', '--max-chars', '--sshloginfile', '--slf', '-a', '--arg-file'],
  refuse: ['--dry-run', '--version', '--help', '--citation'],
  joined: true,
  items: true,
};
/** Apptainer's and Singularity's `exec [options] IMAGE CMD…` (the other options are switches: --nv, --cleanenv, --contain). */
const CONTAINER_IMAGE_EXEC: Wrapper = {
  args: ['-B', '--bind', '--mount', '--env', '--env-file', '-H', '--home', '-W', '--workdir', '-S', '--scratch', '-o', '--overlay', '--network',
    '--network-args', '--security', '--pwd', '--app', '--hostname', '--apply-cgroups', '--fusemount', '--drop-caps', '--add-caps', '--dns'],
  operands: 1,
};
/** bubblewrap's options: those taking one value, and those taking two (`--bind SRC DEST`, `--setenv VAR VALUE`). */
const BWRAP: Wrapper = {
  args: ['--chdir', '--unsetenv', '--lock-file', '--sync-fd', '--remount-ro', '--proc', '--dev', '--tmpfs', '--mqueue', '--dir', '--seccomp', '--info-fd',
    '--uid', '--gid', '--hostname', '--args', '--userns', '--userns2', '--pidns', '--exec-label', '--file-label', '--cap-add', '--cap-drop', '--perms', '--size',
    '--block-fd', '--userns-block-fd', '--json-status-fd', '--add-seccomp-fd', '--argv0'],
  pairs: ['--setenv', '--bind', '--bind-try', '--dev-bind', '--dev-bind-try', '--ro-bind', '--ro-bind-try', '--file', '--bind-data', '--ro-bind-data',
    '--symlink', '--chmod', '--overlay-src', '--tmp-overlay', '--ro-overlay'],
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
  // SELinux: a context operand unless its parts are given as options (coreutils runcon).
  ['runcon', { args: ['-u', '--user', '-r', '--role', '-t', '--type', '-l', '--range'], letters: 'urtl', operands: 1, noOperandWith: ['-u', '--user', '-r', '--role', '-t', '--type', '-l', '--range', '-c', '--compute'] }],
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
  ['bwrap', BWRAP],
  ['pkexec', { args: ['--user'] }],
  // sshpass gives the program it runs a password (-p, a file -f, a descriptor -d; -P the prompt to answer).
  ['sshpass', { args: ['-p', '-f', '-d', '-P'] }],
  ['cgexec', { args: ['-g'] }],
  ['nocache', {}],
  ['caffeinate', { args: ['-t', '-w'] }],
  // Supervisors' privilege and limit setters (runit, daemontools, s6) and daemonize(1).
  ['chpst', { args: ['-u', '-U', '-b', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c'] }],
  ['setuidgid', { operands: 1 }],
  ['envuidgid', { operands: 1 }],
  ['s6-setuidgid', { operands: 1 }],
  ['softlimit', { args: ['-m', '-a', '-c', '-d', '-f', '-l', '-o', '-p', '-r', '-s', '-t'] }],
  ['daemonize', { args: ['-c', '-e', '-E', '-o', '-p', '-l', '-u'] }],
  // Web terminals: each client that connects gets the command (ttyd's options are found before it, gotty's are Go flags).
  ['ttyd', {
    letters: 'piUcHugswtTmIbPfCKAd',
    args: ['--port', '--interface', '--socket-owner', '--credential', '--auth-header', '--uid', '--gid', '--signal', '--cwd', '--client-option', '--terminal-type',
      '--max-clients', '--index', '--base-path', '--ping-interval', '--srv-buf-size', '--ssl-cert', '--ssl-key', '--ssl-ca', '--debug'],
  }],
  ['gotty', {
    args: ['-a', '--address', '-p', '--port', '-c', '--credential', '--random-url-length', '--tls-crt', '--tls-key', '--tls-ca-crt', '--index', '--title-format',
      '--reconnect-time', '--max-connection', '--timeout', '--term', '--close-signal', '--close-timeout', '--config', '--width', '--height', '--ws-origin', '--path'],
  }],
  // Launchers and retriers: the command runs (once per host or try); entr on every change of the files it is given.
  ['horovodrun', {
    args: ['-np', '-p', '-H', '--hosts', '-hostfile', '--hostfile', '--start-timeout', '--network-interface', '--output-filename', '--gloo-timeout-seconds',
      '--log-level', '--ssh-port', '--ssh-identity-file', '-i', '--config-file', '--mpi-args', '--tcp-flag'],
  }],
  ['retry', { args: ['-t', '--times', '-d', '--delay', '-u', '--until', '-m', '--message'] }],
  ['entr', { scriptLetters: 's' }],
  ['parallel', PARALLEL],
  ['sem', { ...PARALLEL, joined: false, items: false }],
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
  ['ip', new Map([['netns exec', { operands: 1 }], ['vrf exec', { operands: 1 }]])],
  ['apptainer', new Map([['exec', CONTAINER_IMAGE_EXEC]])],
  ['singularity', new Map([['exec', CONTAINER_IMAGE_EXEC]])],
  ['tmux', new Map([['new', TMUX_NEW], ['new-session', TMUX_NEW], ['neww', TMUX_NEW], ['new-window', TMUX_NEW], ['splitw', TMUX_NEW], ['split-window', TMUX_NEW]])],
]);

/** Per subcommand tool, the options it takes before its subcommand (their manual pages; a `--opt=value` word is one word). */
export const GLOBAL_OPTIONS: ReadonlyMap<string, GlobalOptions> = new Map<string, GlobalOptions>([
  ['npm', { args: ['-C', '--prefix', '--userconfig', '--globalconfig', '--registry', '--cache', '--loglevel', '-w', '--workspace', '--location'] }],
  ['pnpm', { args: ['-C', '--dir', '-F', '--filter', '--reporter', '--loglevel', '--workspace-dir'] }],
  ['yarn', { args: ['--cwd', '--cache-folder', '--modules-folder', '--global-folder', '--link-folder', '--registry', '--mutex', '--network-timeout', '--use-yarnrc'] }],
  ['bun', { args: ['--cwd', '-c', '--config'] }],
  ['pipx', { args: [] }],
  ['uv', { args: ['--directory', '--project', '--cache-dir', '--config-file', '--color', '--python', '-p', '--allow-insecure-host'] }],
  ['conda', { args: ['--rc-file', '--log-level'] }],
  ['mamba', { args: ['--rc-file', '--log-level'] }],
  ['micromamba', { args: ['-r', '--root-prefix', '--rc-file', '--log-level'] }],
  ['poetry', { args: ['-C', '--directory', '-P', '--project'] }],
  ['pipenv', { args: ['--python', '--pypi-mirror'] }],
  ['pdm', { args: ['-p', '--project', '-c', '--config'] }],
  ['hatch', { args: ['-e', '--env', '-p', '--project', '--data-dir', '--cache-dir', '--config', '--color'] }],
  ['pixi', { args: ['--manifest-path', '--color'] }],
  ['rye', { args: [] }],
  ['ip', { args: ['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-f', '-family', '-l', '-loops'], noOperands: ['-a', '-all'] }],
  ['apptainer', { args: ['-c', '--config'] }],
  ['singularity', { args: ['-c', '--config'] }],
  ['tmux', { args: ['-L', '-S', '-f', '-T'], script: ['-c'] }],
]);

/** Wrappers whose `-c` option runs a command line wherever it stands (`su root -c '…'`, `script -qc '…' /dev/null`). */
export const SCRIPT_OPTION: ReadonlyMap<string, readonly string[]> = new Map([
  ['su', ['-c', '--command']],
  ['runuser', ['-c', '--command']],
  ['script', ['-c', '--command']],
]);

/** A wrapper's options read from `from`, or a command line its global option gives a shell at `script`. */
export type WrapperAt = { spec: Wrapper; from: number } | { script: number };

/**
 * The spec of the wrapper at `t` named `name` and the index its options start at (a subcommand
 * tool's after its global options and subcommand), the index of a command line a global option
 * gives (`tmux -c 'cmd'`), or null.
 */
export function wrapperAt(words: readonly string[], t: number, name: string): WrapperAt | null {
  const spec = WRAPPERS.get(name);
  if (spec !== undefined) return { spec, from: t + 1 };
  const subs = SUBCOMMAND_WRAPPERS.get(name);
  if (subs === undefined) return null;
  const globals = GLOBAL_OPTIONS.get(name);
  let s = t + 1;
  let noOperands = false;
  while (globals !== undefined && s < words.length && words[s]!.length > 1 && words[s]![0] === '-' && words[s] !== '--') {
    const w = words[s]!;
    if (globals.script?.includes(w)) return s + 1 < words.length ? { script: s + 1 } : null;
    if (globals.noOperands?.includes(w)) noOperands = true;
    s += globals.args.includes(w) ? 2 : 1;
  }
  const two = subs.get(`${words[s]} ${words[s + 1]}`);
  const sub = two ?? subs.get(words[s] ?? '');
  if (sub === undefined) return null;
  return { spec: noOperands ? { ...sub, operands: 0 } : sub, from: s + (two !== undefined ? 2 : 1) };
}
