/**
 * Loads rule files (YAML, one or more documents each) into compiled rules. A document is a Sigma
 * rule when it has `logsource`, a behavioural spec when `kind: BehaviouralSpec`, and an MLShield
 * rule when it has `detection` without `logsource`. Every problem — bad YAML, schema violation,
 * unknown modifier, bad condition, duplicate id — becomes a `{file, line, message}` error and that
 * document is skipped; the rest of the set still loads. Lines come from the `yaml` package's
 * `LineCounter` and the node at (or nearest above) the offending path.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { CompiledRule, RuleLoadError, RuleSet } from './compiled-rule.js';
import type { Issue, YamlPath } from './detection.js';
import { compileSigmaRule, isSigmaDocument, type CompileOutput } from './sigma-compile.js';
import { compileMlshieldRule, isMlshieldRuleDocument } from './mlshield-rule.js';
import { compileSpec } from './spec.js';
import { isSpecDocument } from './spec-schema.js';

export interface RuleFile {
  path: string;
  text: string;
}

export const MAX_RULE_FILE_BYTES = 1 << 20;
export const MAX_DOCUMENTS_PER_FILE = 1000;
export const MAX_RULES = 10_000;

interface Ranged {
  range?: [number, number, number] | null;
}

/**
 * The line of the node at `path`: a map entry's key line (where a reader looks for it), a sequence
 * item's own line, or — when the path does not exist (a missing key) — the nearest ancestor's.
 */
function lineOf(doc: Document, lc: LineCounter, path: YamlPath): number {
  let node: unknown = doc.contents;
  let best = (node as Ranged | null)?.range?.[0] ?? -1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && String(k.value) === String(seg);
      });
      if (!pair) break;
      const keyStart = (pair.key as Ranged | null)?.range?.[0];
      if (typeof keyStart === 'number') best = keyStart;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      const start = (item as Ranged | null)?.range?.[0];
      if (typeof start !== 'number') break;
      best = start;
      node = item;
    } else break;
  }
  return best >= 0 ? lc.linePos(best).line : 0;
}

function compileDocument(js: unknown, file: string, line: number): CompileOutput {
  if (js === null || typeof js !== 'object' || Array.isArray(js)) {
    return { rule: null, issues: [{ path: [], message: 'a rule document must be a YAML mapping' }], warnings: [] };
  }
  if ('action' in js && typeof (js as { action: unknown }).action === 'string' && /^(global|reset|repeat)$/.test((js as { action: string }).action)) {
    return { rule: null, issues: [{ path: ['action'], message: 'Sigma rule collections (action: global/reset/repeat) are not supported; write one rule per document' }], warnings: [] };
  }
  if (isSigmaDocument(js)) return compileSigmaRule(js, file, line);
  if (isSpecDocument(js)) return compileSpec(js, file, line);
  if (isMlshieldRuleDocument(js)) return compileMlshieldRule(js, file, line);
  return {
    rule: null,
    issues: [{ path: [], message: "not a rule: expected a Sigma rule ('logsource'), an MLShield rule ('detection') or a behavioural spec ('kind: BehaviouralSpec')" }],
    warnings: [],
  };
}

function docId(js: unknown): string | null {
  if (js !== null && typeof js === 'object' && 'id' in js) {
    const id = (js as { id: unknown }).id;
    if (typeof id === 'string') return id.slice(0, 128);
  }
  return null;
}

/** Parses and compiles every rule document of `files`. Never throws on bad input. */
export function loadRuleSet(files: readonly RuleFile[]): RuleSet {
  const rules: CompiledRule[] = [];
  const errors: RuleLoadError[] = [];
  const warnings: RuleLoadError[] = [];
  const seen = new Map<string, string>();

  for (const f of files) {
    const file = f.path;
    if (f.text.length > MAX_RULE_FILE_BYTES) {
      errors.push({ file, line: 0, message: `rule file larger than ${MAX_RULE_FILE_BYTES} bytes` });
      continue;
    }
    const lc = new LineCounter();
    let docs: Document[];
    try {
      docs = parseAllDocuments(f.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }) as unknown as Document[];
    } catch (e) {
      errors.push({ file, line: 0, message: `YAML: ${(e as Error).message}` });
      continue;
    }
    if (!Array.isArray(docs)) continue; // an empty stream
    if (docs.length > MAX_DOCUMENTS_PER_FILE) {
      errors.push({ file, line: 0, message: `more than ${MAX_DOCUMENTS_PER_FILE} documents` });
      continue;
    }
    for (const doc of docs) {
      if (doc.errors.length) {
        for (const err of doc.errors) errors.push({ file, line: lc.linePos(err.pos[0]).line, message: `YAML: ${err.message.split('\n')[0]}` });
        continue;
      }
      for (const w of doc.warnings) warnings.push({ file, line: lc.linePos(w.pos[0]).line, message: `YAML: ${w.message.split('\n')[0]}` });
      let js: unknown;
      try {
        js = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        errors.push({ file, line: lineOf(doc, lc, []), message: `YAML: ${(e as Error).message}` });
        continue;
      }
      if (js === null || js === undefined) continue; // empty document (e.g. a trailing `---`)
      const line = lineOf(doc, lc, []);
      const id = docId(js);
      const prefix = id ? `${id}: ` : '';
      const out = compileDocument(js, file, line);
      const toError = (i: Issue): RuleLoadError => ({ file, line: lineOf(doc, lc, i.path) || line, message: prefix + i.message });
      for (const w of out.warnings) warnings.push(toError(w));
      if (!out.rule) {
        for (const i of out.issues) errors.push(toError(i));
        continue;
      }
      const prev = seen.get(out.rule.meta.id);
      if (prev) {
        errors.push({ file, line: lineOf(doc, lc, ['id']) || line, message: `${prefix}duplicate rule id (first defined in ${prev})` });
        continue;
      }
      if (rules.length >= MAX_RULES) {
        errors.push({ file, line, message: `more than ${MAX_RULES} rules` });
        continue;
      }
      seen.set(out.rule.meta.id, `${file}:${line}`);
      rules.push(out.rule);
    }
  }
  return { rules, errors, warnings };
}
