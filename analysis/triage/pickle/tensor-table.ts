/**
 * Rebuilds a checkpoint's tensor table from the symbolic result of its pickle, without loading
 * anything. A tensor is a call of torch/_utils.py `_rebuild_tensor_v2(storage, storage_offset,
 * size, stride, requires_grad, backward_hooks[, metadata])` whose storage is a persistent id
 * `('storage', storage_type, key, location, numel[, view_metadata])` (torch/serialization.py
 * `_save` / `_legacy_save`). Names are dotted paths through dicts, OrderedDicts, lists (by index)
 * and object `__dict__` states, as `state_dict()` keys read.
 */
import { asInt, asIntList, asString, sequenceItems, type SymCall, type SymValue } from './sym-value.js';
import { ELEMENT_SIZE, dtypeOfTorchGlobal, type TorchDtype } from './torch-dtypes.js';

export interface TensorEntry {
  /** Dotted path: `model.layer1.weight`, list items by index. */
  name: string;
  dtype: TorchDtype;
  shape: number[];
  stride: number[];
  storageKey: string;
  /** Offset into the storage, in elements. */
  storageOffset: number;
  /** Elements in the whole storage (persistent id numel), when known. */
  storageNumel?: number;
  device: string;
  requiresGrad?: boolean;
  /** The rebuild function (`torch._utils._rebuild_tensor_v2`). */
  rebuild: string;
}

export interface StorageInfo {
  key: string;
  dtype: TorchDtype;
  numel: number | null;
  device: string;
  /** Names of the tensors viewing this storage. */
  tensors: string[];
}

export interface TensorTable {
  tensors: TensorEntry[];
  storages: StorageInfo[];
  /** Storages seen by more than one tensor name (views, tied weights). */
  shared: { storageKey: string; tensors: string[] }[];
  /** Tensor-like objects this reader does not rebuild (sparse, nested, numpy-backed, …). */
  unsupported: { name: string; rebuild: string }[];
  /** Problems: out-of-bounds views, malformed persistent ids, budget exhaustion. */
  problems: string[];
}

const REBUILD_TENSOR = new Set(['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_qtensor']);
const MODULE_CONTAINERS = new Set(['_parameters', '_buffers', '_modules']);
const REBUILD_PARAMETER = new Set(['_rebuild_parameter', '_rebuild_parameter_with_state', '_rebuild_parameter_v2']);

function globalName(v: SymValue): string | null {
  return v.k === 'global' ? `${v.module}.${v.name}` : null;
}

interface StorageRef {
  key: string;
  dtype: TorchDtype;
  numel: number | null;
  device: string;
  /** Element offset of a legacy view inside its root storage. */
  viewOffset: number;
}

function storageRef(v: SymValue, problems: string[]): StorageRef | null {
  if (v.k !== 'persid') return null;
  const pid = sequenceItems(v.pid);
  if (!pid || asString(pid[0] ?? { k: 'none' }) !== 'storage') {
    problems.push('persistent id is not a (\'storage\', …) tuple');
    return null;
  }
  const type = pid[1];
  const key = pid[2] ? asString(pid[2]) ?? (asInt(pid[2]) !== null ? String(asInt(pid[2])) : null) : null;
  const dtype = type?.k === 'global' ? dtypeOfTorchGlobal(type.module, type.name) : null;
  if (dtype === null || key === null) {
    problems.push(`storage persistent id with unknown type or key (${type?.k === 'global' ? `${type.module}.${type.name}` : type?.k ?? 'missing'})`);
    return null;
  }
  const device = (pid[3] ? asString(pid[3]) : null) ?? 'cpu';
  const numel = pid[4] ? asInt(pid[4]) : null;
  let viewOffset = 0;
  const view = pid[5] ? sequenceItems(pid[5]) : null;
  if (view && view[1]) viewOffset = asInt(view[1]) ?? 0;
  return { key, dtype, numel, device, viewOffset };
}

