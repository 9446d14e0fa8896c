// Rows: per table, the row count and an order-independent checksum (count + sum of a 64-bit hash of each row's
// text form, computed on the servers; see read/content.ts), source against target, on all snapshot sessions at once.
// Two results from one pass over the tables: "row counts" and "content checksums". A table that cannot be compared
// (missing, columns differ, populated on one side only, not readable, or row-level security hiding rows from the
// validating role: filtered rows are never compared as if they were all) fails both, named, with the fix. A
// materialized view populated on neither side has nothing to compare and passes; a table whose rows are too big for
// one text value (over 1 GB) is hashed per column on both sides.
import type { CompareCheck } from '../check';
import { dataDifference } from '../check';
import { key, listTables, pairSums, planComparison, TableComparison } from '../read/content';
import { check, CheckResult } from '../report';
import { runPaired } from '../session';

export const rowContent: CompareCheck = {
  name: 'row counts and content checksums',
  reads: 'both',
  async run(ctx) {
    const { label } = ctx;
    ctx.progress(`${label}: counting and hashing rows`);
    const [stab, ttab] = [await listTables(ctx.source.clients[0]), await listTables(ctx.target.clients[0])];
    const plan = planComparison(stab, ttab);
    const results = new Map<string, TableComparison>();
    await runPaired(plan.work, ctx.source.clients, ctx.target.clients, async (t, sc, tc) => {
      const [a, b] = await pairSums(sc, tc, t);
      if ('error' in a || 'error' in b) {
        const why = 'error' in a ? `source: ${a.error}` : `target: ${(b as { error: string }).error}`;
        results.set(key(t), { table: key(t), skipped: `cannot read (${why})` });
      } else results.set(key(t), { table: key(t), source: a, target: b });
    });
    const tables = ctx.tables;
    tables.push(...plan.work.map((t) => results.get(key(t))!), ...plan.skipped, ...plan.empty);
    tables.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    const compared = tables.filter((t) => t.source && t.target);
    const countDiffs = compared.filter((t) => t.source!.rows !== t.target!.rows);
    const sumDiffs = compared.filter((t) => t.source!.sum !== t.target!.sum);
    const notCompared = tables.filter((t) => t.skipped).map((t) => `not compared: ${t.table} (${t.skipped})`);
    const totalRows = compared.reduce((s, t) => s + t.source!.rows, 0);
    const empty = plan.empty.length
      ? `; ${plan.empty.length} materialized view(s) populated on neither side (nothing to compare)`
      : '';
    const perColumn = compared.filter((t) => t.source!.hashing === 'columns').map((t) => t.table);
    const columnsNote = perColumn.length
      ? `; ${perColumn.length} table(s) hashed per column (a row's text form exceeds 1 GB): ${perColumn.join(', ')}`
      : '';
    // With a live source, data differences are the writes since the snapshot: named, but not a failure.
    const diff = dataDifference(ctx.options);
    const out: CheckResult[] = [];
    if (countDiffs.length) {
      out.push(
        check(
          'row counts',
          diff.status,
          `${countDiffs.length} of ${compared.length} tables have a different number of rows${diff.since}`,
          [
            ...countDiffs.map(
              (t) =>
                `${t.table}: source ${t.source!.rows} rows, target ${t.target!.rows} (${t.target!.rows - t.source!.rows >= 0 ? '+' : ''}${t.target!.rows - t.source!.rows})`,
            ),
            ...notCompared,
          ],
          label,
        ),
      );
    } else {
      out.push(
        check(
          'row counts',
          notCompared.length ? 'fail' : 'pass',
          `${compared.length} tables, ${totalRows} rows, equal on both sides${notCompared.length ? `; ${notCompared.length} not compared` : ''}${empty}`,
          notCompared,
          label,
        ),
      );
    }
    if (sumDiffs.length) {
      out.push(
        check(
          'content checksums',
          diff.status,
          `${sumDiffs.length} of ${compared.length} tables differ in content (count + sum of a 64-bit hash per row)${diff.since}`,
          sumDiffs.map(
            (t) =>
              `${t.table}: content differs${t.source!.rows === t.target!.rows ? ` (same row count ${t.source!.rows}: a row was changed)` : ` (rows ${t.source!.rows} vs ${t.target!.rows})`}`,
          ),
          label,
        ),
      );
    } else {
      out.push(
        check(
          'content checksums',
          notCompared.length ? 'fail' : 'pass',
          `${compared.length} tables identical in content${notCompared.length ? `; ${notCompared.length} not compared` : ''}${columnsNote}`,
          notCompared,
          label,
        ),
      );
    }
    return out;
  },
};
