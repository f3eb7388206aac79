/**
 * Triton Inference Server model configuration (config.pbtxt, text form of model_config.proto):
 * parsed with pbtxt.ts, then checked for what makes the server run code from the model repository
 * or outside it — Python backend, custom backends, repository agents, `runtime` and model-file
 * paths escaping the model folder (Triton itself rejects "backend library name … escapes backend
 * directory"), shell in parameters — plus hygiene notes (unknown platform, unbounded input dims).
 * Ensemble cycles need the whole repository; only a step naming its own model is seen here.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { FindingSink } from './finding-sink.js';
import { pathEscapeReason } from './path-escape.js';
import { isPbMessage, MAX_PBTXT_BYTES, parsePbtxt, pbList, pbString, type PbMessage } from './pbtxt.js';
import { excerpt, scanSuspiciousText } from './suspicious-text.js';

/** Platforms model_config.proto documents (caffe2_netdef and custom are retired but valid). */
const KNOWN_PLATFORMS = new Set([
  'tensorrt_plan',
  'tensorflow_graphdef',
  'tensorflow_savedmodel',
  'onnxruntime_onnx',
  'pytorch_libtorch',
  'ensemble',
  'caffe2_netdef',
  'custom',
]);
/** Backends NVIDIA ships in the Triton containers (or documents as official). */
const KNOWN_BACKENDS = new Set([
  'tensorrt',
  'tensorflow',
  'onnxruntime',
  'pytorch',
  'openvino',
  'python',
  'fil',
  'dali',
  'vllm',
  'tensorrtllm',
  'identity',
  'repeat',
  'square',
  'armnn_tflite',
  'fastertransformer',
]);
/** Triton substitutes this in python-backend paths: the model's own folder. */
const MODEL_DIR_VAR = '$$TRITON_MODEL_DIRECTORY';

export interface TritonConfigResult {
  /** The parsed config (what parsed before an error, if any). */
  config: PbMessage;
  name: string | null;
  platform: string | null;
  backend: string | null;
  findings: Finding[];
}

export async function readTritonConfig(src: ByteSource): Promise<TritonConfigResult> {
  if (src.size > MAX_PBTXT_BYTES) {
    const sink = new FindingSink();
    sink.add('FORMAT_LIMIT_EXCEEDED', `config of ${src.size} bytes exceeds the ${MAX_PBTXT_BYTES}-byte bound`);
    return { config: Object.create(null) as PbMessage, name: null, platform: null, backend: null, findings: sink.finish() };
  }
  try {
    return parseTritonConfig(new TextDecoder('utf-8').decode(await src.read(0, src.size)));
  } catch (e) {
    const sink = new FindingSink();
    sink.add('FORMAT_UNREADABLE', `config.pbtxt: read failed: ${e instanceof Error ? e.message : String(e)}`);
    return { config: Object.create(null) as PbMessage, name: null, platform: null, backend: null, findings: sink.finish() };
  }
}

export function parseTritonConfig(text: string): TritonConfigResult {
  const sink = new FindingSink();
  const { message: c, error } = parsePbtxt(text);
  if (error !== null) sink.add('FORMAT_MALFORMED', `config.pbtxt: ${error.message}; fields after it were not read`, `line ${error.line}`);
  const name = pbString(c, 'name');
  const platform = pbString(c, 'platform');
  const backend = pbString(c, 'backend');

  if (platform !== null && !KNOWN_PLATFORMS.has(platform)) {
    sink.add('TRITON_UNKNOWN_PLATFORM', `platform ${JSON.stringify(excerpt(platform, 80))} is not one Triton knows (the model will not load)`, 'platform');
  }
  if (backend !== null) checkBackend(backend, sink);
  checkPath(pbString(c, 'runtime'), 'runtime', 'backend library', sink);
  checkPath(pbString(c, 'default_model_filename'), 'default_model_filename', 'model file', sink);
  for (const entry of messages(c, 'cc_model_filenames')) checkPath(pbString(entry, 'value'), 'cc_model_filenames', 'model file', sink);
  for (const [i, out] of messages(c, 'output').entries()) checkPath(pbString(out, 'label_filename'), `output[${i}].label_filename`, 'label file', sink);
  checkParameters(messages(c, 'parameters'), 'parameters', backend === 'python', sink);
  checkAgents(c, sink);
  checkEnsemble(c, name, sink);
  checkInputs(c, sink);
  return { config: c, name, platform, backend, findings: sink.finish() };
}

function messages(m: PbMessage, field: string): PbMessage[] {
  return pbList(m, field).filter(isPbMessage);
}

