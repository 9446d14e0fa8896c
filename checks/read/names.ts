// How the checks name database objects, as keys and in reports: each part of a qualified name (schema, table,
// column, ...) is shown as is when it is a plain lower-case identifier and double-quoted otherwise, the parts joined
// with dots. Quoting every part that holds anything else (a dot, a quote, upper case, a space, non-ASCII) makes the
// joined text unambiguous: schema "a.b" table c is `"a.b".c`, schema a table "b.c" is `a."b.c"`, never both "a.b.c".
// The SQL and the TypeScript forms below give the same text for the same name, so keys built on the server and in
// the client can be compared.

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

/** One part of a name: as is when plain, else double-quoted with inner quotes doubled. */
export function ident(part: string): string {
  return PLAIN.test(part) ? part : `"${part.replace(/"/g, '""')}"`;
}

/** A qualified name, e.g. qualified('Geo.Data', 'place') = '"Geo.Data".place'. */
export function qualified(...parts: string[]): string {
  return parts.map(ident).join('.');
}

/** ident() in SQL, for a text or name expression. */
export function identSql(expr: string): string {
  return `(CASE WHEN ${expr} ~ '^[a-z_][a-z0-9_$]*$' THEN ${expr}::text ELSE '"' || pg_catalog.replace(${expr}::text, '"', '""') || '"' END)`;
}

/** qualified() in SQL. */
export function qualifiedSql(...exprs: string[]): string {
  return exprs.map(identSql).join(` || '.' || `);
}
