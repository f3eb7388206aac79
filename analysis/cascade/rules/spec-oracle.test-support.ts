/**
 * Test-only reference evaluator for behavioural specs (spec-schema.ts), written from the documented
 * meaning of each field without the engine's spec code (no spec*, egress-match, ip-cidr, path-glob,
 * wildcard or units import): the spec is read from its YAML text and every decision is made here.
 * `egress.rate` and `checkpoints.interval` are left to spec-stateful-oracle.test.ts.
 *
 * Semantics modelled (the readings a security tool must take, see spec-oracle.test.ts):
 *  - selection: jobs/namespaces globs (cased) on the job key / the job's namespace, label globs on
 *    its labels. The namespace of a `<namespace>/<name>` key (namespace a DNS-1123 label, name
 *    non-empty) is that prefix, whatever its events name: an audit event's namespace is its
 *    object's, and a job acting in another namespace is still the job it is. For other keys (app
 *    job_id, node names) it is the last one an event named. The labels are the last set an event
 *    revealed (app `attrs.labels`, else the audit object after the write — responseObject — else
 *    the request's: a patch carries only the labels it changes). Selection follows the job's
 *    current namespace and labels (no stickiness, which would flood).
 *  - name globs are Sigma's (`*` any run, `?` one character, `\` escapes), case-insensitive for
 *    egress hosts, case-sensitive for actors, exec, namespaces and labels.
 *  - data paths: `attrs.path`, else an app event's path- or URL-like resource; dot segments
 *    resolved before matching (POSIX normalisation for absolute paths; for URLs RFC 3986 §6.2.2
 *    escape normalisation — unreserved decoded, `%2e` is `.`, non-ASCII as UTF-8 escapes — then
 *    remove_dot_segments, then `%2F` read as `/`); path globs in the minimatch sense (`*` within a
 *    segment), URL globs' paths spelled the same way.
 *  - readings of a URL path (data paths and destinations): the one above; a decoding server's
 *    (`%2F`, `%5C`, `\` as `/` before remove_dot_segments); for non-special schemes (not http(s),
 *    ws(s), ftp, nor scheme-less) the literal key's (`%2F` kept in its segment). A path is allowed
 *    only when every reading is; a deny entry matches when any reading does; a data path in a glob
 *    that does not allow the operation (data.operations) outranks one outside every glob.
 *  - operation: `attrs.operation` when it names one (any case), else from the action word (any case).
 *  - egress: the destination read as WHATWG URL reads it (outer C0/space trimmed, tabs and
 *    newlines dropped, `https:host` / `https:///host` / `https:\\host` for special schemes), the
 *    host without userinfo, port, brackets or trailing dots, the authority ending at `/ ? # \`,
 *    then node:url domainToASCII (UTS #46, percent-decoding; curl's transitional retry for
 *    ZWJ/ZWNJ/ß/ς when it rejects), as written lower-cased when rejected; IPv4 in any WHATWG form
 *    (decimal, hex, octal, short) is an IP; a dotted quad of decimal digits with a leading-zero
 *    part (`010.1.2.3`, or a spelling of one: full-width, percent-encoded) has two readings, the
 *    parts in decimal (each ≤ 255, zeros and all) and WHATWG's (octal), either alone when the other
 *    is no address; over 4096 characters: the host only. Paths without
 *    query or fragment, `\` as `/` for special schemes, escapes normalised as for data paths and
 *    non-ASCII as UTF-8 escapes. Entries spelled the same way, label by label for globs;
 *    an IPv4 entry is a dotted quad of 1–3 decimal digits a part, read in decimal (`010.0.0.0/8`
 *    is 10.0.0.0/8: the spec author's text).
 *  - artifacts: checkpoint actions (any case) and export/convert/quantize/save-model actions;
 *    format = `attrs.format` (lower-case, leading dot dropped) else the path's extension; size =
 *    `attrs.size` else `attrs.bytes`, numbers or numeric / unit strings (`30GiB`).
 */
