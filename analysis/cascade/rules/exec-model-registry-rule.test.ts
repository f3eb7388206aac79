/**
 * MLS-POISON-015 through the shipped rule set and the real engine: a person inside a pod moving a
 * registered model's stage or alias, or registering a version, in MLflow's registry (its REST
 * endpoints in a curl, wget or HTTPie command or a requests call, or its Python client's write
 * methods). Reading the registry (searches, a version's details, a download) raises nothing.
 * The proxy form is in k8s-api-rules-e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const RULE = 'MLS-POISON-015';

describe('MLS-POISON-015: the model registry told by hand which version to serve', () => {
  it('escalates the registry write endpoints and client methods, for a person and a service account', () => {
    for (const command of [
      sh(`curl -s -X POST http://mlflow.mlops:5000/api/2.0/mlflow/model-versions/transition-stage -H 'Content-Type: application/json' -d '{"name":"llama","version":"7","stage":"Production","archive_existing_versions":true}'`),
      sh(`curl -X POST mlflow:5000/api/2.0/mlflow/registered-models/alias -d '{"name":"llama","alias":"champion","version":"7"}'`),
      sh('wget -qO- --post-data=\'{"name":"llama","source":"s3://scratch/x","run_id":"r"}\' http://mlflow:5000/api/2.0/mlflow/model-versions/create'),
      sh('http POST mlflow:5000/ajax-api/2.0/mlflow/registered-models/alias name=llama alias=champion version=7'),
      ['python3', '-c', 'from mlflow import MlflowClient; MlflowClient("http://mlflow:5000").set_registered_model_alias("llama", "champion", "7")'],
      ['python', '-c', 'import mlflow; c = mlflow.tracking.MlflowClient(); c.transition_model_version_stage(name="llama", version=7, stage="Production")'],
      sh(`python3 - <<'EOF'\nimport mlflow\nmlflow.MlflowClient().create_model_version("llama", "s3://scratch/x", "r1")\nEOF`),
    ]) {
      expect(execRuleIds(command), command.join(' ')).toContain(RULE);
      expect(execRuleIds(command, SA), command.join(' ')).toContain(RULE);
    }
  });

  it('leaves reading the registry alone, and code searched for the client methods', () => {
    for (const command of [
      sh('grep -rn transition_model_version_stage /workspace/src/'),
      sh('rg -l "set_registered_model_alias|create_model_version" /workspace'),
      sh(`curl -s 'http://mlflow:5000/api/2.0/mlflow/registered-models/search?max_results=10'`),
      sh(`curl -s 'http://mlflow:5000/api/2.0/mlflow/model-versions/get?name=llama&version=7'`),
      sh(`curl -s 'http://mlflow:5000/api/2.0/mlflow/registered-models/get-latest-versions' -d '{"name":"llama"}'`),
      ['python3', '-c', 'import mlflow; print(mlflow.MlflowClient().get_model_version_by_alias("llama", "champion"))'],
      ['mlflow', 'artifacts', 'download', '--artifact-uri', 'models:/llama/7', '--dst-path', '/tmp/m'],
    ]) {
      expect(execRuleIds(command), command.join(' ')).not.toContain(RULE);
    }
  });
});
