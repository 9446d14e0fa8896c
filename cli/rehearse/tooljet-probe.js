// Connects to ToolJet's two databases exactly the way ToolJet's server does (server/ormconfig.ts through TypeORM's
// postgres driver): host/port/user/password/database from PG_* and TOOLJET_DB_*, a 5 s connect timeout and NO `ssl`
// option, so node-postgres decides TLS from PGSSLMODE and trusts Node's CAs plus NODE_EXTRA_CA_CERTS. Run as a
// separate `node` process whose environment is only what the .env gives (NODE_EXTRA_CA_CERTS is read at start).
// Prints one JSON line: { main: {...}, tooljetDb: {...} } or { error, code }.
// Usage: node tooljet-probe.js <path of the pg module>
'use strict';
const { Client } = require(process.argv[2]);
const e = process.env;
const QUERY = `SELECT s.ssl, s.version AS protocol, current_database() AS db, current_user AS "user",
  current_setting('server_version') AS version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()`;

async function probe(cfg) {
  const c = new Client(cfg);
  await c.connect();
  try {
    const row = (await c.query(QUERY)).rows[0];
    const stream = c.connection.stream;
    return { ...row, authorized: stream && stream.authorized === true, servername: stream && stream.servername };
  } finally {
    await c.end();
  }
}

(async () => {
  const main = {
    host: e.PG_HOST,
    port: +e.PG_PORT || 5432,
    user: e.PG_USER,
    password: e.PG_PASS,
    database: e.PG_DB,
    connectionTimeoutMillis: 5000,
  };
  const tooljetDb = {
    host: e.TOOLJET_DB_HOST,
    port: +e.TOOLJET_DB_PORT || 5432,
    user: e.TOOLJET_DB_USER,
    password: e.TOOLJET_DB_PASS,
    database: e.TOOLJET_DB,
    connectionTimeoutMillis: 5000,
  };
  console.log(JSON.stringify({ main: await probe(main), tooljetDb: await probe(tooljetDb) }));
})().catch((err) => {
  console.log(JSON.stringify({ error: String(err && err.message), code: err && err.code }));
  process.exit(1);
});