import { posix } from 'node:path';
import { domainToASCII } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { EventRecord } from '../../core/records.js';
import type { GpuWindow } from './gpu-window.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

// ---- globs -----------------------------------------------------------------------------------

function reEscape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Sigma glob, by its specification: `*` any run, `?` one character, `\*` `\?` `\\` literal. */
export function nameGlob(pattern: string, cased: boolean): (s: string) => boolean {
  const p = cased ? pattern : pattern.toLowerCase();
  let src = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && (p[i + 1] === '*' || p[i + 1] === '?' || p[i + 1] === '\\')) src += reEscape(p[++i]!);
    else if (c === '*') src += '[\\s\\S]*';
    else if (c === '?') src += '[\\s\\S]';
    else src += reEscape(c);
  }
  const re = new RegExp(`^${src}$`);
  return (s) => re.test(cased ? s : s.toLowerCase());
}

/** Path glob, segment by segment: `**` any number of segments (also none), `*`/`?` within one. */
export function pathGlob(glob: string): (path: string) => boolean {
  const gs = glob.split('/');
  const seg = gs.map((g) => (g === '**' ? null : new RegExp(`^${[...g].map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : reEscape(c))).join('')}$`)));
  const match = (ps: string[], i: number, j: number): boolean => {
    if (i === seg.length) return j === ps.length;
    const g = seg[i];
    if (g === null) {
      for (let k = j; k <= ps.length; k++) if (match(ps, i + 1, k)) return true;
      return false;
    }
    return j < ps.length && g!.test(ps[j]!) && match(ps, i + 1, j + 1);
  };
  return (path) => match(path.split('/'), 0, 0);
}

// ---- paths -----------------------------------------------------------------------------------

/** RFC 3986 §6.2.2.1–2: unreserved escapes decoded, others' hex upper-cased; optionally non-ASCII as UTF-8 escapes. */
export function percentNormal(s: string, encodeNonAscii: boolean): string {
  const out = s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => {
    const c = String.fromCharCode(parseInt(h, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${h.toUpperCase()}`;
  });
  if (!encodeNonAscii) return out;
  return out.replace(/[^\x00-\x7f]+/g, (m) => [...Buffer.from(m, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** RFC 3986 §5.2.4, literally (input/output buffers). */
export function removeDotSegments(path: string): string {
  let input = path;
  let out = '';
  while (input.length) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      out = out.slice(0, Math.max(0, out.lastIndexOf('/')));
    } else if (input === '/..') {
      input = '/';
      out = out.slice(0, Math.max(0, out.lastIndexOf('/')));
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const end = next < 0 ? input.length : next;
      out += input.slice(0, end);
      input = input.slice(end);
    }
  }
  return out;
}

/** A URL path (no query) as globs see it: escapes normalised, dot segments removed, `%2F` a separator. */
export function urlPathForGlobs(path: string, encodeNonAscii: boolean): string {
  return removeDotSegments(percentNormal(path, encodeNonAscii)).split('%2F').join('/');
}

/** Every reading of a URL path (no query): object store, decoding server, and for non-special schemes the literal key. */
export function urlPathReadings(path: string, special: boolean): string[] {
  const out = [urlPathForGlobs(path, true), urlPathForGlobs(path.replace(/%2f|%5c|\\/gi, '/'), true)];
  if (!special) out.push(removeDotSegments(percentNormal(path, true)));
  return out;
}

const SPECIAL = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

/** The readings of a data path that its globs are matched against. */
export function dataPathReadings(p: string): string[] {
  if (p.startsWith('/')) return [p.includes('/.') || p.includes('//') ? posix.normalize(p) : p];
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)(.*)$/.exec(p);
  if (!m || !m[3]) return [p];
  const q = m[3].search(/[?#]/);
  const path = q < 0 ? m[3] : m[3].slice(0, q);
  const prefix = `${m[1]}://${m[2]}`;
  return urlPathReadings(path, SPECIAL.has(m[1]!.toLowerCase())).map((r) => prefix + r + (q < 0 ? '' : m[3]!.slice(q)));
}

/** A data-path glob as paths are spelled: URL globs' paths escape-normalised (non-ASCII encoded, `%2F` as `/`). */
export function dataGlobOf(glob: string): string {
  const m = /^([^/]*:\/\/[^/]*)(\/.*)$/.exec(glob);
  return m ? m[1]! + percentNormal(m[2]!, true).split('%2F').join('/') : glob;
}

// ---- addresses ---------------------------------------------------------------------------------

/** WHATWG URL IPv4 parser (decimal, 0x hex, 0 octal, 1–4 parts); null when the host is not one. */
export function ipv4Number(host: string): bigint | null {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4 || parts.length === 0) return null;
  const nums: bigint[] = [];
  for (const p of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^0[xX]([0-9a-fA-F]*)$/.exec(p))) nums.push(m[1] ? BigInt(`0x${m[1]}`) : 0n);
    else if (/^0[0-7]+$/.test(p)) nums.push(BigInt(`0o${p.slice(1)}`));
    else if (/^(0|[1-9][0-9]*)$/.test(p)) nums.push(BigInt(p));
    else return null;
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255n) || last >= 256n ** BigInt(5 - parts.length)) return null;
  let v = last;
  nums.forEach((n, i) => (v += n << BigInt(8 * (3 - i))));
  return v;
}

