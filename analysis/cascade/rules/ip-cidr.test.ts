import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { cidrContains, ipInAny, parseCidr, parseIp } from './ip-cidr.js';

describe('ipInAny', () => {
  it('answers as parsing afresh would, whatever text came before (its one-entry memo)', () => {
    const blocks = ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'].map((t) => parseCidr(t)!);
    const texts = ['10.1.2.3', '::ffff:10.9.9.9', '8.8.8.8', 'fd00::1', '', 'not-an-ip', '192.168.1.1', '[fd00::2]', '10.1.2.3 '];
    const r = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const t = texts[Math.floor(r() * texts.length)]!;
      const list = r() < 0.5 ? blocks : blocks.slice(1);
      const ip = parseIp(t);
      const want = ip !== null && list.some((c) => cidrContains(c, ip));
      expect(ipInAny(t, list), t).toBe(want);
    }
  });
});
