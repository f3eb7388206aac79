/**
 * The disk adapter for bundle roots: the only file here that touches `fs`. Folders are listed
 * recursively with lstat; symbolic links inside a folder are reported, never followed (a link to
 * /etc/shadow in an evidence folder must not be read as evidence). Reads are bounded by the size
 * seen at listing time, so a file that grows while we read does not change what we ingest.
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ByteSource } from '../../core/byte-source.js';
import type { BundleRoot, RootEntry, RootFile } from './bundle-root.js';
import { BundleError, DEFAULT_ARCHIVE_LIMITS } from './limits.js';

export interface FsRootOptions {
  /** Files listed from a folder before the rest is refused. */
  maxEntries?: number;
}

const READ_CHUNK = 1 << 20;
const MAX_OPEN_HANDLES = 16;

export async function openBundleRoot(path: string, opts: FsRootOptions = {}): Promise<BundleRoot> {
  const name = basename(path) || path;
  let st;
  try {
    st = await stat(path); // the root itself may be a link the analyst chose
  } catch (err) {
    throw rootError(path, err);
  }
  const handles = new HandlePool();
  if (st.isFile()) {
    try {
      await (await open(path, 'r')).close();
    } catch (err) {
      throw rootError(path, err);
    }
    const file = diskFile(path, name, st.size, handles);
    return {
      name,
      single: true,
      async *entries() {
        yield { kind: 'file', file };
      },
      close: () => handles.closeAll(),
    };
  }
  if (!st.isDirectory()) throw new BundleError(path, `${path} is neither a regular file nor a folder`);
  try {
    await readdir(path);
  } catch (err) {
    throw rootError(path, err);
  }
  const maxEntries = opts.maxEntries ?? DEFAULT_ARCHIVE_LIMITS.maxEntries;
  return {
    name,
    single: false,
    async *entries() {
      const listed = await listFolder(path, maxEntries);
      for (const e of listed) {
        if (e.kind === 'file') yield { kind: 'file', file: diskFile(join(path, e.path), e.path, e.size, handles) };
        else yield e;
      }
    },
    close: () => handles.closeAll(),
  };
}

type Listed = { kind: 'file'; path: string; size: number } | { kind: 'refused'; path: string; reason: string };

async function listFolder(root: string, maxEntries: number): Promise<Listed[]> {
  const out: Listed[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let names: string[];
    try {
      names = await readdir(join(root, rel));
    } catch (err) {
      out.push({ kind: 'refused', path: rel, reason: `cannot read folder: ${errorText(err)}` });
      continue;
    }
    for (const n of names) {
      const childRel = rel ? `${rel}/${n}` : n;
      if (out.length >= maxEntries) {
        out.push({ kind: 'refused', path: childRel, reason: `the folder holds more than ${maxEntries} files; the rest were not read` });
        return sortByPath(out);
      }
      let st;
      try {
        st = await lstat(join(root, childRel));
      } catch (err) {
        out.push({ kind: 'refused', path: childRel, reason: `cannot read: ${errorText(err)}` });
        continue;
      }
      if (st.isSymbolicLink()) out.push({ kind: 'refused', path: childRel, reason: 'symbolic link (not followed)' });
      else if (st.isDirectory()) pending.push(childRel);
      else if (st.isFile()) out.push({ kind: 'file', path: childRel, size: st.size });
      else out.push({ kind: 'refused', path: childRel, reason: 'device, socket or pipe (not a regular file)' });
    }
  }
  return sortByPath(out);
}

function sortByPath(list: Listed[]): Listed[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function diskFile(absPath: string, relPath: string, size: number, handles: HandlePool): RootFile {
  return {
    path: relPath,
    size,
    async *stream() {
      if (size === 0) return;
      const s = createReadStream(absPath, { start: 0, end: size - 1, highWaterMark: READ_CHUNK });
      try {
        for await (const chunk of s as AsyncIterable<Buffer>) yield chunk;
      } finally {
        s.destroy();
      }
    },
    async source(): Promise<ByteSource> {
      return {
        name: relPath,
        size,
        read: (position, length) => {
          const start = Math.max(0, Math.min(position, size));
          const len = Math.max(0, Math.min(size, position + length) - start);
          return len === 0 ? Promise.resolve(new Uint8Array(0)) : handles.read(absPath, start, len);
        },
      };
    },
  };
}

interface PooledHandle {
  handle: Promise<FileHandle>;
  users: number;
  evicted: boolean;
}

/** A few open handles reused across reads (zip directories read in many small pieces). */
class HandlePool {
  private readonly open = new Map<string, PooledHandle>();
  private closed = false;

  async read(path: string, position: number, length: number): Promise<Uint8Array> {
    if (this.closed) {
      const fh = await open(path, 'r');
      try {
        return await readFully(fh, position, length);
      } finally {
        await fh.close();
      }
    }
    let entry = this.open.get(path);
    if (entry) {
      this.open.delete(path); // re-insert: most recently used last
    } else {
      entry = { handle: open(path, 'r'), users: 0, evicted: false };
    }
    this.open.set(path, entry);
    this.evict();
    entry.users++;
    try {
      let fh: FileHandle;
      try {
        fh = await entry.handle;
      } catch (err) {
        if (this.open.get(path) === entry) this.open.delete(path); // do not cache a failed open
        throw err;
      }
      return await readFully(fh, position, length);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) await closeQuietly(entry.handle);
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    for (const e of all) {
      e.evicted = true;
      if (e.users === 0) await closeQuietly(e.handle);
    }
  }

  private evict(): void {
    while (this.open.size > MAX_OPEN_HANDLES) {
      const [oldest, e] = this.open.entries().next().value as [string, PooledHandle];
      this.open.delete(oldest);
      e.evicted = true;
      if (e.users === 0) void closeQuietly(e.handle);
    }
  }
}

async function readFully(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break; // the file shrank since it was listed
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

async function closeQuietly(h: Promise<FileHandle>): Promise<void> {
  try {
    await (await h).close();
  } catch {
    // already closed, or never opened: nothing to release
  }
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  return err instanceof Error ? err.message : String(err);
}

function rootError(path: string, err: unknown): BundleError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new BundleError(path, `${path} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return new BundleError(path, `${path} cannot be read: permission denied`);
  return new BundleError(path, `${path} cannot be opened: ${errorText(err)}`);
}