/** An address as a 128-bit number (IPv4 as ::ffff:a.b.c.d); null when `host` is not one. */
export function ip128(host: string): bigint | null {
  let h = host;
  // A zone (`fe80::1%eth0`) is dropped, also after a decimal dotted quad (`10.1.2.3%x`, as the
  // engine reads one), never before a WHATWG numeric form: `8.%30…` is no address 8.
  const z = h.indexOf('%');
  if (!h.includes(':')) {
    const v4 = decimalV4(z >= 0 ? h.slice(0, z) : h, 3) ?? ipv4Number(h);
    return v4 === null ? null : (0xffffn << 32n) | v4;
  }
  if (z >= 0) h = h.slice(0, z);
  let tail4: bigint | null = null;
  const lastColon = h.lastIndexOf(':');
  if (h.slice(lastColon + 1).includes('.')) {
    const d = h.slice(lastColon + 1);
    // Decimal, leading zeros and all (URL parsers and inet_pton refuse them there).
    tail4 = decimalV4(d, 3);
    if (tail4 === null) return null;
    h = `${h.slice(0, lastColon + 1)}0:0`;
  }
  const halves = h.split('::');
  if (halves.length > 2) return null;
  const hs = halves.map((x) => (x === '' ? [] : x.split(':')));
  const groups = halves.length === 2 ? [...hs[0]!, ...Array<string>(8 - hs[0]!.length - hs[1]!.length).fill('0'), ...hs[1]!] : hs[0]!;
  if (groups.length !== 8 || (halves.length === 2 && hs[0]!.length + hs[1]!.length > 7)) return null;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(`0x${g}`);
  }
  return tail4 === null ? v : ((v >> 32n) << 32n) | tail4;
}

/** A dotted quad of decimal parts (leading zeros allowed, each ≤ 255, at most `width` digits); null otherwise. */
function decimalV4(text: string, width: number): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => p.length === 0 || p.length > width || !/^[0-9]+$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((v, p) => (v << 8n) | BigInt(Number(p)), 0n);
}

/** An entry's address: IPv6 as ip128 reads it, IPv4 only as a decimal dotted quad. */
function entryIp(text: string): bigint | null {
  if (text.includes(':')) return ip128(text);
  const v = decimalV4(text, 3);
  return v === null ? null : (0xffffn << 32n) | v;
}

/**
 * The IP readings of a destination host `raw` (as written) whose URL reading is `host`: two for
 * a dotted quad of decimal digits with a leading-zero part (decimal, WHATWG), else ip128's one.
 * A spelling is brought to its quad by percent-decoding, NFKC and the ideographic full stops, as
 * long as the URL parser took it for an address.
 */
