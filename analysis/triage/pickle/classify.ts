/**
 * Import classification: allowlist first (what checkpoints need), then the denylist with
 * severities, then structural red flags (attribute chains reaching os/sys, dunder traversal,
 * private stdlib modules, lookalike names), and "suspicious" for everything else. How severe a
 * suspicious import is depends on how the pickle uses it: merely referencing or constructing a
 * class is low, calling it with arguments is medium; `strict` turns every suspicious import into
 * a dangerous one.
 */
import { maxSeverity, type Severity } from '../severity.js';
import { ALLOW_WITH_CONSTANT_ARGS, TORCHSCRIPT_PREFIX, isAllowlisted } from './import-allowlist.js';
import {
  DANGEROUS_CHAIN_SEGMENTS,
  DANGEROUS_DUNDERS,
  DENY_BY_MODULE,
  EXEC_LIKE_NAMES,
  type DenyRule,
} from './import-denylist.js';
import { isDunder, isPrivate, parseImportName, type ImportName } from './import-names.js';

export const IMPORT_CLASSIFICATIONS = ['safe', 'suspicious', 'dangerous', 'unknown'] as const;
export type ImportClassification = (typeof IMPORT_CLASSIFICATIONS)[number];

export interface ImportVerdict {
  classification: ImportClassification;
  severity: Severity;
  reason: string;
  /** Set when the spelling itself is a trick (non-ASCII lookalike, whitespace/control padding). */
  obfuscation?: string;
}

export interface ClassifyOptions {
  /** Every non-allowlisted import is dangerous (high). */
  strict?: boolean;
  /** The pickle calls it (REDUCE/OBJ/INST) rather than only constructing or referencing it. */
  called?: boolean;
  /** For allow-with-constant-args functions: every argument is a constant. */
  constantArgs?: boolean;
}

/** The most severe deny rule that matches the import or any module reached along its chain. */
function denyMatch(n: ImportName): DenyRule | null {
  let best: DenyRule | null = null;
  const segs = n.segments;
  for (let s = 0; s < segs.length - 1; s++) {
    // Start at the import's module and at every attribute of the chain (numpy `prod.os.system`).
    if (s > 0 && s < n.moduleSegments) continue;
    for (let k = segs.length - 1; k > s; k--) {
      const rules = DENY_BY_MODULE.get(segs.slice(s, k).join('.'));
      if (!rules) continue;
      const rest = segs.slice(k);
      const first = rest[0] as string;
      const full = rest.join('.');
      for (const rule of rules) {
        const hit = rule.names === '*'
          ? !(rule.except?.includes(first) ?? false)
          : rule.names.includes(first) || rule.names.includes(full);
        if (hit && (best === null || maxSeverity(best.severity, rule.severity) !== best.severity)) best = rule;
      }
    }
  }
  return best;
}

function obfuscationOf(n: ImportName): string | undefined {
  if (n.nonAscii) return 'non-ASCII characters in module/name (lookalike spelling)';
  if (n.padded) return 'whitespace or control characters in module/name';
  return undefined;
}

function verdict(classification: ImportClassification, severity: Severity, reason: string, obfuscation?: string): ImportVerdict {
  return obfuscation ? { classification, severity, reason, obfuscation } : { classification, severity, reason };
}

/** Verdicts are pure functions of their inputs; checkpoints repeat the same few imports. */
const cache = new Map<string, ImportVerdict>();
const CACHE_MAX = 20_000;

export function classifyImport(module: string, name: string, opts: ClassifyOptions = {}): ImportVerdict {
  const key = `${opts.strict ? 1 : 0}${opts.called ? 1 : 0}${opts.constantArgs === false ? 0 : 1}\0${module}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const v = classifyUncached(module, name, opts);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, v);
  return v;
}

function classifyUncached(module: string, name: string, opts: ClassifyOptions): ImportVerdict {
  const n = parseImportName(module, name);
  const obf = obfuscationOf(n);
  const full = `${n.module}.${n.name}`;
  if (!obf) {
    if (isAllowlisted(n.module, n.name)) return verdict('safe', 'info', 'allowlisted checkpoint global');
    if (ALLOW_WITH_CONSTANT_ARGS.has(full)) {
      return opts.called && opts.constantArgs === false
        ? verdict('suspicious', 'medium', `${full} applied to non-constant arguments`)
        : verdict('safe', 'info', `${full} on constant arguments (bytes encoding)`);
    }
  }
  const deny = denyMatch(n);
  if (deny) return verdict('dangerous', obf ? 'critical' : deny.severity, `denylisted: ${deny.module} ${deny.why}`, obf);

  const nameSegs = n.segments.slice(n.moduleSegments);
  const st: { severity: Severity; reason: string } = opts.called
    ? { severity: 'medium', reason: 'called global outside the allowlist' }
    : { severity: 'low', reason: 'global outside the allowlist' };
  const raise = (s: Severity, why: string): void => {
    if (maxSeverity(st.severity, s) !== st.severity) { st.severity = s; st.reason = why; }
  };
  for (const seg of nameSegs) {
    if (DANGEROUS_DUNDERS.has(seg)) raise('critical', `attribute chain through ${seg}`);
    else if (isDunder(seg)) raise('high', `dunder attribute ${seg}`);
    if (n.chain && DANGEROUS_CHAIN_SEGMENTS.has(seg)) raise('critical', `attribute chain reaches ${seg}`);
  }
  const last = nameSegs[nameSegs.length - 1] ?? '';
  const top = n.segments[0] ?? '';
  if (EXEC_LIKE_NAMES.has(last)) raise('high', `name ${last} reads like command execution`);
  if (n.module === 'builtins') raise('high', `builtins.${n.name} is not a data constructor`);
  if (isPrivate(top)) raise('high', `private interpreter module ${top}`);
  if (opts.called && isPrivate(last)) raise('high', `call of private function ${last}`);
  if (opts.called && n.chain) raise('high', `call through attribute chain ${n.name}`);
  if (obf) raise('high', obf);

  if (top === TORCHSCRIPT_PREFIX && st.severity === 'low') {
    st.reason = 'TorchScript class (its code is in the archive code/ folder)';
  }
  if (opts.strict) return verdict('dangerous', maxSeverity(st.severity, 'high'), `strict mode: ${st.reason}`, obf);
  const dangerous = st.severity === 'critical' || st.severity === 'high';
  return verdict(dangerous ? 'dangerous' : 'suspicious', st.severity, st.reason, obf);
}

/**
 * An import whose module or name was not a constant. Unknowable imports are high on their own;
 * the best-effort `hint` (what the operands most plausibly say) can only raise that.
 */
export function classifyUnresolved(hint: { module: string; name: string } | undefined, opts: ClassifyOptions = {}): ImportVerdict {
  const base = verdict('unknown', 'high', 'module/name not resolvable statically');
  if (!hint || (hint.module === 'unknown' && hint.name === 'unknown')) return base;
  const h = classifyImport(hint.module, hint.name, opts);
  return h.severity === 'critical'
    ? verdict('unknown', 'critical', `unresolvable import that most plausibly is ${hint.module}.${hint.name} (${h.reason})`)
    : base;
}
