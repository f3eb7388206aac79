/**
 * What an exec'd command does, from its argv (PodExecOptions `command`, as the audit reader parsed it
 * from the request URI). `sh -c '<script>'` is split into commands so `tar … && curl …` shows both
 * tools, while `aws s3 cp` is aws, not cp. Bounded: at most MAX_TOKENS words of at most
 * MAX_SCRIPT characters are looked at.
 */

export const COMMAND_CATEGORIES = ['archive', 'copy', 'network', 'python_convert', 'shell'] as const;
export type CommandCategory = (typeof COMMAND_CATEGORIES)[number];

const MAX_TOKENS = 96;
const MAX_SCRIPT = 4096;

const TOOL_CATEGORY = new Map<string, CommandCategory>([
  ...['tar', 'zip', 'gzip', 'gunzip', 'pigz', 'bzip2', 'xz', 'zstd', '7z', '7za', 'split', 'cpio'].map((t) => [t, 'archive'] as const),
  ...['cp', 'rsync', 'dd', 'mv'].map((t) => [t, 'copy'] as const),
  ...['curl', 'wget', 'rclone', 'aws', 'gsutil', 'gcloud', 'azcopy', 'az', 's3cmd', 'mc', 'scp', 'sftp', 'ftp', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'huggingface-cli', 'hf', 'git-lfs'].map((t) => [t, 'network'] as const),
  ...['python', 'python3', 'python2', 'ipython', 'llama-quantize', 'quantize', 'optimum-cli', 'ct2-transformers-converter', 'trtexec'].map((t) => [t, 'python_convert'] as const),
  ...['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'busybox'].map((t) => [t, 'shell'] as const),
]);

export interface ScannedCommand {
  /** Every word, shell scripts split on whitespace and shell operators; quotes removed. */
  tokens: string[];
  /** Tool names in command position: argv[0], and the first word of each stage of a script. */
  commands: string[];
}

/** Wrappers whose first argument is the real command (`sudo tar …`, `nohup curl …`). */
const WRAPPERS = new Set(['sudo', 'env', 'nohup', 'exec', 'time', 'xargs', 'timeout', 'nice', 'stdbuf', 'command', 'busybox']);

export function scanCommand(argv: readonly unknown[]): ScannedCommand {
  const out: ScannedCommand = { tokens: [], commands: [] };
  let expectCommand = true;
  for (let i = 0; i < argv.length && out.tokens.length < MAX_TOKENS; i++) {
    const a = argv[i];
    if (typeof a !== 'string' || a.length === 0) continue;
    const text = a.length > MAX_SCRIPT ? a.slice(0, MAX_SCRIPT) : a;
    if (text.indexOf(' ') >= 0 || text.indexOf(';') >= 0 || text.indexOf('&') >= 0 || text.indexOf('|') >= 0 || text.indexOf('\n') >= 0) {
      // A script argument (`sh -c '…'`): its own command positions.
      splitScript(text, out);
      expectCommand = false;
    } else {
      out.tokens.push(text);
      if (expectCommand) expectCommand = noteCommandWord(text, out);
    }
  }
  return out;
}

/** Records a word in command position; true when the next word is still in command position (a wrapper). */
function noteCommandWord(word: string, out: ScannedCommand): boolean {
  if (word.indexOf('=') > 0 && word.charCodeAt(0) !== 45) return true; // VAR=value prefix
  if (word.charCodeAt(0) === 45 || /^\d+[smhd]?$/.test(word)) return true; // wrapper options / timeout durations
  const name = toolName(word);
  out.commands.push(name);
  return WRAPPERS.has(name);
}

function splitScript(script: string, out: ScannedCommand): void {
  let start = -1;
  let expectCommand = true;
  for (let i = 0; i <= script.length && out.tokens.length < MAX_TOKENS; i++) {
    const c = i < script.length ? script.charCodeAt(i) : 32;
    // ; & | ( ) ` and newline separate commands; space, tab, < > and quotes only separate words.
    const isOperator = c === 59 || c === 38 || c === 124 || c === 40 || c === 41 || c === 96 || c === 10 || c === 13;
    const isBreak = isOperator || c === 32 || c === 9 || c === 60 || c === 62 || c === 34 || c === 39;
    if (isBreak) {
      if (start >= 0) {
        const word = script.slice(start, i);
        out.tokens.push(word);
        if (expectCommand) expectCommand = noteCommandWord(word, out);
      }
      start = -1;
      if (isOperator) expectCommand = true;
    } else if (start < 0) {
      start = i;
    }
  }
}

/** The tool a word names: its basename, without a trailing version (`python3.11` → `python3`). */
function toolName(token: string): string {
  const slash = token.lastIndexOf('/');
  let name = (slash >= 0 ? token.slice(slash + 1) : token).toLowerCase();
  const m = /^(python[23]?)\.\d+$/.exec(name);
  if (m) name = m[1]!;
  return name;
}

/**
 * Bit set over COMMAND_CATEGORIES (bit k = category k): the tools in command position, plus
 * conversion / quantisation scripts named anywhere (they run as `python convert_hf_to_gguf.py`).
 */
export function commandCategoryBits({ tokens, commands }: ScannedCommand): number {
  let bits = 0;
  for (const name of commands) {
    const cat = TOOL_CATEGORY.get(name);
    if (cat !== undefined) bits |= 1 << COMMAND_CATEGORIES.indexOf(cat);
  }
  for (const t of tokens) {
    if (t.length > 128 || t.charCodeAt(0) === 45 /* - */) continue;
    const name = toolName(t);
    if (name.indexOf('convert') >= 0 || name.indexOf('quantiz') >= 0 || (name.endsWith('.py') && (name.indexOf('gguf') >= 0 || name.indexOf('export') >= 0))) {
      bits |= 1 << COMMAND_CATEGORIES.indexOf('python_convert');
    }
  }
  return bits;
}

/** Serialisation formats a model file can be in, by extension or declared name. */
export const MODEL_FORMATS = ['safetensors', 'gguf', 'onnx', 'pt'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** The model format a path / URL / declared format names, else null. */
export function modelFormatOf(text: string): ModelFormat | null {
  const t = (text.length > 512 ? text.slice(-512) : text).toLowerCase();
  const end = firstOf(t, '?', '#');
  const s = end >= 0 ? t.slice(0, end) : t;
  if (s === 'safetensors' || s.endsWith('.safetensors')) return 'safetensors';
  if (s === 'gguf' || s.endsWith('.gguf') || s === 'ggml' || s.endsWith('.ggml')) return 'gguf';
  if (s === 'onnx' || s.endsWith('.onnx')) return 'onnx';
  if (s === 'pt' || s === 'pytorch' || s === 'torch' || s.endsWith('.pt') || s.endsWith('.pth') || s.endsWith('.ckpt') || s.endsWith('.bin')) return 'pt';
  return null;
}

function firstOf(s: string, a: string, b: string): number {
  const i = s.indexOf(a);
  const j = s.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}
