// checks/check.ts: the runner of the check lists, on real 13.21 and 16.9 servers. The snapshot sessions exist exactly
// while the checks that compare both sides run (the source never holds a snapshot longer), results keep list order,
// a failing check leaves no session behind, and a comparing check without a source is refused.
import { strict as assert } from 'assert';
import type { CompareCheck, DatabaseContext, ServerCheck, TargetCheck } from '../../checks/check';
import { runDatabaseChecks } from '../../checks/check';
import { check } from '../../checks/report';
import { withDatabase } from '../../lib/pg/connection';
import { pair, runChecks, runServer } from './pair';

/** Sessions of the run inside a transaction on database `db` of the server behind `t` (the pools' sessions). */
const IN_TRANSACTION = (db: string): string =>
  `SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = '${db}' AND state LIKE 'idle in transaction%'`;

describe('checks/check: running a list of checks', () => {
  it('opens the snapshot sessions just before the first comparing check and closes them right after the last one', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_runner', [], []);
    const admin = withDatabase(dbs.source, 'postgres');
    const seen: string[] = [];
    const probe = async (label: string): Promise<void> => {
      seen.push(`${label}: ${await p.value(admin, IN_TRANSACTION('chk_runner'))}`);
    };
    const target = (name: string): TargetCheck => ({
      name,
      reads: 'target',
      run: async (ctx) => (await probe(name), [check(name, 'pass', 'x', [], ctx.label)]),
    });
    const compare = (name: string): CompareCheck => ({
      name,
      reads: 'both',
      async run(ctx) {
        await probe(name);
        assert.equal(ctx.source.clients.length, 3);
        assert.ok(ctx.source.snapshot && ctx.target.snapshot, 'both sides share an exported snapshot');
        const [a, b] = await Promise.all(
          ctx.source.clients
            .slice(0, 2)
            .map(async (c) => (await c.query('SELECT pg_catalog.txid_current_snapshot()::text AS s')).rows[0].s),
        );
        assert.equal(a, b, 'every source session reads the same snapshot');
        return [check(name, 'pass', 'x', [], ctx.label)];
      },
    });
    const r = await runChecks(
      [target('before'), compare('first'), target('between'), compare('last'), target('after')],
      dbs,
      {},
      3,
    );
    assert.deepEqual(seen, ['before: 0', 'first: 3', 'between: 3', 'last: 3', 'after: 0']);
    assert.deepEqual(
      r.results.map((x) => `${x.name} [${x.database}]`),
      ['before [chk_runner]', 'first [chk_runner]', 'between [chk_runner]', 'last [chk_runner]', 'after [chk_runner]'],
    );
  });

  it('a check that throws leaves no session behind, and the error reaches the command (exit 2 there)', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_runner', [], []);
    const boom: CompareCheck = {
      name: 'boom',
      reads: 'both',
      run: async () => {
        throw new Error('catalog read failed');
      },
    };
    await assert.rejects(runChecks([boom], dbs, {}, 2), /catalog read failed/);
    assert.equal(await p.value(withDatabase(dbs.source, 'postgres'), IN_TRANSACTION('chk_runner')), '0');
    assert.equal(await p.value(withDatabase(dbs.target, 'postgres'), IN_TRANSACTION('chk_runner')), '0');
  });

  it('refuses a comparing check when there is no source (postcheck lists target-only checks)', async () => {
    const ctx = {
      label: 'x',
      admin: undefined as never,
      options: { expectVersion: '16.9' },
      writes: [],
      notices: [],
      progress: () => undefined,
    } satisfies DatabaseContext;
    const cmp: CompareCheck = { name: 'needs both', reads: 'both', run: async () => [] };
    await assert.rejects(
      runDatabaseChecks([cmp], ctx),
      /^Error: check "needs both" compares source and target, but no source was given$/,
    );
  });

  it('runs server checks in list order, each seeing both sides', async () => {
    const p = await pair();
    const dbs = await p.databases('chk_runner', [], []);
    const sides: ServerCheck = {
      name: 'sides',
      run: async (ctx) => [
        check(`${ctx.source?.facts.version.split(' ')[0]} -> ${ctx.target.facts.version.split(' ')[0]}`, 'pass', 'x'),
      ],
    };
    const second: ServerCheck = { name: 'second', run: async () => [check('second', 'warn', 'y')] };
    const r = await runServer([sides, second], dbs);
    assert.deepEqual(
      r.map((x) => x.name),
      ['13.21 -> 16.9', 'second'],
    );
  });
});
