/**
 * What a PowerShell command line runs (MITRE T1059.001): `pwsh -c "…"` / `-Command`, the rest of
 * the command line joined as the command text (about_Pwsh, about_PowerShell_exe); `-EncodedCommand`
 * / `-enc` / `-e` / `-ec` — base64 of UTF-16LE text (T1027), decoded here; `-File` a script file;
 * `-Command -` or no command at all: commands read from stdin. Parameter names are read as
 * PowerShell reads them: case-insensitive, `-` or `--`, any unambiguous prefix (`-nop`, `-noni`,
 * `-exec bypass`, `-w hidden`, `-enc`, `-EnCoDeDcOmMaNd`), `-e` and `-ec` fixed to
 * EncodedCommand. A first positional is `-File` for pwsh, `-Command` for Windows PowerShell.
 */
import { decodeRadix } from './exec-decode.js';
import type { InterpreterRun } from './exec-interpreter-options.js';
import { INDIRECT_DECODED } from './exec-readings.js';
import { MAX_SCRIPT_CHARS } from './shell-script.js';

const P_FLAG = 0;
const P_ARG = 1;
const P_COMMAND = 2;
const P_ENCODED = 3;
const P_FILE = 4;
const P_CWA = 5;

/** Parameters: full name (lower case), the shortest prefix PowerShell resolves to it, kind, aliases. */
const PARAMS: ReadonlyArray<[string, number, number, readonly string[]]> = [
  ['encodedcommand', 2, P_ENCODED, ['e', 'ec']],
  ['encodedarguments', 8, P_ARG, ['ea']],
  ['executionpolicy', 2, P_ARG, ['ep']],
  ['commandwithargs', 8, P_CWA, ['cwa']],
  ['command', 3, P_COMMAND, ['c']],
  ['configurationname', 14, P_ARG, ['config']],
  ['configurationfile', 14, P_ARG, []],
  ['custompipename', 2, P_ARG, []],
  ['file', 2, P_FILE, ['f']],
  ['inputformat', 3, P_ARG, ['inp', 'if']],
  ['outputformat', 2, P_ARG, ['o', 'of']],
  ['settingsfile', 2, P_ARG, ['settings']],
  ['windowstyle', 2, P_ARG, ['w']],
  ['workingdirectory', 2, P_ARG, ['wd']],
  ['psconsolefile', 2, P_ARG, []],
];

/** The kind of the parameter word `name` (no dashes, lower case); `version` takes a value in Windows PowerShell only. */
function paramKind(name: string, windows: boolean): number {
  for (const [full, min, kind, aliases] of PARAMS) {
    if (aliases.includes(name) || (name.length >= min && full.startsWith(name))) return kind;
  }
  if (windows && name.length >= 2 && 'version'.startsWith(name)) return P_ARG;
  return P_FLAG;
}

const UTF16 = new TextDecoder('utf-16le');
const UTF8 = new TextDecoder('utf-8');

/**
 * The PowerShell text of an `-EncodedCommand` value: base64 (RFC 4648) of UTF-16LE, as
 * PowerShell's `[Convert]::FromBase64String` reads it, or null when it is no text (odd length,
 * control characters, or UTF-8 that was never UTF-16).
 */
export function decodeEncodedCommand(b64: string, utf16 = true): string | null {
  const input = new Uint8Array(Math.min(b64.length, MAX_SCRIPT_CHARS * 12));
  for (let i = 0; i < input.length; i++) input[i] = b64.charCodeAt(i) & 0xff;
  const bytes = decodeRadix(input, 'base64', true).bytes;
  if (bytes.length === 0 || (utf16 && bytes.length % 2 !== 0)) return null;
  const text = (utf16 ? UTF16 : UTF8).decode(bytes);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) return null;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The options of `pwsh` / `powershell` at `t` (`windows`: Windows PowerShell, whose first positional is a command). */
export function powershellOptions(words: readonly string[], t: number, windows: boolean): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: false };
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length < 2 || w[0] !== '-') {
      // A positional: a script file (pwsh), or the command text (Windows PowerShell).
      if (windows && w !== '-') out.code.push(words.slice(j).join(' '));
      else out.operand = j;
      return out;
    }
    let name = w.slice(w[1] === '-' ? 2 : 1).toLowerCase();
    let value: string | undefined;
    const colon = name.indexOf(':');
    if (colon > 0) {
      value = w.slice(w.length - name.length + colon + 1);
      name = name.slice(0, colon);
    }
    const kind = paramKind(name, windows);
    const take = (): string | undefined => value ?? words[++j];
    if (kind === P_ARG) take();
    else if (kind === P_FILE) {
      out.operand = value !== undefined ? words.length : j + 1;
      if (value !== undefined) out.module = value !== '-';
      return out;
    } else if (kind === P_COMMAND || kind === P_CWA) {
      const first = take();
      if (first === undefined || first === '-') {
        out.operand = first === '-' ? j : words.length;
        return out;
      }
      // -Command takes the rest of the command line as its text; -CommandWithArgs one word, the rest its $args.
      out.code.push(kind === P_CWA ? first : [first, ...words.slice(j + 1)].join(' '));
      return out;
    } else if (kind === P_ENCODED) {
      const b64 = take();
      if (b64 === undefined) return out;
      const text = decodeEncodedCommand(b64);
      out.how = INDIRECT_DECODED;
      if (text !== null) out.code.push(text);
      return out;
    }
  }
  return out;
}
