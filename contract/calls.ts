/**
 * Every renderer→main call of the workbench (STYLE.md "One typed contract"): a name, a zod schema
 * for its argument, and its result type. Preload exposes exactly CALLS, main and `mlshield serve`
 * register exactly CALLS, and both validate the argument with `args` before touching anything.
 */
import { z } from 'zod';
import type {
  AnalysisStarted,
  AnnotatedItem,
  Annotation,
  AppInfo,
  CaseInfo,
  CaseSummaryView,
  CheckpointDetail,
  CheckpointRow,
  EventDetail,
  EventPage,
  EventPosition,
  IngestStarted,
  JudgeOverview,
  JudgeSettingsView,
  RecentCase,
  ReportExported,
  Timeline,
} from './types.js';

/** Paths come from dialogs, drops or a text field; bounded so a hostile caller cannot send megabytes. */
const path = z.string().min(1).max(4096);
const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const micros = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const short = z.string().max(512);
/** A bare file name (a suggestion for a save dialog): no folder, so the page cannot steer where the dialog opens. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\\u0000]+$/, 'a file name without folders')
  .refine((n) => n !== '.' && n !== '..', 'a file name without folders');

export const EVENT_SORT_COLUMNS = ['ts', 'source', 'actor', 'action', 'resource', 'namespace', 'job', 'outcome'] as const;
export type EventSortColumn = (typeof EVENT_SORT_COLUMNS)[number];
export const EVENT_FILTER_FIELDS = ['source', 'actor', 'action', 'job', 'namespace', 'outcome'] as const;
export type EventFilterField = (typeof EVENT_FILTER_FIELDS)[number];

export const eventQuerySchema = z
  .object({
    offset: z.number().int().min(0).max(1e9).default(0),
    limit: z.number().int().min(1).max(2000).default(200),
    sort: z.enum(EVENT_SORT_COLUMNS).default('ts'),
    desc: z.boolean().default(false),
    /** Exact match per field; an empty string is ignored. */
    filters: z.partialRecord(z.enum(EVENT_FILTER_FIELDS), short).default({}),
    /** Substring search over the raw record (FTS5 trigram index when built, else LIKE). */
    search: short.default(''),
    starredOnly: z.boolean().default(false),
    from: micros.optional(),
    to: micros.optional(),
  })
  .strict();
export type EventQuery = z.input<typeof eventQuerySchema>;

/** One event and the query it is looked for in: events.query's argument without the page. */
export const eventPositionSchema = eventQuerySchema.omit({ offset: true, limit: true }).extend({ id }).strict();

const targetKind = z.enum(['event', 'checkpoint', 'detection']);

/** Formats of `report.export` (the same list as analysis/report/report-formats.ts; a test keeps them equal). */
export const REPORT_EXPORT_FORMATS = ['html', 'pdf', 'json', 'sarif', 'jsonl'] as const;

export const annotationInputSchema = z
  .object({
    targetKind,
    targetId: id,
    starred: z.boolean().optional(),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
    comment: z.string().max(10_000).optional(),
  })
  .strict();

/** One call: the name, the argument's schema, and (as a phantom type) its result. */
export interface CallSpec<N extends string, A extends z.ZodType, R> {
  readonly name: N;
  readonly args: A;
  readonly summary: string;
  /** Never set: carries the result type for `CallResult` (boxed so `null` results survive). */
  readonly result?: { value: R };
}

function call<R>() {
  return <N extends string, A extends z.ZodType>(name: N, args: A, summary: string): CallSpec<N, A, R> => ({ name, args, summary });
}

const none = z.object({}).strict();

