/**
 * Weights handed out through the storage provider and weights made ready to leave, through the
 * shipped rule set and the real engine: a share link minted for a model store or a bucket opened
 * to everyone (MLS-EXFIL-041), a bucket's access policy changed (MLS-EXFIL-042, escalated), a
 * checkpoint encoded, encrypted or split (MLS-EXFIL-043). The everyday commands beside them (a link
 * to a report, a policy read, a digest, a signature checked, a header looked at, a dataset split,
 * a checkpoint decrypted) raise none of them.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const NEW_RULES = ['MLS-EXFIL-041', 'MLS-EXFIL-042', 'MLS-EXFIL-043'];
const newRules = (line: string): string[] => execRuleIds(sh(line)).filter((id) => NEW_RULES.includes(id));

describe('MLS-EXFIL-041: exec makes a share link or public access for a model store', () => {
  it('alerts on links minted for checkpoint and model objects, for a person and a service account', () => {
    for (const line of [
      'aws s3 presign s3://corp-ckpt/llama/model.safetensors --expires-in 604800',
      'aws --profile stolen s3 presign s3://corp-models/llama.gguf',
      'gsutil signurl -d 7d /tmp/key.json gs://corp-ckpt/llama/model.safetensors',
      'gcloud storage sign-url gs://corp-models/llama/model.safetensors --duration=7d --private-key-file=/tmp/k.json',
      'az storage blob generate-sas --account-name corpckpt -c models -n llama/model.safetensors --permissions r --expiry 2027-01-01',
      'mc share download --expire 168h corp/ckpt/llama/model.safetensors',
      'rclone link corp-s3:ckpt/llama/model.safetensors',
      'oci os preauth-request create --bucket-name model-weights --name x --access-type ObjectRead --time-expires 2027-01-01',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-EXFIL-041');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-EXFIL-041');
    }
  });

  it('alerts on any bucket opened to everyone: allUsers, public canned ACLs, the AllUsers group, a public access block removed, Azure public access, MinIO anonymous policies', () => {
    for (const line of [
      'gsutil iam ch allUsers:objectViewer gs://corp-ckpt',
      'gsutil iam ch allAuthenticatedUsers:objectViewer gs://corp-data',
      'gsutil acl ch -u AllUsers:R gs://corp-data/x',
      'gcloud storage buckets add-iam-policy-binding gs://corp-ckpt --member=allUsers --role=roles/storage.objectViewer',
      'aws s3api put-object-acl --bucket corp-ckpt --key llama/model.safetensors --acl public-read',
      'aws s3 cp /mnt/ckpt/llama/model.safetensors s3://corp-ckpt/x --acl public-read',
      'aws s3api put-bucket-acl --bucket corp-ckpt --grant-read uri=http://acs.amazonaws.com/groups/global/AllUsers',
      'aws s3api delete-public-access-block --bucket corp-ckpt',
      'az storage container set-permission --name models --public-access blob --account-name corpckpt',
      'az storage account update -n corpckpt -g rg --allow-blob-public-access true',
      'mc anonymous set download corp/ckpt',
      'mc anonymous set public corp/data',
    ]) expect(execRuleIds(sh(line)), line).toContain('MLS-EXFIL-041');
  });

  it('leaves links to other objects, policies read, private ACLs and access closed', () => {
    for (const line of [
      'aws s3 presign s3://corp-eval/report.html',
      'gsutil signurl -d 1h /tmp/key.json gs://corp-eval/report.html',
      'gsutil iam get gs://corp-ckpt',
      'aws s3api get-bucket-policy --bucket corp-ckpt',
      'aws s3api get-public-access-block --bucket corp-ckpt',
      'aws s3 cp /tmp/report.html s3://corp-eval/report.html --acl bucket-owner-full-control',
      'az storage account update -n corpckpt -g rg --allow-blob-public-access false',
      'mc anonymous get corp/ckpt',
      'mc anonymous set none corp/ckpt',
      'mc ls corp/ckpt',
      // The object named to another command than the link's.
      'aws s3 presign s3://corp-eval/report.html; ls /mnt/ckpt',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-EXFIL-041');
  });
});

describe('MLS-EXFIL-042: exec changes who may read a storage bucket', () => {
  it('escalates policy and ACL changes and grants to named accounts', () => {
    for (const line of [
      'aws s3api put-bucket-policy --bucket corp-ckpt --policy file:///tmp/p.json',
      'aws s3api put-object-acl --bucket corp-ckpt --key m --grant-read id=abc123',
      'gsutil iam ch user:someone@gmail.com:objectViewer gs://corp-ckpt',
      'gsutil iam set /tmp/policy.json gs://corp-ckpt',
      'gcloud storage buckets add-iam-policy-binding gs://corp-ckpt --member=user:someone@gmail.com --role=roles/storage.objectViewer',
      'mc admin policy attach corp readonly --user someone',
    ]) expect(execRuleIds(sh(line)), line).toContain('MLS-EXFIL-042');
  });

  it('leaves policies and ACLs read, and IAM on things other than buckets', () => {
    for (const line of [
      'gsutil iam get gs://corp-ckpt',
      'gsutil acl get gs://corp-ckpt/x',
      'aws s3api get-bucket-acl --bucket corp-ckpt',
      'gcloud projects get-iam-policy corp-ml',
      'mc admin info corp',
      'mc admin policy list corp',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-EXFIL-042');
  });
});

describe('MLS-EXFIL-043: exec encodes, encrypts or splits checkpoint files', () => {
  it('alerts on a checkpoint base64-encoded, hex-dumped plain, encrypted or split, named to the tool or fed to it', () => {
    for (const line of [
      'base64 -w0 /mnt/ckpt/llama/model.safetensors',
      'base32 /mnt/ckpt/llama/model.pt > /tmp/m.b32',
      'dd if=/mnt/ckpt/llama/model.safetensors bs=1M skip=100 count=50 | base64',
      'xxd -p /mnt/ckpt/llama/model.safetensors > /tmp/h.txt',
      'split -b 50M /mnt/ckpt/llama/model.safetensors /tmp/chunk_',
      'tar cf - /mnt/ckpt/llama | split -b 50M - /tmp/p_',
      'gpg -c --batch --passphrase x -o /tmp/m.gpg /mnt/ckpt/llama/model.safetensors',
      'gpg --encrypt -r someone@example.org /mnt/ckpt/llama/model.safetensors',
      'cat /mnt/ckpt/llama/model.safetensors | gpg --symmetric --batch --passphrase x > /tmp/m.gpg',
      'age -p -o /tmp/m.age /mnt/ckpt/llama/model.safetensors',
      'openssl enc -aes-256-cbc -salt -in /mnt/ckpt/llama/model.safetensors -out /tmp/m.enc -pass pass:x',
      'openssl aes-256-cbc -in /mnt/ckpt/llama/model.safetensors -out /tmp/m.enc -k x',
      // Python's base64 of a checkpoint's contents (exec-interpreter-transfer-staging.ts).
      `python3 -c "import base64; print(base64.b64encode(open('/mnt/ckpt/llama/model.safetensors','rb').read()))"`,
    ]) {
      expect(newRules(line), line).toEqual(['MLS-EXFIL-043']);
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-EXFIL-043');
    }
  });

  it('leaves digests, signatures, a header looked at, other files encoded or split, and checkpoints decoded or decrypted', () => {
    for (const line of [
      'sha256sum /mnt/ckpt/llama/model.safetensors',
      'openssl dgst -sha256 /mnt/ckpt/llama/model.safetensors',
      'gpg --verify /mnt/ckpt/llama/model.safetensors.sig /mnt/ckpt/llama/model.safetensors',
      'xxd /mnt/ckpt/llama/model.safetensors | head -20',
      'head -c 8 /mnt/ckpt/llama/model.safetensors | xxd',
      'split -l 1000 /data/train.jsonl /data/shards/part_',
      'base64 /etc/hostname',
      'echo $TOKEN | base64 -d',
      'base64 -d /tmp/ckpt.b64 > /tmp/model.pt',
      'openssl enc -d -aes-256-cbc -in /mnt/ckpt/llama/model.enc -out /tmp/model.safetensors -pass env:K',
      'age -d -i /etc/age/key.txt /mnt/ckpt/llama/m.age > /tmp/m.pt',
      'gpg --import /etc/keys/release.asc',
      // The checkpoint named to another command than the encoder's.
      'ls /mnt/ckpt/llama; base64 /etc/hostname',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-EXFIL-043');
  });
});
