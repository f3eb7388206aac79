/**
 * From a command's first word to the word that runs: the reserved words, assignments and
 * redirections before the tool word (`toolIndex`, XCU 2.9.1), then wrappers: commands that run
 * another command given in their words (`env`, `nohup`, `timeout 5`, `sudo -u x`, `busybox`,
 * `xargs`…, `find … -exec cmd … \;`) or split a command line of their own (`env -S`, `su -c`); and
 * the commands tools run somewhere else, read beside them (`remoteRun`: `ray job submit … -- cmd`,
 * `kubectl exec POD -- cmd`, `docker exec C cmd…`, `docker run [options] IMAGE cmd…`, `ssh HOST cmd…`).
 * exec-canonical.ts follows them from one tool word to the one that runs (MITRE T1027: a wrapper
 * in front of `curl` hides nothing; `xargs sh -c '…'` and `find … -exec sh -c '…' \;` run a
 * script). Each entry names the options that take an argument and the operands before the
 * command, as the tool's manual page gives them (GNU coreutils, findutils, sudo, util-linux).
 * cmd.exe's `/c` (exec-cmd.ts) hands over a command line of its own, written over its first word.
 */
import { baseName } from './exec-canonical.js';
import { cmdScriptAt, isCmdName } from './exec-cmd.js';
import { RAY_REST_CLIENTS, rayRestEntrypoint } from './exec-ray-rest.js';
import { leadingOptionsEnd } from './option-operands.js';
import { isAssignment, REDIRECTION_WORDS } from './shell-words.js';
import { SCRIPT_OPTION, wrapperAt } from './exec-wrapper-specs.js';
import { parallelLine } from './exec-wrapper-parallel.js';

/** A shell variable assignment word (XCU 2.9.1), defined with the word reader. */
export { isAssignment } from './shell-words.js';

