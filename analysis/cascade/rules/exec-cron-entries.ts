/**
 * The commands of crontab(5) entry lines (MITRE T1053.003): what cron runs, read from the entry text
 * a script installs (exec-persisted-runs.ts finds that text). Each entry line: five time fields or
 * an `@` nickname, then in a system crontab (/etc/crontab, /etc/cron.d) the user, then the command,
 * up to an unescaped `%` (what follows is its stdin); `\%` is a `%`. Blank lines, comments and
 * variable settings (`MAILTO=…`) run nothing.
 * Bounded: MAX_CRON_COMMANDS commands of MAX_CRON_COMMAND_CHARS characters per text.
 */
export const MAX_CRON_COMMANDS = 4;
export const MAX_CRON_COMMAND_CHARS = 4096;

const TIME_FIELD = /^[0-9*?/,\-A-Za-z#LW]+$/;
const NICKNAME = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/i;
const SETTING = /^[A-Za-z_][A-Za-z0-9_]*\s*=/;
/** The commands of the entries in `text` (see the header), in order. */
export function cronCommands(text: string, system: boolean): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= MAX_CRON_COMMANDS) break;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || SETTING.test(line)) continue;
    const fields = line.split(/[ \t]+/);
    let k = NICKNAME.test(fields[0]!) ? 1 : 0;
    if (k === 0) {
      while (k < 5 && k < fields.length && TIME_FIELD.test(fields[k]!)) k++;
      if (k < 5) continue;
    }
    if (system) k++;
    if (k >= fields.length) continue;
    const lead = new RegExp(`^(?:\\S+[ \\t]+){${k}}`).exec(line);
    const command = lead === null ? '' : untilPercent(line.slice(lead[0].length)).trim();
    if (command !== '') out.push(command.slice(0, MAX_CRON_COMMAND_CHARS));
  }
  return out;
}

/** The command part of an entry: up to its first unescaped `%`, `\%` read as `%`. */
function untilPercent(s: string): string {
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '\\' && s.charAt(j + 1) === '%') {
      out += '%';
      j++;
    } else if (c === '%') break;
    else out += c;
  }
  return out;
}
