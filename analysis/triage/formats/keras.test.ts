import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { readKerasArchive, readKerasConfig, type KerasEntry } from './keras.js';
import { scanKerasH5 } from './keras-h5.js';

// No Keras file is in the corpus: these configs follow what Keras 3 (keras/src/saving) and
// tf.keras 2.x write, field for field.

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const dense = {
  module: 'keras.layers',
  class_name: 'Dense',
  config: {
    name: 'dense',
    trainable: true,
    dtype: policy,
    units: 2,
    activation: 'relu',
    kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
    bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
  },
  registered_name: null,
  build_config: { input_shape: [null, 4] },
};
const input = { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', name: 'input_layer' }, registered_name: null };
const sequential = (layers: unknown[]) => ({
  module: 'keras',
  class_name: 'Sequential',
  config: { name: 'sequential', trainable: true, dtype: policy, layers },
  registered_name: null,
  compile_config: { optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.001 }, registered_name: null }, loss: 'mse' },
});
const lambda3 = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: { name: 'lambda', function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAAAAAAAAEAAAADAAAA', defaults: null, closure: null } }, arguments: {} },
  registered_name: null,
};
const lambda2 = {
  class_name: 'Lambda',
  config: { name: 'lambda_1', trainable: true, dtype: 'float32', function: ['4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMEAAAAdABTAKkBTqkA', null, null], function_type: 'lambda', module: '__main__', output_shape: null, arguments: {} },
};

const json = (name: string, v: unknown): KerasEntry => ({ name, source: bufferSource(name, new TextEncoder().encode(JSON.stringify(v))) });
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

describe('readKerasArchive', () => {
  it('finds nothing in a plain Sequential model', async () => {
    const r = await readKerasArchive([json('metadata.json', { keras_version: '3.6.0', date_saved: '2025-01-01@00:00:00' }), json('config.json', sequential([input, dense])), { name: 'model.weights.h5', source: bufferSource('w', new Uint8Array(8)) }]);
    expect(r.findings).toEqual([]);
    expect(r.kerasVersion).toBe('3.6.0');
    expect(r.config?.className).toBe('Sequential');
    expect(r.config?.layers.map((l) => l.className)).toEqual(['InputLayer', 'Dense']);
  });

  it('flags Lambda layers (Keras 3 __lambda__) high, once each', async () => {
    const r = await readKerasArchive([json('config.json', sequential([input, lambda3, dense]))]);
    expect(r.findings.map((f) => [f.id, f.severity, f.location])).toEqual([['keras.layer.lambda', 'high', 'config.json.config.layers[1]']]);
    expect(r.config?.lambdaCount).toBe(1);
  });

  it('flags dangerous modules high, custom modules and registered objects medium, TFOpLambda medium', async () => {
    const gadget = { module: 'os', class_name: 'function', config: 'system', registered_name: null };
    const custom = { module: 'my_package.layers', class_name: 'Custom', config: { name: 'c' }, registered_name: 'my_package>Custom' };
    const registered = { class_name: 'Scaler', config: { name: 's' }, registered_name: 'acme>Scaler' };
    const tfop = { class_name: 'TFOpLambda', config: { name: 'tf.math.add', function: 'math.add' } };
    const r = await readKerasArchive([json('config.json', sequential([input, { ...dense, config: { ...dense.config, activation: gadget } }, custom, registered, tfop]))]);
    expect(r.findings.map((f) => [f.id, f.severity]).sort()).toEqual([
      ['keras.layer.tfop-lambda', 'medium'],
      ['keras.module.custom', 'medium'],
      ['keras.module.custom', 'medium'],
      ['keras.module.dangerous', 'high'],
    ]);
    expect(r.findings.find((f) => f.id === 'keras.module.dangerous')!.message).toContain('"os".system');
  });

  it('reports missing config, bad JSON and entries outside the layout', async () => {
    expect(ids(await readKerasArchive([]))).toEqual(['keras.config.invalid']);
    const bad = await readKerasArchive([{ name: 'config.json', source: bufferSource('c', new TextEncoder().encode('{"class_name": ')) }, json('metadata.json', [1])]);
    expect(ids(bad)).toEqual(['keras.config.invalid', 'keras.config.invalid']);
    const extra = await readKerasArchive([json('config.json', sequential([])), json('payload.pkl', 1), json('assets/vocab.txt', 'a')]);
    expect(extra.findings.map((f) => [f.id, f.location])).toEqual([['keras.archive.unexpected-entry', 'payload.pkl']]);
  });

  it('walks hostile-deep and huge configs without recursion', async () => {
    const deep = '{"a":'.repeat(100_000) + '{"class_name":"Lambda","config":{"name":"x"}}' + '}'.repeat(100_000);
    const r = await readKerasConfig(bufferSource('c', new TextEncoder().encode(deep)));
    expect(ids(r)).toEqual(['keras.layer.lambda']);
    const wide = JSON.stringify({ layers: Array.from({ length: 1_000_100 }, () => [0]) });
    expect(ids(await readKerasConfig(bufferSource('c', new TextEncoder().encode(wide))))).toEqual(['format.limit-exceeded']);
  });
});

