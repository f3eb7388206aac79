import { describe, expect, it } from 'vitest';
import { jobForPod } from '../../core/workload.js';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { auditEventRecord } from './k8s-audit-event.js';
import { PodJobMemo } from './k8s-audit-workload.js';

const PODS = ['llama-ft-worker-3', 'api-7d9f8c6b5d-x2k9p', 'eval-run-4k2x9', 'redis-0', 'standalone', 'exporter-14-69nsctjt8w-v6rwr'];

describe('PodJobMemo', () => {
  it('answers what jobForPod answers, the same pod name in another namespace included', () => {
    const memo = new PodJobMemo();
    for (let round = 0; round < 3; round++) {
      for (const ns of ['ml', 'ml-eval', '']) {
        for (const pod of PODS) expect(memo.jobOf(ns, pod)).toBe(jobForPod(ns, pod));
      }
    }
    expect(memo.size).toBe(PODS.length);
  });

  it('holds at most maxEntries pods, however many distinct names the log has', () => {
    const memo = new PodJobMemo(64);
    for (let i = 0; i < 1000; i++) {
      expect(memo.jobOf('ns', `trainer-${i}-worker-0`)).toBe(`ns/trainer-${i}`);
      expect(memo.size).toBeLessThanOrEqual(64);
    }
    // Still answering, and remembering again after starting over.
    expect(memo.jobOf('ns', 'trainer-5-worker-0')).toBe('ns/trainer-5');
    expect(memo.size).toBeGreaterThan(0);
  });

  it('does not keep names longer than maxName (derived every time instead)', () => {
    const memo = new PodJobMemo(64, 253);
    const long = `${'a'.repeat(300)}-worker-1`;
    expect(memo.jobOf('ns', long)).toBe(`ns/${'a'.repeat(300)}`);
    expect(memo.jobOf('n'.repeat(254), 'p-0')).toBe(`${'n'.repeat(254)}/p`);
    expect(memo.size).toBe(0);
    expect(memo.jobOf('n'.repeat(253), 'p'.repeat(253))).toBe(`${'n'.repeat(253)}/${'p'.repeat(253)}`);
    expect(memo.size).toBe(1);
  });

  it('is what the audit normaliser uses for a bound pod token: the job follows the namespace in the username', () => {
    const event = (sa: string, pod: string) => ({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', verb: 'get', auditID: 'x', requestReceivedTimestamp: '2024-05-01T10:00:00Z',
      user: { username: `system:serviceaccount:${sa}`, extra: { 'authentication.kubernetes.io/pod-name': [pod] } },
    });
    const jobOf = (sa: string, pod: string) => {
      const r = auditEventRecord(event(sa, pod), { line: 1, offset: 0, sizeHint: 500 }, DEFAULT_READER_LIMITS);
      if (typeof r === 'string') throw new Error(r);
      return r.job;
    };
    expect(jobOf('ml:trainer', 'gpt-worker-2')).toBe('ml/gpt');
    expect(jobOf('ml:trainer', 'gpt-worker-2')).toBe('ml/gpt');
    expect(jobOf('other:trainer', 'gpt-worker-2')).toBe('other/gpt');
    expect(jobOf('ml:trainer', 'gpt-worker-2')).toBe('ml/gpt');
  });
});