/** find's actions that run the command in the words after them, up to `;` or `+` (POSIX find, GNU findutils). */
const FIND_ACTIONS: ReadonlySet<string> = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** `ray job submit` options that take no value (Ray's job CLI); every other option takes one. */
const RAY_SWITCHES: ReadonlySet<string> = new Set(['--no-wait', '--verify', '--no-verify', '-v', '--verbose', '--help', '--disable-usage-stats']);

/**
 * `ray job submit [OPTIONS] [--] ENTRYPOINT…`: the Ray CLI joins the entrypoint's words quoted
 * (subprocess.list2cmdline) and the job runs that command line, on this cluster or the one
 * `--address` names (ShadowRay's lateral step). The entrypoint starts after `--`, else at the
 * first word that is no option or option value.
 */
function rayEntrypoint(words: readonly string[], t: number): number {
  if (words[t + 1] !== 'job' || words[t + 2] !== 'submit') return -1;
  const j = leadingOptionsEnd(words, t + 3, (w) => (RAY_SWITCHES.has(w) || w.includes('=') ? 0 : 1));
  return j < words.length ? j : -1;
}

/** kubectl subcommands that run the command after `--` in a container: exec, a new pod (run), a debug container. */
const KUBECTL_RUNS: ReadonlySet<string> = new Set(['exec', 'run', 'debug']);
/** What `kubectl create <kind> NAME --image=I -- CMD…` makes run CMD: a Job, a CronJob (on its schedule, persistence), a Deployment. */
const KUBECTL_CREATES_RUNNING: ReadonlySet<string> = new Set(['job', 'cronjob', 'cj', 'deployment', 'deploy']);
/** kubectl's global options that take the next word as their value (`kubectl options`), which may stand before the subcommand. */
const KUBECTL_GLOBAL_VALUES: ReadonlySet<string> = new Set([
  '-n', '--namespace', '--context', '--kubeconfig', '-s', '--server', '--token', '--as', '--as-group', '--as-uid', '--user',
  '--cluster', '--request-timeout', '-v', '--v', '--cache-dir', '--certificate-authority', '--client-certificate', '--client-key',
  '--tls-server-name', '--username', '--password', '--profile', '--profile-output', '--log-file', '--vmodule',
]);

/**
 * `kubectl exec POD -- CMD…`, `kubectl run NAME --image=I -- CMD…`, `kubectl debug … -- CMD…`,
 * `kubectl create job|cronjob|deployment NAME --image=I -- CMD…` (and OpenShift's `oc`): the command
 * runs in a container, another pod's from inside this one (lateral movement with the pod's token;
 * a CronJob's on its schedule). Read where `--` ends kubectl's own words and the subcommand (its
 * first word that is no option) is one of these.
 */
function kubectlCommand(words: readonly string[], t: number): number {
  const dash = words.indexOf('--', t + 1);
  if (dash < 0 || dash + 1 >= words.length) return -1;
  for (let j = t + 1; j < dash; j++) {
    const w = words[j]!;
    if (w.startsWith('-')) {
      if (KUBECTL_GLOBAL_VALUES.has(w)) j++;
      continue;
    }
    return KUBECTL_RUNS.has(w) || (w === 'create' && KUBECTL_CREATES_RUNNING.has(words[j + 1] ?? '')) ? dash + 1 : -1;
  }
  return -1;
}

/** ssh options that take a value (OpenSSH ssh(1)); the other letters are switches. */
const SSH_VALUE_LETTERS = 'BbcDEeFIiJLlmOoPpQRSWw';

/**
 * `ssh [options] HOST COMMAND…`: ssh joins the command's words with spaces and the remote user's
 * shell runs that line, so it is read as a script (`ssh u@h 'curl … | sh'`). Short options are
 * read as ssh(1) gives them (a value-taking letter takes the rest of its cluster or the next word);
 * `-N` (no command), `-W` and `-O` (no remote shell) run none.
 */
function sshCommand(words: readonly string[], t: number): string | null {
  const host = leadingOptionsEnd(words, t + 1, (w) => {
    for (let k = 1; k < w.length; k++) {
      const c = w[k]!;
      if (c === 'N' || c === 'W' || c === 'O') return -1;
      // autossh's own -M takes its monitoring port (ssh's -M, master mode, is a switch).
      if (SSH_VALUE_LETTERS.includes(c) || (c === 'M' && words[t] === 'autossh')) return k === w.length - 1 ? 1 : 0;
    }
    return 0;
  });
  // The command is every word after the host, joined.
  return host >= 0 && host + 1 < words.length ? words.slice(host + 1).join(' ') : null;
}

/** Container CLIs' exec options that take a value (docker exec, podman exec, nerdctl exec, crictl exec). */
const CONTAINER_EXEC_VALUES: ReadonlySet<string> = new Set(['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '--timeout', '--preserve-fds']);

/** `docker exec [options] CONTAINER CMD…` (podman, nerdctl, crictl alike): the index of CMD, or -1. */
function containerExec(words: readonly string[], t: number): number {
  const container = leadingOptionsEnd(words, t + 2, (w) => (CONTAINER_EXEC_VALUES.has(w) ? 1 : 0));
  return container + 1 < words.length ? container + 1 : -1;
}

/**
 * `docker run`'s switches (docker, podman and nerdctl share them): every other option takes a value
 * (`-v /:/host`, `--name x`), as most of run's do. A flag this list does not know is read as taking
 * the next word, which can only move the image to a later word and the command with it, never read
 * an option's value as the command.
 */
const RUN_SWITCHES: ReadonlySet<string> = new Set([
  '--rm', '--privileged', '--init', '--read-only', '--detach', '--interactive', '--tty', '--publish-all', '--no-healthcheck',
  '--oom-kill-disable', '--quiet', '--replace', '--systemd', '--no-hosts', '--help', '--sig-proxy', '--disable-content-trust',
]);
/** run's one-letter switches: -d detach, -i interactive, -t tty, -P publish all, -q quiet. */
const RUN_SHORT_SWITCHES = 'ditPq';

/**
 * `docker run [options] IMAGE [CMD…]` (`container run`, podman, nerdctl alike): the command the new
 * container runs, as argv words: CMD, after `--entrypoint E` if given (`docker run --entrypoint sh
 * alpine -c '…'` runs `sh -c '…'`), or null when it runs its image's own command.
 */
function containerRun(words: readonly string[], t: number): string[] | null {
  let entrypoint: string | null = null;
  const j = leadingOptionsEnd(words, t + 2, (w, at) => {
    const eq = w.indexOf('=');
    if (w.startsWith('--')) {
      const takes = eq < 0 && !RUN_SWITCHES.has(w) ? 1 : 0;
      if ((eq < 0 ? w : w.slice(0, eq)) === '--entrypoint') entrypoint = eq < 0 ? (words[at + 1] ?? null) : w.slice(eq + 1);
      return takes;
    }
    // A short cluster (`-it`, `-dv /:/h`): its first value-taking letter takes the rest, else the next word.
    for (let k = 1; k < w.length; k++) if (!RUN_SHORT_SWITCHES.includes(w[k]!)) return k === w.length - 1 ? 1 : 0;
    return 0;
  });
  // j: the image; the command is every word after it.
  const cmd = words.slice(j + 1);
  if (entrypoint !== null && entrypoint !== '') return [entrypoint, ...cmd];
  // An image whose entrypoint is its tool gets the tool's options and operands as its command.
  const tool = j < words.length ? ENTRYPOINT_IMAGES.get(imageName(words[j]!)) : undefined;
  if (tool !== undefined && cmd.length > 0 && cmd[0] !== tool) return [tool, ...cmd];
  return cmd.length > 0 ? cmd : null;
}

/**
 * Images published with their tool as the entrypoint (`docker run curlimages/curl -T f URL` runs
 * `curl -T f URL`), by the image's last path part: curlimages/curl, amazon/aws-cli, minio/mc,
 * rclone/rclone, peakcom/s5cmd, alpine/socat, subfuzion/netcat.
 */
const ENTRYPOINT_IMAGES: ReadonlyMap<string, string> = new Map([
  ['curl', 'curl'], ['aws-cli', 'aws'], ['mc', 'mc'], ['rclone', 'rclone'], ['s5cmd', 's5cmd'], ['socat', 'socat'], ['netcat', 'nc'],
]);

/** An image reference's last path part, without its tag or digest (`docker.io/curlimages/curl:8.5.0` gives `curl`). */
function imageName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}

/** `docker exec …` / `docker run …` (`container exec`, `container run`): the command, as argv words, or null. */
function containerCommand(words: readonly string[], t: number): string[] | null {
  let sub = t + 1;
  if (words[sub] === 'container') sub++;
  const verb = words[sub];
  if (verb === 'exec') {
    const at = containerExec(words, sub - 1);
    return at < 0 ? null : words.slice(at);
  }
  return verb === 'run' && words[t] !== 'crictl' ? containerRun(words, sub - 1) : null;
}

/** Tools that run a command somewhere else (`remoteRun`). */
export const REMOTE_RUNNERS: ReadonlySet<string> = new Set(['ray', 'kubectl', 'oc', 'ssh', 'autossh', 'docker', 'podman', 'nerdctl', 'crictl', ...RAY_REST_CLIENTS]);

/**
 * The command the tool at `t` (one of REMOTE_RUNNERS) runs somewhere else: a Ray job's entrypoint,
 * kubectl exec / run / debug's command and a container CLI's exec or run command (argv words), ssh's remote
 * command line or the entrypoint an HTTP client submits to a Ray cluster's Jobs API (exec-ray-rest.ts;
 * scripts), or null.
 * The tool stays the command the pod runs (what it sends, what it reads on stdin); what it runs
 * elsewhere is read beside it (exec-canonical.ts).
 */
export function remoteRun(words: readonly string[], t: number): { argv: string[] } | { line: string } | null {
  const name = words[t];
  if (name === 'ssh' || name === 'autossh') {
    const line = sshCommand(words, t);
    return line === null ? null : { line };
  }
  if (name !== undefined && RAY_REST_CLIENTS.has(name)) {
    const line = rayRestEntrypoint(words, t);
    return line === null ? null : { line };
  }
  if (name !== 'ray' && name !== 'kubectl' && name !== 'oc') {
    const argv = containerCommand(words, t);
    return argv === null ? null : { argv };
  }
  const at = name === 'ray' ? rayEntrypoint(words, t) : kubectlCommand(words, t);
  return at < 0 ? null : { argv: words.slice(at) };
}

/** Reserved words that may open a simple command (`then curl …`, `! curl …`, `{ curl …`). */
// `time` is read as the wrapper (bash's reserved word takes -p, GNU time more options; a path to it is reduced to `time`).
const RESERVED = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'case', 'esac']);

