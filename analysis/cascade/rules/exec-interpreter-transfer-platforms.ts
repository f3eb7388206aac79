/**
 * Uploads through the ML platforms' Python libraries, read as the CLI runs that move the same data
 * (exec-interpreter-transfer.ts says why), so MLS-EXFIL-038 reads them as it reads the CLIs:
 * - MLflow: `mlflow.log_artifact(local_path[, artifact_path])` (also on an `MlflowClient()`, after
 *   a run id) → `mlflow artifacts log-artifact --local-file P`; `log_artifacts(local_dir)` →
 *   `mlflow artifacts log-artifacts --local-dir D`; a model logged from memory
 *   (`mlflow.pytorch.log_model(m, …)`, `log_state_dict`, any flavour's `log_model`) →
 *   `mlflow artifacts log-artifacts --local-dir -` (its data from memory);
 * - Weights & Biases: `wandb.save(glob)`, `run.log_artifact(path_or_artifact)`, `run.log_model(path)`,
 *   an `Artifact`'s `add_file(p)` / `add_dir(d)` logged → `wandb artifact put P` (P the path
 *   given, or the first file added to an artifact, else `-`), the marker naming the call.
 * Which server the data goes to (the company's tracking server or the attacker's, set by
 * `set_tracking_uri`, `WANDB_BASE_URL`, an API key) the code may or may not say; the rule escalates
 * and the analyst judges. Downloads (`download_artifacts`, `Api().artifact(…).download()`) move
 * nothing out and are not read. The chain must start at the library's import; never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, S_CALL, wordOf, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { TK_NAME, TK_OP } from './exec-interpreter-token.js';
import { V_STR } from './exec-interpreter-value.js';

/** MLflow's client class, whose methods take the run id first. */
const MLFLOW_CLIENTS: ReadonlySet<string> = new Set(['MlflowClient']);
/** Calls of an MLflow model flavour that log a model held in memory. */
const MLFLOW_MODELS = new Set(['log_model', 'log_state_dict']);
/** W&B calls that upload what they are given. */
const WANDB_UPLOADS = new Set(['save', 'log_artifact', 'log_model', 'upload_file']);
/** Calls that add a file to a W&B artifact, scanned for a logged artifact's first file. */
const WANDB_ADDS = new Set(['add_file', 'add_dir']);

/** The upload the rooted MLflow or W&B call `c(…)` (`fn` its method) makes, or null. */
export function platformTransfer(ctx: TransferContext, c: Chain, fn: string, call: Step): Transfer | null {
  const root = c.steps[0]!.name;
  if (root === 'mlflow') return mlflow(ctx, c, fn, call);
  if (root === 'wandb') return WANDB_UPLOADS.has(fn) ? wandb(ctx, fn, call) : null;
  return null;
}

function mlflow(ctx: TransferContext, c: Chain, fn: string, call: Step): Transfer | null {
  const a = ctx.args(call);
  // MlflowClient's methods take the run id first: `client.log_artifact(run_id, local_path)`.
  const client = callNamed(c, MLFLOW_CLIENTS) !== null;
  const first = a.pos[client ? 1 : 0];
  const marker: Word = [`#mlflow.${fn}`, 0];
  if (fn === 'log_artifact') return { words: [['mlflow', 0], ['artifacts', 0], ['log-artifact', 0], ['--local-file', 0], pathWord(ctx, a.kw.get('local_path') ?? first), marker] };
  if (fn === 'log_artifacts') return { words: [['mlflow', 0], ['artifacts', 0], ['log-artifacts', 0], ['--local-dir', 0], ctx.word(a.kw.get('local_dir') ?? first), marker] };
  if (MLFLOW_MODELS.has(fn) && c.steps.length >= 3) {
    const flavour = c.steps.filter((s) => s.k !== S_CALL).map((s) => s.name).join('.');
    return { words: [['mlflow', 0], ['artifacts', 0], ['log-artifacts', 0], ['--local-dir', 0], ['-', 0], [`#${flavour}`, 0]] };
  }
  return null;
}

function wandb(ctx: TransferContext, fn: string, call: Step): Transfer {
  const a = ctx.args(call);
  const given = a.kw.get(fn === 'save' ? 'glob_str' : fn === 'log_artifact' ? 'artifact_or_path' : 'path') ?? a.pos[0];
  const v = given === undefined ? undefined : ctx.chains.values.value(given[0], given[1]);
  // A path given as text; an Artifact object: the first file the code adds to one.
  const path = v?.k === V_STR ? wordOf(v) : given === undefined ? wordOf(undefined) : firstAdded(ctx);
  return { words: [['wandb', 0], ['artifact', 0], ['put', 0], path, [`#wandb.${fn}`, 0]] };
}

/** A path argument: the file an expression opens to read, else its value. */
function pathWord(ctx: TransferContext, range: [number, number] | undefined): Word {
  const f = ctx.fileOf(range);
  return f !== null && !f.write ? f.path : ctx.word(range);
}

/** The first `add_file(p)` / `add_dir(d)` argument in the code (one linear scan), else `-`. */
function firstAdded(ctx: TransferContext): Word {
  const { ts, match } = ctx.chains;
  for (let i = 1; i + 1 < ts.length; i++) {
    const t = ts[i]!;
    if (t.k !== TK_NAME || !WANDB_ADDS.has(t.v) || ts[i - 1]!.k !== TK_OP || ts[i - 1]!.v !== '.' || ts[i + 1]!.k !== TK_OP || ts[i + 1]!.v !== '(') continue;
    const a = ctx.args({ k: S_CALL, name: '', a: i + 2, b: Math.min(match[i + 1]!, ts.length) });
    const p = a.pos[0] ?? a.kw.get('local_path');
    if (p !== undefined) return ctx.word(p);
  }
  return ['-', 0];
}
