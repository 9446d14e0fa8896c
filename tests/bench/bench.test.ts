// The benchmark's pure parts (arguments, medians and ratios, the report) and its naive baseline on tiny real
// PostgreSQL 13.21 and 16.9 servers: the baseline must really compare, or its timing would mean nothing.
import { strict as assert } from 'assert';
import { BenchUsageError, DEFAULT_SIZES, parseBenchArgs } from '../../bench/args';
import { comparePairs, naiveCompare, naiveSql } from '../../bench/naive';
import { renderAllTargets } from '../../bench/rehearsal';
import { buildResults, formatResults, sizeFigures, SizeSamples, verdicts } from '../../bench/report';
import { scanBoth } from '../../bench/scan';
import { median, ratio, secondsPerGb, spread } from '../../bench/stats';
import { runValidateCli } from '../../bench/validate-cli';
import { connect, ConnectionTarget, resolveTarget, withDatabase } from '../../lib/pg/connection';
import { LocalServer, makeTlsFixture, startServer, TlsFixture, verifyFull } from '../helpers/servers';

describe('bench: arguments', () => {
  it('defaults to 128, 512 and 1024 MB, median of 3, 4 sessions per side, saving the results', () => {
    assert.deepEqual(parseBenchArgs([]), { sizes: DEFAULT_SIZES, repeat: 3, jobs: 4, save: true, help: false });
    assert.deepEqual(DEFAULT_SIZES, [128, 512, 1024]);
  });

  it('--size-mb gives one size, --sizes several (sorted, duplicates dropped), --repeat, --jobs, --no-save', () => {
    assert.deepEqual(parseBenchArgs(['--size-mb', '256']).sizes, [256]);
    const o = parseBenchArgs(['--sizes', '1024, 64,256,64', '--repeat', '5', '--jobs', '2', '--no-save']);
    assert.deepEqual(o, { sizes: [64, 256, 1024], repeat: 5, jobs: 2, save: false, help: false });
    assert.equal(parseBenchArgs(['-h']).help, true);
  });

  it('bad input is one line saying what to fix', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--size-mb', '0'], /--size-mb must be a whole number from 1 to/],
      [['--size-mb', '1.5'], /--size-mb must be a whole number/],
      [['--sizes', '128,,512'], /--sizes must be a comma-separated list of MB/],
      [['--sizes', '128,abc'], /--sizes must be a whole number/],
      [['--size-mb', '64', '--sizes', '128'], /either --size-mb or --sizes, not both/],
      [['--repeat', '0'], /--repeat must be a whole number from 1 to 99/],
      [['--jobs', '17'], /--jobs must be a whole number from 1 to 16/],
      [['--size'], /Unknown option '--size'.*--help/],
      [['512'], /Unexpected argument '512'.*--help/],
    ];
    for (const [argv, re] of cases) {
      assert.throws(
        () => parseBenchArgs(argv),
        (e: Error) => e instanceof BenchUsageError && re.test(e.message) && !e.message.includes('\n'),
        argv.join(' '),
      );
    }
  });
});

