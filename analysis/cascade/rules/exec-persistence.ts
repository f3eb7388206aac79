/**
 * What an exec leaves in the pod to run again later (MITRE TA0003, persistence):
 * `attrs.exec.persists`, for MLS-RAY-016 (scheduled jobs, services, boot scripts, preloads, ssh
 * keys) and MLS-RAY-017 (shell start-up files). Values, in order, each once:
 * - `cron`: a crontab installed (`crontab -`, `crontab FILE`, `(crontab -l; echo '* * * * * …') |
 *   crontab -`, `crontab -e`; `crontab -l` lists and `-r` removes: nothing installed), or a file
 *   written under /etc/cron.d, /etc/cron.{hourly,daily,weekly,monthly}, /etc/crontab,
 *   /etc/anacrontab or /var/spool/cron (T1053.003);
 * - `at`: a job given to `at` / `batch` (T1053.002; `at -l`, `-r`, `-d`, `-c` only look);
 * - `systemd`: a unit written under a systemd unit directory (/etc/systemd/system, /lib/systemd,
 *   ~/.config/systemd/user…), or `systemctl enable | reenable | link | add-wants` (T1543.002);
 * - `rc`: /etc/rc.local, /etc/init.d, /etc/rc*.d written, `update-rc.d`, `chkconfig NAME on`, `chkconfig --add NAME` (T1037.004);
 * - `ld-preload`: /etc/ld.so.preload written: a library loaded into every process (T1574.006);
 * - `authorized_keys`: a key added to an ssh `authorized_keys` (T1098.004);
 * - `account`: an account made, changed or given a password (`useradd`, `adduser`, `usermod`,
 *   `groupadd`, `gpasswd`, `chpasswd`, `newusers`, `passwd` but `passwd -S`), or /etc/passwd,
 *   /etc/shadow, /etc/group, /etc/sudoers or /etc/sudoers.d written (T1136.001, T1098, T1548.003);
 * - `setuid`: a way back to root left in a file: a set-user-ID mode given (`chmod u+s F`, `chmod
 *   4755 F`, `install -m 4755`; set-group-ID alone is how shared directories keep a group), or a capability that undoes the container's user
 *   given to a program (`setcap cap_setuid+ep F`; T1548.001);
 * - `profile`: a shell start-up file written (`~/.bashrc`, `~/.profile`, `/etc/profile.d/*`,
 *   `/etc/bash.bashrc`…; T1546.004);
 * - `python-startup`: code every Python process, kernel or notebook server of the pod runs when it
 *   starts: a `.pth` file, `sitecustomize.py` or `usercustomize.py` in a site-packages or
 *   dist-packages directory, an IPython profile's startup file, a Jupyter server's config file
 *   (T1546.018).
 * A file is written by a script command's output redirection (`>`, `>>`, `>|`, `&>`, `<>`; a `>`
 * in argv is a word the tool is given), `tee`, the destination of `cp` / `mv` / `install` / `ln` /
 * `rsync` / `scp` (the last operand, or `-t DIR`; a source copied into a directory under its own name; a
 * push's remote destination is none), a download's file (curl `-o` / `-O`, wget, aria2c,
 * `Invoke-WebRequest -OutFile`: exec-fetched-run.ts `fetchOutput`; a bucket copied down, `aws s3 cp s3://b/x
 * /mnt/ckpt/m.pt`: exec-bucket-copies.ts `bucketDownload`; a model, repository or tree pulled, `hf download R
 * --local-dir D`, `git clone U D`, rclone / mc pulls, `aws s3api get-object`, `wget -r`: exec-pull-writes.ts), `dd of=`,
 * or edited in place by `sed -i` / `perl -i`; by a diff applied (`patch`, `git apply`: exec-patch-writes.ts);
 * by an archive unpacked as a tree (exec-unpack.ts; the directory: `tar xzf b.tgz -C /mnt/ckpt`); by a PowerShell cmdlet (`Set-Content` / `Add-Content` / `New-Item` -Path, `Out-File` /
 * `Tee-Object` -FilePath, `Copy-Item` / `Move-Item` -Destination, named or by position); or by
 * interpreter code's own calls (`open('/etc/cron.d/x', 'w')`: exec-interpreter-file-writes.ts).
 * Paths are placed against the directory the script's `cd`s (and PowerShell's `Set-Location`s) set (exec-script-paths.ts); one
 * relative to a directory the words cannot follow is read as written (`.bashrc`, `.ssh/authorized_keys`
 * still name those files in some home). Never throws; MAX_VALUES values at most.
 */
