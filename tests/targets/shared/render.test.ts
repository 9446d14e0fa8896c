import { strict as assert } from 'assert';
import { percentEncode } from '../../../lib/percent-encode';
import { postgrestUri, tooljetDatabaseEnv } from '../../../targets/shared/database-env';
import { resolveDatabaseTarget } from '../../../targets/shared/render';
import { AWKWARD_PASSWORD, CLONE } from '../../helpers/targets';

describe('targets/shared/render and database-env: what every renderer shares', () => {
  it('renders the ToolJet database environment without passwords, PGSSLMODE=verify-full and both CA variables', () => {
    assert.deepEqual(
      tooljetDatabaseEnv(
        { ...CLONE, tooljetDbHost: 'other.example.com', tooljetDbPort: 6432, tooljetDbUser: 'tjdb' },
        '/certs/global-bundle.pem',
      ),
      {
        PG_HOST: CLONE.host,
        PG_PORT: '5432',
        PG_USER: 'tooljet_app',
        PG_DB: 'tooljet_prod',
        TOOLJET_DB: 'tooljet_db',
        TOOLJET_DB_HOST: 'other.example.com',
        TOOLJET_DB_PORT: '6432',
        TOOLJET_DB_USER: 'tjdb',
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: '/certs/global-bundle.pem',
        NODE_EXTRA_CA_CERTS: '/certs/global-bundle.pem',
      },
    );
  });

  it('builds the PostgREST URI with percent-encoded credentials that URL parsers decode back', () => {
    const uri = postgrestUri(
      { ...CLONE, tooljetDbUser: 'tj.user' },
      { caPath: '/certs/global-bundle.pem', password: AWKWARD_PASSWORD },
    );
    const u = new URL(uri);
    assert.equal(decodeURIComponent(u.username), 'tj.user');
    assert.equal(decodeURIComponent(u.password), AWKWARD_PASSWORD);
    assert.equal(u.hostname, CLONE.host);
    assert.equal(u.port, '5432');
    assert.equal(u.pathname, '/tooljet_db');
    assert.deepEqual(Object.fromEntries(u.searchParams), {
      sslmode: 'verify-full',
      sslrootcert: '/certs/global-bundle.pem',
    });
    assert.equal(percentEncode('é /'), '%C3%A9%20%2F');
    assert.equal(
      postgrestUri(CLONE, { caPath: '/c/b.pem' }),
      `postgres://tooljet_app@${CLONE.host}:5432/tooljet_db?sslmode=verify-full&sslrootcert=/c/b.pem`,
    );
  });

  it('rejects bad database targets with a message that says what to fix', () => {
    assert.throws(
      () => resolveDatabaseTarget({ ...CLONE, host: 'https://db.example.com' }),
      /not a valid DNS host name \(give the endpoint address without port or scheme\)/,
    );
    assert.throws(() => resolveDatabaseTarget({ ...CLONE, host: 'db.example.com:5432' }), /not a valid DNS host name/);
    assert.throws(() => resolveDatabaseTarget({ ...CLONE, port: 0 }), /database\.port must be an integer port/);
    assert.throws(
      () => resolveDatabaseTarget({ ...CLONE, user: 'x; drop' }),
      /database\.user must be a plain PostgreSQL name/,
    );
    assert.throws(
      () => resolveDatabaseTarget({ ...CLONE, tooljetDatabase: 'tooljet_prod' }),
      /TOOLJET_DB\) must differ/,
    );
    assert.throws(() => tooljetDatabaseEnv(CLONE, 'certs/global-bundle.pem'), /caPath must be a plain absolute path/);
    assert.equal(resolveDatabaseTarget({ ...CLONE, host: '10.0.1.15' }).host, '10.0.1.15');
  });
});
