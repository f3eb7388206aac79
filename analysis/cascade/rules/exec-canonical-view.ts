/**
 * The canonical reading of an exec as rules see it (`ExecCanonical`; exec-canonical.ts builds it,
 * exec-readings.ts reads it): the commands and texts one reading gathered, how indirect it is, and
 * the shell's command lines a spec's allow list must allow, written only when asked.
 */
import { argvLines, remoteCopyTools, stdinFileTools } from './exec-command-lines.js';
import { clientPrintedFiles } from './exec-client-output.js';
import { environmentWords, MAX_VARIABLES } from './exec-environment.js';
import { fetchedThenRun } from './exec-fetched-run.js';
import { readWrites, type Writes } from './exec-persistence.js';
import { toolLines, toolWords } from './exec-tool-words.js';
import { httpSendsTo } from './exec-http-destinations.js';
import { netcatSends } from './exec-netcat-sends.js';
import { MAX_VALUES, socketIo } from './exec-socket-io.js';
import { storeLoads } from './exec-store-loads.js';
import { gpuSettings } from './exec-gpu-settings.js';
import { restamps } from './exec-restamps.js';
import { joinWords, scriptLine, unionOf } from './exec-readings.js';
import type { ShellScript } from './shell-words.js';

export interface ExecCanonical {
  /** The simple commands as they run, each its words (tool words as basenames). */
  commands: string[][];
  /** scripted[i]: commands[i] was read from a script (not argv itself). */
  scripted: boolean[];
  /** When argv runs a shell script: the argv indices of the shell's options [from, to); else -1, -1. */
  shellOptionsFrom: number;
  shellOptionsTo: number;
  /** `<shell> -c <script as read>` when argv runs a shell script, else null (spec allow lists). */
  readonly shellLine: string | null;
  /** A bound (script length, words, commands, argv words, depth) cut the reading short. */
  truncated: boolean;
  /** Scripts read that no word spells (eval'd, decoded, here-docs fed to a shell), as text. */
  payloads: readonly string[];
  /** The reading ran such a script (or one it could not decode): no allow list vouches for it. */
  indirect: boolean;
  /** INDIRECT_* bits (exec-readings.ts): how those scripts came about (0 when not `indirect`). */
  indirectKinds: number;
  /** One line per pipeline of two or more commands, in every reading (exec-pipelines.ts). */
  pipelines: readonly string[];
  /** Tools whose output a later stage of their pipeline runs as its script, in every reading (exec-pipelines.ts). */
  fedToShell: readonly string[];
  /** `<shell> -c <script as read with its variables expanded>` when that differs from `shellLine`, else null. */
  readonly expandedShellLine: string | null;
  /** Fetch tools whose downloaded file a later command runs (exec-fetched-run.ts: `curl -o f URL; sh f` gives `curl`). */
  readonly fetchedThenRun: readonly string[];
  /** Each command run from argv (not a script) as one line of its words (exec-command-lines.ts). */
  readonly argvLines: readonly string[];
  /** Tools a script feeds a file on standard input (`ssh h 'cat > x' < f` gives `ssh`; exec-command-lines.ts). */
  readonly stdinFileTools: readonly string[];
  /** Commands an FTP / SFTP / SMB client reads on standard input, as `<client> <command>` (exec-command-lines.ts). */
  readonly clientLines: readonly string[];
  /** rsync / scp when they copy a local file to a remote destination, aws / gsutil / gcloud / s3cmd to a bucket (exec-command-lines.ts). */
  readonly remoteCopyTools: readonly string[];
  /** Commands on a raw socket: `send cat`, `recv nc`, `shell bash` (exec-socket-io.ts). */
  readonly socketIo: readonly string[];
  /** What it leaves to run again: `cron`, `systemd`, `profile`… (exec-persistence.ts). */
  readonly persists: readonly string[];
  /** The files it writes (redirections, tee, cp / mv / install / ln / rsync targets, dd of=, sed -i, interpreter code's own writes), placed (exec-persistence.ts). */
  readonly writes: readonly string[];
  /** Those of `writes` a pull from elsewhere wrote: a download, a bucket or a remote host copied down, a hub model, a clone (exec-persistence.ts). */
  readonly pulls: readonly string[];
  /** Those of `writes` written with what the pod holds or makes: any way but a pull (exec-persistence.ts). */
  readonly localWrites: readonly string[];
  /** Files given a new path with what the pod holds, as `SRC -> DEST` (exec-persistence.ts). */
  readonly copies: readonly string[];
  /** Each word a command gives its tool, as `<tool> <word>` (`curl -T`, `aws cp`; exec-tool-words.ts). */
  readonly toolWords: readonly string[];
  /** Each tool a command runs (wrappers too) with its own words as one line (`gzip -t /tmp/a.gz`; exec-tool-words.ts). */
  readonly toolLines: readonly string[];
  /** The files commands print to the exec's own output, as `<tool> <file>` (`cat /mnt/ckpt/m.pt`; exec-client-output.ts). */
  readonly printsFiles: readonly string[];
  /** `loopback` when every curl / wget command provably sends only to the pod's loopback, else `elsewhere`; none without either (exec-http-destinations.ts). */
  readonly httpSendsTo: readonly string[];
  /** netcat tools of commands not in zero-I/O mode (`nc evil 4444` gives `nc`; `nc -zv redis 6379` none; exec-netcat-sends.ts). */
  readonly netcatSends: readonly string[];
  /** The variables the commands set, as `NAME=value` (`LD_PRELOAD=/tmp/x.so python3 …`, `export P=…`; not `echo P=…`; exec-environment.ts). */
  readonly environment: readonly string[];
  /** The files data-store clients load into their server, as `<client> <file>` (`redis-cli /mnt/ckpt/m.pt`; exec-store-loads.ts). */
  readonly storeLoads: readonly string[];
  /** GPU settings and GPU monitoring changed, as `<tool> <setting> [value]` (`nvidia-smi power-limit 150`, `dcgmi policy clear`; exec-gpu-settings.ts). */
  readonly gpuSettings: readonly string[];
  /** Files whose times are set to a chosen time, as `touch <file>` (`touch -r ref /mnt/ckpt/m.pt`; exec-restamps.ts). */
  readonly restamps: readonly string[];
  /**
   * Shells started for the session with no script to run, as `<starter> <shell>`: by interpreter
   * code (`pty.spawn("/bin/bash")` in python3 gives `python3 bash`, Perl's `exec "/bin/sh"` gives
   * `perl sh`), or by `script` writing its typescript to /dev/null (`script -qc bash /dev/null` gives
   * `script bash`; without `-c` it starts the login shell: `script shell`).
   */
  readonly spawnedShells: readonly string[];
}

