// checks/validate/schema-parity.ts on real 13.21 and 16.9 databases: one result per object kind; an identical
// schema passes all ten; a dropped index, an extra column and a changed function each fail their kind, named; a view
// whose definition really changed is a warning (pg_get_viewdef may print unchanged views differently across majors).
import { strict as assert } from 'assert';
import { schemaParity } from '../../../checks/validate/schema-parity';
import { pair, result, runChecks } from '../pair';

const SCHEMA = [
  'CREATE SCHEMA app',
  'CREATE TABLE app.users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz DEFAULT now())',
  'CREATE INDEX users_created ON app.users (created_at)',
  `CREATE FUNCTION app.slug(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$`,
  "CREATE VIEW app.recent AS SELECT id, email FROM app.users WHERE created_at > now() - interval '1 day'",
  `CREATE TYPE app.mood AS ENUM ('ok', 'meh')`,
];

const KINDS = [
  'tables',
  'columns (with types)',
  'indexes',
  'constraints',
  'sequences',
  'views',
  'functions',
  'types',
  'triggers',
  'extensions',
];

describe('checks/validate/schema-parity', () => {
  it('an identical schema passes every kind, in a fixed order, with the number compared', async () => {
    const p = await pair();
    const r = (await runChecks([schemaParity], await p.databases('chk_schema', SCHEMA, SCHEMA))).results;
    assert.deepEqual(
      r.map((x) => x.name),
      KINDS.map((k) => `schema: ${k}`),
    );
    // The one exception today: 16 prints an unchanged view without table-qualified columns, so identical views are
    // a warning (never a pass, never a failure) until views are compared by deparsing on one server (issue 11).
    assert.deepEqual(
      r.filter((x) => x.status !== 'pass').map((x) => `${x.name} ${x.status} ${x.objects.length}`),
      ['schema: views warn 1'],
    );
    assert.equal(result(r, 'schema: indexes').detail, '3 identical on source and target');
    assert.equal(result(r, 'schema: types').detail, '1 identical on source and target');
  });

  it('names a missing index, an extra column and a changed function; a changed view is a warning', async () => {
    const p = await pair();
    const r = (
      await runChecks(
        [schemaParity],
        await p.databases('chk_schema', SCHEMA, [
          ...SCHEMA,
          'DROP INDEX app.users_created',
          'ALTER TABLE app.users ADD COLUMN nickname text',
          `CREATE OR REPLACE FUNCTION app.slug(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$`,
          `CREATE OR REPLACE VIEW app.recent AS SELECT id, email FROM app.users WHERE created_at > now() - interval '2 days'`,
        ]),
      )
    ).results;
    const idx = result(r, 'schema: indexes');
    assert.equal(idx.status, 'fail');
    assert.deepEqual(idx.objects, ['missing on target: app.users_created']);
    assert.deepEqual(result(r, 'schema: columns (with types)').objects, ['extra on target: app.users.nickname']);
    const fn = result(r, 'schema: functions');
    assert.equal(fn.status, 'fail');
    assert.match(
      fn.objects[0],
      /^differs: app\.slug\(t text\): source ".*body md5 [0-9a-f]{32}" \| target ".*body md5 [0-9a-f]{32}"$/,
    );
    const views = result(r, 'schema: views');
    assert.equal(views.status, 'warn');
    assert.match(views.detail, /^1 of 1 view definitions deparse differently on the target/);
    assert.equal(result(r, 'schema: tables').status, 'pass');
  });
});
