// checks/validate/migrations.ts on real 13.21 and 16.9 databases: ToolJet's TypeORM migrations table must list the
// same migrations on both sides.
import { strict as assert } from 'assert';
import { migrations } from '../../../checks/validate/migrations';
import { pair, result, runChecks } from '../pair';

const TABLE =
  'CREATE TABLE public.migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)';
const ROWS = `INSERT INTO public.migrations ("timestamp", name) VALUES (1600000000000, 'Init1600000000000'), (1700000000000, 'AddApps1700000000000')`;

describe('checks/validate/migrations', () => {
  it('passes with no migrations table on either side, and with the same migrations (naming the latest)', async () => {
    const p = await pair();
    const none = await runChecks([migrations], await p.databases('chk_mig', [], []));
    assert.equal(
      result(none.results, 'ToolJet migrations').detail,
      'no ToolJet migrations table (public.migrations) on either side',
    );
    const same = await runChecks([migrations], await p.databases('chk_mig', [TABLE, ROWS], [TABLE, ROWS]));
    const m = result(same.results, 'ToolJet migrations');
    assert.equal(m.status, 'pass');
    assert.equal(m.detail, '2 migrations identical, latest AddApps1700000000000');
  });

  it('fails a table on one side only, and a missing migration, named; --live-source makes the latter a warning', async () => {
    const p = await pair();
    const one = await runChecks([migrations], await p.databases('chk_mig', [TABLE, ROWS], []));
    assert.equal(result(one.results, 'ToolJet migrations').detail, 'public.migrations exists only on the source');
    const dbs = await p.databases(
      'chk_mig',
      [TABLE, ROWS],
      [TABLE, `INSERT INTO public.migrations ("timestamp", name) VALUES (1600000000000, 'Init1600000000000')`],
    );
    const diff = result((await runChecks([migrations], dbs)).results, 'ToolJet migrations');
    assert.equal(diff.status, 'fail');
    assert.equal(diff.detail, 'migrations differ: 1 missing on target, 0 extra on target');
    assert.deepEqual(diff.objects, ['missing on target: 2 1700000000000 AddApps1700000000000']);
    const live = result((await runChecks([migrations], dbs, { liveSource: true })).results, 'ToolJet migrations');
    assert.equal(live.status, 'warn');
  });
});
