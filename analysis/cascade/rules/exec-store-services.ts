/**
 * More clients for `attrs.exec.storeLoads` (exec-store-loads.ts): cloud services, secret stores and
 * brokers whose CLIs take a value from a file of the pod. Each sends the file's bytes to a server
 * that whoever holds its credentials reads back: a queue message, a stream record, a secret, a key.
 *
 * - the AWS CLI loads any parameter given as `file://F` or `fileb://F` (`aws sqs send-message
 *   --message-body file://F`, `aws kinesis put-record --data fileb://F`, `aws sns publish`,
 *   `aws secretsmanager create-secret --secret-binary fileb://F`, `aws lambda invoke --payload`).
 *   `--cli-input-json` / `--cli-input-yaml` name the request's own parameters, not a value: left;
 * - `gcloud secrets create|versions add --data-file=F` (`-` standard input);
 * - `az keyvault secret set --file F` (`-f`);
 * - HashiCorp Vault `vault kv put|patch PATH K=@F` and `vault write PATH K=@F` (`K=-` and a lone
 *   `-` read standard input, a lone `@F` a JSON file of pairs);
 * - Consul `consul kv put KEY @F` (`-` standard input);
 * - NATS `nats pub SUBJECT` with no body (the body is read on standard input), `nats kv put BUCKET
 *   KEY` with no value, `nats object put BUCKET FILE` (no file: standard input);
 * - `rabbitmqadmin publish routing_key=… ` with no `payload=` (rabbitmqadmin reads it on standard
 *   input).
 *
 * Words are attacker-written: every reader is one linear walk and never throws.
 */
import type { QueryLoads } from './exec-store-sql.js';
import { getoptArgs, optionLetters, optionNames, optionValues } from './option-operands.js';

export type ServiceReader = (args: readonly string[]) => QueryLoads | null;

/** The AWS CLI's file prefixes: `file://` (text) and `fileb://` (bytes), each loading the file as the value. */
const AWS_FILE = /^fileb?:\/\//;
/** Options whose file holds the request's parameters themselves, not a value sent. */
const AWS_REQUEST_FILE = optionNames('--cli-input-json --cli-input-yaml');

const aws: ServiceReader = (args) => {
  const files: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const w = args[k]!;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      if (eq < 0) {
        if (AWS_REQUEST_FILE.has(w)) k++;
        continue;
      }
      const value = w.slice(eq + 1);
      if (!AWS_REQUEST_FILE.has(w.slice(0, eq)) && AWS_FILE.test(value)) files.push(value.replace(AWS_FILE, ''));
    } else if (AWS_FILE.test(w)) files.push(w.replace(AWS_FILE, ''));
  }
  return files.length > 0 ? { files, stdin: false } : null;
};

/** Files and standard input among values where `-` stands for standard input. */
function fileOrStdin(values: readonly string[]): QueryLoads | null {
  if (values.length === 0) return null;
  return { files: values.filter((v) => v !== '-'), stdin: values.includes('-') };
}

/** The words of `args` that are not options (`-x`, `--x`, `-x=v`; options' values are not stepped over). */
const plainWords = (args: readonly string[]): string[] => args.filter((w) => !w.startsWith('-') || w === '-');

/** The options that give a secret's value from a file: gcloud's, az's. */
const GCLOUD_DATA_FILE = optionNames('--data-file');
const AZ_FILE = optionNames('--file -f');

/** gcloud `secrets create NAME` / `secrets versions add NAME`: `--data-file`. */
const gcloud: ServiceReader = (args) => {
  const words = plainWords(args);
  const i = words.indexOf('secrets');
  if (i < 0 || !(words[i + 1] === 'create' || (words[i + 1] === 'versions' && words[i + 2] === 'add'))) return null;
  return fileOrStdin(optionValues(args, GCLOUD_DATA_FILE));
};

/** az `keyvault secret set`: `--file` / `-f`. */
const az: ServiceReader = (args) => {
  const words = plainWords(args);
  const i = words.indexOf('keyvault');
  if (i < 0 || words[i + 1] !== 'secret' || words[i + 2] !== 'set') return null;
  return fileOrStdin(optionValues(args, AZ_FILE));
};

