/**
 * Here-document bodies (XCU 2.7.4 Here-Document): after the newline that ends the line holding
 * `<<word` (or `<<-word`), the lines up to one that holds only the delimiter are the body the
 * command reads on its stdin. `<<-` strips leading tabs from each body line and from the delimiter
 * line. When no part of the delimiter word was quoted the body is expanded as in double quotes
 * (without `"` being special): backslash escapes only `$` `` ` `` `\` and newline, and command
 * substitutions in it run — their bodies are handed back so a caller can read them as scripts.
 * Parameters stay as written (nothing else in this reader expands them either).
 *
 * A here-doc fed to a shell (`bash <<EOF`) is how a script hides from an argv reader (MITRE T1027):
 * the body is a script, not words of the command.
 */
import { closeBacktick, closeParen } from './shell-spans.js';

/** The body of a here-doc that starts at `from` and where reading goes on after it. */
export interface HereDocRead {
  body: string;
  end: number;
}

/**
 * Reads a here-doc body from `from` (the first character after the newline that ends the line of
 * `<<`): lines up to one equal to `delim` (after leading tabs, when `stripTabs`), or the end of the
 * text (bash reads an unterminated here-doc to the end of input). Linear; never throws.
 */
export function readHereDocBody(s: string, from: number, delim: string, stripTabs: boolean): HereDocRead {
  let i = from;
  let body = '';
  while (i < s.length) {
    const nl = s.indexOf('\n', i);
    const lineEnd = nl < 0 ? s.length : nl;
    let start = i;
    if (stripTabs) while (start < lineEnd && s.charCodeAt(start) === 0x09) start++;
    const next = nl < 0 ? s.length : nl + 1;
    if (lineEnd - start === delim.length && s.startsWith(delim, start)) return { body: stripTabs ? body : s.slice(from, i), end: next };
    if (stripTabs) body += s.slice(start, next);
    i = next;
  }
  return { body: stripTabs ? body : s.slice(from), end: s.length };
}

/**
 * The body of a here-doc whose delimiter was not quoted, as the command reads it: `\$` `` \` ``
 * `\\` unescaped, `\<newline>` removed; `$(…)` and `` `…` `` kept as written, their bodies pushed
 * to `substitutions` (up to `max` entries in all). Only bodies holding `\`, `$` or `` ` `` cost a scan.
 */
export function expandHereDocBody(body: string, substitutions: string[], max: number): string {
  if (body.indexOf('\\') < 0 && body.indexOf('$') < 0 && body.indexOf('`') < 0) return body;
  let out = '';
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x5c) {
      const n = body.charAt(i + 1);
      if (n === '$' || n === '`' || n === '\\' || n === '\n') {
        out += body.slice(from, i) + (n === '\n' ? '' : n);
        from = i + 2;
        i++;
      }
    } else if (c === 0x24 && body.charCodeAt(i + 1) === 0x28 && body.charCodeAt(i + 2) !== 0x28) {
      const end = closeParen(body, i + 1);
      if (substitutions.length < max) substitutions.push(body.slice(i + 2, end));
      i = end;
    } else if (c === 0x60) {
      const end = closeBacktick(body, i);
      if (substitutions.length < max) substitutions.push(body.slice(i + 1, end));
      i = end;
    }
  }
  return out + body.slice(from);
}

/** A here-doc body (expanded as XCU 2.7.4 says when its delimiter was unquoted, parameters left as written). */
export interface HereDoc {
  /** Index (in the script's `commands`) of the command whose stdin it is. */
  command: number;
  body: string;
}

/** Here-doc bodies handed back per script (later ones are still skipped, never read as commands). */
export const MAX_HEREDOCS = 8;

export const NO_HEREDOCS: readonly HereDoc[] = [];

/** Where a reader puts what it finds. */
interface HereDocSink {
  heredocs: readonly HereDoc[];
  substitutions: string[];
}

/** The `<<word`s of one line, whose bodies follow the newline that ends it, in order. */
export class HereDocQueue {
  private readonly list: Array<{ command: number; delim: string; stripTabs: boolean; quoted: boolean }> = [];

  get size(): number {
    return this.list.length;
  }

  open(command: number, delim: string, stripTabs: boolean, quoted: boolean): void {
    this.list.push({ command, delim, stripTabs, quoted });
  }

  /** Reads the queued bodies from `i` (just after the newline), hands them to `out`; returns where reading goes on. */
  read(s: string, i: number, out: HereDocSink, maxSubstitutions: number): number {
    for (let k = 0; k < this.list.length; k++) {
      const p = this.list[k]!;
      const r = readHereDocBody(s, i, p.delim, p.stripTabs);
      i = r.end;
      if (out.heredocs.length >= MAX_HEREDOCS) continue;
      const body = p.quoted ? r.body : expandHereDocBody(r.body, out.substitutions, maxSubstitutions);
      if (out.heredocs === NO_HEREDOCS) out.heredocs = [];
      (out.heredocs as HereDoc[]).push({ command: p.command, body });
    }
    this.list.length = 0;
    return i;
  }
}
