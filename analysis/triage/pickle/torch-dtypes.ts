/**
 * PyTorch element types as checkpoints name them: legacy typed-storage classes
 * (torch/storage.py `_LegacyStorage` subclasses, e.g. `torch.HalfStorage`) and dtype objects
 * (`torch.float16`), with element sizes (c10/core/ScalarType.h).
 */

export const TORCH_DTYPES = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32',
  'uint64', 'bool', 'complex32', 'complex64', 'complex128', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4',
  'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz',
] as const;
export type TorchDtype = (typeof TORCH_DTYPES)[number];

export const ELEMENT_SIZE: Readonly<Record<TorchDtype, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, uint16: 2,
  uint32: 4, uint64: 8, bool: 1, complex32: 4, complex64: 8, complex128: 16, qint8: 1, quint8: 1, qint32: 4,
  quint4x2: 1, quint2x4: 1, float8_e4m3fn: 1, float8_e5m2: 1, float8_e4m3fnuz: 1, float8_e5m2fnuz: 1,
};

const STORAGE_DTYPE: ReadonlyMap<string, TorchDtype> = new Map<string, TorchDtype>([
  ['FloatStorage', 'float32'], ['DoubleStorage', 'float64'], ['HalfStorage', 'float16'],
  ['BFloat16Storage', 'bfloat16'], ['LongStorage', 'int64'], ['IntStorage', 'int32'], ['ShortStorage', 'int16'],
  ['CharStorage', 'int8'], ['ByteStorage', 'uint8'], ['BoolStorage', 'bool'], ['ComplexFloatStorage', 'complex64'],
  ['ComplexDoubleStorage', 'complex128'], ['QInt8Storage', 'qint8'], ['QUInt8Storage', 'quint8'],
  ['QInt32Storage', 'qint32'], ['QUInt4x2Storage', 'quint4x2'], ['QUInt2x4Storage', 'quint2x4'],
  ['Float8_e4m3fnStorage', 'float8_e4m3fn'], ['Float8_e5m2Storage', 'float8_e5m2'],
  ['Float8_e4m3fnuzStorage', 'float8_e4m3fnuz'], ['Float8_e5m2fnuzStorage', 'float8_e5m2fnuz'],
  ['UntypedStorage', 'uint8'],
]);

/** Python-side dtype names and their aliases (`torch.half` is `torch.float16`). */
const DTYPE_ALIASES: ReadonlyMap<string, TorchDtype> = new Map<string, TorchDtype>([
  ...TORCH_DTYPES.map((d): [string, TorchDtype] => [d, d]),
  ['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['long', 'int64'], ['int', 'int32'],
  ['short', 'int16'], ['cfloat', 'complex64'], ['cdouble', 'complex128'], ['chalf', 'complex32'],
]);

/** dtype of a storage-type or dtype global (`torch.FloatStorage`, `torch.cuda.HalfStorage`, `torch.bfloat16`). */
export function dtypeOfTorchGlobal(module: string, name: string): TorchDtype | null {
  if (module !== 'torch' && module !== 'torch.cuda' && module !== 'torch.storage') return null;
  return STORAGE_DTYPE.get(name) ?? (module === 'torch' ? DTYPE_ALIASES.get(name) ?? null : null);
}

export function isTorchDtype(s: string): s is TorchDtype {
  return (ELEMENT_SIZE as Record<string, number>)[s] !== undefined;
}
