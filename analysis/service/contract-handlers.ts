/**
 * One handler per contract call, over a WorkbenchService and the shell's own hooks (dialogs and
 * recent cases exist only in the desktop shell). `dispatchCall` validates the argument with the
 * call's zod schema before any handler runs: the single boundary check for IPC and HTTP alike.
 */
import { CALLS, isCallName, type CallName, type CallResult, type ParsedArgs } from '../../contract/calls.js';
import type { AppInfo, RecentCase } from '../../contract/types.js';
import { TOOL_VERSION } from '../core/version.js';
import { UserError, type WorkbenchService } from './workbench-service.js';

export interface ShellHooks {
  shell: AppInfo['shell'];
  openBundleDialog?: () => Promise<string | null>;
  openCaseDialog?: () => Promise<string | null>;
  /** A native save dialog for a report (the desktop shell); without it `dialog.saveReport` answers null. */
  saveReportDialog?: (suggestedName: string, format: ParsedArgs<'dialog.saveReport'>['format']) => Promise<string | null>;
  recentCases?: () => RecentCase[];
  /** Called after a case is opened through the contract (the desktop shell remembers it). */
  caseOpened?: (path: string) => void;
}

export type CallHandlers = { [N in CallName]: (args: ParsedArgs<N>) => Promise<CallResult<N>> | CallResult<N> };

export function createCallHandlers(service: WorkbenchService, hooks: ShellHooks): CallHandlers {
  return {
    'app.info': () => ({ version: TOOL_VERSION, shell: hooks.shell, openCase: service.caseInfo() }),
    'dialog.openBundle': async () => (hooks.openBundleDialog ? hooks.openBundleDialog() : null),
    'dialog.openCase': async () => (hooks.openCaseDialog ? hooks.openCaseDialog() : null),
    'dialog.saveReport': async ({ suggestedName, format }) => (hooks.saveReportDialog ? hooks.saveReportDialog(suggestedName, format) : null),
    'recent.list': () => hooks.recentCases?.() ?? [],
    'case.open': ({ path }) => {
      const info = service.openCase(path);
      hooks.caseOpened?.(info.path);
      return info;
    },
    'case.current': () => service.caseInfo(),
    'case.summary': () => service.summary(),
    'ingest.start': async (a) => {
      const started = await service.startIngest(a);
      const info = service.caseInfo();
      if (info) hooks.caseOpened?.(info.path);
      return started;
    },
    'analysis.run': () => service.runAnalysis(),
    'events.query': (q) => service.queryEvents(q),
    'events.position': (q) => service.eventPosition(q),
    'events.detail': ({ id }) => service.eventDetail(id),
    'events.distinct': (q) => service.distinct(q),
    'timeline.get': (q) => service.timeline(q),
    'annotations.get': (q) => service.getAnnotation(q),
    'annotations.set': (q) => service.setAnnotation(q),
    'annotations.list': () => service.listAnnotations(),
    'checkpoints.list': () => service.listCheckpoints(),
    'checkpoints.detail': ({ id }) => service.checkpointDetail(id),
    'settings.judge.get': () => service.judgeSettingsView(),
    'settings.judge.set': (patch) => service.setJudgeSettings(patch),
    'judge.list': () => service.judgeOverview(),
    'report.export': (a) => service.exportReport(a),
  };
}

/** A call refused at the boundary: unknown name or an argument that fails its schema. */
export class ContractError extends UserError {}

export async function dispatchCall(handlers: CallHandlers, name: string, rawArgs: unknown): Promise<unknown> {
  if (!isCallName(name)) throw new ContractError(`Unknown call '${name.slice(0, 64)}'.`);
  const spec = CALLS.find((c) => c.name === name)!;
  const parsed = spec.args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ContractError(`Invalid argument for ${name}: ${issue ? `${issue.path.join('.') || 'argument'}: ${issue.message}` : 'rejected'}.`);
  }
  const handler = handlers[name] as (a: unknown) => unknown;
  return handler(parsed.data);
}

/** The message to show for a failed call: user errors as they are, anything else in one line. */
export function callErrorMessage(err: unknown): string {
  if (err instanceof UserError) return err.message;
  const msg = err instanceof Error ? err.message : String(err);
  return `Internal error: ${msg.split('\n')[0]!.slice(0, 300)}`;
}
