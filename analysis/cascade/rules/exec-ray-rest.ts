/**
 * A job submitted to a Ray cluster through its Jobs REST API, as the ShadowRay campaign did
 * (CVE-2023-48022: the dashboard's `POST /api/jobs/` runs any entrypoint, unauthenticated), here
 * from inside a pod with an HTTP client: `curl -X POST http://10.0.3.7:8265/api/jobs/ -d
 * '{"entrypoint": "bash -c …"}'`, wget's `--post-data`, HTTPie's `entrypoint=…` item. Ray runs
 * the entrypoint as a shell command line on the cluster, so it is read as a script beside the
 * client (exec-wrappers.ts `remoteRun`), as `ray job submit`'s entrypoint is: a reverse shell, a
 * miner or a fetch-and-run there raises the rules it raises anywhere.
 * The body must be given inline (a body read from a file, `-d @job.json`, is not in the exec), as
 * JSON with a string `entrypoint`; the URL must name the Jobs API's path (`/api/jobs/`, or the job
 * agent's `/api/job_agent/jobs/`). Bounded: bodies over MAX_BODY_CHARS are not parsed.
 */
import { walkCurlWords } from './curl-options.js';
import { walkWgetWords } from './wget-options.js';

export const MAX_BODY_CHARS = 64 * 1024;

/** HTTP clients whose request may carry a Ray job (their tool words, as basenames). */
export const RAY_REST_CLIENTS: ReadonlySet<string> = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs']);

/** curl's long options that give the request body (and `-d`). */
const CURL_BODIES = new Set(['data', 'data-raw', 'data-binary', 'data-ascii', 'json']);

/** Whether `url` names the Jobs API's submit path. */
function isJobsUrl(url: string): boolean {
  return url.includes('/api/jobs') || url.includes('/api/job_agent/jobs');
}

/** The string `entrypoint` of a JSON object body, or null. */
function entrypointOf(body: string): string | null {
  if (body.length > MAX_BODY_CHARS || body.length === 0 || body[0] === '@') return null;
  try {
    const v: unknown = JSON.parse(body);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    const e = (v as Record<string, unknown>).entrypoint;
    return typeof e === 'string' && e !== '' ? e : null;
  } catch {
    return null;
  }
}

/** curl's bodies and URLs, its words read as curl reads its options (curl-options.ts). */
function curlParts(words: readonly string[], t: number): { bodies: string[]; urls: string[] } {
  const bodies: string[] = [];
  const urls: string[] = [];
  walkCurlWords(
    words,
    t,
    (name, value, long) => {
      if (value === undefined) return;
      if (long ? CURL_BODIES.has(name) : name === 'd') bodies.push(value);
      else if (long && name === 'url') urls.push(value);
    },
    (w) => {
      urls.push(w);
      return true;
    },
  );
  return { bodies, urls };
}

/** wget's `--post-data` / `--body-data` bodies and its URL operands, its words read as wget reads its options (wget-options.ts). */
function wgetParts(words: readonly string[], t: number): { bodies: string[]; urls: string[] } {
  const bodies: string[] = [];
  const urls: string[] = [];
  walkWgetWords(
    words,
    t,
    (name, value, long) => {
      if (long && value !== undefined && (name === 'post-data' || name === 'body-data')) bodies.push(value);
    },
    (w) => {
      urls.push(w);
      return true;
    },
  );
  return { bodies, urls };
}

/** HTTPie's (and xh's) URL and its `entrypoint=…` request item (`entrypoint:=` takes raw JSON). */
function httpieEntrypoint(words: readonly string[], t: number): string | null {
  let jobs = false;
  let entry: string | null = null;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.startsWith('entrypoint=')) entry = w.slice('entrypoint='.length);
    else if (w.startsWith('entrypoint:=')) {
      const raw = w.slice('entrypoint:='.length);
      entry = raw.length <= MAX_BODY_CHARS ? entrypointOf(`{"entrypoint":${raw}}`) : null;
    } else if (w[0] !== '-' && isJobsUrl(w)) jobs = true;
  }
  return jobs && entry !== null && entry !== '' ? entry : null;
}

/** The entrypoint the HTTP client at `t` (one of RAY_REST_CLIENTS) submits to a Ray cluster's Jobs API, or null. */
export function rayRestEntrypoint(words: readonly string[], t: number): string | null {
  const tool = words[t];
  if (tool === 'http' || tool === 'https' || tool === 'xh' || tool === 'xhs') return httpieEntrypoint(words, t);
  const { bodies, urls } = tool === 'curl' ? curlParts(words, t) : wgetParts(words, t);
  if (bodies.length === 0 || !urls.some(isJobsUrl)) return null;
  for (const b of bodies) {
    const e = entrypointOf(b);
    if (e !== null) return e;
  }
  return null;
}
