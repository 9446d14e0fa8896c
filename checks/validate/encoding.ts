// Database encoding and locale on both sides: different encodings would change the bytes that are hashed; a
// different locale changes text sort order only (a warning).
import type { CompareCheck } from '../check';
import { check } from '../report';

export const ENCODING_SQL = `SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate, datctype FROM pg_catalog.pg_database WHERE datname = current_database()`;

export const encoding: CompareCheck = {
  name: 'database encoding',
  reads: 'both',
  async run(ctx) {
    const [s, t] = [
      (await ctx.source.clients[0].query(ENCODING_SQL)).rows[0],
      (await ctx.target.clients[0].query(ENCODING_SQL)).rows[0],
    ];
    const name = 'database encoding';
    if (s.encoding !== t.encoding) {
      return [
        check(
          name,
          'fail',
          `source encoding ${s.encoding}, target ${t.encoding}: create the target database with ENCODING '${s.encoding}'`,
          [],
          ctx.label,
        ),
      ];
    }
    if (s.datcollate !== t.datcollate || s.datctype !== t.datctype) {
      return [
        check(
          name,
          'warn',
          `encoding ${s.encoding} on both; locale differs (source collate ${s.datcollate}/ctype ${s.datctype}, target ${t.datcollate}/${t.datctype}): text sort order may differ`,
          [],
          ctx.label,
        ),
      ];
    }
    return [check(name, 'pass', `${s.encoding}, collate ${s.datcollate}, ctype ${s.datctype} on both`, [], ctx.label)];
  },
};
