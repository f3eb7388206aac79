/**
 * Buckets an event falls into, for the one-hot parts of the event features: the action (audit verb,
 * with exec/attach/portforward told apart by subresource; app actions by name), the resource
 * (audit `objectRef.resource[/subresource]`; app resources by shape), and the actor kind (Kubernetes
 * usernames: `system:serviceaccount:<ns>:<name>`, `system:node:<name>`, other `system:*`).
 */
import type { EventRecord } from '../core/records.js';

export const ACTION_CATEGORIES = [
  'get', 'list', 'watch', 'create', 'update', 'delete', 'exec', 'attach', 'portforward',
  'checkpoint_save', 'checkpoint_load', 'model_export', 'artifact_upload', 'dataset_read', 'registry_push', 'app_other', 'other',
] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];

export const RESOURCE_CATEGORIES = [
  'secrets', 'configmaps', 'pods', 'pods_exec', 'pods_log', 'pvc', 'services', 'nodes', 'rbac', 'selfsubject_review', 'jobs',
  'object_store', 'file_path', 'other',
] as const;
export type ResourceCategory = (typeof RESOURCE_CATEGORIES)[number];

export const ACTOR_KINDS = ['human', 'service_account', 'system', 'node', 'unknown'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

const APP_ACTIONS = new Set<string>(['checkpoint_save', 'checkpoint_load', 'model_export', 'artifact_upload', 'dataset_read', 'registry_push']);

export function actionCategory(e: EventRecord, subresource: string | undefined): ActionCategory {
  const a = e.action;
  if (e.source === 'app') {
    if (APP_ACTIONS.has(a)) return a as ActionCategory;
    return 'app_other';
  }
  // exec/attach/portforward are POST (verb create) or websocket GET (verb get) on the subresource.
  if (subresource === 'exec') return 'exec';
  if (subresource === 'attach') return 'attach';
  if (subresource === 'portforward') return 'portforward';
  switch (a) {
    case 'get':
      return 'get';
    case 'list':
      return 'list';
    case 'watch':
      return 'watch';
    case 'create':
      return 'create';
    case 'update':
    case 'patch':
      return 'update';
    case 'delete':
    case 'deletecollection':
      return 'delete';
    default:
      return 'other';
  }
}

const JOB_RESOURCES = new Set(['jobs', 'cronjobs', 'pytorchjobs', 'tfjobs', 'mpijobs', 'trainjobs', 'rayjobs', 'rayclusters', 'xgboostjobs', 'paddlejobs', 'jaxjobs', 'leaderworkersets', 'deployments', 'statefulsets', 'replicasets', 'daemonsets']);
const RBAC_RESOURCES = new Set(['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'serviceaccounts']);
const REVIEW_RESOURCES = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews', 'subjectaccessreviews', 'localsubjectaccessreviews', 'tokenreviews']);

export function resourceCategory(e: EventRecord, subresource: string | undefined): ResourceCategory {
  const r = e.resource;
  if (r === null || r.length === 0) return 'other';
  if (e.source === 'app') {
    if (r.indexOf('://') > 0) return 'object_store';
    if (r.charCodeAt(0) === 47 /* / */ || r.startsWith('./') || r.startsWith('~/')) return 'file_path';
    return 'other';
  }
  const slash = r.indexOf('/');
  const base = slash >= 0 ? r.slice(0, slash) : r;
  const sub = subresource ?? (slash >= 0 ? r.slice(slash + 1) : undefined);
  if (base === 'pods') {
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return 'pods_exec';
    if (sub === 'log') return 'pods_log';
    return 'pods';
  }
  if (base === 'secrets') return 'secrets';
  if (base === 'configmaps') return 'configmaps';
  if (base === 'persistentvolumeclaims' || base === 'persistentvolumes') return 'pvc';
  if (base === 'services' || base === 'endpoints' || base === 'endpointslices' || base === 'ingresses') return 'services';
  if (base === 'nodes') return 'nodes';
  if (RBAC_RESOURCES.has(base)) return 'rbac';
  if (REVIEW_RESOURCES.has(base)) return 'selfsubject_review';
  if (JOB_RESOURCES.has(base)) return 'jobs';
  return 'other';
}

/**
 * Kubernetes usernames say their kind (`system:serviceaccount:`, `system:node:`, `system:`); app
 * principals named `svc-…`/`sa-…`/`bot-…`/`robot-…` are service identities by convention.
 */
export function actorKind(actor: string | null): ActorKind {
  if (actor === null || actor.length === 0) return 'unknown';
  if (actor.startsWith('system:serviceaccount:')) return 'service_account';
  if (actor.startsWith('system:node:')) return 'node';
  if (actor.startsWith('system:')) return 'system';
  const a = actor.toLowerCase();
  if (a.startsWith('svc-') || a.startsWith('sa-') || a.startsWith('bot-') || a.startsWith('robot-') || a.startsWith('serviceaccount-') || a.indexOf('[bot]') >= 0) {
    return 'service_account';
  }
  return 'human';
}
