/**
 * Whether a path written inside an artifact (ONNX external-data `location`, Triton `runtime`,
 * `default_model_filename`) would leave the folder it is meant to be relative to. Any `..`
 * component counts, even one that comes back (`a/../b`): the ONNX checker and Triton reject those
 * too, and "comes back" depends on symlinks the analyst cannot see.
 */
export function pathEscapeReason(path: string): string | null {
  if (path.includes('\u0000')) return 'contains a NUL byte';
  if (path.startsWith('/') || path.startsWith('\\')) return 'is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'names a drive';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path)) return 'is a URL';
  if (path.startsWith('~')) return 'starts at a home directory';
  for (const part of path.split(/[\\/]/)) if (part === '..') return 'has a .. component';
  return null;
}