import { withoutNote } from './exec-canonical.js';
import { BUCKET_COPY_TOOLS, bucketDownload } from './exec-bucket-copies.js';
import { copyOperands, remoteOperand } from './exec-command-lines.js';
import { cmdletLocation, cmdletWrite } from './exec-cmdlet-paths.js';
import { eachRedirection, operandsOf, toolArgs, writesFile } from './exec-decode-stage.js';
import { fetchOutput, newPathOperands, runIndex } from './exec-fetched-run.js';
import { patchedPaths } from './exec-patch-writes.js';
import { pullWrites } from './exec-pull-writes.js';
import { isAssignment } from './shell-words.js';
import { UNPACK_TOOLS, unpackOf } from './exec-unpack.js';
import { changedDir, joinName, normalPath, placePath, underDir, type WorkDir } from './exec-script-paths.js';
import { getoptOperands, optionLetters, optionNames } from './option-operands.js';
import { installMode, ROOT_CAPABILITY, setIdMode } from './exec-setid.js';
import { overwrittenFiles } from './exec-overwrites.js';

/** Values one reading gives (there are eight). */
export const MAX_VALUES = 8;
/** Written paths one reading gives. */
export const MAX_PATHS = 16;
/** Exported settings kept for the commands after them (the oldest forgotten first). */
const MAX_EXPORTED = 32;

/** Commands that give a file a new path (exec-fetched-run.ts reads their options). */
const COPIES: ReadonlySet<string> = new Set(['cp', 'mv', 'install', 'ln']);
const IN_PLACE: ReadonlySet<string> = new Set(['sed', 'gsed', 'perl', 'yq']);
/**
 * Commands that copy the files they are given to their standard output, with the options that take
 * a value (`short` letters, `long` names); `part`: a first or last part only (head, tail).
 */
interface CatTool {
  short: ReadonlySet<string>;
  long: ReadonlySet<string>;
  part: boolean;
}
const CATS: ReadonlyMap<string, CatTool> = new Map([
  ['cat', { short: optionLetters(''), long: optionNames(''), part: false }],
  ['pv', { short: optionLetters('ABDFHLNPRUdimsw'), long: optionNames('last-written buffer-size delay-start format height rate-limit name pidfile remote store-and-forward watchfd interval average-rate-window size width'), part: false }],
  ['head', { short: optionLetters('cn'), long: optionNames('bytes lines'), part: true }],
  ['tail', { short: optionLetters('cns'), long: optionNames('bytes lines pid sleep-interval max-unchanged-stats'), part: true }],
]);
const SYSTEMCTL_INSTALLS: ReadonlySet<string> = new Set(['enable', 'reenable', 'link', 'add-wants', 'add-requires']);

/** Persistence places by path (placed, `~` and `$HOME` read as a home directory). */
const PLACES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/etc\/(crontab|anacrontab)$|^\/etc\/cron\.(d|hourly|daily|weekly|monthly)(\/|$)|^\/var\/spool\/cron(\/|$)/, 'cron'],
  [/^\/(etc|run|lib|usr\/lib|usr\/local\/lib)\/systemd\/(system|user)(\/|$)|(^|\/)\.config\/systemd\/user(\/|$)/, 'systemd'],
  [/^\/etc\/(rc\.local$|rc\.d(\/|$)|init\.d(\/|$)|rc[0-6S]\.d(\/|$))/, 'rc'],
  [/^\/etc\/ld\.so\.preload$/, 'ld-preload'],
  [/^\/etc\/(passwd|shadow|group|gshadow|sudoers)$|^\/etc\/sudoers\.d(\/|$)/, 'account'],
  [/(^|\/)\.ssh\/authorized_keys2?$/, 'authorized_keys'],
  [/(^|\/)\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin)$|^\/etc\/(profile|bash\.bashrc|zshrc|zsh\/zshrc|environment)$|^\/etc\/profile\.d(\/|$)/, 'profile'],
  [/(^|\/)(site|dist)-packages\/([^/]+\.pth|sitecustomize\.py|usercustomize\.py)$|(^|\/)\.ipython\/profile_[^/]+\/startup\/[^/]+$|(^|\/)(\.jupyter|etc\/jupyter)\/jupyter_(notebook|server|lab)_config\.(py|json)$/, 'python-startup'],
];

