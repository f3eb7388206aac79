/**
 * Credentials hunted for and minted through kubectl exec, through the shipped rule set and the real
 * engine: other platforms' keys and credential files read, key material grepped for, private keys
 * looked for by name, a secret scanner run (MLS-RAY-010); a cloud CLI, Vault or kubectl asked to
 * print a usable credential, a kubeconfig unredacted, a cloud secret store's value (MLS-RAY-022, escalated). The neighbouring everyday commands (a key
 * used by its own CLI, an identity looked up, a log grepped, checkpoints looked for) raise neither.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('MLS-RAY-010: credentials hunted for and read', () => {
  it('alerts on platform keys printed, credential files read, key material grepped for, keys found by name and secret scanners', () => {
    for (const line of [
      'python3 -c "import os; print(os.environ[\'WANDB_API_KEY\'])"',
      'echo $OPENAI_API_KEY',
      'printf %s "$DATABRICKS_TOKEN" | base64',
      'cat ~/.mlflow/credentials',
      'cat ~/.databrickscfg',
      'cat ~/.kaggle/kaggle.json',
      'cat ~/.config/rclone/rclone.conf',
      'cat ~/.mc/config.json',
      'grep -r AKIA / 2>/dev/null',
      "grep -rl 'BEGIN RSA PRIVATE KEY' /home /root",
      "rg -l 'BEGIN OPENSSH PRIVATE KEY' /",
      'find / -name id_rsa 2>/dev/null',
      "find / -name '*.pem' -o -name 'id_rsa' 2>/dev/null",
      'trufflehog filesystem / --json',
      'gitleaks detect --source /workspace',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-010');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-010');
    }
  });

  it('leaves keys used by their own CLI or set, code and logs grepped, and other files looked for', () => {
    for (const line of [
      'wandb login $WANDB_API_KEY',
      'export WANDB_API_KEY=abc',
      'git clone https://$GITHUB_TOKEN@github.com/corp/x',
      "grep -r 'learning_rate' /workspace/configs",
      'grep -i error /var/log/train.log',
      'rg TODO /workspace',
      "find /mnt/ckpt -name '*.safetensors'",
      "find . -name '*.py' | xargs grep -l torch",
      'cat /workspace/configs/train.yaml',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-RAY-010');
  });
});

describe('MLS-RAY-022: a CLI asked to print a usable credential', () => {
  it('escalates access tokens, temporary keys, secrets read back, Vault reads and minted service-account tokens', () => {
    for (const line of [
      'gcloud auth print-access-token',
      'gcloud auth application-default print-access-token',
      'az account get-access-token --resource https://storage.azure.com',
      'aws sts get-session-token --duration-seconds 129600',
      'aws configure export-credentials --format env',
      'aws configure get aws_secret_access_key',
      'vault kv get -field=password secret/db',
      'vault read aws/creds/ml-role',
      'kubectl create token llama-ft-trainer --duration 8760h',
      'curl -H "Authorization: Bearer $(gcloud auth print-access-token)" https://storage.googleapis.com/storage/v1/b/corp-ckpt/o',
    ]) expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-022');
  });

  it('escalates a kubeconfig printed unredacted, OpenShift\'s token, cloud secret-store values, gh\'s token and a credential helper\'s login', () => {
    for (const line of [
      'kubectl config view --raw',
      'kubectl --kubeconfig /root/.kube/config config view --minify --raw -o jsonpath="{.users[0].user.token}"',
      'oc config view --raw=true',
      'oc whoami -t',
      'oc whoami --show-token',
      'gcloud secrets versions access latest --secret=hf-token',
      'gcloud --project corp-ml secrets versions access 3 --secret wandb-key',
      'aws secretsmanager get-secret-value --secret-id prod/hf --query SecretString --output text',
      'aws --region us-east-1 secretsmanager batch-get-secret-value --secret-id-list a b',
      'aws ssm get-parameter --name /ml/wandb --with-decryption',
      'aws ssm get-parameters-by-path --path /ml --recursive --with-decryption',
      'az keyvault secret show --vault-name kv --name hf-token --query value -o tsv',
      'az keyvault secret download --vault-name kv -n sa-key -f /tmp/k',
      'gh auth token',
      'echo https://gcr.io | docker-credential-gcr get',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-022');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-022');
    }
  });

  it('leaves identities looked up, configuration listed, Vault logged in to and other kubectl creates', () => {
    for (const line of [
      'aws sts get-caller-identity',
      'gcloud auth list',
      'gcloud config list',
      'az account show',
      'vault status',
      'vault login -method=kubernetes role=ml',
      'kubectl create configmap x --from-file=a.txt',
      'kubectl get pods',
      'aws configure get region',
      // Redacted, or no secret at all: a kubeconfig without --raw, who am I, a parameter not decrypted, secrets listed by name, gh's status.
      'kubectl config view',
      'kubectl config view --minify -o jsonpath="{.contexts[0].name}"',
      'kubectl get cm raw-config -o yaml',
      'oc whoami',
      'aws ssm get-parameter --name /ml/region',
      'aws secretsmanager list-secrets',
      'gcloud secrets list',
      'gcloud secrets versions list hf-token',
      'az keyvault secret list --vault-name kv',
      'gh auth status',
      'docker-credential-gcr list',
      'echo "kubectl config view --raw" >> notes.txt',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-RAY-022');
  });
});
