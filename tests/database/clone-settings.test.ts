// What the clone takes from the source unless configured (port, RDS CA), and the zone/Multi-AZ combination RDS refuses
// ("You can't specify the AvailabilityZone parameter if the DB instance is a Multi-AZ deployment.",
// RestoreDBInstanceFromDBSnapshot API reference, AvailabilityZone), as a table over the pure function.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { cloneSourceSettings, CloneSourceFacts, CloneSourceInput } from '../../database/clone-settings';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { CaBundle, parseCaBundle } from '../../lib/tls/ca-bundle';
import { testCaBundle } from '../helpers/program';

const SOURCE: CloneSourceFacts = {
  identifier: 'tooljet-prod-db',
  port: 5433,
  caCertIdentifier: 'rds-ca-rsa2048-g1',
  multiAz: true,
};

function bundle(): CaBundle {
  const parsed = parseCaBundle(fs.readFileSync(testCaBundle(), 'utf8'), { path: 'certs/global-bundle.pem' });
  assert.ok(parsed.ok);
  return parsed.bundle;
}

function settings(c: Partial<CloneSourceInput>, source: Partial<CloneSourceFacts> = {}, b: CaBundle = bundle()) {
  return cloneSourceSettings({ production: false, ...c }, { ...SOURCE, ...source }, b, 'certs/global-bundle.pem');
}

describe('database/clone-settings: what the clone takes from the source', () => {
  it("port: the source's unless database.port is set", () => {
    assert.equal(settings({}).settings.port, 5433);
    assert.equal(settings({ port: 6000 }).settings.port, 6000);
  });

  it("CA: the source's unless clone.caCertIdentifier is set", () => {
    assert.equal(settings({}).settings.caCertIdentifier, 'rds-ca-rsa2048-g1');
    assert.equal(settings({ caCertIdentifier: 'rds-ca-rsa4096-g1' }).settings.caCertIdentifier, 'rds-ca-rsa4096-g1');
  });

  it("refuses the source's CA when caBundle holds no root of it (ToolJet could not verify the clone), in one line", () => {
    const r = settings({}, { caCertIdentifier: 'rds-ca-ecc384-g1' });
    assert.equal(r.problems.length, 1);
    assert.match(
      r.problems[0],
      /^tooljet-pg-upgrade:caBundle: the clone takes the RDS CA of the source "tooljet-prod-db" \(clone\.caCertIdentifier unset\): certs\/global-bundle\.pem has no root of rds-ca-ecc384-g1 .*; or set clone\.caCertIdentifier to a CA whose root caBundle holds$/,
    );
    assert.ok(!r.problems[0].includes('\n'));
    // With the root in the bundle it passes.
    const dir = fs.mkdtempSync(path.join(path.dirname(testCaBundle()), 'ecc-'));
    const ecc = createCertificateAuthority(dir, 'Amazon RDS us-east-1 Root CA ECC384 G1', 30, { exactName: true });
    const parsed = parseCaBundle(fs.readFileSync(ecc.certFile, 'utf8'));
    assert.ok(parsed.ok);
    assert.deepEqual(settings({}, { caCertIdentifier: 'rds-ca-ecc384-g1' }, parsed.bundle).problems, []);
    // A configured CA was checked by the configuration already: not again here.
    assert.deepEqual(
      settings({ caCertIdentifier: 'rds-ca-rsa2048-g1' }, { caCertIdentifier: 'rds-ca-ecc384-g1' }).problems,
      [],
    );
  });

  it('a zone with a Multi-AZ clone is refused, also when multiAz is unset and a production clone follows a Multi-AZ source', () => {
    const table: Array<{ c: Partial<CloneSourceInput>; multiAz: boolean; refused: boolean }> = [
      { c: { production: true, availabilityZone: 'us-east-1a' }, multiAz: true, refused: true },
      { c: { production: true, availabilityZone: 'us-east-1a', multiAz: false }, multiAz: false, refused: false },
      { c: { production: false, availabilityZone: 'us-east-1a' }, multiAz: false, refused: false },
      { c: { production: true }, multiAz: true, refused: false },
      { c: { production: false }, multiAz: false, refused: false },
      { c: { production: false, multiAz: true }, multiAz: true, refused: false },
    ];
    for (const t of table) {
      const r = settings(t.c);
      assert.equal(r.settings.multiAz, t.multiAz, JSON.stringify(t.c));
      assert.equal(r.problems.length, t.refused ? 1 : 0, JSON.stringify(t.c));
      if (t.refused)
        assert.equal(
          r.problems[0],
          'tooljet-pg-upgrade:clone.availabilityZone: "us-east-1a" cannot be used for a Multi-AZ clone (clone.multiAz is unset, so a production clone follows the source "tooljet-prod-db", which is Multi-AZ), and RDS refuses an AvailabilityZone for a Multi-AZ instance; remove clone.availabilityZone or set clone.multiAz: false',
        );
    }
  });
});
