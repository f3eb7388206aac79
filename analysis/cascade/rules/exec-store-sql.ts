/**
 * The query texts data-store clients are given (`psql -c`, `mysql -e`, `clickhouse-client
 * --query`, `cqlsh -e`), read for the statements that make the client load a file of the pod's
 * into the server (exec-store-loads.ts): psql's `\copy T from 'F'` and `\lo_import F`, MySQL's
 * `LOAD DATA LOCAL INFILE 'F'`, ClickHouse's `INSERT … FROM INFILE 'F'`, cqlsh's `COPY T FROM 'F'`;
 * and those that make it load its standard input (`\copy T from stdin`, `COPY T FROM STDIN`, a
 * ClickHouse `INSERT … FORMAT X` with no data of its own).
 *
 * A statement that makes the server read a file of its own (`COPY t FROM '/srv/x'` in psql, `LOAD
 * DATA INFILE` without LOCAL) reads no file of the pod and is left out, and so is an export (`\copy
 * t to 'f'`, `COPY … TO`). Texts are attacker-written: each is cut at MAX_TEXT characters, split
 * into at most MAX_STATEMENTS statements, every scan is linear, and nothing here throws.
 */

/** Characters of one query text read. */
const MAX_TEXT = 64 * 1024;
/** Statements (or meta-command lines) of one text read. */
const MAX_STATEMENTS = 256;
/** Files one text may name. */
const MAX_FILES = 16;

export interface QueryLoads {
  /** Files of the pod the statements load, as written. */
  files: string[];
  /** A statement loads what the client reads on its standard input. */
  stdin: boolean;
}

/** The statements of `text` split at `sep` (quotes are not read: a `;` inside a file name splits it, which loses that load only). */
function pieces(text: string, sep: RegExp): string[] {
  return (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text).split(sep, MAX_STATEMENTS);
}

/**
 * The SQL string literal at `i` of `s` (`'…'` with `''` for a quote, and `\'` where `backslash`,
 * as MySQL reads it; `"…"` too where `double`), its value and the index after it; null when none
 * starts there or it is not closed.
 */