function checkBackend(backend: string, sink: FindingSink): void {
  const label = JSON.stringify(excerpt(backend, 80));
  if (/[/\\]|\.\./.test(backend)) {
    sink.add('TRITON_PATH_ESCAPE', `backend ${label} is a path: Triton loads libtriton_<backend>.so from it`, 'backend');
  } else if (backend === 'python') {
    sink.add('TRITON_PYTHON_BACKEND', 'backend "python" runs the model repository\'s model.py in a stub process: review that code', 'backend');
  } else if (!KNOWN_BACKENDS.has(backend)) {
    sink.add('TRITON_UNKNOWN_BACKEND', `backend ${label} is not shipped with Triton: it loads the custom native library libtriton_${excerpt(backend, 60)}.so`, 'backend');
  }
}

/** A file path written in the config must stay inside the model (or backend) folder. */
function checkPath(path: string | null, field: string, what: string, sink: FindingSink): void {
  if (path === null) return;
  const relative = path.startsWith(MODEL_DIR_VAR + '/') ? path.slice(MODEL_DIR_VAR.length + 1) : path;
  const reason = pathEscapeReason(relative);
  if (reason !== null) {
    sink.add('TRITON_PATH_ESCAPE', `${field} ${JSON.stringify(excerpt(path, 120))} ${reason}: the ${what} is taken from outside its folder`, field);
  }
}

/** `parameters` map entries: { key: "K" value: { string_value: "V" } } (agents use value: "V"). */
function checkParameters(entries: PbMessage[], where: string, python: boolean, sink: FindingSink): void {
  for (const p of entries) {
    const key = pbString(p, 'key') ?? '';
    const raw = pbList(p, 'value')[0];
    const value = typeof raw === 'string' ? raw : isPbMessage(raw) ? pbString(raw, 'string_value') : null;
    if (value === null) continue;
    const location = `${where}[${JSON.stringify(excerpt(key, 60))}]`;
    if (key === 'EXECUTION_ENV_PATH') {
      sink.add('TRITON_EXECUTION_ENV', `${python ? '' : '(non-python backend) '}EXECUTION_ENV_PATH ${JSON.stringify(excerpt(value, 120))}: a packed Python environment with its own binaries runs the model`, location);
      checkPath(value, location, 'Python environment', sink);
    }
    const s = scanSuspiciousText(value);
    const kinds = [...s.shell, ...s.code];
    if (kinds.length > 0) {
      sink.add('TRITON_SHELL_PARAMETER', `parameter ${JSON.stringify(excerpt(key, 60))} reads like shell or code (${kinds.join(', ')}): ${JSON.stringify(excerpt(value))}`, location);
    }
  }
}

function checkAgents(c: PbMessage, sink: FindingSink): void {
  for (const group of messages(c, 'model_repository_agents')) {
    for (const [i, agent] of messages(group, 'agents').entries()) {
      const name = pbString(agent, 'name') ?? '';
      const location = `model_repository_agents.agents[${i}]`;
      if (name === 'checksum') sink.add('TRITON_REPO_AGENT_CHECKSUM', 'repository agent "checksum" verifies model files on load', location);
      else sink.add('TRITON_REPO_AGENT', `repository agent ${JSON.stringify(excerpt(name, 80))} runs its library (libtritonrepoagent_${excerpt(name, 60)}.so) on every load and may rewrite the model files`, location);
      checkParameters(messages(agent, 'parameters'), `${location}.parameters`, false, sink);
    }
  }
}

function checkEnsemble(c: PbMessage, name: string | null, sink: FindingSink): void {
  if (name === null) return;
  for (const sched of messages(c, 'ensemble_scheduling')) {
    for (const [i, step] of messages(sched, 'step').entries()) {
      if (pbString(step, 'model_name') === name) {
        sink.add('TRITON_SELF_REFERENCE', `ensemble step ${i} calls the ensemble ${JSON.stringify(excerpt(name, 80))} itself (a cycle: the model fails to load)`, `ensemble_scheduling.step[${i}]`);
      }
    }
  }
}

/** Variable (-1) input dims: request size is bounded only by server-wide limits. */
function checkInputs(c: PbMessage, sink: FindingSink): void {
  const unbounded: string[] = [];
  for (const input of messages(c, 'input')) {
    if (pbList(input, 'dims').some((d) => d === -1)) unbounded.push(pbString(input, 'name') ?? '?');
  }
  if (unbounded.length > 0) {
    sink.add('TRITON_UNBOUNDED_DIMS', `input(s) ${unbounded.slice(0, 10).map((n) => JSON.stringify(excerpt(n, 60))).join(', ')} accept any size along a -1 dimension`, 'input');
  }
}
