/**
 * Does a call argument read like code? Gadget chains (idlelib `runcode`, `timeit`, `Profile.run`,
 * `pdb`…) carry their payload as a Python or shell string; spotting the string catches gadgets
 * the denylist has not heard of yet. Only applied to arguments of non-allowlisted callees.
 */
import { decodeUtf8 } from './arg-text.js';
import type { SymValue } from './sym-value.js';

/** Lower-case needles; each one alone is a strong sign of code or a shell command. */
const NEEDLES: readonly string[] = [
  '__import__', 'import os', 'import subprocess', 'import socket', 'import sys', 'os.system', 'os.popen',
  'subprocess.', 'exec(', 'eval(', 'compile(', 'getattr(', '__builtins__', '__globals__', '__subclasses__',
  '/bin/sh', '/bin/bash', 'sh -c', 'bash -c', 'cmd.exe', 'cmd /c', 'powershell', 'curl ', 'wget ', 'nc -e',
  '/dev/tcp/', 'mkfifo', 'rm -rf', 'chmod +x', 'base64 -d', '| sh', '|sh', '| bash', 'python -c', 'python3 -c',
  'whoami', 'cat /etc/passwd', '~/.ssh', '~/.aws', 'socket.socket',
];

/** The first needle found in `text` (case-insensitive), or null. */
export function codeIndicator(text: string): string | null {
  if (text.length < 4) return null;
  const t = text.length > 65536 ? text.slice(0, 65536).toLowerCase() : text.toLowerCase();
  for (const n of NEEDLES) if (t.includes(n)) return n;
  return null;
}

/**
 * Scans the constants inside `args` (tuples, lists, dicts, nested calls; bounded depth and node
 * count) and returns the first code-like string with its indicator.
 */
export function findPayloadString(args: SymValue, maxNodes = 2000): { text: string; indicator: string } | null {
  let budget = maxNodes;
  const walk = (v: SymValue, depth: number): { text: string; indicator: string } | null => {
    if (budget-- <= 0 || depth > 6) return null;
    switch (v.k) {
      case 'str': {
        const ind = codeIndicator(v.v);
        return ind ? { text: v.v, indicator: ind } : null;
      }
      case 'bytes': {
        const text = decodeUtf8(v.v.subarray(0, 65536)).text;
        const ind = codeIndicator(text);
        return ind ? { text, indicator: ind } : null;
      }
      case 'tuple': case 'list': case 'set':
        for (const x of v.items) { const r = walk(x, depth + 1); if (r) return r; }
        return null;
      case 'dict':
        for (const [a, b] of v.entries) { const r = walk(a, depth + 1) ?? walk(b, depth + 1); if (r) return r; }
        return null;
      case 'call':
        return (v.folded ? walk(v.folded, depth + 1) : null) ?? walk(v.args, depth + 1) ?? (v.kwargs ? walk(v.kwargs, depth + 1) : null);
      default:
        return null;
    }
  };
  return walk(args, 0);
}

/** True when `v` holds only constants (no imports, calls, persistent ids or unknowns). */
export function isConstant(v: SymValue, maxNodes = 2000): boolean {
  let budget = maxNodes;
  const walk = (x: SymValue, depth: number): boolean => {
    if (budget-- <= 0 || depth > 8) return false;
    switch (x.k) {
      case 'none': case 'bool': case 'int': case 'float': case 'str': case 'bytes':
        return true;
      case 'tuple': case 'list': case 'set':
        return x.items.every((i) => walk(i, depth + 1));
      case 'dict':
        return x.entries.every(([a, b]) => walk(a, depth + 1) && walk(b, depth + 1));
      default:
        return false;
    }
  };
  return walk(v, 0);
}
