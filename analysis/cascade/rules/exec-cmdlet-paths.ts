/**
 * The paths PowerShell's file cmdlets name, for the readings of what an exec writes
 * (exec-persistence.ts) and of what PowerShell code writes (exec-interpreter-powershell.ts):
 * a writer's written path, and Set-Location's new working directory.
 */

/**
 * PowerShell cmdlets that write a file (about_Parameters: names match case-insensitively and by
 * any unambiguous prefix, `-Name:value` too): the parameter naming the written path, and the
 * position it takes when not named (Set-Content's first positional is -Path; Copy-Item's second,
 * -Destination).
 */
export type PathParameter = readonly [names: readonly string[], position: number];
const PATH: PathParameter = [['path', 'literalpath'], 0];
const FILE_PATH: PathParameter = [['filepath', 'literalpath'], 0];
const DESTINATION: PathParameter = [['destination'], 1];
const POWERSHELL_WRITERS: ReadonlyMap<string, PathParameter> = new Map<string, PathParameter>([
  ...['set-content', 'add-content', 'new-item', 'ni'].map((c): [string, PathParameter] => [c, PATH]),
  ...['out-file', 'tee-object'].map((c): [string, PathParameter] => [c, FILE_PATH]),
  ...['copy-item', 'move-item', 'cpi', 'mi', 'copy', 'move'].map((c): [string, PathParameter] => [c, DESTINATION]),
]);
/** Parameters of those cmdlets that take no value (switches): every other one takes the next word. */
export const POWERSHELL_SWITCHES: ReadonlySet<string> = new Set(['force', 'nonewline', 'append', 'noclobber', 'passthru', 'whatif', 'confirm', 'recurse', 'container', 'asbytestream', 'verbose', 'debug']);

/** The path a PowerShell writer at `t` writes: its path parameter's value, else its positional one (-1: none). */
export function cmdletPath(words: readonly string[], t: number, [params, position]: PathParameter): string | null {
  const positional: string[] = [];
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length < 2 || w[0] !== '-') {
      positional.push(w);
      continue;
    }
    const colon = w.indexOf(':');
    const name = (colon < 0 ? w.slice(1) : w.slice(1, colon)).toLowerCase();
    const value = colon < 0 ? null : w.slice(colon + 1);
    if (params.some((p) => p.startsWith(name))) return value ?? words[j + 1] ?? null;
    if (value === null && !POWERSHELL_SWITCHES.has(name)) j++;
  }
  return positional[position] ?? null;
}

/** PowerShell's cmdlet (and aliases) that changes the working directory. */
const SET_LOCATION: ReadonlySet<string> = new Set(['set-location', 'sl', 'push-location', 'chdir']);

/**
 * The directory a PowerShell `cd` at `t` moves to (its -Path or -LiteralPath, by name or position);
 * null when it names none, undefined when `tool` is no such cmdlet.
 */
export function cmdletLocation(words: readonly string[], t: number, tool: string): string | null | undefined {
  return SET_LOCATION.has(tool.toLowerCase()) ? cmdletPath(words, t, PATH) : undefined;
}

/** The path a PowerShell file writer at `t` writes (null when it names none); undefined when `tool` is no writer. */
export function cmdletWrite(words: readonly string[], t: number, tool: string): string | null | undefined {
  const cmdlet = POWERSHELL_WRITERS.get(tool.toLowerCase());
  return cmdlet === undefined ? undefined : cmdletPath(words, t, cmdlet);
}
