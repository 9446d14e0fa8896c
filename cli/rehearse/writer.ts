// Simulated ToolJet traffic on the fixture source while the clone replicates: in the ToolJet database an audit log
// row inserted, an app touched and (every 5th time) the oldest audit row deleted; in the ToolJet Database an order
// inserted (a serial id, so its sequence moves) and a product's price changed. One transaction per database per tick.
// The last statement of every transaction inserts a row whose id is remembered: once the clone shows the last one,
// it has applied everything before it (a subscription applies transactions in commit order).
import { Client } from 'pg';
import { TOOLJET_DB_NAMES } from '../../lib/fixture';
import { connect, ConnectionTarget, withDatabase } from '../../lib/pg/connection';

export interface WriterStats {
  /** Committed transactions per database. */
  transactions: Record<string, number>;
  /** Statements committed, by kind. */
  statements: { inserts: number; updates: number; deletes: number };
  /** The last row each database committed: table and id. */
  markers: { database: string; table: string; id: string }[];
  seconds: number;
}

const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
export const ORDERS_TABLE = `${q(TOOLJET_DB_NAMES.schema)}.${q(TOOLJET_DB_NAMES.orders)}`;
export const PRODUCTS_TABLE = `${q(TOOLJET_DB_NAMES.schema)}.${q(TOOLJET_DB_NAMES.products)}`;

export class TrafficWriter {
  private running = false;
  private loop?: Promise<void>;
  private error?: unknown;
  private readonly stats: WriterStats = {
    transactions: {},
    statements: { inserts: 0, updates: 0, deletes: 0 },
    markers: [],
    seconds: 0,
  };
  private started = 0;

  constructor(
    private readonly source: ConnectionTarget,
    private readonly mainDb: string,
    private readonly tooljetDb: string,
    private readonly intervalMs = 20,
  ) {}

  async start(): Promise<void> {
    const [main, tj] = await Promise.all([
      connect(withDatabase(this.source, this.mainDb)),
      connect(withDatabase(this.source, this.tooljetDb)),
    ]);
    this.running = true;
    this.started = Date.now();
    this.loop = this.run(main, tj).finally(async () => {
      await Promise.all([main.end().catch(() => undefined), tj.end().catch(() => undefined)]);
    });
  }

  private async tx(
    c: Client,
    db: string,
    table: string,
    statements: Array<[string, unknown[], keyof WriterStats['statements']]>,
    marker: [string, unknown[]],
  ): Promise<void> {
    await c.query('BEGIN');
    try {
      for (const [sql, params, kind] of statements) {
        const r = await c.query(sql, params);
        this.stats.statements[kind] += r.rowCount ?? 0;
      }
      const id = String((await c.query(marker[0], marker[1])).rows[0].id);
      await c.query('COMMIT');
      this.stats.statements.inserts++;
      this.stats.transactions[db] = (this.stats.transactions[db] ?? 0) + 1;
      const m = this.stats.markers.find((x) => x.database === db);
      if (m) m.id = id;
      else this.stats.markers.push({ database: db, table, id });
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async run(main: Client, tj: Client): Promise<void> {
    let n = 0;
    try {
      while (this.running) {
        n++;
        const mainStatements: Array<[string, unknown[], keyof WriterStats['statements']]> = [
          [
            `UPDATE public.apps SET is_maintenance_on = NOT is_maintenance_on, updated_at = now()
             WHERE id = (SELECT id FROM public.apps ORDER BY id OFFSET $1 LIMIT 1)`,
            [n % 4],
            'updates',
          ],
        ];
        if (n % 5 === 0) {
          mainStatements.push([
            `DELETE FROM public.audit_logs WHERE id = (SELECT id FROM public.audit_logs ORDER BY created_at, id LIMIT 1)`,
            [],
            'deletes',
          ]);
        }
        await this.tx(main, this.mainDb, 'public.audit_logs', mainStatements, [
          `INSERT INTO public.audit_logs (organization_id, resource_type, action_type, ip_address, metadata)
             SELECT id, 'APP', 'APP_UPDATE', '10.0.0.1', jsonb_build_object('rehearsal', true, 'tick', $1::int)
             FROM public.organizations ORDER BY id LIMIT 1
           RETURNING id`,
          [n],
        ]);
        await this.tx(
          tj,
          this.tooljetDb,
          `${TOOLJET_DB_NAMES.schema}.${TOOLJET_DB_NAMES.orders}`,
          [
            [
              `UPDATE ${PRODUCTS_TABLE} SET price = price + 1 WHERE id = (SELECT min(id) FROM ${PRODUCTS_TABLE}) + $1`,
              [n % 10],
              'updates',
            ],
          ],
          [
            `INSERT INTO ${ORDERS_TABLE} (product_id, quantity, ordered_at, note)
              VALUES ((SELECT min(id) FROM ${PRODUCTS_TABLE}), 1 + $1::int % 5, now(), 'rehearsal') RETURNING id`,
            [n],
          ],
        );
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    } catch (err) {
      this.error = err;
    }
  }

  /** Stops writing; resolves once the last transaction has committed. Throws if the writer had failed. */
  async stop(): Promise<WriterStats> {
    this.running = false;
    await this.loop;
    this.stats.seconds = (Date.now() - this.started) / 1000;
    if (this.error)
      throw new Error(`the simulated ToolJet writes on the source failed: ${(this.error as Error).message}`);
    return this.stats;
  }
}

/** Polls the clone until every marker row is visible; resolves with the seconds it took. */
export async function waitForMarkers(
  clone: ConnectionTarget,
  markers: WriterStats['markers'],
  sleep: (ms: number) => Promise<void>,
  timeoutMs = 120_000,
): Promise<number> {
  const started = Date.now();
  for (const m of markers) {
    const c = await connect(withDatabase(clone, m.database));
    try {
      const [schema, table] = m.table.split('.');
      for (;;) {
        const r = await c.query(`SELECT 1 FROM ${q(schema)}.${q(table)} WHERE id = $1`, [m.id]);
        if (r.rowCount) break;
        if (Date.now() - started > timeoutMs)
          throw new Error(
            `the clone did not catch up within ${timeoutMs / 1000} s: ${m.database} ${m.table} id ${m.id} never arrived`,
          );
        await sleep(5);
      }
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  return (Date.now() - started) / 1000;
}
