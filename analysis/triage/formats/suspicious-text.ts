/**
 * Heuristics for attacker text hidden in model metadata: strings that read like Python, shell,
 * HTML script or that carry URLs (safetensors `__metadata__`, ONNX string attributes, GGUF metadata,
 * Triton parameters), and Jinja sandbox-escape gadgets in GGUF chat templates. The text is never
 * run; these only say what it looks like. Literal patterns use indexOf on lower-cased text.
 */

export interface TextSignals {
  /** Python-like code: `import os`, `os.system`, `subprocess`, `eval(`, `__import__`… */
  code: string[];
  /** Shell: `rm -rf`, `curl `, `wget `, `| sh`, `bash -c`… */
  shell: string[];
  /** Markup that runs in a browser: `<script`, `javascript:`, `onerror=`… */
  script: string[];
  /** URLs (http, https, ftp), at most MAX_URLS. */
  urls: string[];
}

const CODE_LITERALS = [
  '__import__',
  'os.system',
  'os.popen',
  'subprocess',
  'eval(',
  'exec(',
  '__builtins__',
  'pickle.loads',
  'marshal.loads',
  'importlib',
  'pty.spawn',
  'socket.socket',
];
/**
 * `import x` / `from x import y` as a Python statement: at the start of a line or after `;`, `(`
 * or a quote — not the word in prose ("a model with a malicious import statement").
 */
const IMPORT_STATEMENT = /(?:^|[;\n(\"'`]\s*)import\s+[a-z_][\w.]*\s*(?:$|[;,\n)\"'`]|\s+as\s)|\bfrom\s+[a-z_][\w.]*\s+import\s+[\w*(]/m;

const SHELL_LITERALS = [
  'rm -rf',
  'curl ',
  'wget ',
  'bash -c',
  'sh -c',
  '/bin/sh',
  '/bin/bash',
  'nc -e',
  'chmod +x',
  'powershell',
  '/dev/tcp/',
  'base64 -d',
];
/** A pipe into a shell: `| sh`, `|bash` (not `|shape`). */
const PIPE_TO_SHELL = /\|\s*(?:sh|bash|zsh|dash)(?![a-z0-9_])/;

const SCRIPT_LITERALS = ['<script', 'javascript:', 'vbscript:', 'onerror=', 'onload=', '<iframe'];

const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s'"<>`]+/gi;
const MAX_URLS = 5;

/** Hosts whose URLs are ordinary provenance in model metadata. */
const KNOWN_HOSTS = [
  'huggingface.co',
  'hf.co',
  'github.com',
  'arxiv.org',
  'pytorch.org',
  'tensorflow.org',
  'onnx.ai',
  'creativecommons.org',
  'opensource.org',
  'spdx.org',
  'apache.org',
  'doi.org',
];

export function scanSuspiciousText(text: string): TextSignals {
  const lower = text.toLowerCase();
  const code: string[] = [];
  for (const p of CODE_LITERALS) if (lower.includes(p)) code.push(p);
  if (IMPORT_STATEMENT.test(lower)) code.push('import statement');
  const shell: string[] = [];
  for (const p of SHELL_LITERALS) if (lower.includes(p)) shell.push(p.trim());
  if (PIPE_TO_SHELL.test(lower)) shell.push('| sh');
  const script: string[] = [];
  for (const p of SCRIPT_LITERALS) if (lower.includes(p)) script.push(p);
  const urls: string[] = [];
  if (lower.includes('://')) {
    URL_PATTERN.lastIndex = 0;
    for (let m = URL_PATTERN.exec(text); m !== null && urls.length < MAX_URLS; m = URL_PATTERN.exec(text)) {
      urls.push(m[0]);
    }
  }
  return { code, shell, script, urls };
}

/** True when the URL's host is one of KNOWN_HOSTS or a subdomain of one. */
export function isKnownHostUrl(url: string): boolean {
  const m = /^[a-z]+:\/\/([^/:?#@]*@)?([^/:?#]+)/i.exec(url);
  const host = m?.[2]?.toLowerCase();
  if (host === undefined) return false;
  return KNOWN_HOSTS.some((h) => host === h || host.endsWith('.' + h));
}

export interface TemplateSignals {
  /** Sandbox-escape gadgets: dunder attributes, `os.popen`, `import`, escaped underscores. */
  injection: string[];
  /** Pivots seen in SSTI payloads but not an escape by themselves. */
  suspicious: string[];
}

const TEMPLATE_INJECTION_LITERALS = [
  'os.popen',
  'os.system',
  'subprocess',
  'popen(',
  'eval(',
  'exec(',
  '\\x5f',
  '\\u005f',
  '\\137',
];
/** Any Python dunder (`__class__`, `__globals__`, `__builtins__`, `__subclasses__`, `__init__`…). */
const DUNDER = /__[a-z][a-z0-9_]*__/g;
const IMPORT_WORD = /(?:^|[^a-z0-9_])import(?![a-z0-9_])/;
const ATTR_FILTER = /\|\s*attr\s*\(/;
const TEMPLATE_PIVOTS = ['lipsum', 'cycler', 'joiner', 'self._', '.mro(', 'request.', 'config.items'];

/**
 * Jinja server-side template injection in chat templates: llama.cpp-based servers and
 * transformers render them with Jinja2, so a template reaching Python objects runs code.
 */
export function scanChatTemplate(text: string): TemplateSignals {
  const lower = text.toLowerCase();
  const injection: string[] = [];
  const dunders = new Set<string>();
  DUNDER.lastIndex = 0;
  for (let m = DUNDER.exec(lower); m !== null && dunders.size < 10; m = DUNDER.exec(lower)) dunders.add(m[0]);
  injection.push(...dunders);
  for (const p of TEMPLATE_INJECTION_LITERALS) if (lower.includes(p)) injection.push(p);
  if (IMPORT_WORD.test(lower)) injection.push('import');
  const suspicious: string[] = [];
  if (ATTR_FILTER.test(lower)) suspicious.push('|attr(');
  for (const p of TEMPLATE_PIVOTS) if (lower.includes(p)) suspicious.push(p);
  return { injection, suspicious };
}

/** A short, single-line excerpt of attacker text for a finding message. */
export function excerpt(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length <= max ? flat : flat.slice(0, max) + '…';
}
