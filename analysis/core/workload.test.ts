import { describe, expect, it } from 'vitest';
import { jobForPod, workloadFromPodName } from './workload.js';

describe('workload derivation', () => {
  it('reads Kubeflow, Deployment, Job and StatefulSet pod names', () => {
    expect(workloadFromPodName('llama-ft-worker-3')).toBe('llama-ft');
    expect(workloadFromPodName('api-7d9f8c6b5d-x2k9p')).toBe('api');
    expect(workloadFromPodName('eval-run-4k2x9')).toBe('eval-run');
    expect(workloadFromPodName('redis-0')).toBe('redis');
    expect(workloadFromPodName('standalone')).toBe('standalone');
  });
  it('prefers labels, then controller owners', () => {
    expect(jobForPod('ml', 'x-worker-0', { 'training.kubeflow.org/job-name': 'gpt-pretrain' })).toBe('ml/gpt-pretrain');
    expect(jobForPod('ml', 'p', null, [{ kind: 'ReplicaSet', name: 'web-5d8c7b9f4c', controller: true }])).toBe('ml/web');
  });
});