/** A stand-in HDF5 file: signature, filler, then an attribute as h5py lays it out (name, type, value). */
function fakeH5(attrs: [string, string][], opts: { userBlock?: number; filler?: number } = {}): Uint8Array {
  const parts: number[] = [];
  for (let i = 0; i < (opts.userBlock ?? 0); i++) parts.push(0);
  parts.push(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x00);
  for (let i = 0; i < (opts.filler ?? 200); i++) parts.push((i * 31) & 0x7f);
  for (const [name, value] of attrs) {
    parts.push(...new TextEncoder().encode(name), 0, 0, 0, 0x13, 0x00, 0x00, 0x00, 0x01, 0x00);
    parts.push(...new TextEncoder().encode(value), 0);
  }
  for (let i = 0; i < 64; i++) parts.push(0);
  return Uint8Array.from(parts);
}

describe('scanKerasH5', () => {
  it('extracts model_config and finds the Keras 2 Lambda', async () => {
    const config = { class_name: 'Sequential', config: { name: 'sequential', layers: [lambda2] }, keras_version: '2.12.0', backend: 'tensorflow' };
    const r = await scanKerasH5(bufferSource('m.h5', fakeH5([['keras_version', '2.12.0'], ['model_config', JSON.stringify(config)]])));
    expect(r.superblockOffset).toBe(0);
    expect(r.config?.layers.map((l) => l.className)).toEqual(['Lambda']);
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['keras.h5.not-parsed', 'info'],
      ['keras.layer.lambda', 'high'],
    ]);
    expect(r.findings[1]!.message).toContain('marshalled Python bytecode (52 base64 chars)');
  });

  it('finds the superblock after a user block, and training_config custom objects', async () => {
    const training = { loss: { module: 'evil_losses', class_name: 'Loss', config: {}, registered_name: null } };
    const r = await scanKerasH5(bufferSource('m.h5', fakeH5([['training_config', JSON.stringify(training)]], { userBlock: 1024 })));
    expect(r.superblockOffset).toBe(1024);
    expect(ids(r)).toEqual(['keras.h5.not-parsed', 'keras.module.custom']);
  });

  it('falls back to a text search when the JSON cannot be extracted', async () => {
    const broken = '{"class_name": "Model", "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l"';
    const r = await scanKerasH5(bufferSource('m.h5', fakeH5([['model_config', broken]])));
    expect(ids(r)).toEqual(['keras.h5.not-parsed', 'keras.layer.lambda']);
  });

  it('rejects non-HDF5 files and bounds work on files full of attribute names', async () => {
    expect(ids(await scanKerasH5(bufferSource('x', new Uint8Array(4096))))).toEqual(['format.unreadable']);
    expect(ids(await scanKerasH5(bufferSource('x', new Uint8Array(3))))).toEqual(['format.unreadable']);
    const spam = fakeH5(Array.from({ length: 20_000 }, () => ['model_config', '{"a": ['] as [string, string]));
    const t0 = Date.now();
    const r = await scanKerasH5(bufferSource('x', spam));
    expect(ids(r)).toEqual(['keras.h5.not-parsed']);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reads only bounded windows of a large file', async () => {
    let read = 0;
    const big: ByteSource = {
      name: 'big.h5',
      size: 8 * 2 ** 30,
      read(pos, len) {
        read += len;
        const out = new Uint8Array(len);
        if (pos === 0) out.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x02]);
        return Promise.resolve(out);
      },
    };
    const r = await scanKerasH5(big);
    expect(r.superblockVersion).toBe(2);
    expect(read).toBeLessThan(20 * 2 ** 20);
  });
});
