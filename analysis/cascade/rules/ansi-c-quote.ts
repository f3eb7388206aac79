/**
 * ANSI-C quoting, `$'…'` (bash "ANSI-C Quoting"; also ksh93, zsh, and POSIX.1-2024 sh): the
 * backslash escapes \a \b \e \E \f \n \r \t \v \\ \' \" \?, \NNN (1–3 octal digits, one
 * byte), \xHH (1–2 hex digits), \uHHHH, \UHHHHHHHH, \cX (control-X). As in bash, a NUL ends the
 * string's value (the rest up to the closing quote is read and dropped); an unknown escape stays
 * as written. Attackers spell tool names so (`$'\x63url'` is `curl`; MITRE T1027).
 */

import { hexDigit } from '../../core/hex-digit.js';

const SIMPLE: Readonly<Record<string, number>> = { a: 7, b: 8, e: 27, E: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f };

/**
 * Reads the body of `$'…'` from `start` (just after the opening quote) up to the closing quote (or
 * the end): its value and the index after it. Linear in the characters read; never throws.
 */
export function readAnsiC(s: string, start: number): { value: string; end: number } {
  let i = start;
  let w = '';
  let ended = false;
  const add = (code: number): void => {
    if (code === 0) ended = true;
    else if (!ended) w += String.fromCodePoint(code);
  };
  const keep = (text: string): void => {
    if (!ended) w += text;
  };
  while (i < s.length) {
    const c = s.charAt(i);
    if (c === "'") return { value: w, end: i + 1 };
    if (c !== '\\' || i + 1 >= s.length) {
      keep(c);
      i++;
      continue;
    }
    const e = s.charAt(i + 1);
    i += 2;
    const simple = Object.prototype.hasOwnProperty.call(SIMPLE, e) ? SIMPLE[e] : undefined;
    if (simple !== undefined) add(simple);
    else if (e === 'x' || e === 'u' || e === 'U') {
      const max = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      let k = 0;
      for (; k < max && i < s.length && hexDigit(s.charCodeAt(i)) >= 0; k++, i++) v = v * 16 + hexDigit(s.charCodeAt(i));
      if (k === 0) keep(`\\${e}`);
      else add(v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v);
    } else if (e === 'c') {
      if (i < s.length) add(s.charCodeAt(i++) & 0x1f);
      else keep('\\c');
    } else if (e >= '0' && e <= '7') {
      let v = e.charCodeAt(0) - 0x30;
      for (let k = 0; k < 2 && i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x37; k++, i++) v = v * 8 + s.charCodeAt(i) - 0x30;
      add(v & 0xff);
    } else keep(`\\${e}`);
  }
  return { value: w, end: i };
}
