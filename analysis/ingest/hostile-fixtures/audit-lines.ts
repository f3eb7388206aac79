/**
 * Kubernetes audit lines for the hostile-bundle tests, one `audit.k8s.io/v1` Event per line in the
 * shape of the corpus file readers/fixtures/audit2rbac__demo.log (same keys, same nesting), with
 * the auditID, stage and time chosen by the test so the expected outcome of every line is known.
 */

export interface AuditLineOptions {
  stage?: 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
  /** RFC 3339 time for requestReceivedTimestamp / stageTimestamp. */
  time?: string;
  user?: string;
  /** Pads the requestURI so the line reaches about this many bytes. */
  padTo?: number;
}

export function auditLine(auditId: string, opts: AuditLineOptions = {}): string {
  const time = opts.time ?? '2024-05-01T10:00:00.000000Z';
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: auditId,
    stage: opts.stage ?? 'ResponseComplete',
    requestURI: '/api/v1/namespaces/ml/pods',
    verb: 'list',
    user: { username: opts.user ?? 'system:serviceaccount:ml:trainer', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.29.0',
    objectRef: { resource: 'pods', namespace: 'ml', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
  let line = JSON.stringify(event);
  if (opts.padTo !== undefined && line.length < opts.padTo) {
    event.requestURI += '?q=' + noise(opts.padTo - line.length - 3);
    line = JSON.stringify(event);
  }
  return line;
}

/**
 * URL-safe characters from a fixed-seed xorshift: padding that compresses about as badly as real
 * request bodies, so a long line is not mistaken for a decompression bomb by the ratio check.
 */
function noise(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const out = Buffer.alloc(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet.charCodeAt((x >>> 0) & 63);
  }
  return out.toString('latin1');
}

/** `n` audit lines with auditIDs `${prefix}-0` … `${prefix}-(n-1)`. */
export function auditLines(prefix: string, n: number, opts: AuditLineOptions = {}): string[] {
  return Array.from({ length: n }, (_, i) => auditLine(`${prefix}-${i}`, opts));
}

/** Lines joined as a JSONL file (trailing newline). */
export function jsonl(lines: readonly string[]): string {
  return lines.join('\n') + '\n';
}
