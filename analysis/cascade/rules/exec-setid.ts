/**
 * The modes and capabilities that leave a way back to root in a file (exec-persistence.ts
 * `setuid`): a set-user-ID bit given by chmod or install, a capability given by setcap. Pure string
 * work; never throws.
 */

/**
 * Whether a chmod / install mode sets the set-user-ID bit: an octal mode of four or five digits
 * that says so (`4755`, `06755`), or a symbolic clause for the owner adding or setting `s` (`u+s`,
 * `+s`, `a+rx,u+s`, `u=rwxs`). Set-group-ID alone (`g+s`, `2775`) is left: it is how a shared
 * directory keeps its group.
 */
export function setIdMode(mode: string): boolean {
  if (/^[0-7]{4,5}$/.test(mode)) return (parseInt(mode, 8) & 0o4000) !== 0;
  return mode.split(',', 16).some((clause) => {
    const who = /^[ugoa]*/.exec(clause)![0];
    const perms = clause.slice(who.length);
    return (who === '' || who.includes('u') || who.includes('a')) && /^[+=][rwxXst]*$/.test(perms) && perms.includes('s');
  });
}

/** install's mode (`-m MODE`, `-mMODE`, `--mode=MODE`, `--mode MODE`), '' when none is given. */
export function installMode(words: readonly string[], t: number): string {
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w === '-m' || w === '--mode') return words[j + 1] ?? '';
    if (w.startsWith('--mode=')) return w.slice(7);
    if (/^-[A-Za-z]*m./.test(w) && !w.startsWith('--')) return w.slice(w.indexOf('m') + 1);
  }
  return '';
}

/** Capabilities that give a program back what the container's user lacks: setuid / setgid, admin, reading or writing any file, tracing. */
export const ROOT_CAPABILITY = /cap_(?:setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace|sys_module|fowner|chown)\b[^ ]*[+=][a-z]*[ep]/i;