/** Walks the object graph from `result` and returns every tensor with its storage layout. */
export function buildTensorTable(result: SymValue, opts: { maxNodes?: number; maxDepth?: number } = {}): TensorTable {
  const table: TensorTable = { tensors: [], storages: [], shared: [], unsupported: [], problems: [] };
  const storages = new Map<string, StorageInfo>();
  const onPath = new Set<SymValue>();
  let budget = opts.maxNodes ?? 2_000_000;
  const maxDepth = opts.maxDepth ?? 64;

  const addTensor = (name: string, call: SymCall, requiresGradOverride?: boolean): void => {
    const fn = globalName(call.callee) ?? '?';
    const args = sequenceItems(call.args) ?? [];
    const ref = storageRef(args[0] ?? { k: 'none' }, table.problems);
    const shape = args[2] ? asIntList(args[2]) : null;
    const stride = args[3] ? asIntList(args[3]) : null;
    const offset = args[1] ? asInt(args[1]) : null;
    if (!ref || !shape || !stride || offset === null || shape.length !== stride.length) {
      table.problems.push(`${name}: ${fn} with arguments that do not describe a tensor`);
      return;
    }
    const rg = args[4]?.k === 'bool' ? args[4].v : undefined;
    const e: TensorEntry = {
      name, dtype: ref.dtype, shape, stride, storageKey: ref.key, storageOffset: ref.viewOffset + offset,
      device: ref.device, rebuild: fn,
    };
    if (ref.numel !== null) e.storageNumel = ref.numel;
    const requiresGrad = requiresGradOverride ?? rg;
    if (requiresGrad !== undefined) e.requiresGrad = requiresGrad;
    if (shape.some((s) => s < 0) || stride.some((s) => s < 0) || offset < 0) {
      table.problems.push(`${name}: negative size, stride or offset`);
    } else if (ref.numel !== null && shape.every((s) => s > 0)) {
      const last = shape.reduce((acc, s, i) => acc + (s - 1) * (stride[i] as number), e.storageOffset);
      if (last >= ref.numel + ref.viewOffset) table.problems.push(`${name}: view reaches element ${last} of a ${ref.numel}-element storage ${ref.key}`);
    }
    table.tensors.push(e);
    const s = storages.get(ref.key);
    if (s) {
      s.tensors.push(name);
      if (s.dtype !== ref.dtype) table.problems.push(`storage ${ref.key} is viewed as both ${s.dtype} and ${ref.dtype}`);
    } else {
      storages.set(ref.key, { key: ref.key, dtype: ref.dtype, numel: ref.numel, device: ref.device, tensors: [name] });
    }
  };

  const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
  const keyText = (k: SymValue): string | null => {
    const s = asString(k);
    if (s !== null) return s;
    const n = asInt(k);
    return n !== null ? String(n) : null;
  };

  const walk = (v: SymValue, path: string, depth: number, requiresGrad?: boolean): void => {
    if (budget-- <= 0) return;
    if (depth > maxDepth || onPath.has(v)) return;
    onPath.add(v);
    try {
      switch (v.k) {
        case 'dict':
          for (const [k, x] of v.entries) { const t = keyText(k); if (t !== null) walk(x, join(path, t), depth + 1); }
          break;
        case 'list': case 'tuple':
          v.items.forEach((x, i) => walk(x, join(path, String(i)), depth + 1));
          break;
        case 'call': walkCall(v, path, depth, requiresGrad); break;
        default: break;
      }
    } finally {
      onPath.delete(v);
    }
  };

  const walkCall = (c: SymCall, path: string, depth: number, requiresGrad?: boolean): void => {
    const fn = globalName(c.callee);
    const short = fn?.slice(fn.lastIndexOf('.') + 1) ?? '';
    const args = sequenceItems(c.args) ?? [];
    if (fn !== null && (fn.startsWith('torch._utils.') || fn.startsWith('torch._tensor.'))) {
      if (REBUILD_TENSOR.has(short)) { addTensor(path, c, requiresGrad); return; }
      if (REBUILD_PARAMETER.has(short)) {
        const rg = args[1]?.k === 'bool' ? args[1].v : undefined;
        if (args[0]) walk(args[0], path, depth + 1, rg);
        return;
      }
      if (short === '_rebuild_from_type_v2' || short === '_rebuild_from_type') {
        // (func, new_type, args, state): the tensor is func(*args), re-typed (e.g. to Parameter).
        const [func, , inner] = args;
        if (func?.k === 'global' && inner) {
          walkCall({ ...c, callee: func, args: inner, state: [], items: [], entries: [] }, path, depth + 1, requiresGrad);
        }
        return;
      }
      table.unsupported.push({ name: path, rebuild: fn });
      return;
    }
    // Any other object: its dict/list contents (OrderedDict) and its BUILD state (__dict__).
    for (const [k, x] of c.entries) { const t = keyText(k); if (t !== null) walk(x, join(path, t), depth + 1); }
    c.items.forEach((x, i) => walk(x, join(path, String(i)), depth + 1));
    // nn.Module __dict__ keeps parameters under _parameters/_buffers/_modules; state_dict() names skip them.
    for (const st of c.state) {
      const parts = st.k === 'tuple' ? st.items : [st];
      for (const p of parts) {
        if (p.k !== 'dict') continue;
        for (const [k, x] of p.entries) {
          const t = keyText(k);
          if (t !== null) walk(x, MODULE_CONTAINERS.has(t) ? path : join(path, t), depth + 1);
        }
      }
    }
  };

  walk(result, '', 0);
  if (budget <= 0) table.problems.push('object graph larger than the walk budget; table may be incomplete');
  table.storages = [...storages.values()];
  for (const s of table.storages) if (s.tensors.length > 1) table.shared.push({ storageKey: s.key, tensors: [...s.tensors] });
  return table;
}

/** Bytes a storage occupies, when its element count is known. */
export function storageByteLength(s: StorageInfo): number | null {
  return s.numel === null ? null : s.numel * ELEMENT_SIZE[s.dtype];
}