function ipReadings(raw: string, host: string): Array<bigint | null> {
  let lit = host;
  if (!PLAIN(raw) && ip128(host) !== null) {
    let dec: string;
    try {
      dec = decodeURIComponent(raw);
    } catch {
      dec = raw;
    }
    lit = stripDots(dec.normalize('NFKC').replace(/[\u3002\uFF0E\uFF61]/g, '.').replace(/\p{Default_Ignorable_Code_Point}/gu, '').toLowerCase());
  }
  if (!/^[0-9]+(\.[0-9]+){3}$/.test(lit) || !lit.split('.').some((p) => p.length > 1 && p[0] === '0')) return [ip128(host)];
  const d = decimalV4(lit, Infinity);
  const u = ipv4Number(lit);
  const readings: bigint[] = [];
  if (d !== null) readings.push((0xffffn << 32n) | d);
  if (u !== null && u !== d) readings.push((0xffffn << 32n) | u);
  return readings.length ? readings : [null];
}

function cidrTest(text: string): ((ip: bigint) => boolean) | null {
  const [a, len] = text.split('/');
  const base = entryIp(a!);
  if (base === null) return null;
  const v4 = !a!.includes(':');
  const bits = (len === undefined ? (v4 ? 32 : 128) : Number(len)) + (v4 ? 96 : 0);
  if (bits > 128) return null;
  const shift = BigInt(128 - bits);
  return (ip) => ip >> shift === base >> shift;
}

// ---- destinations ------------------------------------------------------------------------------

interface Dest {
  scheme: string | null;
  host: string;
  path: string;
  /** The host as an address in this reading (null: none). */
  ip: bigint | null;
}

/** A destination in each of its readings (same scheme and host): each path reading with each IP reading. */
type Dests = Dest[];

const PLAIN = (t: string) => !/[^\x21-\x7e]|%/.test(t);
const WILD = /[*?\\]/;
const stripDots = (h: string) => h.replace(/\.+$/, '');

