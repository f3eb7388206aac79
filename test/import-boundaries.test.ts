/**
 * Keeps the layers honest (STYLE.md "One direction of imports"): the engine never imports
 * Electron or React, the renderer never imports Node or the engine, preload only the contract.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(relative(root, p)));
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) found.push((m[1] ?? m[2] ?? m[3])!);
  return found;
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function violations(dir: string, forbidden: (spec: string, file: string) => string | null, includeTests = false): string[] {
  const out: string[] = [];
  for (const f of sourceFiles(dir)) {
    if (!includeTests && /\.test\.tsx?$|test-support/.test(f)) continue;
    for (const spec of importsOf(f)) {
      const why = forbidden(spec, f);
      if (why) out.push(`${relative(root, f)} imports '${spec}': ${why}`);
    }
  }
  return out;
}

function resolvesInto(spec: string, file: string, target: string): boolean {
  if (!spec.startsWith('.')) return false;
  return relative(join(root, target), resolve(dirname(file), spec)).split(/[\\/]/)[0] !== '..';
}

describe('import boundaries', () => {
  it('analysis/ (the engine) imports neither Electron, React nor the app', () => {
    expect(
      violations('analysis', (spec, file) => {
        if (/^(electron|react|react-dom|zustand|echarts)(\/|$)/.test(spec)) return 'the engine must not depend on UI frameworks';
        if (resolvesInto(spec, file, 'app')) return 'the engine must not import the app';
        return null;
      }),
    ).toEqual([]);
  });

  it('app/renderer imports no Node module, no native package and not the engine', () => {
    expect(
      violations('app/renderer', (spec, file) => {
        if (NODE_BUILTINS.has(spec)) return 'the renderer runs in a browser sandbox';
        if (/^(electron|better-sqlite3|onnxruntime-node|ws)(\/|$)/.test(spec)) return 'native/Node package in the renderer';
        if (resolvesInto(spec, file, 'analysis')) return 'the renderer talks to the engine only through the contract';
        if (resolvesInto(spec, file, 'app/main') || resolvesInto(spec, file, 'app/preload')) return 'renderer must not import main/preload';
        return null;
      }),
    ).toEqual([]);
  });

  it('app/preload imports only electron and the contract', () => {
    expect(
      violations('app/preload', (spec, file) => {
        if (spec === 'electron') return null;
        if (resolvesInto(spec, file, 'contract') || resolvesInto(spec, file, 'app/preload')) return null;
        return 'preload exposes the contract and nothing else';
      }),
    ).toEqual([]);
  });

  it('contract/ is pure: it imports only zod and itself', () => {
    expect(
      violations('contract', (spec, file) => (spec === 'zod' || resolvesInto(spec, file, 'contract') ? null : 'the contract is shared by every process')),
    ).toEqual([]);
  });

  it('the checker itself sees imports (guards against a regex that matches nothing)', () => {
    expect(importsOf(join(root, 'analysis/cli/ingest-command.ts'))).toContain('../store/case-store.js');
  });
});