/** The persistence place a written path names, or null. */
export function persistencePlace(path: string): string | null {
  const p = normalPath(path.replace(/^(~[^/]*|\$HOME|\$\{HOME\})(?=\/|$)/, '/home/~')).replace(/\/+$/, '');
  for (const [re, kind] of PLACES) if (re.test(p)) return kind;
  return null;
}

/** What one reading writes: its persistence places, and the paths of the files it writes. */
export interface Writes {
  /** Persistence places (the header's values), in order, each once; MAX_VALUES at most. */
  persists: string[];
  /** Each file written, placed against the script's `cd`s (a home-relative one as written), once; MAX_PATHS at most. */
  paths: string[];
  /** Those of `paths` a pull from elsewhere wrote (a download, a bucket, a remote host, a hub or a repository: Origin `pulled`). */
  pulls: string[];
  /** Those of `paths` written with what the pod itself holds or makes (any other way); a path may be in both. */
  local: string[];
  /**
   * Files given a new path with what the pod holds, as `SRC -> DEST`, both placed: cp / mv / install
   * / ln and a local rsync / scp (each source and where it lands), `dd if=SRC of=DEST`, `cat SRC >
   * DEST` (pv too; head and tail by bytes); a copy within its own tree too (`mv /mnt/ckpt/m.pt /mnt/ckpt/.m`). Once each, MAX_PATHS at most.
   */
  copies: string[];
}

/**
 * Where a written file's content comes from: nowhere new (a copy, move or link within its own
 * tree: a persistence place still, but no file written), the pod itself (a redirection, a copy, an
 * edit, an archive unpacked, interpreter code), or elsewhere, named by the command: a pull (a fetch
 * tool's file or its output redirected, a bucket copied down, an scp / rsync pull, exec-pull-writes.ts).
 */
type Origin = 'within' | 'local' | 'pulled';

/**
 * What the commands of one reading write (`scripted[i]`: command i came from a script), with the
 * paths its interpreter code writes by its own calls (`codeWrites`, already placed against the
 * code's own `chdir`s by exec-interpreter-path-value.ts; the script's `cd`s do not apply).
 */
