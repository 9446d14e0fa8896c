import { strict as assert } from 'assert';
import { percentEncode } from '../../lib/percent-encode';
import { MASK, Redactor, secretForms } from '../../lib/redact';

describe('lib/redact: one redactor, secrets registered by value', () => {
  const CHARS = ['#', '?', '/', '@', ':', '%', "'", '"', '\\', ' '];

  for (const c of CHARS) {
    it(`a secret with ${JSON.stringify(c)}: as written, decoded, encoded, JSON- and quote-escaped`, () => {
      const pw = `Zq8v${c}Kw3pX`;
      const r = new Redactor().add(pw);
      const shown = [
        pw,
        encodeURIComponent(pw),
        percentEncode(pw),
        percentEncode(pw)
          .toLowerCase()
          .replace(/^zq8v/, 'Zq8v')
          .replace(/kw3px$/, 'Kw3pX'),
        JSON.stringify(pw).slice(1, -1),
        pw.replace(/[\\']/g, '\\$&'),
      ];
      for (const s of shown) {
        const out = r.redact(`before ${s} after`);
        assert.equal(out, `before ${MASK} after`, s);
      }
      assert.equal(r.redact(JSON.stringify({ message: `x ${pw} y` })), JSON.stringify({ message: `x ${MASK} y` }));
    });
  }

  it('a percent-encoded secret is hidden decoded too, and an undecodable one as written', () => {
    const r = new Redactor().add('a%2Fb%40cd').add('zz%zz9');
    assert.equal(r.redact('1 a%2Fb%40cd 2 a/b@cd 3 zz%zz9'), `1 ${MASK} 2 ${MASK} 3 ${MASK}`);
  });

  it('longest forms first, several secrets, nothing registered leaves text alone', () => {
    const r = new Redactor().add('secret').add('secret-longer');
    assert.equal(r.redact('secret-longer and secret'), `${MASK} and ${MASK}`);
    assert.equal(new Redactor().redact('postgresql://u:pw@h'), 'postgresql://u:pw@h');
    assert.equal(new Redactor().add(undefined).add('').size, 0);
  });

  it('secrets shorter than three characters are not registered (masking them would garble every line)', () => {
    assert.deepEqual(secretForms('ab'), []);
    assert.equal(new Redactor().add('ab').redact('ab cab'), 'ab cab');
  });
});
