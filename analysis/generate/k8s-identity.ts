/**
 * The identities that appear in `user` of audit events, shaped as kube-apiserver v1.30 reports them:
 * bound service-account tokens (authentication.k8s.io extra: credential-id, node-name, node-uid,
 * pod-name, pod-uid — KEP-4193 / KEP-2799), kubelets (`system:node:<name>`), control-plane components
 * and OIDC humans.
 */
import type { Actor } from './k8s-request.js';

export const K8S_VERSION = 'v1.30.5';
const K8S_COMMIT = '74e84a9';
export const KUBECTL_LINUX_UA = 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350';
export const KUBECTL_DARWIN_UA = 'kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350';
export const PYTHON_CLIENT_UA = 'OpenAPI-Generator/30.1.0/python';

/** `<component>/<version> (linux/amd64) kubernetes/<commit>[/<suffix>]`, client-go's default UA. */
export function componentUserAgent(component: string, suffix?: string): string {
  return `${component}/${K8S_VERSION} (linux/amd64) kubernetes/${K8S_COMMIT}${suffix ? '/' + suffix : ''}`;
}

export interface PodBinding {
  name: string;
  uid: string;
  namespace: string;
  serviceAccount: string;
  serviceAccountUid: string;
  node: string;
  nodeUid: string;
  ip: string;
  /** JTI of the projected token the pod currently holds. */
  credentialId: string;
}

/** RBAC's allow reason (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac authorizingVisitor). */
export function rbacReason(binding: { kind: 'RoleBinding' | 'ClusterRoleBinding'; name: string; namespace?: string }, role: { kind: 'Role' | 'ClusterRole'; name: string }, subject: string): string {
  const b = binding.kind === 'RoleBinding' ? `${binding.name}/${binding.namespace ?? ''}` : binding.name;
  return `RBAC: allowed by ${binding.kind} "${b}" of ${role.kind} "${role.name}" to ${subject}`;
}

/** A pod calling the API with its projected service-account token. */
export function podActor(pod: PodBinding, userAgent: string, allowReason?: string): Actor {
  return {
    user: {
      username: `system:serviceaccount:${pod.namespace}:${pod.serviceAccount}`,
      uid: pod.serviceAccountUid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${pod.namespace}`, 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${pod.credentialId}`],
        'authentication.kubernetes.io/node-name': [pod.node],
        'authentication.kubernetes.io/node-uid': [pod.nodeUid],
        'authentication.kubernetes.io/pod-name': [pod.name],
        'authentication.kubernetes.io/pod-uid': [pod.uid],
      },
    },
    sourceIP: pod.ip,
    userAgent,
    allowReason:
      allowReason ??
      rbacReason({ kind: 'RoleBinding', name: pod.serviceAccount, namespace: pod.namespace }, { kind: 'Role', name: `${pod.serviceAccount}-runner` }, `ServiceAccount "${pod.serviceAccount}/${pod.namespace}"`),
  };
}

/** A kubelet (client certificate, Node authorizer: empty reason). */
export function kubeletActor(node: string, nodeIP: string): Actor {
  return {
    user: { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] },
    sourceIP: nodeIP,
    userAgent: componentUserAgent('kubelet'),
    allowReason: '',
  };
}

/** A kube-controller-manager controller using its own service account (--use-service-account-credentials). */
export function controllerActor(controller: string, saUid: string, apiserverIP: string): Actor {
  const username = `system:serviceaccount:kube-system:${controller}`;
  return {
    user: { username, uid: saUid, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
    sourceIP: apiserverIP,
    userAgent: componentUserAgent('kube-controller-manager', username),
    allowReason: rbacReason({ kind: 'ClusterRoleBinding', name: `system:controller:${controller}` }, { kind: 'ClusterRole', name: `system:controller:${controller}` }, `ServiceAccount "${controller}/kube-system"`),
  };
}

export function schedulerActor(apiserverIP: string): Actor {
  return {
    user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
    sourceIP: apiserverIP,
    userAgent: componentUserAgent('kube-scheduler', 'scheduler'),
    allowReason: rbacReason({ kind: 'ClusterRoleBinding', name: 'system:kube-scheduler' }, { kind: 'ClusterRole', name: 'system:kube-scheduler' }, 'User "system:kube-scheduler"'),
  };
}

export interface HumanUser {
  /** OIDC e-mail, without the `oidc:` prefix. */
  email: string;
  group: string;
  ip: string;
  userAgent: string;
  /** ClusterRole the group is bound to. */
  role: string;
}

export function humanActor(h: HumanUser): Actor {
  return {
    user: { username: `oidc:${h.email}`, groups: [`oidc:${h.group}`, 'system:authenticated'] },
    sourceIP: h.ip,
    userAgent: h.userAgent,
    allowReason: rbacReason({ kind: 'ClusterRoleBinding', name: `${h.group}-${h.role}` }, { kind: 'ClusterRole', name: h.role }, `Group "oidc:${h.group}"`),
  };
}