export function readWrites(commands: readonly (readonly string[])[], scripted: readonly boolean[], codeWrites: readonly string[] = []): Writes {
  const out: string[] = [];
  const paths: string[] = [];
  const pulls: string[] = [];
  const local: string[] = [];
  const copies: string[] = [];
  const add = (v: string | null): void => {
    if (v !== null && out.length < MAX_VALUES && !out.includes(v)) out.push(v);
  };
  const keep = (list: string[], p: string): void => {
    if (list.length < MAX_PATHS && !list.includes(p)) list.push(p);
  };
  const wrote = (p: string, origin: Origin = 'local'): void => {
    if (origin !== 'within' && namesFile(p)) {
      keep(paths, p);
      keep(origin === 'pulled' ? pulls : local, p);
    }
    add(persistencePlace(p));
  };
  let cwd: WorkDir = '';
  const placed = (p: string): string => (/^(~|\$HOME|\$\{HOME\})(\/|$)/.test(p) ? p : (placePath(cwd, p) ?? p));
  const place = (p: string, origin: Origin = 'local'): void => {
    if (p !== '' && !p.startsWith('-')) wrote(placed(p), origin);
  };
  // `src` given the path `dest` (placed already) with what the pod holds: a copy, move or link.
  const copied = (src: string, dest: string): void => {
    if (src !== '' && !src.startsWith('-') && namesFile(dest)) keep(copies, `${placed(src)} -> ${dest}`);
  };
  // Sources copied to `to`: into a directory (`-t DIR`, several sources, a trailing slash, `.`, a well-known
  // directory) each lands there under its own name (`cp /tmp/x.pth …/site-packages` writes …/site-packages/x.pth);
  // any other bare target is read as the file written (`cp /root/.bashrc /backup/bashrc`).
  const land = (sources: readonly string[], to: string, dirGiven: boolean, origin: Origin, dest = placed(to)): void => {
    const intoDir = dirGiven || sources.length > 1 || to.endsWith('/') || KNOWN_DIRS.test(dest);
    if (!intoDir) place(to, origin);
    for (const src of sources) {
      const into = intoDir ? joinName(to, src) : to;
      if (intoDir) place(into, origin);
      if (origin !== 'pulled' && into !== '') copied(src, intoDir ? placed(into) : dest);
    }
  };
  // The settings a command inherits (a pull's hub cache: exec-pull-writes.ts): those exported before
  // it, and for a command a reading of interpreter code made (it ends with the reading's note) the
  // assignments before that interpreter (`HF_HOME=/mnt/models python3 -c '…from_pretrained(…)'`).
  const exported: string[] = [];
  /** The last command not read from code: the interpreter whose code the commands after it were read from. */
  let parent: { words: readonly string[]; t: number } | null = null;
  for (let c = 0; c < commands.length; c++) {
    const cmd = commands[c]!;
    const run = runIndex(cmd);
    const { t, tool } = run;
    const words = withoutNote(run.words, t);
    const fromCode = words !== run.words;
    if (!fromCode) parent = run;
    // The file a fetch tool saves (`curl -o F URL`, `wget -P DIR URL`), `-` for its standard output (exec-fetched-run.ts).
    const fetched = t < words.length ? fetchOutput(words, t, tool) : null;
    if (scripted[c] === true) {
      // Any descriptor's output, and `<>` (opened for writing too); a fetch tool's output redirected is a pull (`curl URL > F`).
      const origin: Origin = fetched === '-' ? 'pulled' : 'local';
      // `cat SRC > DEST` (pv too; head and tail by bytes) copies its files into the one its output is redirected to.
      const catted = t < words.length ? catSources(words, t, tool) : null;
      eachRedirection(cmd, 0, (op, fd, to) => {
        if (!writesFile(op, to) && op !== '<>') return;
        place(to, op === '<>' ? 'local' : origin);
        if (catted !== null && op !== '<>' && (fd === '' || fd === '1')) for (const src of catted) copied(src, placed(to));
      });
    }
    if (t >= words.length) continue;
    if (tool === 'cd' || tool === 'pushd') {
      cwd = changedDir(cwd, words, t);
      continue;
    }
    const location = cmdletLocation(words, t, tool);
    if (location !== undefined) {
      // PowerShell's `cd`, followed as `cd` is.
      cwd = location === null ? null : changedDir(cwd, ['cd', location], 0);
      continue;
    }
    if (tool === 'export') {
      for (let j = t + 1; j < words.length; j++) {
        if (!isAssignment(words[j]!)) continue;
        if (exported.length >= MAX_EXPORTED) exported.shift();
        exported.push(words[j]!);
      }
      continue;
    }
    const ops = operands(words, t);
    // A pull from elsewhere (exec-pull-writes.ts: the Hub CLI, git clone / pull, s3api, rclone, mc, wget's trees).
    const inherited = fromCode && parent !== null ? [...exported, ...parent.words.slice(0, parent.t).filter(isAssignment)] : exported;
    for (const p of pullWrites(words, t, tool, inherited)) {
      if (p.sources === null) place(p.to, 'pulled');
      else land(p.sources, p.to, false, 'pulled');
    }
    switch (tool) {
      case 'crontab':
        if (!flagged(words, t, /[lrV]/)) add('cron');
        break;
      case 'at':
      case 'batch':
        if (!flagged(words, t, /[lrdcV]/)) add('at');
        break;
      case 'useradd':
      case 'adduser':
      case 'usermod':
      case 'groupadd':
      case 'addgroup':
      case 'gpasswd':
      case 'chpasswd':
      case 'newusers':
        add('account');
        break;
      case 'passwd':
        // `passwd -S` only prints an account's status.
        if (!flagged(words, t, /S/) && !words.includes('--status')) add('account');
        break;
      case 'chmod':
        if (ops.length >= 2 && setIdMode(ops[0]!)) add('setuid');
        break;
      case 'setcap':
        if (ops.some((w) => ROOT_CAPABILITY.test(w))) add('setuid');
        break;
      case 'systemctl':
        if (ops.some((w) => SYSTEMCTL_INSTALLS.has(w))) add('systemd');
        break;
      case 'update-rc.d':
        if (ops.length >= 2 && ops[1] !== 'remove') add('rc');
        break;
      case 'chkconfig':
        // `--add NAME` registers an init script for its runlevels (chkconfig(8)); `NAME on` enables one.
        if (ops.includes('on') || (words.indexOf('--add', t) > t && ops.length >= 1)) add('rc');
        break;
      case 'tee':
        for (const w of ops) place(w);
        break;
      case 'dd': {
        const from = ops.find((w) => w.startsWith('if='));
        for (const w of ops) {
          if (!w.startsWith('of=')) continue;
          place(w.slice(3));
          if (from !== undefined && w.length > 3) copied(from.slice(3), placed(w.slice(3)));
        }
        break;
      }
      case 'patch':
      case 'git':
        // A diff applied (exec-patch-writes.ts): its output or file, else the tree it is applied in.
        for (const p of patchedPaths(operandsOf(words, t, false)!, tool)) place(p);
        break;
      case 'rsync':
      case 'scp': {
        // A copy to a local destination (a push's remote one is no file of the pod: exec-command-lines.ts reads it);
        // rsync copies a source written with a trailing slash as its contents, into the destination itself.
        const rs = copyOperands(toolArgs(words, t, tool), 0, tool === 'rsync');
        const to = rs[rs.length - 1]!;
        const sources = rs.slice(0, -1);
        if (rs.length < 2 || remoteOperand(to)) break;
        const origin: Origin = sources.some(remoteOperand) ? 'pulled' : 'local';
        if (tool === 'rsync' && sources.every((src) => src.endsWith('/'))) {
          place(to, origin);
          if (origin === 'local') for (const src of sources) copied(src, placed(to));
        } else land(sources, to, false, origin);
        break;
      }
      default:
        if (BUCKET_COPY_TOOLS.has(tool)) {
          // A download from a bucket (`aws s3 cp s3://b/x.pt /mnt/ckpt/m.pt`); an upload writes nothing here.
          const down = bucketDownload(toolArgs(words, t, tool), tool);
          if (down !== null) land(down.sources, down.to, false, 'pulled');
        } else if (COPIES.has(tool)) {
          if (tool === 'install' && setIdMode(installMode(words, t))) add('setuid');
          const { operands: cs, target } = newPathOperands(words, t);
          const to = target ?? (cs.length >= 2 ? cs[cs.length - 1]! : '');
          // A file copied, moved or linked within its own tree (`mv step_1000 best`, `ln -s step_1000 latest`,
          // `cp -r /mnt/ckpt/base/step_5000 /mnt/ckpt/ft/init`) brings no content from elsewhere: a
          // persistence place still, but no file written.
          const dest = placed(to);
          const within = treeOf(dest);
          const sources = target === null ? cs.slice(0, -1) : cs;
          const content = within === null || sources.length === 0 || !sources.every((src) => underDir(placed(src), within));
          land(sources, to, target !== null, content ? 'local' : 'within', dest);
        } else if (IN_PLACE.has(tool) && (flagged(words, t, /i/) || words.some((w) => w.startsWith('--in-place') || w === '--inplace'))) for (const w of editedFiles(words, t, tool, ops)) place(w);
        else {
          // A file emptied, cut, punched or overwritten with noise (exec-overwrites.ts: truncate, fallocate, shred).
          const overwritten = overwrittenFiles(words, t, tool);
          if (overwritten !== null) for (const w of overwritten) place(w);
          const cmdlet = cmdletWrite(words, t, tool);
          if (cmdlet !== undefined) place(cmdlet ?? '');
          // A download saved to a file (`curl -o F URL`, `wget -P DIR URL`; its standard output is a redirection's).
          else if (fetched !== null) place(fetched, 'pulled');
          else if (UNPACK_TOOLS.has(tool)) {
            // An archive unpacked as a tree (exec-unpack.ts: tar x, unzip, 7z x, jar x): its directory, else the working one.
            const unpack = unpackOf(toolArgs(words, t, tool), 0, tool);
            if (unpack !== null && unpack.kind === 'tree') place(unpack.into ?? '.');
          }
        }
    }
  }
  for (const p of codeWrites) wrote(p);
  return { persists: out, paths, pulls, local, copies };
}

