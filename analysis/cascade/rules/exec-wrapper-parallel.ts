/**
 * GNU parallel read as the wrapper it is (exec-wrappers.ts hands it the words after its options):
 * the command it runs once per job, with the items of its `:::` input sources in place of its
 * replacement strings (GNU parallel's manual, "Replacement strings").
 */
import { MAX_SCRIPT_CHARS } from './shell-script.js';
import { REDIRECTION_WORDS } from './shell-words.js';

/** GNU parallel's input sources after the command: `:::` ITEM… (given), `::::` FILE… (read from files), `:::+` / `::::+` (linked). */
const isInputMarker = (w: string): boolean => w === ':::' || w === '::::' || w === ':::+' || w === '::::+';

/** A word as the shell reads it back: as is when it holds only plain characters, else single-quoted. */
const shellQuoted = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

/** GNU parallel's replacement strings: `{}`, `{.}` (no extension), `{/}` (basename), `{//}` (dirname), `{/.}`, and the same for input source N (`{1}`, `{2/}`…). */
const REPLACEMENT = /\{(\d{0,2})(\/\/|\/\.|\/|\.)?\}/g;
/** Command lines one parallel invocation is read as (its input combinations past this are not read). */
const MAX_PARALLEL_LINES = 64;

/** An item as a replacement string with `modifier` gives it. */
function modified(item: string, modifier: string | undefined): string {
  const slash = item.lastIndexOf('/');
  const base = item.slice(slash + 1);
  const noExt = (w: string): string => w.replace(/(?<=[^/])\.[^./]*$/, '');
  if (modifier === '.') return noExt(item);
  if (modifier === '/') return base;
  if (modifier === '/.') return noExt(base);
  if (modifier === '//') return slash < 0 ? '.' : slash === 0 ? '/' : item.slice(0, slash);
  return item;
}

/** Every combination of one item from each group (the first group varying slowest), at most MAX_PARALLEL_LINES; an unknown item is undefined. */
function combinations(groups: readonly (readonly (string | undefined)[])[]): (string | undefined)[][] {
  let out: (string | undefined)[][] = [[]];
  for (const g of groups) {
    const next: (string | undefined)[][] = [];
    for (const c of out) for (const item of g) if (next.length < MAX_PARALLEL_LINES) next.push([...c, item]);
    out = next;
  }
  return out;
}

/**
 * GNU parallel's command lines from `j`: the command's words (up to an input marker or a
 * redirection) joined, once per combination of the items of its `:::` groups (one from each), each
 * replacement string (`{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{N}` and their N forms, or `-I`'s string)
 * standing for its item, or the items appended when the line names none; with no command words, each
 * item is a command line of its own (`parallel ::: 'cmd1' 'cmd2'`). Items read from files (`::::`,
 * `-a`) are not known, so the strings that stand for them stay. The lines, one per job, are joined
 * in place into one script; null when nothing runs.
 */
export function parallelLine(words: string[], j: number, replace: string): { next: number; script: boolean } | null {
  let end = j;
  while (end < words.length && !REDIRECTION_WORDS.has(words[end]!) && !isInputMarker(words[end]!)) end++;
  // Each input group's items; one unknown item for a group read from files.
  const groups: (string | undefined)[][] = [];
  let stop = end;
  while (stop < words.length && isInputMarker(words[stop]!)) {
    const given = words[stop] === ':::' || words[stop] === ':::+';
    const items: string[] = [];
    for (stop++; stop < words.length && !REDIRECTION_WORDS.has(words[stop]!) && !isInputMarker(words[stop]!); stop++) items.push(words[stop]!);
    groups.push(given ? items : [undefined]);
  }
  let lines: string[];
  if (end === j) {
    const first = groups[0]?.filter((w) => w !== undefined) ?? [];
    if (first.length === 0) return null;
    lines = first;
  } else {
    const template = words.slice(j, end).join(' ');
    const combos = groups.length > 0 ? combinations(groups) : [];
    const quoted = (items: readonly (string | undefined)[], modifier?: string): string => items.filter((w) => w !== undefined).map((w) => shellQuoted(modified(w, modifier))).join(' ');
    lines = combos.length === 0 ? [template] : combos.map((combo) => {
      const all = combo.includes(undefined) ? undefined : combo;
      if (replace !== '{}') return !template.includes(replace) ? `${template} ${quoted(combo)}`.trimEnd() : all ? template.replaceAll(replace, quoted(all)) : template;
      let named = false;
      const line = template.replace(REPLACEMENT, (m, n: string, modifier: string | undefined) => {
        named = true;
        const item = n === '' ? all : combo[Number(n) - 1];
        return item === undefined ? m : quoted(typeof item === 'string' ? [item] : item, modifier);
      });
      return named ? line : `${template} ${quoted(combo)}`.trimEnd();
    });
  }
  // The script as far as a shell script is read (shell-script.ts MAX_SCRIPT_CHARS): jobs past it are not kept.
  let script = '';
  for (const line of new Set(lines)) {
    if (script !== '' && script.length + 1 + line.length > MAX_SCRIPT_CHARS) break;
    script = script === '' ? line : `${script}\n${line}`;
  }
  words.splice(j, stop - j, script);
  return { next: j, script: true };
}
