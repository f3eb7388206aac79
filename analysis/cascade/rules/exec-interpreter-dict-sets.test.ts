/**
 * exec-interpreter-dict-sets.ts: the keys code sets on a dict held by a name, read into the name's
 * value (exec-interpreter-value.ts), seen through the environment a child is given.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { dictSets, MAX_SETS } from './exec-interpreter-dict-sets.js';
import { lexPython } from './exec-interpreter-lex-python.js';
import { bracketMatch } from './exec-interpreter-value.js';

const environment = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.environment;
const py = (code: string): string[] => ['python3', '-c', code];

describe('dict sets', () => {
  it('reads subscript sets, update, setdefault and __setitem__ of the name, and no other name or attribute', () => {
    const code = "e = {}\ne['A'] = '1'\ne.update(B='2')\ne.setdefault('C', '3')\nself.e['D'] = '4'\nf['E'] = '5'\ne.get('F')\nx = e['G'] == '7'";
    const ts = lexPython(code).tokens;
    const sets = dictSets(ts, bracketMatch(ts), 'python', 'e');
    expect(sets.map((s) => ('key' in s ? 'key' : s.pair ? 'pair' : 'merge'))).toEqual(['key', 'merge', 'pair']);
  });

  it('gives a child the keys set later, the later value over the earlier, and stops at MAX_SETS', () => {
    expect(environment(py("import os, subprocess\ne = {'LD_PRELOAD': '/opt/ok.so'}\ne['LD_PRELOAD'] = '/tmp/h.so'\nsubprocess.run(['t'], env=e)"))).toEqual(['LD_PRELOAD=/tmp/h.so']);
    const many = `e = {}\n${Array.from({ length: MAX_SETS + 4 }, (_, i) => `e['V${i}'] = 'x'`).join('\n')}`;
    const ts = lexPython(many).tokens;
    expect(dictSets(ts, bracketMatch(ts), 'python', 'e')).toHaveLength(MAX_SETS);
  });

  it('reads nothing into a name assigned twice or a dict whose key is known only at run time', () => {
    expect(environment(py("import os, subprocess, sys\ne = {}\ne = dict(os.environ)\ne['LD_PRELOAD'] = '/tmp/h.so'\nsubprocess.run(['t'], env=e)"))).toEqual([]);
    expect(environment(py("import subprocess, sys\ne = {}\ne[sys.argv[1]] = '/tmp/h.so'\nsubprocess.run(['t'], env=e)"))).toEqual([]);
  });
});
