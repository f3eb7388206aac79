/**
 * Where a span of shell text opened at an index ends (XCU 2.3 rule 5: `$(…)`, `${…}` and `` `…` ``
 * are read to their matching close, quotes and escapes inside them skipped), so a word can keep
 * such a span as written. Each scan is linear and stops at the end of the text (an unclosed span
 * runs to the end: the last index). Also the length of an IFS reference (`${IFS…}`), which the word
 * reader treats as a field break (XCU 2.6.5), and the extent of a parameter expansion (XCU 2.6.2).
 */

/** Index of the `)` closing the `(` at `open` (quotes and escapes skipped), or the last index. */
export function closeParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++; // backslash
    else if (c === 0x27) {
      const q = s.indexOf("'", i + 1);
      if (q < 0) return s.length - 1;
      i = q;
    } else if (c === 0x22) {
      let j = i + 1;
      while (j < s.length && s.charCodeAt(j) !== 0x22) j += s.charCodeAt(j) === 0x5c ? 2 : 1;
      if (j >= s.length) return s.length - 1;
      i = j;
    } else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i;
  }
  return s.length - 1;
}

/** Index of the `}` closing the `{` at `open` (nesting counted), or the last index. */
export function closeBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i;
  }
  return s.length - 1;
}

/** Index of the unescaped `` ` `` closing the one at `open`, or the last index. */
export function closeBacktick(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x60) return i;
  }
  return s.length - 1;
}

const isNameChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/**
 * Length of an IFS reference at `i` (`$IFS`, `${IFS}`, `${IFS:0:1}`, `${IFS%?}`…), else 0. Any
 * operator form yields IFS characters or nothing: a field break either way.
 */
export function ifsLength(s: string, i: number): number {
  if (s.startsWith('IFS', i + 1)) return i + 4 < s.length && isNameChar(s.charCodeAt(i + 4)) ? 0 : 4;
  if (!s.startsWith('{IFS', i + 1)) return 0;
  const c = s.charAt(i + 5);
  if (c === '}') return 6;
  if (c === '' || ':%#/^,@'.indexOf(c) < 0) return 0;
  const end = s.indexOf('}', i + 5);
  return end < 0 ? s.length - i : end + 1 - i;
}

/** Special parameters (XCU 2.5.2) a `$` expands without braces. */
const SPECIAL_PARAMETERS = '@*#?-$!0123456789';

/** A parameter expansion: what names it (`spec`) and the index after it (`end`, -1 when there is none). */
export interface ParameterAt {
  spec: string;
  end: number;
}

const NO_PARAMETER: ParameterAt = { spec: '', end: -1 };

/**
 * The parameter expansion whose `$` is at `i` (XCU 2.6.2): `${…}` (spec: the text between the
 * braces), `$name` (the longest name, 2.5.1), or a special parameter (`$1`, `$@`, `$?`…).
 */
export function parameterName(s: string, i: number): ParameterAt {
  const c = s.charCodeAt(i + 1);
  if (c === 0x7b) {
    const end = closeBrace(s, i + 1);
    return { spec: s.slice(i + 2, end), end: end + 1 };
  }
  if (c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
    let j = i + 2;
    while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
    return { spec: s.slice(i + 1, j), end: j };
  }
  if (i + 1 < s.length && SPECIAL_PARAMETERS.indexOf(s.charAt(i + 1)) >= 0) return { spec: s.charAt(i + 1), end: i + 2 };
  return NO_PARAMETER;
}
