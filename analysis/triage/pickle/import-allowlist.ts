/**
 * What legitimate checkpoints import: PyTorch's tensor/storage rebuild functions (torch/_utils.py,
 * torch/_tensor.py, torch/serialization.py), NumPy's array/scalar reconstructors, copyreg's
 * object protocol helpers (Lib/copyreg.py) and a few plain value types. Everything here is
 * importable and callable with pickle-supplied arguments without running code of the attacker's
 * choosing. Keys are canonical module names (see import-names.ts aliases).
 */

const TORCH_REBUILD = [
  '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter',
  '_rebuild_parameter_with_state', '_rebuild_parameter_v2', '_rebuild_qtensor', '_rebuild_sparse_tensor',
  '_rebuild_sparse_csr_tensor', '_rebuild_device_tensor_from_numpy', '_rebuild_device_tensor_from_cpu_tensor',
  '_rebuild_meta_tensor_no_storage', '_rebuild_wrapper_subclass', '_rebuild_nested_tensor', '_rebuild_xla_tensor',
  '_rebuild_mtia_tensor', '_rebuild_mps_tensor',
];

/** torch.<X>Storage legacy typed-storage classes (torch/storage.py `_LegacyStorage` subclasses). */
export const TORCH_STORAGE_TYPES = [
  'DoubleStorage', 'FloatStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage',
  'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage', 'Float8_e4m3fnStorage',
  'Float8_e5m2Storage', 'Float8_e4m3fnuzStorage', 'Float8_e5m2fnuzStorage', 'UntypedStorage', 'TypedStorage',
];

/**
 * torch.<X>Tensor legacy tensor type classes (torch/__init__.py): pre-0.4 tar checkpoints name them in
 * every tensor record (torch/serialization.py `legacy_load`), as types, never called with data.
 */
export const TORCH_LEGACY_TENSOR_TYPES = [
  'DoubleTensor', 'FloatTensor', 'HalfTensor', 'BFloat16Tensor', 'LongTensor', 'IntTensor', 'ShortTensor',
  'CharTensor', 'ByteTensor', 'BoolTensor',
];

/** torch dtype objects pickled by name (torch/_tensor.py, torch/serialization.py). */
export const TORCH_DTYPE_NAMES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'complex32', 'chalf', 'complex64',
  'cfloat', 'complex128', 'cdouble', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'short', 'int32',
  'int', 'int64', 'long', 'bool', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', 'float8_e4m3fn',
  'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'bits8', 'bits16',
];

const TORCH_LAYOUTS_AND_QSCHEMES = [
  'strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn', 'jagged',
  'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric',
  'per_channel_affine_float_qparams', 'contiguous_format', 'channels_last', 'preserve_format',
];

const SAFE_BUILTINS = [
  'set', 'frozenset', 'slice', 'bytearray', 'bytes', 'complex', 'range', 'list', 'dict', 'tuple', 'int', 'float',
  'str', 'bool', 'object', 'Ellipsis', 'NotImplemented', 'reversed',
  // exception classes only store their args
  'Exception', 'ValueError', 'KeyError', 'TypeError', 'RuntimeError', 'IndexError', 'AttributeError',
  'NotImplementedError', 'StopIteration', 'AssertionError', 'ArithmeticError', 'ZeroDivisionError',
];

/** module → names (exact). */
export const ALLOWLIST: ReadonlyMap<string, ReadonlySet<string>> = new Map<string, ReadonlySet<string>>([
  ['torch._utils', new Set(TORCH_REBUILD)],
  ['torch', new Set([...TORCH_STORAGE_TYPES, ...TORCH_LEGACY_TENSOR_TYPES, ...TORCH_DTYPE_NAMES, ...TORCH_LAYOUTS_AND_QSCHEMES, 'Size', 'device', 'Tensor', 'dtype', 'memory_format', 'layout'])],
  // Legacy checkpoints saved from a GPU name torch.cuda.<X>Storage.
  ['torch.cuda', new Set([...TORCH_STORAGE_TYPES, ...TORCH_LEGACY_TENSOR_TYPES])],
  ['torch.storage', new Set(['UntypedStorage', 'TypedStorage', '_LegacyStorage'])],
  ['torch._tensor', new Set(['_rebuild_from_type_v2', '_rebuild_from_type', 'Tensor'])],
  ['torch.nn.parameter', new Set(['Parameter', 'UninitializedParameter', 'UninitializedBuffer', 'Buffer'])],
  ['torch.serialization', new Set(['_get_layout'])],
  // TorchScript archives (attributes.pkl / constants.pkl) use these restricted-unpickler helpers.
  ['torch.jit._pickle', new Set(['build_tensor_from_id', 'build_intlist', 'build_floatlist', 'build_boollist', 'build_doublelist', 'build_tensorlist', 'restore_type_tag'])],
  ['torch.nested._internal.nested_tensor', new Set(['NestedTensor'])],
  ['collections', new Set(['OrderedDict', 'defaultdict', 'deque', 'Counter'])],
  ['builtins', new Set(SAFE_BUILTINS)],
  ['copyreg', new Set(['_reconstructor', '__newobj__', '__newobj_ex__'])],
  ['numpy.core.multiarray', new Set(['_reconstruct', 'scalar'])],
  ['numpy.core.numeric', new Set(['_frombuffer'])],
  ['numpy', new Set(['ndarray', 'dtype', 'bool_', 'float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'complex64', 'complex128', 'object_', 'str_', 'bytes_', 'void', 'generic', 'number'])],
  ['numpy.dtypes', new Set(['BoolDType', 'Float16DType', 'Float32DType', 'Float64DType', 'Int8DType', 'Int16DType', 'Int32DType', 'Int64DType', 'UInt8DType', 'UInt16DType', 'UInt32DType', 'UInt64DType', 'Complex64DType', 'Complex128DType', 'ObjectDType', 'StrDType', 'BytesDType', 'VoidDType', 'LongDType', 'ULongDType', 'LongLongDType', 'ULongLongDType'])],
  ['numpy.ma.core', new Set(['_mareconstruct', 'MaskedArray'])],
  ['numpy.random._pickle', new Set(['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor'])],
  ['argparse', new Set(['Namespace'])],
  ['datetime', new Set(['datetime', 'date', 'time', 'timedelta', 'timezone'])],
  ['decimal', new Set(['Decimal'])],
  ['fractions', new Set(['Fraction'])],
  ['uuid', new Set(['UUID'])],
  ['pathlib', new Set(['Path', 'PosixPath', 'WindowsPath', 'PurePath', 'PurePosixPath', 'PureWindowsPath'])],
]);

/**
 * Allowed only when every argument is a constant (no calls, no imports): `_codecs.encode` is how
 * protocol-2 pickles spell bytes (`_codecs.encode('\x00…', 'latin1')`), harmless on constants.
 */
export const ALLOW_WITH_CONSTANT_ARGS: ReadonlySet<string> = new Set(['codecs.encode']);

/** Module prefixes that are generated TorchScript classes: their code sits in the archive's code/ folder. */
export const TORCHSCRIPT_PREFIX = '__torch__';

export function isAllowlisted(module: string, name: string): boolean {
  return ALLOWLIST.get(module)?.has(name) === true;
}
