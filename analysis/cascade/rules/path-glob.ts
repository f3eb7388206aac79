/**
 * Path globs for behavioural specs' data paths and bucket lists, in the gitignore/minimatch sense:
 * `*` and `?` stay within one `/`-separated segment, `**` crosses segments. Case-sensitive, since
 * POSIX paths and object keys are. Compiled once to a RegExp.
 */

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compilePathGlob(glob: string): (path: string) => boolean {
  const re = new RegExp(pathGlobSource(glob));
  return (path) => re.test(path);
}

/** The RegExp source of a path glob: `^…$`. */
export function pathGlobSource(glob: string): string {
  let src = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `/**/` also matches `/`, and a trailing `/**` also matches the directory itself.
        i++;
        if (glob[i + 1] === '/') {
          i++;
          src += '(?:[\\s\\S]*/)?';
        } else if (src.endsWith('/') && i === glob.length - 1) {
          src = src.slice(0, -1) + '(?:/[\\s\\S]*)?';
        } else {
          src += '[\\s\\S]*';
        }
      } else {
        src += '[^/]*';
      }
    } else if (c === '?') {
      src += '[^/]';
    } else {
      src += escapeRegex(c);
    }
  }
  return src + '$';
}
