/** Reads the rule files (YAML) from disk: the fs adapter in front of the pure rule loader. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../models/model-files.js';
import { loadRuleSet, MAX_RULE_FILE_BYTES, type RuleFile } from './rules/rule-loader.js';
import type { CompiledRule } from './rules/compiled-rule.js';

/** `<package root>/analysis/rules`, the rule set that ships with the tool. */
export function defaultRulesDir(): string | null {
  const root = packageRoot();
  return root ? join(root, 'analysis', 'rules') : null;
}

export function readRuleFiles(dir: string): RuleFile[] {
  const out: RuleFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) {
        if (st.size > MAX_RULE_FILE_BYTES) throw new Error(`${p}: rule file larger than ${MAX_RULE_FILE_BYTES} bytes`);
        out.push({ path: relative(dir, p), text: readFileSync(p, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

export interface LoadedRules {
  rules: CompiledRule[];
  files: number;
  warnings: string[];
}

/** Loads and compiles every rule file; any error stops the run with file and line named. */
export function loadRulesFrom(dirs: readonly string[]): LoadedRules {
  const files = dirs.flatMap((d) => readRuleFiles(d).map((f) => ({ ...f, path: join(d, f.path) })));
  const set = loadRuleSet(files);
  if (set.errors.length > 0) {
    const lines = set.errors.slice(0, 20).map((e) => `${e.file}:${e.line}: ${e.message}`);
    throw new Error(`rule files have errors:\n${lines.join('\n')}`);
  }
  return { rules: set.rules, files: files.length, warnings: set.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`) };
}