export const CALLS = [
  call<AppInfo>()('app.info', none, 'version, shell kind and the case open at start-up'),
  call<string | null>()('dialog.openBundle', none, 'native folder/archive picker (Electron); null when cancelled or unavailable'),
  call<string | null>()('dialog.openCase', none, 'native case-file picker (Electron); null when cancelled or unavailable'),
  call<string | null>()(
    'dialog.saveReport',
    z.object({ suggestedName: fileName, format: z.enum(REPORT_EXPORT_FORMATS) }).strict(),
    'native save dialog for a report (Electron), filtered to the format; the chosen path, or null when cancelled or unavailable',
  ),
  call<RecentCase[]>()('recent.list', none, 'recently opened case files'),
  call<CaseInfo>()('case.open', z.object({ path }).strict(), 'open (or create) a case file'),
  call<CaseInfo | null>()('case.current', none, 'the open case, if any'),
  call<CaseSummaryView>()('case.summary', none, 'time span, sources, trajectories, detections of the open case'),
  call<IngestStarted>()(
    'ingest.start',
    z.object({ bundlePath: path, casePath: path.optional() }).strict(),
    'ingest a bundle into the open case (or casePath) off the UI thread; progress comes as events',
  ),
  call<AnalysisStarted>()(
    'analysis.run',
    none,
    'run checkpoint triage and the detection cascade over the open case again; progress and the result come as events',
  ),
  call<EventPage>()('events.query', eventQuerySchema, 'one page of events with the total matching the filters'),
  call<EventPosition>()(
    'events.position',
    eventPositionSchema,
    "an event's row index in events.query's order under the same filters, search and sort (null when they hide it): the Events table scrolls there",
  ),
  call<EventDetail>()('events.detail', z.object({ id }).strict(), 'an event with its raw record, provenance, detections, judgements, annotation'),
  call<string[]>()(
    'events.distinct',
    z.object({ field: z.enum(EVENT_FILTER_FIELDS), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    'most frequent values of one field (for filter menus)',
  ),
  call<Timeline>()(
    'timeline.get',
    z
      .object({
        from: micros.optional(),
        to: micros.optional(),
        buckets: z.number().int().min(10).max(2000).default(400),
        gpuFields: z.array(z.string().min(1).max(128)).max(12).optional(),
      })
      .strict(),
    'detections per attack phase and GPU telemetry in buckets on one time axis',
  ),
  call<Annotation>()('annotations.get', z.object({ targetKind, targetId: id }).strict(), 'the star, tags and comment of one item'),
  call<Annotation>()('annotations.set', annotationInputSchema, 'change the star, tags or comment of one item (stored in the case)'),
  call<AnnotatedItem[]>()('annotations.list', none, 'every starred, tagged or commented item'),
  call<CheckpointRow[]>()('checkpoints.list', none, 'checkpoints in the case and their triage verdicts'),
  call<CheckpointDetail>()(
    'checkpoints.detail',
    z.object({ id }).strict(),
    'one triaged checkpoint: findings, pickle imports, tensor statistics and histograms (the inspector)',
  ),
  call<JudgeSettingsView>()('settings.judge.get', none, "the LLM judge's model and where it and the API key come from (never the key)"),
  call<JudgeSettingsView>()(
    'settings.judge.set',
    z
      .object({
        // null: forget the saved value (the environment or the default applies again).
        model: z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._:@/-]+$/, 'a model id').nullable().optional(),
        apiKey: z.string().trim().min(8).max(512).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').nullable().optional(),
      })
      .strict(),
    "save or forget the judge's model and API key in the app's settings (used by the next analysis)",
  ),
  call<JudgeOverview>()('judge.list', none, 'Layer-3 judgements of the open case and the detections still waiting for one'),
  call<ReportExported>()(
    'report.export',
    z.object({ format: z.enum(REPORT_EXPORT_FORMATS), path }).strict(),
    'write the forensic report of the open case (HTML, PDF, JSON, SARIF, Timesketch JSONL) to path',
  ),
] as const;

export type Calls = (typeof CALLS)[number];
export type CallName = Calls['name'];
type SpecOf<N extends CallName> = Extract<Calls, { name: N }>;
/** What the caller passes (defaults may be omitted). */
export type CallArgs<N extends CallName> = z.input<SpecOf<N>['args']>;
/** What the handler receives after validation (defaults filled in). */
export type ParsedArgs<N extends CallName> = z.output<SpecOf<N>['args']>;
export type CallResult<N extends CallName> = NonNullable<SpecOf<N>['result']>['value'];

export const CALL_NAMES: readonly CallName[] = CALLS.map((c) => c.name);

export function callSpec<N extends CallName>(name: N): SpecOf<N> {
  const spec = CALLS.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown call ${name}`);
  return spec as SpecOf<N>;
}

export function isCallName(name: string): name is CallName {
  return (CALL_NAMES as readonly string[]).includes(name);
}