/** What a finished reading gathered (exec-canonical.ts's builder). */
export interface ReadingParts {
  readonly commands: string[][];
  readonly scripted: boolean[];
  readonly payloads: readonly string[];
  readonly pipelines: readonly string[];
  readonly fedToShell: readonly string[];
  /** Indices of commands whose output the next command reads through a pipe. */
  readonly pipesOut: readonly number[];
  /** Per command index, its tool word as written when that was a path. */
  readonly toolPaths: ReadonlyMap<number, string> | null;
  readonly clientLines: readonly string[];
  /** What interpreter code does on a network socket it opened: `shell <name>`, `send <language>` (exec-interpreter-socket-shell.ts, -socket-send.ts). */
  readonly codeSocketIo: readonly string[];
  /** Paths interpreter code writes by its own calls (exec-interpreter-file-writes.ts). */
  readonly codeWrites: readonly string[];
  /** Shells started for the session with no script, as `<starter> <shell>` (ExecCanonical `spawnedShells`). */
  readonly spawnedShells: readonly string[];
  /** Assignments a command gives the shell it hands a script to (`LD_PRELOAD=x sh -c '…'`). */
  readonly shellEnv: readonly string[];
  /** The arguments the last shell read that was given any had after its script (`$0` first). */
  readonly positional: readonly string[] | null;
  readonly kinds: number;
  readonly expanded: ShellScript | null;
}

export class Canonical implements ExecCanonical {
  private line: string | null | undefined;
  private fetched: readonly string[] | undefined;
  private lines: readonly string[] | undefined;
  private stdinTools: readonly string[] | undefined;
  private remoteCopies: readonly string[] | undefined;
  private sockets: readonly string[] | undefined;
  private written: Writes | undefined;
  private words: readonly string[] | undefined;
  private wordLines: readonly string[] | undefined;
  private http: readonly string[] | undefined;
  private netcat: readonly string[] | undefined;
  private printed: readonly string[] | undefined;
  private variables: readonly string[] | undefined;
  private loads: readonly string[] | undefined;
  private gpu: readonly string[] | undefined;
  private stamps: readonly string[] | undefined;
  readonly commands: string[][];
  readonly scripted: boolean[];
  readonly payloads: readonly string[];
  readonly pipelines: readonly string[];
  readonly fedToShell: readonly string[];
  readonly clientLines: readonly string[];
  readonly indirectKinds: number;
  readonly spawnedShells: readonly string[];
  private readonly expanded: ShellScript | null;
  private readonly pipesOut: readonly number[];
  private readonly toolPaths: ReadonlyMap<number, string> | null;
  private readonly codeSocketIo: readonly string[];
  private readonly codeWrites: readonly string[];
  private readonly shellEnv: readonly string[];
  private readonly positional: readonly string[] | null;
  constructor(
    b: ReadingParts,
    readonly truncated: boolean,
    readonly shellOptionsFrom = -1,
    readonly shellOptionsTo = -1,
    private readonly argv: readonly string[] | null = null,
    private readonly read: ShellScript | null = null,
  ) {
    this.commands = b.commands;
    this.scripted = b.scripted;
    this.payloads = b.payloads;
    this.pipelines = b.pipelines;
    this.fedToShell = b.fedToShell;
    this.indirectKinds = b.kinds;
    this.expanded = b.expanded;
    this.pipesOut = b.pipesOut;
    this.toolPaths = b.toolPaths;
    this.clientLines = b.clientLines;
    this.codeSocketIo = b.codeSocketIo;
    this.codeWrites = b.codeWrites;
    this.spawnedShells = b.spawnedShells;
    this.shellEnv = b.shellEnv;
    this.positional = b.positional;
  }

