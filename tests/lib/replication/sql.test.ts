// The pure renderers of lib/replication/sql.ts, without a server: names, the subscription's conninfo (verify-full,
// quoting), its redaction, and the SQL. The runners are tested on real servers in tests/cli/replicate.test.ts.
import { strict as assert } from 'assert';
import { parseKeywordValue } from '../../../lib/pg/connection';
import {
  createPublicationSql,
  createSubscriptionSql,
  formatBytes,
  publicationDifference,
  publisherSide,
  redactConninfo,
  renderConninfo,
  slotName,
  subscriberSide,
} from '../../../lib/replication/sql';

describe('lib/replication/sql: names, conninfo and SQL', () => {
  it('names a slot per direction and database; names that do not fit are folded and hashed', () => {
    assert.equal(slotName('forward', 'tooljet'), 'tj_upgrade_tooljet');
    assert.equal(slotName('reverse', 'tooljet_db'), 'tj_upgrade_reverse_tooljet_db');
    const odd = slotName('forward', 'ToolJet-Prod');
    assert.match(odd, /^tj_upgrade_tooljet_prod_[0-9a-f]{8}$/);
    assert.notEqual(odd, slotName('forward', 'tooljet_prod'), 'folded names stay distinct');
    const long = slotName('reverse', 'x'.repeat(80));
    assert.ok(long.length <= 63 && /^[a-z0-9_]+$/.test(long), long);
    assert.equal(publisherSide('forward'), 'source');
    assert.equal(subscriberSide('forward'), 'target');
    assert.equal(publisherSide('reverse'), 'target');
  });

  it('renders a verify-full conninfo that libpq parses back to the same values, quotes included', () => {
    const c = renderConninfo({
      host: 'src.abc.us-east-1.rds.amazonaws.com',
      port: 5432,
      user: "tj repl'user",
      password: "p'a\\ss word",
      dbname: 'tooljet_db',
      sslrootcert: '/rdsdbdata/rds-metadata/server-cert.pem',
    });
    const kv = parseKeywordValue(c);
    assert.equal(kv.host, 'src.abc.us-east-1.rds.amazonaws.com');
    assert.equal(kv.user, "tj repl'user");
    assert.equal(kv.password, "p'a\\ss word");
    assert.equal(kv.sslmode, 'verify-full');
    assert.equal(kv.sslrootcert, '/rdsdbdata/rds-metadata/server-cert.pem');
    assert.equal(kv.dbname, 'tooljet_db');
    assert.ok(
      !(
        'password' in
        parseKeywordValue(renderConninfo({ host: 'h', port: 1, user: 'u', dbname: 'd', sslrootcert: '/c' }))
      ),
    );
    assert.throws(() => renderConninfo({ host: 'h', port: 1, user: 'u', dbname: 'd', sslrootcert: '' }), /CA file/);
    assert.throws(() => renderConninfo({ host: 'h', port: 70000, user: 'u', dbname: 'd', sslrootcert: '/c' }), /port/);
  });

  it('redacts the password from a conninfo, the SQL holding it, and an error echoing it', () => {
    const password = "s3cr'et\\pw";
    const conninfo = renderConninfo({ host: 'h', port: 5432, user: 'u', password, dbname: 'd', sslrootcert: '/c' });
    const sql = createSubscriptionSql('tj_upgrade', conninfo, 'tj_upgrade', {
      copyData: true,
      slotName: 'tj_upgrade_d',
    });
    for (const text of [conninfo, sql, `error: auth failed for ${password}`]) {
      const r = redactConninfo(text, password);
      assert.ok(!r.includes('s3cr'), r);
    }
    assert.match(redactConninfo(conninfo, password), /password=\*\*\* dbname='d' sslmode=verify-full/);
  });

  it('renders the publication FOR TABLE (never FOR ALL TABLES) and the subscription with its slot and copy_data', () => {
    assert.equal(
      createPublicationSql('tj_upgrade', [
        { schema: 'public', name: 'users' },
        { schema: 'My"Schema', name: 'a b' },
      ]),
      'CREATE PUBLICATION "tj_upgrade" FOR TABLE "public"."users", "My""Schema"."a b"',
    );
    assert.throws(() => createPublicationSql('p', []), /no table/);
    const sub = createSubscriptionSql('tj_upgrade_reverse', "host='h'", 'tj_upgrade_reverse', {
      copyData: false,
      slotName: 'tj_upgrade_reverse_tooljet',
    });
    assert.equal(
      sub,
      `CREATE SUBSCRIPTION "tj_upgrade_reverse" CONNECTION 'host=''h''' PUBLICATION "tj_upgrade_reverse" WITH (copy_data = false, create_slot = true, slot_name = 'tj_upgrade_reverse_tooljet')`,
    );
  });

  it('says which tables a publication lacks or lists in excess', () => {
    const t = (name: string) => ({ schema: 'public', name });
    assert.equal(publicationDifference([t('a'), t('b')], [t('b'), t('a')]), '');
    assert.equal(
      publicationDifference([t('a'), t('b')], [t('a'), t('c')]),
      'not listed: "public"."b"; listed but not a table to publish: "public"."c"',
    );
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3 * 1048576), '3.0 MB');
  });
});
