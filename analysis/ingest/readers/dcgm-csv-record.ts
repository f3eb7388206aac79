/**
 * RFC 4180 record splitting for the DCGM CSV reader: fields separated by a delimiter, a field
 * may be quoted with `"`, a quote inside a quoted field is doubled (`""`), and a quoted field may
 * hold delimiters and line breaks.
 */

/** Result of splitting: the cells, `OPEN_QUOTE` when a quoted field continues on the next line, or an error. */
export type CsvSplit = string[] | typeof OPEN_QUOTE | { error: string };

export const OPEN_QUOTE = Symbol('open quote');

/** The delimiter of a header line: whichever of `,` `;` tab occurs most outside quotes (`,` on ties). */
export function detectDelimiter(header: string): string {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

/** Splits one record. Unquoted cells are kept as written; a quote inside an unquoted cell is literal. */
export function splitCsvRecord(text: string, delimiter: string): CsvSplit {
  if (text.indexOf('"') === -1) return text.split(delimiter);
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      // Quoted cell: up to the next quote that is not doubled.
      let value = '';
      let start = i + 1;
      i = start;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return OPEN_QUOTE;
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(start, q + 1);
          i = start = q + 2;
          continue;
        }
        value += text.slice(start, q);
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i === n) return cells;
      if (text.charCodeAt(i) !== d) return { error: `text after a closing quote at column ${i + 1}` };
      i++;
    } else {
      const e = text.indexOf(delimiter, i);
      if (e === -1) {
        cells.push(text.slice(i));
        return cells;
      }
      cells.push(text.slice(i, e));
      i = e + 1;
    }
  }
}