  get indirect(): boolean {
    return this.indirectKinds !== 0;
  }

  /** Written when asked (spec allow lists), once. */
  get shellLine(): string | null {
    if (this.line === undefined) this.line = this.argv && this.read ? `${joinWords(this.argv, this.shellOptionsTo)} ${scriptLine(this.read)}` : null;
    return this.line;
  }

  /** Read when asked (a rule over `attrs.exec.fetchedThenRun`), once. */
  get fetchedThenRun(): readonly string[] {
    if (this.fetched === undefined) this.fetched = fetchedThenRun(this.commands, this.pipesOut, this.toolPaths);
    return this.fetched;
  }

  /** Written when asked (a rule over `attrs.exec.argvLine`), once. */
  get argvLines(): readonly string[] {
    if (this.lines === undefined) this.lines = argvLines(this.commands, this.scripted);
    return this.lines;
  }

  /** Read when asked (a rule over `attrs.exec.stdinFromFile`), once. */
  get stdinFileTools(): readonly string[] {
    if (this.stdinTools === undefined) this.stdinTools = stdinFileTools(this.commands, this.scripted);
    return this.stdinTools;
  }

  /** Read when asked (a rule over `attrs.exec.copiesToRemote`), once. */
  get remoteCopyTools(): readonly string[] {
    if (this.remoteCopies === undefined) this.remoteCopies = remoteCopyTools(this.commands, this.scripted);
    return this.remoteCopies;
  }

  /** Read when asked (a rule over `attrs.exec.socketIo`), once. */
  get socketIo(): readonly string[] {
    if (this.sockets === undefined) this.sockets = unionOf(socketIo(this.commands, this.scripted, this.pipesOut), this.codeSocketIo, MAX_VALUES);
    return this.sockets;
  }

  get persists(): readonly string[] {
    return this.writesRead().persists;
  }

  get writes(): readonly string[] {
    return this.writesRead().paths;
  }

  get pulls(): readonly string[] {
    return this.writesRead().pulls;
  }

  get localWrites(): readonly string[] {
    return this.writesRead().local;
  }

  get copies(): readonly string[] {
    return this.writesRead().copies;
  }

  /** Read when asked (a rule over `attrs.exec.persists`, `writes`, `pulls`, `localWrites` or `copies`), once for all. */
  private writesRead(): Writes {
    return (this.written ??= readWrites(this.commands, this.scripted, this.codeWrites));
  }

  /** Read when asked (a rule over `attrs.exec.toolWords`), once. */
  get toolWords(): readonly string[] {
    if (this.words === undefined) this.words = toolWords(this.commands);
    return this.words;
  }

  /** Read when asked (a rule over `attrs.exec.httpSendsTo`), once. */
  get httpSendsTo(): readonly string[] {
    if (this.http === undefined) this.http = httpSendsTo(this.commands, this.truncated || this.indirect);
    return this.http;
  }

  /** Read when asked (a rule over `attrs.exec.toolLine`), once. */
  get toolLines(): readonly string[] {
    return (this.wordLines ??= toolLines(this.commands));
  }

  /** Read when asked (a rule over `attrs.exec.printsFile`), once. */
  get printsFiles(): readonly string[] {
    if (this.printed === undefined) this.printed = clientPrintedFiles(this.commands, this.pipesOut, this.positional);
    return this.printed;
  }

  /** Read when asked (a rule over `attrs.exec.netcatSends`), once. */
  get netcatSends(): readonly string[] {
    if (this.netcat === undefined) this.netcat = netcatSends(this.commands, this.scripted);
    return this.netcat;
  }

  /** Read when asked (a rule over `attrs.exec.environment`), once. */
  get environment(): readonly string[] {
    if (this.variables === undefined) this.variables = unionOf(environmentWords(this.commands), this.shellEnv, MAX_VARIABLES);
    return this.variables;
  }

  /** Read when asked (a rule over `attrs.exec.storeLoads`), once. */
  get storeLoads(): readonly string[] {
    if (this.loads === undefined) this.loads = storeLoads(this.commands, this.scripted, this.pipesOut, this.positional);
    return this.loads;
  }

  /** Read when asked (a rule over `attrs.exec.gpuSettings`), once. */
  get gpuSettings(): readonly string[] {
    return (this.gpu ??= gpuSettings(this.commands));
  }

  /** Read when asked (a rule over `attrs.exec.restamps`), once. */
  get restamps(): readonly string[] {
    return (this.stamps ??= restamps(this.commands, this.pipesOut, this.positional));
  }

  /** Written each time asked (spec allow lists; only scripts whose variables were expanded have one). */
  get expandedShellLine(): string | null {
    return this.argv && this.expanded ? `${joinWords(this.argv, this.shellOptionsTo)} ${scriptLine(this.expanded)}` : null;
  }
}