/** An IO number (`2` in `2>&1`). */
function isDigits(w: string): boolean {
  if (w.length === 0 || w.length > 3) return false;
  for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) < 0x30 || w.charCodeAt(i) > 0x39) return false;
  return true;
}

/** Index of the word a script's simple command runs: after reserved words, assignments, redirections. */
export function toolIndex(words: readonly string[]): number {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (RESERVED.has(w) || isAssignment(w)) i++;
    else if (REDIRECTION_WORDS.has(w)) i += 2;
    else if (isDigits(w) && i + 1 < words.length && REDIRECTION_WORDS.has(words[i + 1]!)) i += 3;
    else break;
  }
  return i;
}

/**
 * Where the wrapper at `t` hands over: the index of the word it runs, or of its script (`script`;
 * cmd's is rewritten in place, `kinds` the INDIRECT_* bits its reading holds: exec-cmd-vars.ts;
 * a joined wrapper's words are joined in place into one line: exec-wrapper-specs.ts).
 */
export function unwrap(words: string[], t: number, name: string): { next: number; script: boolean; kinds?: number } | null {
  if (isCmdName(name)) {
    const how = { kinds: 0 };
    const at = cmdScriptAt(words, t, how);
    return at < 0 ? null : { next: at, script: true, kinds: how.kinds };
  }
  if (name === 'find') {
    // The first action that runs a command; the words after it up to `;` / `+` are that command's.
    for (let j = t + 1; j + 1 < words.length; j++) if (FIND_ACTIONS.has(words[j]!)) return { next: j + 1, script: false };
    return null;
  }
  const opts = SCRIPT_OPTION.get(name);
  if (opts) {
    for (let j = t + 1; j + 1 < words.length; j++) if (opts.includes(words[j]!) || isScriptCluster(words[j]!)) return { next: j + 1, script: true };
  }
  if (name === 'start-stop-daemon') return startStopDaemon(words, t);
  const at = wrapperAt(words, t, name);
  if (at === null) return null;
  if ('script' in at) return { next: at.script, script: true };
  const { spec } = at;
  if (spec.after !== undefined) {
    const k = words.indexOf(spec.after, at.from);
    return k >= 0 && k + 1 < words.length ? { next: k + 1, script: false } : null;
  }
  let needed = spec.needs === undefined;
  let operands = spec.operands ?? 0;
  let scripted = false;
  let replace = '{}';
  let j = at.from;
  while (j < words.length) {
    const w = words[j]!;
    if (w === '--') {
      j++;
      break;
    }
    if (spec.assignments && isAssignment(w)) j++;
    else if (w.length > 1 && w[0] === '-') {
      if (spec.refuse?.includes(w)) return null;
      if (spec.needs?.includes(w)) needed = true;
      if (spec.noOperandWith?.some((o) => w === o || (o.length === 2 && w[1] !== '-' && w.startsWith(o)))) operands = 0;
      if (spec.script?.includes(w)) return j + 1 < words.length ? { next: j + 1, script: true } : null;
      if (spec.scriptLetters !== undefined && w[1] !== '-' && [...spec.scriptLetters].some((c) => w.includes(c))) scripted = true;
      if (spec.items && w === '-I' && j + 1 < words.length) replace = words[j + 1]!;
      j += spec.args?.includes(w) ? 2 : spec.pairs?.includes(w) ? 3 : 1 + clusterTakes(w, spec.letters);
    } else break;
  }
  if (!needed) return null;
  j += operands;
  // An option after the operands that takes a command line (`flock FILE -c '…'`, `sg GROUP -c '…'`).
  if (spec.script?.includes(words[j] ?? '')) return j + 1 < words.length ? { next: j + 1, script: true } : null;
  if (spec.items) return parallelLine(words, j, replace);
  if (j >= words.length) return null;
  if (!spec.joined) return { next: j, script: scripted };
  // The words up to a redirection, joined: the line a shell runs.
  let end = j;
  while (end < words.length && !REDIRECTION_WORDS.has(words[end]!)) end++;
  if (end > j + 1) words.splice(j, end - j, words.slice(j, end).join(' '));
  return { next: j, script: true };
}

