/**
 * curl 8's options as curl reads its words (`curl --help all`): those that take a value (the next
 * word, or the rest of a short-option cluster) and the switches an operator types. One table for
 * the readings of curl's words: the file a fetch writes (exec-fetched-run.ts), where its uploads go
 * (exec-http-destinations.ts), the Ray job it submits (exec-ray-rest.ts); and one walk over them
 * (`walkCurlWords`).
 */
import { walkOptionWords } from './option-operands.js';

/** Short options that take a value. */
export const CURL_VALUE_SHORT: ReadonlySet<string> = new Set([
  'A', 'b', 'c', 'C', 'd', 'D', 'e', 'E', 'F', 'H', 'K', 'm', 'o', 'P', 'Q', 'r', 't', 'T', 'u', 'U', 'w', 'x', 'X', 'Y', 'y', 'z',
]);

/** Short options that take none. */
export const CURL_SWITCH_SHORT: ReadonlySet<string> = new Set([
  '0', '1', '2', '3', '4', '6', 'a', 'B', 'f', 'g', 'G', 'i', 'I', 'j', 'J', 'k', 'l', 'L', 'M', 'n', 'N', 'O', 'p', 'q', 'R', 's',
  'S', 'v', 'Z', '#', ':',
]);

/** Long options that take a value. */
export const CURL_VALUE_LONG: ReadonlySet<string> = new Set([
  'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode', 'json', 'form', 'form-string', 'header', 'proxy-header',
  'user-agent', 'user', 'proxy-user', 'cookie', 'cookie-jar', 'output', 'output-dir', 'upload-file', 'request', 'config', 'url',
  'variable', 'proxy', 'resolve', 'connect-to', 'interface', 'max-time', 'connect-timeout', 'retry', 'retry-delay',
  'retry-max-time', 'write-out', 'referer', 'range', 'cert', 'cert-type', 'key', 'key-type', 'pass', 'cacert', 'capath',
  'ciphers', 'continue-at', 'dump-header', 'limit-rate', 'max-filesize', 'speed-limit', 'speed-time', 'trace', 'trace-ascii',
  'stderr', 'oauth2-bearer', 'time-cond', 'expect100-timeout', 'keepalive-time', 'max-redirs', 'tls-max', 'create-file-mode',
  'parallel-max', 'rate', 'url-query', 'aws-sigv4', 'unix-socket', 'abstract-unix-socket', 'telnet-option', 'quote', 'ftp-port',
  'etag-save', 'etag-compare', 'hsts', 'alt-svc', 'login-options', 'sasl-authzid', 'service-name',
]);

/** Long options that take none. */
export const CURL_SWITCH_LONG: ReadonlySet<string> = new Set([
  'silent', 'show-error', 'fail', 'fail-with-body', 'fail-early', 'include', 'insecure', 'verbose', 'compressed', 'globoff',
  'http0.9', 'http1.0', 'http1.1', 'http2', 'http2-prior-knowledge', 'http3', 'no-buffer', 'no-keepalive', 'progress-bar',
  'remote-name', 'remote-name-all', 'remote-header-name', 'create-dirs', 'get', 'head', 'ipv4', 'ipv6', 'netrc', 'netrc-optional',
  'no-progress-meter', 'raw', 'tcp-nodelay', 'path-as-is', 'disable', 'retry-all-errors', 'retry-connrefused', 'tr-encoding',
  'styled-output', 'no-styled-output', 'show-headers', 'basic', 'digest', 'anyauth', 'ntlm', 'negotiate', 'tlsv1', 'tlsv1.0',
  'tlsv1.1', 'tlsv1.2', 'tlsv1.3', 'ssl', 'ssl-reqd', 'no-sessionid', 'no-alpn', 'no-npn', 'parallel', 'parallel-immediate',
  'remove-on-error', 'skip-existing', 'xattr', 'append', 'list-only', 'ignore-content-length', 'junk-session-cookies', 'use-ascii',
]);

/** curl's words after its tool word at `t`, as curl reads them (option-operands.ts `walkOptionWords`). */
export function walkCurlWords(
  words: readonly string[],
  t: number,
  option: (name: string, value: string | undefined, long: boolean) => void,
  operand: (w: string) => boolean,
): void {
  walkOptionWords(words, t, CURL_VALUE_SHORT, CURL_VALUE_LONG, option, operand);
}
