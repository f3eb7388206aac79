/**
 * Lays rendered audit lines out as kube-apiserver's log backend leaves them on disk: one JSON line
 * per stage in write order, rotated by gopkg.in/natefinch/lumberjack.v2 when the next write would
 * pass --audit-log-maxsize (`<name>-<rotation time>.log`, gzip-compressed with
 * --audit-log-compress), the live file holding the rest.
 */
import { gzipSync } from 'node:zlib';
import { lumberjackStamp } from './iso-time.js';

export interface PlacedLine {
  stageUs: number;
  text: string;
}

export interface AuditFile {
  path: string;
  bytes: Uint8Array;
}

/** Where each input line ended up: file path and 1-based line. */
export interface LinePosition {
  file: string;
  line: number;
}

export const AUDIT_DIR = 'audit';
export const AUDIT_BASENAME = 'kube-apiserver-audit';

/** Splits chronologically ordered lines into rotated gzip backups plus the live file. */
export function rotateAuditLog(lines: readonly PlacedLine[], maxBytes: number): { files: AuditFile[]; positions: LinePosition[] } {
  const live = `${AUDIT_DIR}/${AUDIT_BASENAME}.log`;
  const files: AuditFile[] = [];
  const positions: LinePosition[] = new Array(lines.length);
  let current: string[] = [];
  let currentStart = 0;
  let size = 0;
  const flushBackup = (rotatedAtUs: number): void => {
    const path = `${AUDIT_DIR}/${AUDIT_BASENAME}-${lumberjackStamp(rotatedAtUs)}.log.gz`;
    for (let i = currentStart; i < currentStart + current.length; i++) positions[i] = { file: path, line: i - currentStart + 1 };
    files.push({ path, bytes: gzipSync(Buffer.from(current.join(''), 'utf8'), { level: 6 }) });
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.text + '\n';
    const n = Buffer.byteLength(text, 'utf8');
    if (size > 0 && size + n > maxBytes) {
      flushBackup(lines[i]!.stageUs);
      current = [];
      currentStart = i;
      size = 0;
    }
    current.push(text);
    size += n;
  }
  for (let i = currentStart; i < currentStart + current.length; i++) positions[i] = { file: live, line: i - currentStart + 1 };
  files.push({ path: live, bytes: Buffer.from(current.join(''), 'utf8') });
  return { files, positions };
}