/**
 * The files the command at `t` copies to its standard output: cat's and pv's whole, head's or tail's
 * part by bytes (`head -c 4G F`: how a file too large to send at once is cut); null for another tool,
 * and for head or tail by lines (`tail -n 100 train.log`: an excerpt looked at, not a file cut).
 */
function catSources(words: readonly string[], t: number, tool: string): string[] | null {
  const cat = CATS.get(tool);
  if (cat === undefined) return null;
  let bytes = false;
  const sources = getoptOperands(toolArgs(words, t, tool), 0, cat.short, cat.long, (name) => {
    if (name === 'c' || name === 'bytes') bytes = true;
  });
  return cat.part && !bytes ? null : sources;
}

/** The words after `t` that are neither redirections (with their targets) nor options. */
function operands(words: readonly string[], t: number): string[] {
  return operandsOf(words, t, false)!.filter((w) => !w.startsWith('-') || w === '-');
}

/**
 * The tree an absolute path lies in: its first two directories (`/mnt/ckpt/a/b` gives `/mnt/ckpt`,
 * where a volume is mounted), else the directory holding it; null for a relative path.
 */
function treeOf(p: string): string | null {
  if (!p.startsWith('/')) return null;
  const parts = p.split('/').filter((x) => x !== '');
  if (parts.length >= 3) return `/${parts[0]}/${parts[1]}`;
  return parts.length === 2 ? `/${parts[0]}` : null;
}

