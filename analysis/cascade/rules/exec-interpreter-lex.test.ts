/**
 * The interpreter tokenizers (exec-interpreter-lex*.ts), decoders and bindings: string literals
 * read as each language reads them, comments and regexes skipped, malformed code read to its end.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { codeBindings } from './exec-interpreter-bindings.js';
import { applyCodec, literalBytes } from './exec-interpreter-decode.js';
import { lexCode } from './exec-interpreter.js';
import { HOLE, STR_RUNTIME, TK_CMD, TK_STR, TK_VAR, TK_WORDS, type Lang, type Token } from './exec-interpreter-token.js';
import { bracketMatch } from './exec-interpreter-value.js';

const lex = (code: string, lang: Lang): Token[] => lexCode(code, lang).tokens;
/** The string-like tokens: `S:` strings, `C:` commands, `W:` word lists, `R:` for a runtime flag. */
const strings = (code: string, lang: Lang): string[] =>
  lex(code, lang)
    .filter((t) => t.k === TK_STR || t.k === TK_CMD || t.k === TK_WORDS)
    .map((t) => `${t.k === TK_STR ? 'S' : t.k === TK_CMD ? 'C' : 'W'}${(t.f & STR_RUNTIME) !== 0 ? 'R' : ''}:${t.k === TK_WORDS ? t.w!.join(',') : t.v}`);

describe('Python literals (Language Reference §2.4.1)', () => {
  it('prefixes, triple quotes, escapes, raw strings', () => {
    expect(strings(`a = 'x\\ty' + "q\\"q" + r'\\d\\'' + b'\\x63url' + u'\\u00e9'`, 'python')).toEqual(['S:x\ty', 'S:q"q', "S:\\d\\'", 'S:curl', 'S:é']);
    expect(strings(`'''a'b\nc''' """d"""`, 'python')).toEqual(["S:a'b\nc", 'S:d']);
    expect(strings(`'\\N{BULLET}' '\\q' '\\101\\x41'`, 'python')).toEqual(['S:\\N{BULLET}', 'S:\\q', 'S:AA']);
  });
  it('f-strings: fields are holes, doubled braces are braces', () => {
    expect(strings(`f"curl -T {path!r:>10} {{x}} {d['k']}"`, 'python')).toEqual([`SR:curl -T ${HOLE} {x} ${HOLE}`]);
    expect(strings(`rf'{a}\\d'`, 'python')).toEqual([`SR:${HOLE}\\d`]);
  });
  it('comments and line joins; an unterminated string runs to the end', () => {
    expect(strings(`# 'not a string'\nx = 1 \\\n + len('a')`, 'python')).toEqual(['S:a']);
    expect(strings(`os.system("curl -T a`, 'python')).toEqual(['S:curl -T a']);
  });
});

