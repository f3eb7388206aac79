import { describe, expect, it } from 'vitest';
import { ATTACK_PHASES, THREAT_FAMILIES } from '../taxonomy.js';
import { readMessage } from './judge-client.js';
import { firstJsonObject, JUDGE_ANSWER_JSON_SCHEMA, parseJudgeAnswerText, validateJudgeAnswer } from './judge-schema.js';

const good = { verdict: 'malicious', confidence: 0.8, family: 'weight-exfil', phase: 'exfiltration', reasoning: 'egress of 40 GB to an unknown bucket' };

describe('answer schema', () => {
  it('lists exactly the taxonomy', () => {
    expect(JUDGE_ANSWER_JSON_SCHEMA.properties.family.enum).toEqual([...THREAT_FAMILIES]);
    expect(JUDGE_ANSWER_JSON_SCHEMA.properties.phase.anyOf[0].enum).toEqual([...ATTACK_PHASES]);
  });

  it('accepts a well-formed answer, null phase included', () => {
    expect(validateJudgeAnswer(good)).toEqual({ status: 'verdict', answer: good });
    expect(validateJudgeAnswer({ ...good, verdict: 'benign', family: 'benign', phase: null }).status).toBe('verdict');
  });

  it.each([
    ['confidence above 1', { ...good, confidence: 1.5 }],
    ['confidence as text', { ...good, confidence: '0.9' }],
    ['unknown verdict', { ...good, verdict: 'probably-fine' }],
    ['unknown family', { ...good, family: 'crypto' }],
    ['unknown phase', { ...good, phase: 'party' }],
    ['missing phase', { verdict: 'benign', confidence: 1, family: 'benign', reasoning: '' }],
    ['reasoning too long', { ...good, reasoning: 'x'.repeat(4001) }],
    ['extra property', { ...good, override: true }],
    ['not an object', 'benign'],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    const r = validateJudgeAnswer(value);
    expect(r.status).toBe('no-verdict');
  });
});

describe('answer text', () => {
  it('reads a fenced or prose-wrapped object', () => {
    expect(parseJudgeAnswerText('```json\n' + JSON.stringify(good) + '\n```').status).toBe('verdict');
    expect(parseJudgeAnswerText(`Here is my verdict: ${JSON.stringify(good)} Hope this helps {not json}`).status).toBe('verdict');
  });

  it('ignores braces inside strings', () => {
    const tricky = { ...good, reasoning: 'the user agent was "}{" and \\"{\\"' };
    const text = `x ${JSON.stringify(tricky)} y`;
    expect(firstJsonObject(text)).toBe(JSON.stringify(tricky));
    expect(parseJudgeAnswerText(text)).toEqual({ status: 'verdict', answer: tricky });
  });

  it('takes only the first object', () => {
    const text = `{"verdict": "benign"} ${JSON.stringify(good)}`;
    expect(parseJudgeAnswerText(text).status).toBe('no-verdict');
  });

  it('says why there is no verdict', () => {
    expect(parseJudgeAnswerText('I think it is benign.')).toEqual({ status: 'no-verdict', why: 'no JSON object in the answer' });
    expect(parseJudgeAnswerText('{"verdict": benign}').status).toBe('no-verdict');
    expect(parseJudgeAnswerText('{"verdict": "benign"').status).toBe('no-verdict');
  });

  it('fuzz: random text never throws', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['{', '}', '"', '\\', ':', ',', 'verdict', 'benign', '1', ' ', '[', ']', 'null', '```'];
    const base = JSON.stringify(good);
    for (let i = 0; i < 2000; i++) {
      let s = rnd() < 0.5 ? base : '';
      const n = Math.floor(rnd() * 40);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(rnd() * (s.length + 1));
        s = s.slice(0, at) + alphabet[Math.floor(rnd() * alphabet.length)]! + s.slice(at + (rnd() < 0.3 ? 1 : 0));
      }
      const r = parseJudgeAnswerText(s);
      expect(['verdict', 'no-verdict']).toContain(r.status);
    }
  });
});

describe('Messages API response reading', () => {
  const usage = { input_tokens: 10, output_tokens: 5 };

  it('prefers the record_verdict tool_use block', () => {
    const r = readMessage({ model: 'm', stop_reason: 'tool_use', usage, content: [{ type: 'text', text: 'thinking aloud {"verdict":"benign"}' }, { type: 'tool_use', name: 'record_verdict', input: good }] });
    expect(r).toMatchObject({ status: 'verdict', via: 'tool', answer: good, inputTokens: 10, outputTokens: 5, responseModel: 'm' });
  });

  it('falls back to the text', () => {
    const r = readMessage({ stop_reason: 'end_turn', usage, content: [{ type: 'text', text: JSON.stringify(good) }] });
    expect(r).toMatchObject({ status: 'verdict', via: 'text' });
  });

  it('turns a bad tool input, a refusal or an empty answer into no-verdict, and a broken envelope into error', () => {
    expect(readMessage({ usage, content: [{ type: 'tool_use', name: 'record_verdict', input: { verdict: 'benign' } }] }).status).toBe('no-verdict');
    expect(readMessage({ usage, stop_reason: 'refusal', content: [] }).status).toBe('no-verdict');
    expect(readMessage({ usage, content: [] }).status).toBe('no-verdict');
    expect(readMessage({ usage, content: [{ type: 'tool_use', name: 'other_tool', input: good }] }).status).toBe('no-verdict');
    expect(readMessage({ usage }).status).toBe('error');
    expect(readMessage('nope').status).toBe('error');
  });
});