export function literalAt(s: string, i: number, backslash: boolean, double = false): { value: string; end: number } | null {
  const q = s[i];
  if (q !== "'" && !(double && q === '"')) return null;
  let value = '';
  for (let k = i + 1; k < s.length; k++) {
    const c = s[k]!;
    if (backslash && c === '\\' && k + 1 < s.length) {
      value += s[++k];
      continue;
    }
    if (c !== q) {
      value += c;
      continue;
    }
    if (s[k + 1] === q) {
      value += q;
      k++;
      continue;
    }
    return { value, end: k + 1 };
  }
  return null;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

/** The word (up to white space) at `i`. */
function wordAt(s: string, i: number): string {
  const m = /^\S+/.exec(s.slice(i, i + 4096));
  return m ? m[0] : '';
}

function add(out: QueryLoads, file: string): void {
  if (file !== '' && out.files.length < MAX_FILES && !out.files.includes(file)) out.files.push(file);
}

/**
 * What psql's command text loads: `\copy TABLE [(COLUMNS)] from SOURCE` (psql reads SOURCE, a
 * quoted or bare file name, `stdin` or `pstdin` its own input; `program '…'` runs a command, not
 * read here; `\copy (QUERY) to …` is always an export), `\lo_import FILE`, and SQL `COPY … FROM
 * STDIN`, whose rows psql sends from its input. Meta-commands are case-sensitive, as psql reads them.
 */
export function psqlLoads(text: string): QueryLoads {
  const out: QueryLoads = { files: [], stdin: false };
  for (const line of pieces(text, /\n/)) {
    for (let at = line.indexOf('\\'); at >= 0 && out.files.length < MAX_FILES; at = line.indexOf('\\', at + 1)) {
      if (line.startsWith('\\copy', at) && /\s/.test(line[at + 5] ?? '')) copyMeta(line, at + 5, out);
      else if (line.startsWith('\\lo_import', at) && /\s/.test(line[at + 10] ?? '')) {
        const i = skipSpace(line, at + 10);
        add(out, literalAt(line, i, false)?.value ?? wordAt(line, i));
      }
    }
    for (const statement of pieces(line, /;/)) {
      if (/^\s*copy\s/i.test(statement) && /\sfrom\s+stdin\b/i.test(statement)) out.stdin = true;
    }
  }
  return out;
}

/** `\copy`'s arguments from `i`: TABLE [(COLUMNS)] from SOURCE. */
function copyMeta(line: string, i: number, out: QueryLoads): void {
  i = skipSpace(line, i);
  if (line[i] === '(') return;
  // The table: a quoted identifier or a bare (schema-qualified) name.
  if (line[i] === '"') {
    const t = literalAt(line, i, false, true);
    if (t === null) return;
    i = t.end;
  } else {
    while (i < line.length && !/[\s(]/.test(line[i]!)) i++;
  }
  i = skipSpace(line, i);
  if (line[i] === '(') {
    const close = line.indexOf(')', i);
    if (close < 0) return;
    i = skipSpace(line, close + 1);
  }
  if (line.slice(i, i + 4).toLowerCase() !== 'from' || !/\s/.test(line[i + 4] ?? '')) return;
  i = skipSpace(line, i + 4);
  const quoted = literalAt(line, i, false);
  if (quoted !== null) {
    add(out, quoted.value);
    return;
  }
  const source = wordAt(line, i);
  const lower = source.toLowerCase();
  if (lower === 'stdin' || lower === 'pstdin') out.stdin = true;
  else if (lower !== 'program') add(out, source.replace(/;$/, ''));
}

/** MySQL's `LOAD DATA|XML [LOW_PRIORITY|CONCURRENT] LOCAL INFILE 'F'` (the client sends F; without LOCAL the server reads its own file). */
export function mysqlLoads(text: string): QueryLoads {
  const out: QueryLoads = { files: [], stdin: false };
  for (const statement of pieces(text, /;/)) {
    const m = /\bload\s+(?:data|xml)\s+(?:(?:low_priority|concurrent)\s+)?local\s+infile\s+/i.exec(statement);
    if (m === null) continue;
    const file = literalAt(statement, m.index + m[0].length, true, true);
    if (file !== null) add(out, file.value);
  }
  return out;
}

/**
 * ClickHouse's `INSERT INTO … FROM INFILE 'F'` (the client reads F; a glob reads every file it
 * matches), and an INSERT with neither FROM INFILE, VALUES nor SELECT, whose rows the client reads
 * on its standard input (`INSERT INTO t FORMAT RowBinary`).
 */
export function clickhouseLoads(text: string): QueryLoads {
  const out: QueryLoads = { files: [], stdin: false };
  for (const statement of pieces(text, /;/)) {
    if (!/^\s*insert\s/i.test(statement)) continue;
    const m = /\sfrom\s+infile\s+/i.exec(statement);
    if (m !== null) {
      const file = literalAt(statement, m.index + m[0].length, true);
      if (file !== null) add(out, file.value);
    } else if (!/\s(?:values|select|with)\b/i.test(statement)) {
      out.stdin = true;
    }
  }
  return out;
}

/** cqlsh's `COPY TABLE [(COLUMNS)] FROM 'F[,G…]'` (files, globs) or `FROM STDIN`. */
export function cqlshLoads(text: string): QueryLoads {
  const out: QueryLoads = { files: [], stdin: false };
  for (const statement of pieces(text, /;/)) {
    const m = /^\s*copy\s+[^\s(]+\s*(?:\([^)]*\)\s*)?from\s+/i.exec(statement);
    if (m === null) continue;
    const at = m[0].length;
    const quoted = literalAt(statement, at, false);
    const source = quoted?.value ?? wordAt(statement, at);
    if (quoted === null && source.toLowerCase() === 'stdin') out.stdin = true;
    else for (const file of source.split(',')) add(out, file.trim());
  }
  return out;
}