/** A Vault or Consul data word: `K=@F` / `@F` is the file F, `K=-` / `-` standard input. */
function dataWord(w: string, out: QueryLoads, pairs: boolean): void {
  const eq = pairs ? w.indexOf('=') : -1;
  const value = eq < 0 ? w : w.slice(eq + 1);
  if (value === '-') out.stdin = true;
  else if (value.startsWith('@') && value.length > 1) out.files.push(value.slice(1));
}

/** vault `kv put|patch PATH DATA…`, `write PATH DATA…` (flags are Go's `-name=value`; `-` alone is data). */
const vault: ServiceReader = (args) => {
  const words = plainWords(args);
  let at: number;
  if (words[0] === 'kv' && (words[1] === 'put' || words[1] === 'patch')) at = 3;
  else if (words[0] === 'write') at = 2;
  else return null;
  const out: QueryLoads = { files: [], stdin: false };
  for (const w of words.slice(at)) dataWord(w, out, true);
  return out;
};

/**
 * consul `kv put KEY [DATA]`: DATA `@F` is the file, `-` standard input. Go flags may take their
 * value as the next word (`-token T`), so every word after the key is read as DATA would be.
 */
const consul: ServiceReader = (args) => {
  const words = plainWords(args);
  if (words[0] !== 'kv' || words[1] !== 'put') return null;
  const out: QueryLoads = { files: [], stdin: false };
  for (const w of words.slice(3)) dataWord(w, out, false);
  return out;
};

/** natscli options that take a value (kingpin: `--name V` or `--name=V`; `-s` the server, `-H` a header). */
const NATS_VALUE_SHORT = optionLetters('sH');
const NATS_VALUE_LONG = optionNames('server user password creds nkey tlscert tlskey tlsca tlsfirst-timeout socks-proxy colors timeout context js-api-prefix js-event-prefix js-domain inbox-prefix connection-name header reply count sleep send-on name description ttl replicas jwt token metadata tags max-bucket-size');

/** nats `pub|publish SUBJECT [BODY]`, `kv put BUCKET KEY [VALUE]`, `object|obj put BUCKET [FILE]`: no body, value or file is standard input. */
const nats: ServiceReader = (args) => {
  const words = getoptArgs(args, NATS_VALUE_SHORT, NATS_VALUE_LONG).operands;
  const [verb, sub] = words;
  if (verb === 'pub' || verb === 'publish') return words.length === 2 ? { files: [], stdin: true } : null;
  if (verb === 'kv' && sub === 'put') return words.length === 4 ? { files: [], stdin: true } : null;
  if ((verb === 'object' || verb === 'obj') && sub === 'put') {
    // A file operand (`-` standard input), else standard input once the bucket is named.
    const file = words[3];
    if (file !== undefined) return fileOrStdin([file]);
    return words.length === 3 ? { files: [], stdin: true } : null;
  }
  return null;
};

/** rabbitmqadmin (the management plugin's CLI) `publish KEY=VALUE…`: without `payload=` the message is its standard input. */
const RABBIT_VALUE_SHORT = optionLetters('HPVupcNUfdkeq');
const RABBIT_VALUE_LONG = optionNames('host port vhost username password config node base-uri format depth ssl-key-file ssl-cert-file ssl-ca-cert-file ssl-disable-hostname-verification');
const rabbitmqadmin: ServiceReader = (args) => {
  const words = getoptArgs(args, RABBIT_VALUE_SHORT, RABBIT_VALUE_LONG).operands;
  if (words[0] !== 'publish') return null;
  return words.some((w) => w.startsWith('payload=')) ? null : { files: [], stdin: true };
};

/** The service readers by tool name. */
export const SERVICE_READERS: ReadonlyArray<readonly [string, ServiceReader]> = [
  ['aws', aws], ['gcloud', gcloud], ['az', az], ['vault', vault], ['consul', consul], ['nats', nats], ['rabbitmqadmin', rabbitmqadmin],
];
