/**
 * The last encoding step of the judge's evidence block (judge-prompt.ts): the canonical JSON with
 * more characters written as \uXXXX escapes. The JSON value is unchanged (every such character can
 * only sit inside a JSON string), but:
 * - `<` and `>`: no delimiter line (which needs `<<<`) can occur inside the block;
 * - U+2028 / U+2029: line separators some readers split on;
 * - invisible and direction-changing characters (C1 controls, zero-width characters, bidi
 *   embeddings/overrides/isolates, BOM, interlinear annotation marks, Unicode tag characters
 *   U+E0000–U+E007F and the variation selectors supplement U+E0100–U+E01EF, both behind the high
 *   surrogate U+DB40): attacker text could otherwise hide instructions the model reads but the
 *   analyst, looking at the stored prompt, does not see ("ASCII smuggling"), or reorder how the
 *   stored prompt displays ("Trojan Source", CVE-2021-42574). Escaped, they are visible to both.
 */

function needsEscape(c: number): boolean {
  if (c === 0x3c || c === 0x3e) return true;
  if (c < 0x7f) return false; // fast path: printable ASCII (JSON.stringify already escaped C0)
  return (
    c <= 0x9f || // DEL, C1 controls
    c === 0xad || // soft hyphen
    c === 0x061c || // Arabic letter mark
    c === 0x180e ||
    (c >= 0x200b && c <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (c >= 0x2028 && c <= 0x202e) || // line/paragraph separators, bidi embeddings and overrides
    (c >= 0x2060 && c <= 0x206f) || // word joiner, invisible operators, bidi isolates
    c === 0xfeff ||
    (c >= 0xfff9 && c <= 0xfffb) ||
    c === 0xdb40 // high surrogate of U+E0000–U+E03FF (its low surrogate is escaped with it)
  );
}

function hex4(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

/** JSON text with the characters above escaped: same value, and no delimiter can appear in it. */
export function escapeForDataBlock(json: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (!needsEscape(c)) continue;
    const start = i;
    let rep = hex4(c);
    if (c === 0xdb40 && i + 1 < json.length) {
      const low = json.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        rep += hex4(low);
        i++;
      }
    }
    out += json.slice(last, start) + rep;
    last = i + 1;
  }
  return last === 0 ? json : out + json.slice(last);
}
