/**
 * Application events of the ML platform (training SDK, evaluation harness, artifact client), one JSON
 * object per line in the MLShield seed's event shape:
 * `{"ts", "action", "resource", "job_id", "user", "namespace", "details": {...}}` — `namespace` is one
 * of the fields the seed's event API accepts beside the core five; with it `job_id` names the same
 * workload the audit log's `<namespace>/<workload>` trajectory key does.
 */
import { isoMicros } from './iso-time.js';

export type AppAction =
  | 'train_step'
  | 'checkpoint_save'
  | 'checkpoint_load'
  | 'eval'
  | 'dataset_read'
  | 'model_export'
  | 'artifact_upload'
  | 'registry_push'
  | 'dataset_write'
  | 'inference_usage'
  | 'ray_job_submit'
  | 'ray_job_status';

export interface AppEvent {
  tsUs: number;
  action: AppAction;
  resource: string;
  jobId: string;
  user: string;
  namespace: string;
  details: Record<string, unknown>;
}

export function renderAppEvent(e: AppEvent): string {
  return JSON.stringify({ ts: isoMicros(e.tsUs), action: e.action, resource: e.resource, job_id: e.jobId, user: e.user, namespace: e.namespace, details: e.details });
}
