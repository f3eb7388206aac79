/**
 * Dot segments resolved before a behavioural spec matches a path (issue 3: data paths and
 * egress entries): `/data/../etc/shadow` is `/etc/shadow`, not a file under `/data/**`, and
 * `s3://corp-ckpt/x/../public/m.pt` reaches the `public/` prefix a deny entry names.
 *  - absolute local paths: POSIX lexical normalisation (`.` and empty segments dropped, `..`
 *    removes the previous segment, never above `/`; a trailing `/` kept), as path.posix.normalize;
 *  - URL paths: RFC 3986 §5.2.4 remove_dot_segments, `%2e` read as `.` (RFC 3986 §6.2.2.2, and
 *    what HTTP clients send), empty segments kept (they are part of an object key); the query and
 *    fragment are left as they are.
 * Paths without a dot segment are returned as they are, without allocating (the common case).
 */

function isDot(s: string): boolean {
  return s === '.' || (s.length === 3 && s.toLowerCase() === '%2e');
}

function isDotDot(s: string): boolean {
  if (s === '..') return true;
  if (s.length < 4 || s.length > 6) return false;
  const l = s.toLowerCase();
  return l === '.%2e' || l === '%2e.' || l === '%2e%2e';
}

/** A local absolute path resolved lexically (POSIX). */
function posixResolve(p: string): string {
  if (p.indexOf('/.') < 0 && p.indexOf('//') < 0) return p;
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return `/${out.join('/')}${out.length && p.endsWith('/') ? '/' : ''}`;
}

/** The path of a URL (from its first `/`, query and fragment included) with dot segments removed. */
export function resolveUrlPath(path: string): string {
  if (path.indexOf('/.') < 0 && path.indexOf('%2e') < 0 && path.indexOf('%2E') < 0) return path;
  let end = path.search(/[?#]/);
  if (end < 0) end = path.length;
  const segs = path.slice(0, end).split('/');
  // segs[0] is what precedes the first `/` (nothing, for a path).
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if (isDot(s)) {
      if (last) out.push('');
    } else if (isDotDot(s)) {
      out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return `${segs[0]}/${out.join('/')}${path.slice(end)}`;
}

/** A data path (`/local/path` or `scheme://authority/path`) as a spec's path globs must see it. */
export function resolveDataPath(p: string): string {
  if (p.charCodeAt(0) === 47) return posixResolve(p);
  const sep = p.indexOf('://');
  if (sep <= 0) return p;
  const slash = p.indexOf('/', sep + 3);
  if (slash < 0 || (p.indexOf('/.', slash) < 0 && p.indexOf('%2e', slash) < 0 && p.indexOf('%2E', slash) < 0)) return p;
  const path = p.slice(slash);
  const resolved = resolveUrlPath(path);
  return resolved === path ? p : p.slice(0, slash) + resolved;
}