/** start-stop-daemon's options that take a value (Debian's dpkg); its program is `--startas` or `--exec`. */
const SSD_VALUES: ReadonlySet<string> = new Set([
  '-p', '--pidfile', '-x', '--exec', '-n', '--name', '-u', '--user', '-g', '--group', '-s', '--signal', '-R', '--retry', '-a', '--startas',
  '-N', '--nicelevel', '-P', '--procsched', '-I', '--iosched', '-k', '--umask', '-d', '--chdir', '-r', '--chroot', '-c', '--chuid', '--ppid', '--output', '--notify-timeout',
]);

/**
 * `start-stop-daemon --start [options] --exec PROG [-- ARG…]`: PROG (or `--startas`'s) runs with the
 * arguments after `--`. Written into the words in place of the `--` (or after the options), where it
 * hands over; words read this way before are read the same again.
 */
function startStopDaemon(words: string[], t: number): { next: number; script: boolean } | null {
  let start = false;
  let prog: string | null = null;
  let startAs: string | null = null;
  let j = t + 1;
  for (; j < words.length && words[j] !== '--' && words[j]!.startsWith('-'); j++) {
    const w = words[j]!;
    const eq = w.indexOf('=');
    const opt = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    const value = opt !== w ? w.slice(eq + 1) : SSD_VALUES.has(w) ? (words[++j] ?? null) : null;
    if (opt === '-S' || opt === '--start') start = true;
    else if (opt === '-x' || opt === '--exec') prog = value;
    else if (opt === '-a' || opt === '--startas') startAs = value;
  }
  const run = startAs ?? prog;
  if (!start || run === null || run === '') return null;
  if (words[j] === '--') words[j] = run;
  // Read before (the words hold the program already): the same hand-over.
  else if (j >= words.length || baseName(words[j]!) !== baseName(run)) words.splice(j, 0, run);
  return { next: j, script: false };
}

/** `-qc` (script(1)), `-lc` (su): a short cluster of switches ending in `c`, whose value is the command line. */
const isScriptCluster = (w: string): boolean => /^-[aeflmpq]+c$/.test(w);

/** Words a short-option cluster takes after it: 1 when a value letter ends it (`-dmS name`), else 0 (none, or the value is in the word). */
function clusterTakes(w: string, letters: string | undefined): number {
  if (letters === undefined || w[1] === '-') return 0;
  for (let k = 1; k < w.length; k++) if (letters.includes(w[k]!)) return k === w.length - 1 ? 1 : 0;
  return 0;
}
