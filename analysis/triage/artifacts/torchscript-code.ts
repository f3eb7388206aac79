/**
 * TorchScript archives carry their model as source code (`code/__torch__/….py`, 2019 layout
 * `code/<name>.py`), compiled and run by `torch.jit.load`. It cannot import Python modules, but it
 * can call any registered operator, including ones that read and write files. Every archive with
 * code is flagged for review; code that names shell, process or file operations is flagged high.
 */
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import { scanSuspiciousText } from '../formats/suspicious-text.js';

/** Operators and names that reach outside the tensor world from TorchScript. */
const RISKY_OPS: readonly RegExp[] = [
  /\btorch\.(?:save|load|from_file)\b/, /\bload_library\b/, /\bops\.aten\.(?:save|from_file)\b/, /\b_load_for_mobile\b/,
  /(?<![\w.])open\(/, /(?<![\w.])(?:os|sys|subprocess|socket|shutil|builtins)\./,
];

export function torchScriptCodeFindings(files: { name: string; text: string }[]): Finding[] {
  if (files.length === 0) return [];
  const out: Finding[] = [triageFinding('TORCHSCRIPT_CODE', `${files.length} TorchScript code file(s) run when the archive is loaded with torch.jit.load; review them`, files[0]!.name)];
  for (const f of files) {
    const s = scanSuspiciousText(f.text);
    const hits = [...s.code.filter((c) => c !== 'import statement'), ...s.shell, ...s.script];
    for (const op of RISKY_OPS) {
      const m = op.exec(f.text);
      if (m) hits.push(m[0]);
    }
    if (hits.length > 0) out.push(triageFinding('TORCHSCRIPT_SUSPICIOUS_CODE', `${f.name} mentions ${[...new Set(hits)].slice(0, 6).join(', ')}`, f.name));
  }
  return out;
}
