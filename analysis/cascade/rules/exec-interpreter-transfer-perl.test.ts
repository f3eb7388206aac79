/**
 * Perl library transfers read as runs (exec-interpreter-transfer-perl.ts): LWP::UserAgent,
 * HTTP::Tiny, HTTP::Request::Common and HTTP::Request sent by a user agent, Mojo::UserAgent,
 * WWW::Mechanize forms; bodies read from files, form uploads; downloads as downloads (LWP::Simple
 * too); other receivers read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCode, readInterpreter } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string): string[][] => readCode(code, 'perl').runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';
const U = 'https://h/u';

describe('Perl uploads', () => {
  const cases: Array<[string, string[]]> = [
    [`use LWP::UserAgent; use File::Slurp; LWP::UserAgent->new->put('${U}', Content => read_file('${P}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#LWP::UserAgent.put']],
    [`my $ua = LWP::UserAgent->new; my $d = path('${P}')->slurp_raw; $ua->post('${U}', Content => $d)`, ['curl', '-X', 'POST', '-T', P, U, '#LWP::UserAgent.post']],
    [`my $ua = LWP::UserAgent->new(timeout => 5); $ua->put('${U}', Content => do { local $/; open my $f, '<', '${P}' or die; <$f> })`, ['curl', '-X', 'PUT', '-T', P, U, '#LWP::UserAgent.put']],
    [`my $ua = LWP::UserAgent->new; $ua->post('${U}', Content_Type => 'form-data', Content => [f => ['${P}']])`, ['curl', '-X', 'POST', '-F', `f=@${P}`, U, '#LWP::UserAgent.post']],
    [`HTTP::Tiny->new->put('${U}', {content => path('${P}')->slurp_raw})`, ['curl', '-X', 'PUT', '-T', P, U, '#HTTP::Tiny.put']],
    [`my $h = HTTP::Tiny->new; $h->request('PUT', '${U}', {content => read_binary('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#HTTP::Tiny.request']],
    [`use HTTP::Request::Common; my $ua = LWP::UserAgent->new; $ua->request(PUT '${U}', Content => read_file('${P}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#LWP::UserAgent.request']],
    [`use HTTP::Request::Common; my $r = POST('${U}', Content_Type => 'form-data', Content => [model => ['${P}', 'm.pt']]); LWP::UserAgent->new->request($r)`, ['curl', '-X', 'POST', '-F', `model=@${P}`, U, '#LWP::UserAgent.request']],
    [`my $ua = LWP::UserAgent->new; $ua->request(HTTP::Request->new(PUT => '${U}', [], read_file('${P}')))`, ['curl', '-X', 'PUT', '-T', P, U, '#LWP::UserAgent.request']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('a slurp whose path is known only at run time: HOLE, runtime', () => {
    const r = readCode(`my $ua = LWP::UserAgent->new; $ua->put($ARGV[0], Content => do { local $/; open my $f, '<', $ARGV[1]; <$f> })`, 'perl');
    expect(r.runs.map((x) => x.argv)).toEqual([['curl', '-X', 'PUT', '-T', HOLE, HOLE, '#LWP::UserAgent.put']]);
    expect(r.runs[0]!.how).toBe(INDIRECT_RUNTIME);
  });
});

describe('Perl downloads and what is not read', () => {
  it('downloads read as downloads', () => {
    expect(argvs(`LWP::UserAgent->new->get('${U}', ':content_file' => '/tmp/t')`)).toEqual([['curl', '-o', '/tmp/t', U, '#LWP::UserAgent.get']]);
    expect(argvs(`HTTP::Tiny->new->mirror('${U}', '/tmp/t')`)).toEqual([['curl', '-o', '/tmp/t', U, '#HTTP::Tiny.mirror']]);
    expect(argvs(`HTTP::Tiny->new->get('${U}')`)).toEqual([['curl', U, '#HTTP::Tiny.get']]);
  });
  for (const code of [
    `$client->put('${U}', Content => read_file('${P}'))`,
    `my $c = Cache->new; $c->put('k', read_file('${P}'))`,
    `my $d = read_file('${P}'); print length $d`,
    `PUT('${U}', Content => read_file('${P}'))`, // no HTTP::Request::Common: some other PUT
    `sub put { } put('${U}', read_file('${P}'))`,
  ]) it(code, () => expect(argvs(code)).toEqual([]));
});

describe('LWP::Simple, Mojo::UserAgent, WWW::Mechanize', () => {
  const cases: Array<[string, string[][]]> = [
    [`use LWP::Simple; getstore('${U}', '/tmp/t'); mirror($u, '/tmp/m')`, [['curl', '-o', '/tmp/t', U, '#LWP::Simple.getstore'], ['curl', '-o', '/tmp/m', HOLE, '#LWP::Simple.mirror']]],
    [`print get("http://localhost:8080/healthz")`, [['curl', 'http://localhost:8080/healthz', '#LWP::Simple.get']]],
    [`LWP::Simple::getprint($u)`, [['curl', HOLE, '#LWP::Simple.getprint']]],
    [`use Mojo::UserAgent; Mojo::UserAgent->new->put('${U}' => {Accept => '*/*'} => path('${P}')->slurp)`, [['curl', '-X', 'PUT', '-T', P, U, '#Mojo::UserAgent.put']]],
    [`my $ua = Mojo::UserAgent->new(max_redirects => 3); $ua->post_p('${U}' => form => {model => {file => '${P}'}, step => 1})`, [['curl', '-X', 'POST', '-F', `model=@${P}`, U, '#Mojo::UserAgent.post_p']]],
    [`my $ua = Mojo::UserAgent->new; $ua->post('${U}' => json => {step => 1})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#Mojo::UserAgent.post']]],
    [`my $ua = Mojo::UserAgent->new; my $tx = $ua->get('${U}')`, [['curl', U, '#Mojo::UserAgent.get']]],
    [`my $m = WWW::Mechanize->new; $m->submit_form(form_number => 1, with_fields => {model => ['${P}', 'm.pt']})`, [['curl', '-X', 'POST', '-F', `model=@${P}`, HOLE, '#WWW::Mechanize.submit_form']]],
    [`my $m = WWW::Mechanize->new; $m->submit_form(fields => {name => 'x', upload_file => '${P}'})`, [['curl', '-X', 'POST', '-F', `upload_file=@${P}`, HOLE, '#WWW::Mechanize.submit_form']]],
  ];
  for (const [code, runs] of cases) it(code, () => expect(argvs(code)).toEqual(runs));

  for (const code of [
    `my %h; $h{x} = get($k)`, // no LWP::Simple named, no URL: some other get
    `mirror($a, $b)`,
    `my $m = WWW::Mechanize->new; $m->submit_form(with_fields => {user => 'u', pass => 'p'})`,
    `$cache->put('${U}' => {} => read_file('${P}'))`,
  ]) it(`reads nothing: ${code}`, () => expect(argvs(code)).toEqual([]));
});

describe('downloads saved to a file: Mojo::UserAgent, LWP::Simple named by -M', () => {
  const T = '/tmp/.x/kubelet';
  const cases: Array<[string[], string[][]]> = [
    [['perl', '-MMojo::UserAgent', '-e', `Mojo::UserAgent->new->get('${U}')->result->save_to('${T}')`], [['curl', '-o', T, U, '#Mojo::UserAgent.get']]],
    [['perl', '-e', `use Mojo::UserAgent; my $ua = Mojo::UserAgent->new(max_redirects => 5); $ua->get($ARGV[0])->res->save_to($ARGV[1])`], [['curl', '-o', HOLE, HOLE, '#Mojo::UserAgent.get']]],
    [['perl', '-e', `my $ua = Mojo::UserAgent->new; $ua->get('${U}' => {Accept => '*/*'})->result()->content->asset->move_to('${T}'); chmod 0755, '${T}'`], [['curl', '-o', T, U, '#Mojo::UserAgent.get']]],
    [['perl', '-MLWP::Simple', '-e', `getstore("http://x/y", "/tmp/z")`], [['curl', '-o', '/tmp/z', 'http://x/y', '#LWP::Simple.getstore']]],
    [['perl', '-MLWP::Simple', '-e', 'get($u)'], [['curl', HOLE, '#LWP::Simple.get']]],
    [['perl', '-MLWP::Simple=getstore', '-e', `getstore($ARGV[0], '${T}') or die`], [['curl', '-o', T, HOLE, '#LWP::Simple.getstore']]],
  ];
  for (const [argv, runs] of cases) it(argv.join(' '), () => expect(readInterpreter(argv, 0)!.runs.map((r) => r.argv)).toEqual(runs));

  it('a Mojo get whose result goes elsewhere is a download to nowhere; other receivers and methods read nothing new', () => {
    expect(argvs(`my $ua = Mojo::UserAgent->new; print $ua->get('${U}')->result->body`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
    expect(argvs(`my $ua = Mojo::UserAgent->new; my $j = $ua->get('${U}')->result->json; path('${P}')->spew($j)`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
    expect(argvs(`my $ua = Mojo::UserAgent->new; $ua->post('${U}' => json => {a => 1})->result->save_to('/tmp/r')`)).toEqual([['curl', '-X', 'POST', '--data-raw', HOLE, U, '#Mojo::UserAgent.post']]);
    expect(argvs(`$cache->get('${U}')->result->save_to('/tmp/r')`)).toEqual([]);
    expect(argvs(`my $ua = Mojo::UserAgent->new; $ua->get('${U}')->result->content->headers->save_to('/tmp/r')`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
  });

  const V = `my $ua = Mojo::UserAgent->new; my $tx = $ua->get('${U}'); `;
  const viaTx: Array<[string, string[][]]> = [
    [`${V}$tx->result->save_to('${T}')`, [['curl', '-o', T, U, '#Mojo::UserAgent.get']]],
    [`${V}die unless $tx->res->is_success; $tx->res->save_to($ARGV[0]); chmod 0755, $ARGV[0]`, [['curl', '-o', HOLE, U, '#Mojo::UserAgent.get']]],
    [`my $tx = Mojo::UserAgent->new->get('${U}' => {Accept => '*/*'});\n$tx->result()->content->asset->move_to('${T}');`, [['curl', '-o', T, U, '#Mojo::UserAgent.get']]],
  ];
  for (const [code, runs] of viaTx) it(`through the transaction's variable: ${code}`, () => expect(argvs(code)).toEqual(runs));

  it('look-alikes through a variable keep `curl u`: a body not saved, a variable assigned twice, another receiver', () => {
    expect(argvs(`${V}print $tx->result->body`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
    expect(argvs(`${V}$tx->result->headers->save_to('/tmp/r')`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
    expect(argvs(`${V}$other->result->save_to('/tmp/r')`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
    expect(argvs(`my $ua = Mojo::UserAgent->new; my $tx = $ua->get('${U}'); $tx = $ua->get('https://h/v'); $tx->result->save_to('/tmp/r')`)).toEqual([
      ['curl', U, '#Mojo::UserAgent.get'], ['curl', 'https://h/v', '#Mojo::UserAgent.get'],
    ]);
    expect(argvs(`my $tx = $cache->get('${U}'); $tx->result->save_to('/tmp/r')`)).toEqual([]);
    // The variable holds more than the get's transaction.
    expect(argvs(`my $ua = Mojo::UserAgent->new; my $tx = $ua->get('${U}')->result->json; $tx->result->save_to('/tmp/r')`)).toEqual([['curl', U, '#Mojo::UserAgent.get']]);
  });

  it('hostile chains: no throw, bounded, fast', () => {
    const t0 = Date.now();
    for (const code of [
      `${V}${'$tx->result->save_to($p); '.repeat(400)}`,
      `${'my $tx = $ua->get($u); '.repeat(300)}${'$tx->res->save_to($p); '.repeat(300)}`,
      `${V}$tx${'->result'.repeat(3000)}->save_to($p)`,
      `Mojo::UserAgent->new->get($u)${'->result'.repeat(3000)}->save_to($p)`,
      `Mojo::UserAgent->new->get($u)->result->save_to(${'('.repeat(2000)}`,
      `${'Mojo::UserAgent->new->get($u)->res->save_to($p); '.repeat(400)}`,
      `Mojo::UserAgent->new->get($u)->result->content->asset->move_to`,
      `Mojo::UserAgent->new->get($u)->result->save_to`,
    ]) {
      const r = readCode(code, 'perl');
      expect(r.runs.length).toBeLessThanOrEqual(32);
    }
    expect(readInterpreter(['perl', ...Array.from({ length: 500 }, (_, k) => `-MM${k}=${'a,'.repeat(200)}`), '-e', 'get($u)'], 0)!.runs).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