describe('bench: medians, ratios and the report', () => {
  const samples = (over: Partial<SizeSamples>): SizeSamples => ({
    sizeMb: 512,
    dataMb: 500,
    databaseMb: { source: 600, target: 590 },
    tables: 15,
    rows: 1000,
    textMb: 450,
    seedS: 30,
    copyS: 40,
    copyMb: 700,
    countS: [0.5, 0.4, 0.6],
    rawScanS: [10, 12, 11],
    renderScanS: [8, 9, 7],
    validateS: [9, 30, 10],
    validateDbS: [8, 8, 9],
    validatePeakRssMb: [130, 140, 120],
    naiveS: [50, 60, 40],
    naivePairs: 2000,
    profile: [],
    ...over,
  });

  it('median takes the middle sample (mean of the middle two for an even count) and rejects no or broken samples', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.throws(() => median([]), /no samples/);
    assert.throws(() => median([1, NaN]), /non-finite/);
  });

  it('ratio, seconds per GB and spread; a zero denominator throws instead of printing Infinity', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.throws(() => ratio(1, 0), /non-positive denominator/);
    assert.equal(secondsPerGb(512, 10), 20);
    assert.equal(spread([100, 125, 110]), 0.25);
  });

  it('per-size figures are medians (an outlier run does not move them) and the ratios of those medians', () => {
    const f = sizeFigures(samples({}));
    assert.equal(f.rawScanS, 11);
    assert.equal(f.validateS, 10); // the 30 s outlier is ignored
    assert.equal(f.naiveS, 50);
    assert.equal(f.validateOverRaw, round3(10 / 11));
    assert.equal(f.validateOverRender, 1.25);
    assert.equal(f.naiveOverValidate, 5);
    assert.equal(f.validatePeakRssMb, 130);
    assert.equal(f.mbPerS.validate, 50);
    assert.equal(f.validateSPerGb, 20.48);
    assert.deepEqual(f.samples.validateS, [9, 30, 10]);
  });

  it('the results carry the required keys for the largest size, the scaling per size and the target verdicts', () => {
    const small = sizeFigures(
      samples({ sizeMb: 128, dataMb: 125, validateS: [2, 2, 2], validatePeakRssMb: [125, 125, 125] }),
    );
    const big = sizeFigures(samples({}));
    const r = buildResults({
      date: '2025-01-02T03:04:05.000Z',
      command: 'npm run bench',
      machine: {},
      repeat: 3,
      jobs: 4,
      sizes: [big, small],
      rehearsal: [{ phase: 'copy', seconds: 1.23456, detail: 'x' }],
    });
    for (const k of [
      'sizeMb',
      'rawScanS',
      'validateS',
      'naiveS',
      'validateOverRaw',
      'naiveOverValidate',
      'validatePeakRssMb',
    ] as const) {
      assert.equal(typeof r[k], 'number', k);
      assert.equal(r[k], big[k], k);
    }
    assert.deepEqual(
      r.scaling.map((s) => s.sizeMb),
      [128, 512],
    );
    assert.deepEqual(
      r.scaling.map((s) => s.validateSPerGb),
      [16.384, 20.48],
    );
    assert.equal(r.rehearsal[0].seconds, 1.235);
    assert.deepEqual(r.targets.validateOverRaw.met, true);
    assert.deepEqual(r.targets.naiveOverValidate.met, true);
    assert.equal(r.targets.validateRssFlat.spread, 0.04);
    assert.equal(r.targets.validateRssFlat.met, true);
    assert.equal(formatResults(r).includes('Where the time goes'), false);
    r.sizes[1].profile = [
      {
        table: 'public.app_versions',
        rows: 10,
        textMb: 1.5,
        avgRowBytes: 157286,
        renderMs: [100, 110],
        validateMs: [120, 125],
        naiveMs: [300, 290],
      },
    ];
    const text = formatResults(r);
    assert.match(text, /public\.app_versions\s+10\s+1\.5\s+157286\s+100 \/ 110\s+120 \/ 125\s+300 \/ 290/);
    assert.match(text, /validate \/ raw scan\s+= 0\.91 {2}\(target <= 1\.5: met\)/);
    assert.match(text, /naive \/ validate\s+= 5\.00 {2}\(target >= 5: met\)/);
  });

  it('verdicts say NOT met when validate is slow, naive is close, or memory grows with the size', () => {
    const a = sizeFigures(samples({ sizeMb: 128, validatePeakRssMb: [100, 100, 100] }));
    const b = sizeFigures(
      samples({ validateS: [20, 20, 20], naiveS: [30, 30, 30], validatePeakRssMb: [300, 300, 300] }),
    );
    const v = verdicts([a, b]);
    assert.equal(v.validateOverRaw.met, false);
    assert.equal(v.naiveOverValidate.met, false);
    assert.equal(v.validateRssFlat.met, false);
    assert.equal(verdicts([b]).validateRssFlat.met, null);
  });
});

