import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import { auditEvent, auditObjectsOf, FIXTURES_DIR, readRuleFiles } from './fixtures.test-support.js';

// Falco trace → the Sigma rule(s) in analysis/rules/sigma that must fire (SOURCES.tsv says which
// Falco rule fires on each). Files not listed are benign and must fire nothing.
const EXPECTED: Record<string, string[]> = {
  'falco__anonymous_creates_namespace_foo.json': ['2fb35a49-64cf-4e49-83df-991b9d1bbaef'],
  'falco__attach_cluster_admin_role.json': ['a277bcb4-32fd-42c7-abdf-ba7cf6aa6a65'],
  'falco__attach_pod.json': ['79cc565c-cf24-4bf3-b1bb-c00a7c99631c'],
  'falco__create_cluster_role_pod_exec.json': ['4308cec8-733d-4f31-8d9e-07399b41507c'],
  'falco__create_cluster_role_wildcard_resources.json': ['4308cec8-733d-4f31-8d9e-07399b41507c'],
  'falco__create_cluster_role_write_privileges.json': ['4308cec8-733d-4f31-8d9e-07399b41507c'],
  'falco__create_configmap_sensitive_values.json': ['5f126d92-7682-4a29-869e-65522bb90cfb'],
  'falco__create_nginx_pod_hostnetwork.json': ['781d8207-145a-4525-8074-5482609bd5f3'],
  'falco__create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json': ['781d8207-145a-4525-8074-5482609bd5f3'],
  'falco__create_nginx_pod_privileged.json': ['781d8207-145a-4525-8074-5482609bd5f3'],
  'falco__create_nginx_pod_sensitive_mount.json': ['89af124d-f320-4ed7-b551-57ce366f2940'],
  'falco__create_nginx_service_nodeport.json': ['ea1290ee-2587-41ff-a295-6223cbf85063'],
  'falco__create_pod_kube_system_namespace.json': ['a80d927d-ac6e-443f-a867-e8d6e3897318'],
  'falco__create_serviceaccount_kube_system_namespace.json': ['f5584c01-8593-424d-aeb5-42729c2a9447'],
  'falco__delete_cluster_role_kube_aggregator.json': ['58db0066-7232-459a-9aab-8ad5f2d65a59'],
  'falco__exec_pod.json': ['79cc565c-cf24-4bf3-b1bb-c00a7c99631c'],
};

const traceDir = join(FIXTURES_DIR, 'k8s-audit');
const sources = readFileSync(join(FIXTURES_DIR, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const verdict = new Map(sources.map((r) => [r[0]!.replace('k8s-audit/', ''), r[6]!]));

describe('Sigma rules in analysis/rules/sigma', () => {
  const set = loadRuleSet(readRuleFiles('sigma'));

  it('load unchanged, without errors or warnings', () => {
    expect(set.errors).toEqual([]);
    expect(set.warnings).toEqual([]);
    expect(set.rules.length).toBeGreaterThanOrEqual(6);
    expect(set.rules.every((r) => r.origin === 'sigma')).toBe(true);
  });

  it('the verbatim SigmaHQ rule keeps its id and maps level and tags', () => {
    const r = set.rules.find((x) => x.meta.id === 'a80d927d-ac6e-443f-a867-e8d6e3897318')!;
    expect(r.meta).toMatchObject({ severity: 'medium', decision: 'escalate', family: 'k8s-misconfig', phase: 'defense-evasion', attack: ['T1036.005'] });
    const priv = set.rules.find((x) => x.meta.id === '781d8207-145a-4525-8074-5482609bd5f3')!;
    expect(priv.meta).toMatchObject({ severity: 'high', decision: 'alert', phase: 'lateral-movement', attack: ['T1611'] });
  });

  for (const file of readdirSync(traceDir).filter((f) => f.startsWith('falco__') || f.startsWith('audit2rbac__demo.log'))) {
    const expected = EXPECTED[file] ?? [];
    const v = verdict.get(file);
    it(`${file} (${v}) → ${expected.length ? expected.join(', ') : 'no hit'}`, () => {
      if (v === 'malicious') expect(expected.length).toBeGreaterThan(0);
      if (v === 'benign') expect(expected).toEqual([]);
      const text = readFileSync(join(traceDir, file), 'utf8');
      const objs = text.trim() ? auditObjectsOf(text) : [];
      const engine = createRuleEngine(set.rules);
      const fired = new Set<string>();
      let withHit = 0;
      objs.forEach((o, i) => {
        const hits = engine.evaluate(auditEvent(o, i + 1));
        if (hits.length) withHit++;
        for (const h of hits) {
          fired.add(h.ruleId);
          expect(h.reason.length).toBeGreaterThan(0);
        }
      });
      expect([...fired].sort()).toEqual([...expected].sort());
      // Every event of a malicious trace fires (the configmap trace holds six variants).
      if (expected.length) expect(withHit).toBe(objs.length);
    });
  }

  it('reasons name the matched fields and observed values', () => {
    const obj = auditObjectsOf(readFileSync(join(traceDir, 'falco__exec_pod.json'), 'utf8'))[0];
    const hits = createRuleEngine(set.rules).evaluate(auditEvent(obj));
    expect(hits[0]!.reason).toBe('selection(verb="create", objectRef.resource="pods", objectRef.subresource="exec")');
    const cm = auditObjectsOf(readFileSync(join(traceDir, 'falco__create_configmap_sensitive_values.json'), 'utf8'))[4];
    const r = createRuleEngine(set.rules).evaluate(auditEvent(cm))[0]!.reason;
    expect(r).toContain('selection_secret_value(requestObject.data=');
  });
});
