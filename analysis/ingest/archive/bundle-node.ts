/**
 * A file as the bundle walker (../bundle.ts) sees it before sniffing, and access to its raw bytes:
 * a streamed tar entry can be read only once, so the head read for sniffing is kept and replayed
 * in front of the rest instead of re-reading the enclosing stream.
 */
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { bytesStream, concatBytes, readPrefix } from './byte-streams.js';

/** A file as the walker sees it before sniffing: where its raw bytes come from. */
export interface Node {
  path: string;
  name: string;
  rawSize: number | null;
  depth: number;
  /** A fresh stream of the raw bytes; any number of times (may re-read the enclosing stream). */
  reopen(): AsyncIterable<Uint8Array>;
  /** Entry data of a streamed tar: single use, valid until the walk moves on. */
  live?: AsyncIterable<Uint8Array>;
  /** Random access to the raw bytes, where it is cheap (disk, stored zip entry, memory). */
  random?(): Promise<ByteSource>;
  warnings: string[];
}

/** `node` served from `bytes`, its raw bytes held in memory: re-read and random access cost nothing. */
export function heldNode(node: Node, bytes: Uint8Array): Node {
  const path = node.path;
  return { ...node, live: undefined, reopen: () => bytesStream(bytes), random: async () => bufferSource(path, bytes) };
}

/** Raw bytes of a node: the live stream of a tar entry once (head replayed), else fresh streams. */
export class RawAccess {
  private headChunks: Uint8Array[] = [];
  private live: AsyncIterator<Uint8Array> | null = null;

  constructor(private readonly node: Node) {}

  async head(n: number): Promise<Uint8Array> {
    if (this.node.live) {
      const it = this.node.live[Symbol.asyncIterator]();
      this.live = it;
      let got = 0;
      while (got < n) {
        const r = await it.next();
        if (r.done) break;
        this.headChunks.push(r.value);
        got += r.value.length;
      }
      const all = concatBytes(this.headChunks, got);
      return all.length > n ? all.subarray(0, n) : all;
    }
    if (this.node.random) {
      const src = await this.node.random();
      return src.read(0, Math.min(n, src.size));
    }
    return readPrefix(this.node.reopen(), n);
  }

  expire(): void {
    this.live = null;
    this.headChunks = [];
  }

  open(): AsyncIterable<Uint8Array> {
    const live = this.live;
    if (live) {
      this.live = null; // the fast path is single use; later opens re-read the enclosing stream
      const head = this.headChunks;
      this.headChunks = [];
      return replay(head, live);
    }
    return this.node.reopen();
  }
}

async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  for (const c of head) yield c;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}