describe('bench: the naive baseline compares for real', () => {
  it('comparePairs names every changed, missing and extra key, and refuses duplicate keys', () => {
    const src: Array<[string, string]> = [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ];
    assert.deepEqual(
      comparePairs('t', src, [
        ['3', 'c'],
        ['1', 'a'],
        ['2', 'b'],
      ]),
      [],
    );
    assert.deepEqual(
      comparePairs('t', src, [
        ['1', 'a'],
        ['2', 'X'],
        ['4', 'd'],
      ]),
      [
        { table: 't', key: '2', kind: 'changed' },
        { table: 't', key: '4', kind: 'extra on target' },
        { table: 't', key: '3', kind: 'missing on target' },
      ],
    );
    assert.throws(
      () =>
        comparePairs(
          't',
          [
            ['1', 'a'],
            ['1', 'b'],
          ],
          [],
        ),
      /duplicate key 1 in t on the source/,
    );
  });

  it('naiveSql needs a primary key and keys composite ones by their row text', () => {
    const t = { schema: 'public', name: 'x', columns: ['a', 'b'] };
    assert.throws(() => naiveSql(t, []), /public\.x has no primary key/);
    assert.match(
      naiveSql(t, ['a', 'b']),
      /SELECT ROW\(t\."a", t\."b"\)::text AS k, pg_catalog\.encode\(pg_catalog\.sha256/,
    );
  });

  describe('on PostgreSQL 13.21 and 16.9 with TLS', () => {
    let tls: TlsFixture;
    let servers: LocalServer[];
    let src: ConnectionTarget;
    let tgt: ConnectionTarget;
    const DDL = [
      `CREATE TABLE apps (id uuid PRIMARY KEY, name text, definition json, created_at timestamptz, updated_at timestamp)`,
      `INSERT INTO apps SELECT md5('app' || i)::uuid, 'App ' || i, json_build_object('pages', json_build_object('home', json_build_object('n', i, 'label', 'Grüße ' || i))),
         timestamptz '2024-01-01 00:00:00+00' + i * interval '1 hour', timestamp '2024-01-01' + i * interval '1 minute' FROM generate_series(1, 300) i`,
      `CREATE TABLE group_users (group_id int, user_id int, role text, PRIMARY KEY (group_id, user_id))`,
      `INSERT INTO group_users SELECT i % 7, i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'member' END FROM generate_series(1, 200) i`,
    ];

    async function exec(t: ConnectionTarget, ...sql: string[]): Promise<void> {
      const c = await connect(t);
      try {
        for (const s of sql) await c.query(s);
      } finally {
        await c.end();
      }
    }

    before(async () => {
      tls = makeTlsFixture();
      servers = await Promise.all([startServer(13, tls), startServer(16, tls)]);
      [src, tgt] = servers.map((s) =>
        withDatabase(resolveTarget(s.url('postgres', verifyFull(tls)), { env: {} }), 'nb'),
      );
      for (const t of [src, tgt]) {
        await exec(withDatabase(t, 'postgres'), 'CREATE DATABASE nb');
        await exec(t, ...DDL);
      }
      // The 16 side renders dates and floats differently by default: the pinned session settings must hide that.
      await exec(
        tgt,
        `ALTER DATABASE nb SET TimeZone = 'Asia/Kolkata'`,
        `ALTER DATABASE nb SET DateStyle = 'SQL, DMY'`,
      );
    });
    after(async () => {
      await Promise.all((servers ?? []).map((s) => s.stop()));
      tls?.cleanup();
    });

    it('equal data on 13.21 and 16.9: no difference, every row fetched from both sides; the scans agree too', async () => {
      const r = await naiveCompare(src, tgt, 2);
      assert.deepEqual(r.diffs, []);
      assert.equal(r.tables, 2);
      assert.equal(r.sourceRows, 500);
      assert.equal(r.targetRows, 500);
      const [count, text] = [await scanBoth(src, tgt, 'count', 2), await scanBoth(src, tgt, 'text', 2)];
      assert.equal(count.source, 500);
      assert.deepEqual(count.mismatches, []);
      assert.ok(text.source > 500 * 20, `text ${text.source}`);
      assert.deepEqual(text.mismatches, []);
      assert.deepEqual([...text.perTable.keys()].sort(), ['public.apps', 'public.group_users']);
      assert.deepEqual(
        text.perTable.get('public.group_users')!.value[0],
        text.perTable.get('public.group_users')!.value[1],
      );
      assert.deepEqual([...r.perTableMs.keys()].sort(), ['public.apps', 'public.group_users']);
    });

    it('validate through the real CLI passes on the same data, and its peak RSS is measured', async () => {
      const url = (s: LocalServer): string => s.url('nb', verifyFull(tls));
      const v = await runValidateCli(url(servers[0]), url(servers[1]), 2);
      assert.equal(v.exitCode, 0);
      assert.ok(v.peakRssMb > 20 && v.peakRssMb < 2048, `peak RSS ${v.peakRssMb} MB`);
      assert.ok(v.databaseSeconds > 0 && v.databaseSeconds < v.seconds, `${v.databaseSeconds} of ${v.seconds} s`);
    });

    it('a changed, a deleted and an inserted row on 16.9 are each reported with their key', async () => {
      await exec(
        tgt,
        `UPDATE apps SET definition = json_build_object('pages', json_build_object('home', json_build_object('n', 7, 'label', 'Grüsse 7'))) WHERE id = md5('app7')::uuid`,
        `DELETE FROM group_users WHERE group_id = 3 AND user_id = 10`,
        `INSERT INTO group_users VALUES (0, 1000, 'admin')`,
      );
      const r = await naiveCompare(src, tgt, 2);
      const byKind = (k: string): string[] => r.diffs.filter((d) => d.kind === k).map((d) => `${d.table} ${d.key}`);
      assert.deepEqual(byKind('changed'), [`public.apps ${await one(src, `SELECT md5('app7')::uuid::text AS v`)}`]);
      assert.deepEqual(byKind('missing on target'), ['public.group_users (3,10)']);
      assert.deepEqual(byKind('extra on target'), ['public.group_users (0,1000)']);
      assert.equal(r.diffs.length, 3);
    });

    async function one(t: ConnectionTarget, sql: string): Promise<string> {
      const c = await connect(t);
      try {
        return String((await c.query(sql)).rows[0].v);
      } finally {
        await c.end();
      }
    }
  });
});

describe('bench: config rendering phase', () => {
  it('renders all four targets for a database and CA bundle', () => {
    const tls = makeTlsFixture();
    try {
      const pem = require('fs').readFileSync(tls.ca.certFile, 'utf8') as string;
      const bytes = renderAllTargets(
        { host: 'localhost', port: 5432, user: 'postgres', database: 'tooljet', tooljetDatabase: 'tooljet_db' },
        pem,
      );
      assert.ok(bytes > 5000, `${bytes} bytes`);
    } finally {
      tls.cleanup();
    }
  });
});

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