/**
 * Bare copy targets read as directories: `.` and `..`, where files dropped by name are persistence or
 * code (site-packages, dist-packages, an ssh directory, cron.d, profile.d, an IPython startup directory),
 * and home directories.
 */
const KNOWN_DIRS = /(?:^|\/)(?:\.\.?|site-packages|dist-packages|\.ssh|cron\.d|profile\.d|startup)$|^(?:\/root|\/home\/[^/]+|~[^/]*|\$HOME|\$\{HOME\})$/;

/** Device paths a write names that hold no file (the bit bucket, the terminal, descriptors, bash's sockets). */
const NOT_A_FILE = /^\/dev\/(?:null|zero|full|stdout|stderr|stdin|tty|console|fd\/\d+|pts\/\d+|(?:tcp|udp)\/.*)$/;

/** Whether a placed written path names a file: not '' or '.' (the working directory, where the script's cd's do not say which it is), nor a device that holds none. */
function namesFile(p: string): boolean {
  return p !== '' && p !== '.' && !NOT_A_FILE.test(p);
}

/**
 * The files `sed -i` / `perl -i` / `yq -i` edit: their operands less the program, which is sed's
 * first operand unless -e / -f / --expression / --file gives it, the value of perl's -e / -E (`perl
 * -pi -e 's/a/b/' f`, the letter ending its cluster), and yq's first operand always.
 */
function editedFiles(words: readonly string[], t: number, tool: string, ops: readonly string[]): readonly string[] {
  // yq's expression is its first operand (its -e is --exit-status, no program).
  if (tool === 'yq') return ops.slice(1);
  const given = new Set<string>();
  let programGiven = false;
  for (let j = t + 1; j + 1 < words.length; j++) {
    const w = words[j]!;
    if (w.startsWith('--expression') || w.startsWith('--file')) programGiven = true;
    if (w.length < 2 || w[0] !== '-' || w[1] === '-') continue;
    const last = w[w.length - 1]!;
    if (tool === 'perl' ? last === 'e' || last === 'E' : last === 'e' || last === 'f') {
      programGiven = true;
      given.add(words[j + 1]!);
    }
  }
  const files = ops.filter((w) => !given.has(w));
  return tool !== 'perl' && !programGiven ? files.slice(1) : files;
}

/** Whether a short-option cluster after `t` holds a letter `letters` matches (`crontab -l`, `-u x -l`). */
function flagged(words: readonly string[], t: number, letters: RegExp): boolean {
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length > 1 && w[0] === '-' && w[1] !== '-' && letters.test(w.slice(1))) return true;
  }
  return false;
}
