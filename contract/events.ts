/**
 * Every main→renderer event of the workbench. Preload's `on(event, cb)` accepts only these names;
 * `mlshield serve` sends the same names over its WebSocket as `{ event, payload }`.
 */
import type {
  AnalysisFailedEvent,
  AnalysisFinishedEvent,
  AnalysisProgressEvent,
  CaseInfo,
  IngestFailedEvent,
  IngestFinishedEvent,
  IngestProgressEvent,
} from './types.js';

/** A native menu item the renderer acts on (the menu lives in main, the views in the renderer). */
export interface MenuCommandEvent {
  command: 'open-bundle' | 'open-case' | 'export-report' | 'show-view';
  view?: string;
  /** A path already chosen in a native dialog or from the recent list. */
  path?: string;
}

export interface EventPayloads {
  'ingest.progress': IngestProgressEvent;
  'ingest.finished': IngestFinishedEvent;
  'ingest.failed': IngestFailedEvent;
  'analysis.progress': AnalysisProgressEvent;
  'analysis.finished': AnalysisFinishedEvent;
  'analysis.failed': AnalysisFailedEvent;
  'case.opened': CaseInfo;
  'annotations.changed': { targetKind: string; targetId: number };
  'menu.command': MenuCommandEvent;
}

export type EventName = keyof EventPayloads;

export const EVENTS: readonly EventName[] = [
  'ingest.progress',
  'ingest.finished',
  'ingest.failed',
  'analysis.progress',
  'analysis.finished',
  'analysis.failed',
  'case.opened',
  'annotations.changed',
  'menu.command',
] as const;

export function isEventName(name: string): name is EventName {
  return (EVENTS as readonly string[]).includes(name);
}

/** Prefix of every IPC channel (VS Code's preload rejects channels without its prefix; so do we). */
export const CHANNEL_PREFIX = 'mlshield:';
export const callChannel = (name: string): string => `${CHANNEL_PREFIX}call:${name}`;
export const eventChannel = (name: string): string => `${CHANNEL_PREFIX}event:${name}`;