describe('Perl, Ruby, PHP, JavaScript literals', () => {
  it('Perl: single quotes literal, double quotes interpolate, q qq qx qw with nesting delimiters', () => {
    expect(strings(`'a\\'b\\n' . "c\\t$x @y \\$z"`, 'perl')).toEqual(["S:a'b\\n", `SR:c\t${HOLE} ${HOLE} $z`]);
    expect(strings('q(a(b)c) qq{x${y}z} qx[id] qw/a b  c/ qx\'$no\'', 'perl')).toEqual(['S:a(b)c', `SR:x${HOLE}z`, 'C:id', 'W:a,b,c', 'C:$no']);
    expect(strings('$h{q} = 1; %x = (q => 2); $s =~ s{"}{\'}g; $t =~ tr/a-z/A-Z/; print "ok"', 'perl')).toEqual(['S:ok']);
    expect(strings('print "a" if $x =~ /"/; print `id`', 'perl')).toEqual(['S:a', 'C:id']);
  });
  it('Ruby: interpolation #{…}, %-literals, backticks, symbols', () => {
    expect(strings(`["a#{x}b", 'c#{d}', %q(e), %Q[f#{g}], %(h), %w(i j), %x{id}, \`uname\`]`, 'ruby')).toEqual([`SR:a${HOLE}b`, 'S:c#{d}', 'S:e', `SR:f${HOLE}`, 'S:h', 'W:i,j', 'C:id', 'C:uname']);
    expect(strings('x = 10 % 3; y = a %(2); puts "ok" # "comment"', 'ruby')).toEqual(['S:ok']);
  });
  it('PHP: $ interpolation, {$…}, comments of three kinds, case-insensitive names', () => {
    expect(strings(`'a\\n$x' "b $y {$z['k']} \\x41" # "c"\n// "d"\n/* "e" */ \`id\``, 'php')).toEqual(['S:a\\n$x', `SR:b ${HOLE} ${HOLE} A`, 'C:id']);
    expect(lex('SyStEm("x")', 'php')[0]!.v).toBe('system');
  });
  it('JavaScript: escapes in both quotes, templates with holes, regex literals skipped', () => {
    expect(strings(`'a\\x41\\u0042\\u{43}' "\\d" \`t \${x} \\\` u\``, 'js')).toEqual(['S:aABC', 'S:d', `SR:t ${HOLE} \` u`]);
    expect(strings(`const r = /"[']/g; f('ok'); x = a / b / c; y = "z"`, 'js')).toEqual(['S:ok', 'S:z']);
    expect(lex('/re"/.exec("x")', 'js')[0]!.k).toBe(TK_VAR);
  });
});

describe('malformed code never throws', () => {
  it('unterminated literals, stray closers, lone sigils', () => {
    for (const lang of ['python', 'perl', 'ruby', 'js', 'php'] as const) {
      for (const code of ['"', "'", '`', 'q(', 'qq{', '%x(', 'f"{', '$', '@', '%', '/', '\\', '}}}', '(((', `"\\`, 'r"\\', '"""', '${', '#{']) {
        expect(() => lex(code, lang), `${lang}: ${code}`).not.toThrow();
        expect(() => bracketMatch(lex(code, lang))).not.toThrow();
      }
    }
  });
});

describe('decoders', () => {
  it('a zlib bomb stops at the bound: nothing readable', () => {
    expect(applyCodec('zlib', deflateSync(Buffer.alloc(50_000_000, 0x41)))).toBeNull();
  });
  it('lenient base64 (both alphabets, garbage skipped), hex, rot13, reverse', () => {
    const text = (b: Uint8Array | null): string => Buffer.from(b!).toString();
    expect(text(applyCodec('base64', literalBytes('Y3Vy\nbC1-_w')))).toContain('curl-');
    expect(text(applyCodec('hex', literalBytes('6964')))).toBe('id');
    expect(text(applyCodec('rot13', literalBytes('phey')))).toBe('curl');
    expect(text(applyCodec('reverse', literalBytes('lruc')))).toBe('curl');
    expect(literalBytes('\xff\x00')).toEqual(new Uint8Array([0xff, 0]));
  });
});

describe('bindings: names assigned once', () => {
  const names = (code: string, lang: Lang): string[] => {
    const ts = lex(code, lang);
    return [...codeBindings(ts, bracketMatch(ts), lang).keys()].sort();
  };
  it('one plain assignment binds; a second, a compound one, a loop target, a keyword argument do not', () => {
    expect(names('a = "x"; b = "y"; b = "z"; c = 1; c += 2; for d in e: pass; f(g="h"); i, j = 1, 2', 'python')).toEqual(['a']);
    expect(names('my $a = "x"; $b = 1; $b .= "y"; foreach my $c (@l) {}; $h->{k} = 1', 'perl')).toEqual(['$a']);
    expect(names('const a = "x", b = "y"; obj.c = 1; let d = 1; d = 2', 'js')).toEqual(['a', 'b']);
  });
});