/** domainToASCII (with curl's transitional retry); null when it rejects, or would see another URL part. */
function asciiOf(raw: string): string | null {
  if (/[\t\n\r:/?#@[\]\\]/.test(raw)) return null;
  let a = domainToASCII(raw);
  if (!a && /[ßς\u200C\u200D]/.test(raw)) a = domainToASCII(raw.replace(/ß/g, 'ss').replace(/ς/g, 'σ').replace(/[\u200C\u200D]/g, ''));
  return a || null;
}

/** A host as a URL client reads it; as written (lower-cased) when rejected. */
export function hostOf(raw: string): string {
  return stripDots(PLAIN(raw) ? raw.toLowerCase() : (asciiOf(raw) ?? raw.toLowerCase()));
}

/** A host glob: labels without wildcards as `hostOf`, labels with one as written; null for a wildcard in a non-ASCII label. */
export function hostGlobOf(glob: string): string | null {
  if (PLAIN(glob) || !WILD.test(glob)) return hostOf(glob);
  const labels = glob.split(/[.\u3002\uFF0E\uFF61]/);
  if (labels.some((l) => WILD.test(l) && !PLAIN(l))) return null;
  const out = asciiOf(labels.map((l) => (WILD.test(l) ? 'a' : l)).join('.'))?.split('.');
  if (!out || out.length !== labels.length) return stripDots(glob.toLowerCase());
  return stripDots(labels.map((l, i) => (WILD.test(l) ? l.toLowerCase() : out[i]!)).join('.'));
}

export function parseDest(text: string): Dests | null {
  let s = text.trim().replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
  if (!s) return null;
  const long = s.length > 4096;
  s = s.slice(0, 4096);
  let scheme: string | null = null;
  let special = true;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (m && SPECIAL.has(m[1]!.toLowerCase())) {
    scheme = m[1]!.toLowerCase();
    s = s.slice(m[0].length).replace(/^[/\\]*/, '');
  } else if (m && s.startsWith('//', m[0].length)) {
    scheme = m[1]!.toLowerCase();
    special = false;
    s = s.slice(m[0].length + 2);
  }
  const end = s.search(/[/?#\\]/);
  if (end < 0 && long) return null;
  let auth = end < 0 ? s : s.slice(0, end);
  let path = end < 0 || long ? '' : s.slice(end).split(/[?#]/)[0]!;
  if (special) path = path.replace(/\\/g, '/');
  const paths = path ? urlPathReadings(path, special) : [''];
  auth = auth.slice(auth.lastIndexOf('@') + 1);
  let host: string;
  if (auth.startsWith('[')) {
    if (!auth.includes(']')) return null;
    host = auth.slice(1, auth.indexOf(']'));
  } else host = auth.split(':').length === 2 ? auth.split(':')[0]! : auth;
  const raw = host;
  host = hostOf(raw);
  if (!host) return null;
  const ips = ipReadings(raw, host);
  return paths.flatMap((p) => ips.map((ip) => ({ scheme, host, path: p, ip })));
}

type Entry = (d: Dest) => boolean;

function cidrEntry(text: string): Entry {
  const c = cidrTest(text)!;
  return (d) => d.ip !== null && c(d.ip);
}

/** An entry; null where the engine must refuse it. */
function entry(text: string): Entry | null {
  const m = /^([^:]+):\/\/([^/]*)(\/.*)?$/.exec(text);
  if (m) {
    const scheme = m[1]!.toLowerCase();
    const hg = hostGlobOf(m[2]!);
    if (!hg) return null;
    const host = nameGlob(hg, false);
    const path = m[3] && m[3] !== '/' ? pathGlob(percentNormal(m[3], true).split('%2F').join('/')) : null;
    return (d) => d.scheme === scheme && host(d.host) && (!path || path(d.path));
  }
  const ipLike = (t: string) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(t) && (t.includes('/') || entryIp(t) !== null);
  if (ipLike(text)) return cidrEntry(text);
  const hg = hostGlobOf(text);
  if (!hg) return null;
  if (hg !== text && ipLike(hg) && !hg.includes('/')) return cidrEntry(hg);
  const host = nameGlob(hg, false);
  return (d) => host(d.host);
}

// ---- sizes, operations ---------------------------------------------------------------------------

const UNIT: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** A size as spec files write it (`max_size`): a number, or digits with an optional unit. */
export function specSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string' || v.length > 32) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return null;
  const u = UNIT[m[2]!.toLowerCase()];
  return u === undefined ? null : Number(m[1]) * u;
}

/** A size as an event reports it: a finite number ≥ 0, a numeric string (< 32), or a size with a unit. */
export function eventSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string' || v.length === 0 || v.length >= 32) return null;
  const n = Number(v);
  if (Number.isFinite(n)) return n >= 0 ? n : null;
  return specSize(v);
}

const words = (a: string): string[] => a.toLowerCase().split('_');
function opOf(action: string, declared: unknown): string {
  if (typeof declared === 'string' && ['read', 'write', 'list', 'delete'].includes(declared.toLowerCase())) return declared.toLowerCase();
  const a = action.toLowerCase();
  if (['delete', 'remove', 'purge'].some((w) => a.includes(w)) || words(a).includes('rm')) return 'delete';
  if (words(a).includes('list') || words(a).includes('ls')) return 'list';
  if (['write', 'save', 'put', 'create', 'update', 'patch', 'append', 'modify', 'overwrite', 'download', 'convert', 'export', 'quantiz'].some((w) => a.includes(w))) return 'write';
  return 'read';
}

// ---- the spec --------------------------------------------------------------------------------

interface JobState {
  namespace: string | null;
  /** The namespace is the key's prefix. */
  fixed: boolean;
  labels: Record<string, string> | null;
}

export interface OracleSpec {
  id: string;
  event(e: EventRecord): string[];
  gpu(w: GpuWindow): string[];
}

export function oracleSpec(text: string): OracleSpec {
  const s = rec(parseYaml(text))!;
  const id = s.id as string;
  const sel = rec(s.selector) ?? {};
  const nsT = strs(sel.namespaces).map((g) => nameGlob(g, true));
  const jobT = strs(sel.jobs).map((g) => nameGlob(g, true));
  const labT = Object.entries(rec(sel.labels) ?? {}).map(([k, g]) => [k, nameGlob(String(g), true)] as const);
  const data = (rec(s.data)?.paths as Rec[] | undefined)?.map((p) => ({ test: pathGlob(dataGlobOf(p.glob as string)), ops: strs(p.operations) })) ?? [];
  const eg = rec(s.egress);
  const allow = strs(eg?.allow).map((t) => entry(t)!);
  const deny = strs(eg?.deny).map((t) => entry(t)!);
  const ck = rec(s.checkpoints);
  const ckActions = new Set((ck ? (ck.actions ? strs(ck.actions) : ['checkpoint_save']) : ['checkpoint_save']).map((a) => a.toLowerCase()));
  const ckActors = ck?.actors ? strs(ck.actors).map((g) => nameGlob(g, true)) : null;
  const art = rec(s.artifacts);
  const formats = art?.formats ? new Set(strs(art.formats).map((f) => f.toLowerCase().replace(/^\./, ''))) : null;
  const maxSize = art?.max_size !== undefined ? specSize(art?.max_size) : null;
  const act = rec(s.actors);
  const actorT = act ? [...strs(act.allow), ...strs(act.service_accounts).map((x) => `system:serviceaccount:${x}`)].map((g) => nameGlob(g, true)) : null;
  const execT = rec(s.exec) ? strs(rec(s.exec)!.allow).map((g) => nameGlob(g, true)) : null;
  const gpu = rec(s.gpu);
  const ranges: Array<{ field: string; dcgm: string; r: Rec }> = [];
  if (rec(gpu?.utilization)) ranges.push({ field: 'gpu.utilization', dcgm: 'DCGM_FI_DEV_GPU_UTIL', r: rec(gpu!.utilization)! });
  if (rec(gpu?.memory_used_mib)) ranges.push({ field: 'gpu.memory_used_mib', dcgm: 'DCGM_FI_DEV_FB_USED', r: rec(gpu!.memory_used_mib)! });
  for (const [k, r] of Object.entries(rec(gpu?.fields) ?? {})) ranges.push({ field: `gpu.fields.${k}`, dcgm: k, r: rec(r)! });
  const hasEvent = !!(s.data || s.egress || s.checkpoints || s.artifacts || s.actors || s.exec);

  const jobs = new Map<string, JobState>();
  const matches = (job: string, st: JobState): boolean =>
    (!jobT.length || jobT.some((t) => t(job))) &&
    (!nsT.length || (st.namespace !== null && nsT.some((t) => t(st.namespace!)))) &&
    (!labT.length || (st.labels !== null && labT.every(([k, t]) => typeof st.labels![k] === 'string' && t(st.labels![k]!))));
  const stateOf = (job: string): JobState => {
    let st = jobs.get(job);
    if (!st) {
      const m = /^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\/./.exec(job);
      jobs.set(job, (st = { namespace: m ? m[1]! : null, fixed: !!m, labels: null }));
    }
    return st;
  };

  function event(e: EventRecord): string[] {
    if (e.job === null || !hasEvent) return [];
    const st = stateOf(e.job);
    if (!st.fixed && e.namespace !== null) st.namespace = e.namespace;
    const a = e.attrs as Rec;
    const audit = rec(a.audit);
    const meta = (o: unknown) => rec(rec(rec(o)?.metadata)?.labels);
    const src = rec(a.labels) ?? (audit ? (meta(audit.responseObject) ?? meta(audit.requestObject)) : null);
    if (src) {
      const l: Record<string, string> = Object.create(null) as Record<string, string>;
      let n = 0;
      for (const [k, v] of Object.entries(src)) if (typeof v === 'string' && n < 64) (l[k] = v), n++;
      if (n) st.labels = l;
    }
    if (!matches(e.job, st)) return [];
    const out: string[] = [];
    const action = e.action.toLowerCase();
    if (actorT && e.actor !== null && !actorT.some((t) => t(e.actor!))) out.push('actors');
    if (execT) {
      const sub = a.subresource;
      if (a.exec !== undefined || sub === 'exec' || sub === 'attach' || e.action === 'exec') {
        const cmd = rec(a.exec)?.command;
        if (!Array.isArray(cmd)) out.push('exec');
        else if (!execT.some((t) => t(strs(cmd).join(' ').slice(0, 1024)))) out.push('exec');
      }
    }
    const raw = typeof a.path === 'string' ? a.path : e.source === 'app' && typeof e.resource === 'string' && /^(\/|[a-z][a-z0-9+.-]*:\/\/)/.test(e.resource) ? e.resource : null;
    if (data.length && raw !== null) {
      const op = opOf(e.action, a.operation);
      const verdicts = dataPathReadings(raw.slice(0, 4096)).map((p) => {
        const known = data.filter((d) => d.test(p));
        return !known.length ? 'data.paths' : !known.some((d) => d.ops.includes(op)) ? 'data.operations' : null;
      });
      if (verdicts.includes('data.operations')) out.push('data.operations');
      else if (verdicts.includes('data.paths')) out.push('data.paths');
    }
    const dest = typeof a.destination === 'string' ? a.destination : typeof a.url === 'string' ? a.url : null;
    if (eg && dest !== null) {
      const ds = parseDest(dest);
      if (!ds) {
        if (allow.length) out.push('egress.allow');
      } else if (ds.some((d) => deny.some((x) => x(d)))) out.push('egress.deny');
      else if (allow.length && !ds.every((d) => allow.some((x) => x(d)))) out.push('egress.allow');
    }
    const isCkpt = ckActions.has(action);
    if (ck && isCkpt && ckActors && e.actor !== null && !ckActors.some((t) => t(e.actor!))) out.push('checkpoints.actors');
    if (art) {
      const artifact = isCkpt || /checkpoint_save|export|convert|quantiz|save_model|model_save/.test(action);
      const fmt = a.format;
      if (formats && (artifact || typeof fmt === 'string')) {
        let f: string | null = null;
        if (typeof fmt === 'string' && fmt.length > 0 && fmt.length <= 64) f = fmt.toLowerCase().replace(/^\./, '');
        else if (raw !== null) {
          const base = raw.split('/').pop()!;
          const dot = base.lastIndexOf('.');
          if (dot > 0 && dot < base.length - 1 && base.length - dot - 1 <= 15) f = base.slice(dot + 1).toLowerCase();
        }
        if (f !== null && !formats.has(f)) out.push('artifacts.formats');
      }
      if (maxSize !== null && artifact) {
        const size = eventSize(a.size) ?? eventSize(a.bytes);
        if (size !== null && size > maxSize) out.push('artifacts.max_size');
      }
    }
    return out.sort().map((f) => `${id}/${f}`);
  }

  function gpuWindow(w: GpuWindow): string[] {
    if (typeof w.job !== 'string' || !ranges.length) return [];
    const st = stateOf(w.job);
    if (!matches(w.job, st)) return [];
    const out: string[] = [];
    for (const { field, dcgm, r } of ranges) {
      const f = rec(Object.prototype.hasOwnProperty.call(w.fields, dcgm) ? w.fields[dcgm] : undefined);
      const v = f?.[(r.stat as string | undefined) ?? 'mean'];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if ((typeof r.min === 'number' && v < r.min) || (typeof r.max === 'number' && v > r.max)) out.push(field);
    }
    return out.sort().map((f) => `${id}/${f}`);
  }
  return { id, event, gpu: gpuWindow };
}
