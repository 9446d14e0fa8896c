// Large objects (pg_largeobject_metadata and their data), source against target: the same OIDs (pg_dump and
// pg_upgrade keep them, and tables refer to large objects by OID), the same owner and privileges, and the same bytes:
// per object its size and an md5 over the md5 of each 1 MB chunk, read with lo_get (so an object of any size, even
// over 1 GB, is hashed without building one huge value). Read inside the snapshot transactions.
//
// Reading a large object needs SELECT on it (or ownership, superuser, or lo_compat_privileges = on). One the
// validating role may not read is not compared and fails, named, with what to do; it never passes unread.
import type { Client } from 'pg';
import type { CompareCheck } from '../check';
import { aclTextSql } from '../read/acl';
import { identSql } from '../read/names';
import { check } from '../report';

const CHUNK = 1024 * 1024;

/** Owner, privileges, size and content hash of the large objects selected by `where` (on pg_largeobject_metadata m). */
export function largeObjectsSql(where = 'true'): string {
  return `
SELECT m.oid::text AS oid, ${identSql('pg_catalog.pg_get_userbyid(m.lomowner)')} AS owner,
       ${aclTextSql("coalesce(m.lomacl, pg_catalog.acldefault('L', m.lomowner))", 'm.lomowner')} AS acl,
       s.size::text AS size,
       (SELECT pg_catalog.md5(coalesce(string_agg(pg_catalog.md5(pg_catalog.lo_get(m.oid, g * ${CHUNK}, ${CHUNK})), '' ORDER BY g), ''))
        FROM pg_catalog.generate_series(0::int8, (s.size - 1) / ${CHUNK}) g) AS hash
FROM pg_catalog.pg_largeobject_metadata m,
     LATERAL (SELECT pg_catalog.lo_lseek64(f.fd, 0, 2) AS size, pg_catalog.lo_close(f.fd) AS closed
              FROM (SELECT pg_catalog.lo_open(m.oid, 262144) AS fd) f) s
WHERE ${where}
ORDER BY m.oid`;
}

interface LoRow {
  oid: string;
  owner: string;
  acl: string;
  size: string;
  hash: string;
}

export interface LargeObjects {
  objects: Map<string, LoRow>;
  /** OIDs this role may not read, with the server's reason. */
  unreadable: Map<string, string>;
}

/** Every large object; when one cannot be read, each is read on its own (in a savepoint) to name those that cannot. */
export async function readLargeObjects(c: Client): Promise<LargeObjects> {
  const out: LargeObjects = { objects: new Map(), unreadable: new Map() };
  await c.query('SAVEPOINT tj_lo');
  try {
    for (const r of (await c.query<LoRow>(largeObjectsSql())).rows) out.objects.set(r.oid, r);
    await c.query('RELEASE SAVEPOINT tj_lo');
    return out;
  } catch (err) {
    await c.query('ROLLBACK TO SAVEPOINT tj_lo');
    if ((err as { code?: string }).code !== '42501') throw err;
  }
  const oids = (
    await c.query<{ oid: string }>('SELECT oid::text AS oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid')
  ).rows;
  for (const { oid } of oids) {
    await c.query('SAVEPOINT tj_lo');
    try {
      const r = (await c.query<LoRow>(largeObjectsSql('m.oid = $1::oid'), [oid])).rows[0];
      if (r) out.objects.set(oid, r);
      await c.query('RELEASE SAVEPOINT tj_lo');
    } catch (err) {
      await c.query('ROLLBACK TO SAVEPOINT tj_lo');
      out.unreadable.set(oid, (err as Error).message);
    }
  }
  return out;
}

export const largeObjects: CompareCheck = {
  name: 'large objects',
  reads: 'both',
  async run(ctx) {
    ctx.progress(`${ctx.label}: comparing large objects`);
    const [s, t] = [await readLargeObjects(ctx.source.clients[0]), await readLargeObjects(ctx.target.clients[0])];
    const problems: string[] = [];
    const all = new Set([...s.objects.keys(), ...s.unreadable.keys()]);
    const tall = new Set([...t.objects.keys(), ...t.unreadable.keys()]);
    for (const oid of all) {
      if (!tall.has(oid)) {
        problems.push(`missing on target: large object ${oid}`);
        continue;
      }
      const why = s.unreadable.get(oid) ?? t.unreadable.get(oid);
      if (why) {
        problems.push(
          `not compared: large object ${oid} (${s.unreadable.has(oid) ? 'source' : 'target'}: ${why}): validate as its owner or a superuser, or GRANT SELECT ON LARGE OBJECT ${oid} to the validating role`,
        );
        continue;
      }
      const [a, b] = [s.objects.get(oid)!, t.objects.get(oid)!];
      if (a.size !== b.size || a.hash !== b.hash)
        problems.push(
          `differs: large object ${oid}: ${a.size === b.size ? `same size ${a.size} bytes, different content` : `size ${a.size} bytes on the source, ${b.size} on the target`}`,
        );
      if (a.owner !== b.owner)
        problems.push(`differs: large object ${oid}: owner ${a.owner} on the source, ${b.owner} on the target`);
      if (a.acl !== b.acl)
        problems.push(`differs: large object ${oid}: privileges source "${a.acl}" | target "${b.acl}"`);
    }
    for (const oid of tall) if (!all.has(oid)) problems.push(`extra on target: large object ${oid}`);
    const bytes = [...s.objects.values()].reduce((n, r) => n + Number(r.size), 0);
    return problems.length
      ? [
          check(
            'large objects',
            'fail',
            `${problems.length} problem(s) among ${all.size} large objects on the source (OID, size, content md5 per 1 MB chunk, owner, privileges)`,
            problems,
            ctx.label,
          ),
        ]
      : [
          check(
            'large objects',
            'pass',
            `${all.size} large objects identical (${bytes} bytes; OID, size, content, owner, privileges)`,
            [],
            ctx.label,
          ),
        ];
  },
};
