// TLS on each side's main session: encrypted, certificate chain verified and host name checked (verify-full), with
// what pg_stat_ssl reports. --insecure allows a plain-text connection; this check then fails.
import type { Client } from 'pg';
import { ConnectionTarget, tlsInfo } from '../../lib/pg/connection';
import type { ServerCheck, ServerSide } from '../check';
import { check, CheckResult } from '../report';
import type { ServerFacts } from '../session';

export function tlsCheck(
  side: 'source' | 'target',
  c: Client,
  t: ConnectionTarget,
  server: Pick<ServerFacts, 'ssl'>,
): CheckResult {
  const info = tlsInfo(c, t);
  const name = `TLS (${side})`;
  if (!info.encrypted || !server.ssl) {
    return check(
      name,
      'fail',
      `${t.endpoint}: the connection is NOT encrypted (plain text allowed by --insecure). Use sslmode=verify-full with sslrootcert=<CA bundle>.`,
    );
  }
  if (!info.verified) return check(name, 'fail', `${t.endpoint}: TLS is in use but the certificate was not verified`);
  return check(
    name,
    'pass',
    `${t.endpoint}: ${server.ssl.version} ${server.ssl.cipher} (${server.ssl.bits} bits, per pg_stat_ssl); certificate "${info.subject}" issued by "${info.issuer}", chain verified against ${info.trustedCas}, host name "${info.checkedName}" checked (verify-full)`,
  );
}

export const tls: ServerCheck = {
  name: 'TLS',
  async run(ctx) {
    const sides = [ctx.source, ctx.target].filter((s): s is ServerSide => !!s);
    return sides.map((s) => tlsCheck(s.side, s.client, s.connection, s.facts));
  },
};
