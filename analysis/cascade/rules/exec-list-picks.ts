/**
 * The list fields derived from an exec command's canonical reading, by name: each a view of one
 * `ExecCanonical` (exec-canonical.ts), computed once per reading. Rules read them below
 * `attrs.exec.` for a command run through `kubectl exec` (event-fields.ts) and below `workload.`
 * for the commands a created workload's containers run (workload-fields.ts).
 */
import type { ExecCanonical } from './exec-canonical.js';

export const EXEC_LIST_PICKS: Readonly<Record<string, (c: ExecCanonical) => readonly string[]>> = {
  /** The tools piped into a shell (exec-pipelines.ts). */
  pipedToShell: (c) => c.fedToShell,
  /** The fetch tools whose downloaded file the command runs (exec-fetched-run.ts). */
  fetchedThenRun: (c) => c.fetchedThenRun,
  /** Each argv command's words as one line (exec-command-lines.ts). */
  argvLine: (c) => c.argvLines,
  /** The tools a script feeds a file on standard input (exec-command-lines.ts). */
  stdinFromFile: (c) => c.stdinFileTools,
  /** Commands a script feeds an FTP / SFTP / SMB client on standard input (exec-command-lines.ts). */
  clientInput: (c) => c.clientLines,
  /** rsync / scp copying a local file to a remote destination, object-store CLIs copying to a bucket (exec-command-lines.ts). */
  copiesToRemote: (c) => c.remoteCopyTools,
  /** Commands on a raw socket: bash's /dev/tcp, nc -e, a shell piped to nc (exec-socket-io.ts). */
  socketIo: (c) => c.socketIo,
  /** What the command leaves to run again: a crontab, a unit, a start-up file (exec-persistence.ts). */
  persists: (c) => c.persists,
  /** The files the command writes, placed (exec-persistence.ts). */
  writes: (c) => c.writes,
  /** Those of them a pull from elsewhere wrote: a download, a bucket copied down, a hub model, a clone (exec-persistence.ts). */
  pulls: (c) => c.pulls,
  /** Those of them written with what the pod holds or makes, not pulled (exec-persistence.ts). */
  localWrites: (c) => c.localWrites,
  /** Files the command copies, moves or links with what the pod holds, as `SRC -> DEST`, placed (exec-persistence.ts). */
  copies: (c) => c.copies,
  /** Each word a command gives its tool, as `<tool> <word>` (exec-tool-words.ts). */
  toolWords: (c) => c.toolWords,
  /** Each tool a command runs with its own words, as one line (exec-tool-words.ts). */
  toolLine: (c) => c.toolLines,
  /** Where the command's curl / wget send: `loopback` or `elsewhere` (exec-http-destinations.ts). */
  httpSendsTo: (c) => c.httpSendsTo,
  /** netcat commands that may send: not in zero-I/O mode (exec-netcat-sends.ts). */
  netcatSends: (c) => c.netcatSends,
  /** The files the command prints to its own output (exec-client-output.ts). */
  printsFile: (c) => c.printsFiles,
  /** The variables the commands set, as `NAME=value`: assignment words, a wrapper's, export's (exec-environment.ts). */
  environment: (c) => c.environment,
  /** The files data-store clients load into their server, as `<client> <file>` (exec-store-loads.ts). */
  storeLoads: (c) => c.storeLoads,
  /** GPU settings and GPU monitoring changed, as `<tool> <setting> [value]` (exec-gpu-settings.ts). */
  gpuSettings: (c) => c.gpuSettings,
  /** Shells started for the session with no script: interpreter code's (`pty.spawn("/bin/bash")` gives `python3 bash`), `script`'s into /dev/null (exec-canonical.ts). */
  spawnsShell: (c) => c.spawnedShells,
  /** Files whose times are set to a chosen time, as `touch <file>` (exec-restamps.ts). */
  restamps: (c) => c.restamps,
};
