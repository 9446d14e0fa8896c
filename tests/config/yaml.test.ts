// The small YAML reader (policy/yaml.ts) the tests use to load the real Pulumi.yaml / Pulumi.<stack>.yaml files and
// the workflows, and the policy pack uses for cloud-config.
import { strict as assert } from 'assert';
import { parseYaml, YamlError } from '../helpers/yaml';

describe('policy/yaml (tests/helpers/yaml): the subset of YAML the stack files, workflows and cloud-config use', () => {
  it('reads nested mappings with namespaced keys, comments and typed scalars', () => {
    const doc = parseYaml(`# a stack file
config:
  aws:region: us-east-1   # trailing comment
  tooljet-pg-upgrade:clone:
    engineVersion: "16.9"
    unquoted: 16.9
    port: 5432
    multiAz: false
    note: 'it''s # not a comment'
    empty:
    nothing: ~
    url: https://example.com/a#b
`);
    assert.deepEqual(doc, {
      config: {
        'aws:region': 'us-east-1',
        'tooljet-pg-upgrade:clone': {
          engineVersion: '16.9',
          unquoted: 16.9,
          port: 5432,
          multiAz: false,
          note: "it's # not a comment",
          empty: null,
          nothing: null,
          url: 'https://example.com/a#b',
        },
      },
    });
  });

  it('reads block sequences of scalars and of mappings, at deeper or the same indentation', () => {
    const doc = parseYaml(`a:
  - sg-1
  - "sg-2"
b:
- x
- y
c:
  - name: one
    value: 1
  - name: two
    value: [1, "two", three]
d: {}
e: []
`);
    assert.deepEqual(doc, {
      a: ['sg-1', 'sg-2'],
      b: ['x', 'y'],
      c: [
        { name: 'one', value: 1 },
        { name: 'two', value: [1, 'two', 'three'] },
      ],
      d: {},
      e: [],
    });
  });

  it('reads block scalars: literal and folded, with chomping, comments and markers inside kept as text', () => {
    const doc = parseYaml(`a: |
  line1
    more
  # not a comment

b: >-
  folded
  text

  para
c:
  - |+
    keep

  - x
d:
  - name: n
    run: |
      echo "a: b" # c
      ---
    after: 1
e: |2
    two extra
f: |-
g: 1
`);
    assert.deepEqual(doc, {
      a: 'line1\n  more\n# not a comment\n',
      b: 'folded text\npara',
      c: ['keep\n\n', 'x'],
      d: [{ name: 'n', run: 'echo "a: b" # c\n---\n', after: 1 }],
      e: '  two extra\n',
      f: '',
      g: 1,
    });
  });

  it('reads double-quoted escapes', () => {
    assert.deepEqual(parseYaml('k: "a\\tb \\"q\\""'), { k: 'a\tb "q"' });
  });

  const refused: [string, string, RegExp][] = [
    ['a tag (!!binary)', 'k: !!binary |\n  aGk=\n', /unsupported YAML construct "!"/],
    ['an anchor', 'k: &a 1\n', /unsupported YAML construct "&"/],
    ['a non-empty flow mapping', 'k: {a: 1}\n', /only the empty flow mapping/],
    ['a duplicate key', 'k: 1\nk: 2\n', /:2: duplicate key "k"/],
    ['tab indentation', 'a:\n\tb: 1\n', /:2: tab in indentation/],
    ['bad indentation', 'a: 1\n  b: 2\n', /:2: unexpected indentation/],
    ['an unterminated string', 'k: "abc\n', /unterminated double-quoted string/],
    ['a second document', 'a: 1\n---\nb: 2\n', /multiple documents/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what} instead of misreading it`, () => {
      assert.throws(
        () => parseYaml(text, 'f.yaml'),
        (err: unknown) => err instanceof YamlError && message.test(err.message),
      );
    });
  }
});
