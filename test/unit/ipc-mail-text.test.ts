// How the UI reads what crosses the contract: senders and Gmail's escaped snippets.
import { describe, expect, it } from 'vitest';
import { decodeEntities, parseAddress, senderName } from '../../src/shared/mail-text';

describe('mail text for display', () => {
  it('reads senders', () => {
    expect(parseAddress('"Grace Hopper" <grace@navy.example>')).toEqual({ name: 'Grace Hopper', address: 'grace@navy.example' });
    expect(parseAddress('Ada Lovelace <ada@x.example>')).toEqual({ name: 'Ada Lovelace', address: 'ada@x.example' });
    expect(parseAddress('<only@x.example>')).toEqual({ name: null, address: 'only@x.example' });
    expect(parseAddress('a@x.example, b@x.example')).toEqual({ name: null, address: 'a@x.example' });
    expect(senderName(null)).toBe('(unknown sender)');
  });

  it('decodes Gmail’s escaped snippets without interpreting markup', () => {
    expect(decodeEntities('It&#39;s &amp; &lt;b&gt; &#x1F600; &quot;q&quot; &bogus;')).toBe('It\'s & <b> 😀 "q" &bogus;');
    expect(decodeEntities('&#0; &#99999999;')).toBe('&#0; &#99999999;');
  });
});
