/**
 * Recognises an artifact's format by content, never by its name: magic numbers and structure via
 * the shared sniffer (ingest/sniff.ts), and for zips the entry list (the PyTorch archive folder may
 * have any name; `.npz` is a zip of `.npy`; a `.keras` file is a zip with config.json).
 */
import type { ByteSource } from '../core/byte-source.js';
import type { SourceKind } from '../core/kinds.js';
import type { ArchiveLimits } from '../ingest/archive/limits.js';
import { openZip, type ZipArchive } from '../ingest/archive/zip-reader.js';
import { containerFormat, sniffKind, sniffZipKind, SNIFF_BYTES } from '../ingest/sniff.js';
import type { ArtifactFormat } from './triage-result.js';

export interface DetectedFormat {
  format: ArtifactFormat;
  /** The opened archive, for zip-based formats. */
  zip?: ZipArchive;
  /** What the sniffer said, for messages. */
  kind: SourceKind;
}

const KIND_FORMAT: Partial<Record<SourceKind, ArtifactFormat>> = {
  checkpoint_pytorch_zip: 'pytorch-zip',
  checkpoint_torchscript: 'torchscript',
  checkpoint_pytorch_legacy: 'pytorch-legacy',
  checkpoint_pickle: 'pickle',
  checkpoint_numpy: 'numpy',
  checkpoint_safetensors: 'safetensors',
  checkpoint_onnx: 'onnx',
  checkpoint_gguf: 'gguf',
  checkpoint_keras: 'keras-h5',
  triton_config: 'triton-config',
};

const ZIP_KIND_FORMAT: Partial<Record<SourceKind, ArtifactFormat>> = {
  checkpoint_pytorch_zip: 'pytorch-zip',
  checkpoint_torchscript: 'torchscript',
  checkpoint_numpy: 'npz',
  checkpoint_keras: 'keras',
};

export async function detectFormat(src: ByteSource, limits?: Partial<ArchiveLimits>): Promise<DetectedFormat> {
  const head = await src.read(0, SNIFF_BYTES);
  const container = containerFormat(head);
  if (container === 'zip') {
    const zip = await openZip(src, limits);
    const names = zip.entries.map((e) => e.name);
    const kind = sniffZipKind(names);
    let format = ZIP_KIND_FORMAT[kind] ?? 'zip';
    // torch.save writes big storages before data.pkl; a data.pkl under any folder with data/<key> records is a checkpoint.
    if (format === 'zip' && names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) format = 'pytorch-zip';
    return { format, zip, kind };
  }
  const kind = sniffKind(head, src.name);
  if (container === '7z') return { format: '7z', kind };
  if (container === 'tar') return { format: kind === 'checkpoint_pytorch_legacy' ? 'pytorch-legacy-tar' : 'tar', kind };
  const format = KIND_FORMAT[kind];
  if (format !== undefined) return { format, kind };
  // A protocol 2–5 pickle the sniffer's structural check rejected is still a pickle to a loader.
  if (container === null && head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return { format: 'pickle', kind };
  return { format: 'unknown', kind };
}
