import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import type * as aws from '@pulumi/aws';
import type * as command from '@pulumi/command';
import type * as k8s from '@pulumi/kubernetes';
import type { Unwrap } from '@pulumi/pulumi';
import { noNodeTlsRejectUnauthorized, noWeakSslMode, TYPES } from '../../policy/policies';
import { decodeBase64Text, findWeakSslMode, renderedText } from '../../policy/rendered-config';
import { base64, Resource, runPolicy, secret, UNKNOWN } from './harness';

type ContainerDefinition = Unwrap<aws.ecs.ContainerDefinition>;
type Props = Record<string, unknown>;
const asProps = (p: object): Props => p as Props;

const PASSWORD = 'Sup3r-s3cret-pw';
const GOOD_URI = `postgres://authenticator:${PASSWORD}@db.internal:5432/tooljet_db?sslmode=verify-full&sslrootcert=/certs/global-bundle.pem`;

const goodEnv = [
  { name: 'PGSSLMODE', value: 'verify-full' },
  { name: 'PGSSLROOTCERT', value: '/certs/global-bundle.pem' },
  { name: 'NODE_EXTRA_CA_CERTS', value: '/certs/global-bundle.pem' },
];

function ecs(containers: ContainerDefinition[]): Resource {
  const props: Unwrap<aws.ecs.TaskDefinitionArgs> = {
    family: 'tooljet',
    containerDefinitions: JSON.stringify(containers),
  };
  return { type: TYPES.ecsTaskDefinition, props: asProps(props), name: 'tooljet' };
}

function deployment(env: { name: string; value: string }[], patch = false): Resource {
  const props: Unwrap<k8s.apps.v1.DeploymentArgs> = {
    metadata: { name: 'tooljet' },
    spec: {
      selector: { matchLabels: { app: 'tooljet' } },
      template: {
        metadata: { labels: { app: 'tooljet' } },
        spec: { containers: [{ name: 'tooljet', image: 'tooljet/tooljet:ee-lts-latest', env }] },
      },
    },
  };
  return { type: patch ? TYPES.k8sDeploymentPatch : TYPES.k8sDeployment, props: asProps(props), name: 'tooljet' };
}

function launchTemplate(userData: string): Resource {
  const props: Unwrap<aws.ec2.LaunchTemplateArgs> = { namePrefix: 'tooljet-', imageId: 'ami-123', userData };
  return { type: TYPES.ec2LaunchTemplate, props: asProps(props), name: 'tooljet' };
}

const userDataScript = (lines: string[]) =>
  [
    '#!/bin/bash',
    'set -euo pipefail',
    'cat > /home/ubuntu/app/.env <<EOF',
    ...lines,
    'EOF',
    'systemctl restart nest',
  ].join('\n');

async function both(r: Resource) {
  return { nodeTls: await runPolicy(noNodeTlsRejectUnauthorized, r), sslmode: await runPolicy(noWeakSslMode, r) };
}

describe('policy: no-weak-sslmode and no-node-tls-reject-unauthorized', () => {
  describe('ECS task definitions', () => {
    it('pass ToolJet with PGSSLMODE=verify-full + NODE_EXTRA_CA_CERTS and PostgREST with verify-full', async () => {
      const r = ecs([
        { name: 'tooljet', image: 'tooljet/tooljet:ee-lts-latest', environment: goodEnv },
        {
          name: 'postgrest',
          image: 'postgrest/postgrest:v12.2.0',
          environment: [{ name: 'PGRST_DB_URI', value: GOOD_URI }],
        },
      ]);
      assert.deepEqual(await both(r), { nodeTls: { violations: [] }, sslmode: { violations: [] } });
    });

    it('flag sslmode=prefer inside a URI with other parameters, in the sidecar only, without printing the URI', async () => {
      const uri = `postgres://authenticator:${PASSWORD}@db:5432/tooljet_db?application_name=postgrest&sslmode=prefer&connect_timeout=10`;
      const r = ecs([
        { name: 'tooljet', image: 'tooljet/tooljet:ee-lts-latest', environment: goodEnv },
        {
          name: 'postgrest',
          image: 'postgrest/postgrest:v12.2.0',
          environment: [{ name: 'PGRST_DB_URI', value: uri }],
        },
      ]);
      const { sslmode, nodeTls } = await both(r);
      assert.deepEqual(nodeTls.violations, []);
      assert.equal(sslmode.violations.length, 1);
      assert.match(
        sslmode.violations[0],
        /sslmode=prefer at containerDefinitions\(json\)\[name=postgrest\]\.environment\[name=PGRST_DB_URI\]/,
      );
      assert.match(sslmode.violations[0], /sslmode=verify-full&sslrootcert=/);
      assert.doesNotMatch(
        sslmode.violations[0],
        new RegExp(PASSWORD),
        'the message must not repeat the URI (password)',
      );
      assert.doesNotMatch(sslmode.violations[0], /name=tooljet\]/);
    });

    it('flag NODE_TLS_REJECT_UNAUTHORIZED with any value, and pass it empty (what the EKS target writes)', async () => {
      for (const value of ['0', '1', 'false']) {
        const r = ecs([
          { name: 'tooljet', image: 'x', environment: [...goodEnv, { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value }] },
        ]);
        const { nodeTls } = await both(r);
        assert.equal(nodeTls.violations.length, 1, value);
        assert.match(
          nodeTls.violations[0],
          /renders NODE_TLS_REJECT_UNAUTHORIZED with a value \(NODE_TLS_REJECT_UNAUTHORIZED at containerDefinitions\(json\)\[name=tooljet\]\.environment\[name=NODE_TLS_REJECT_UNAUTHORIZED\]\)\. Remove it/,
        );
      }
      const empty = ecs([
        { name: 'tooljet', image: 'x', environment: [...goodEnv, { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '' }] },
      ]);
      assert.deepEqual((await both(empty)).nodeTls.violations, []);
    });

    it('flag PGSSLMODE=disable, allow, prefer, require, verify-ca and no-verify, in any case', async () => {
      for (const value of ['disable', 'Allow', 'PREFER', 'require', 'verify-ca', 'no-verify']) {
        const r = ecs([{ name: 'tooljet', image: 'x', environment: [{ name: 'PGSSLMODE', value }] }]);
        const { sslmode } = await both(r);
        assert.equal(sslmode.violations.length, 1, value);
        assert.match(sslmode.violations[0], new RegExp(`PGSSLMODE=${value.toLowerCase()} at `));
        assert.match(sslmode.violations[0], /PGSSLMODE=verify-full with NODE_EXTRA_CA_CERTS and PGSSLROOTCERT/);
        assert.doesNotMatch(
          sslmode.violations[0].split('). Use ')[1] ?? '',
          /require/,
          'the fix never recommends require',
        );
      }
    });

    it('flag sslmode=require, verify-ca and no-verify in a libpq URI (PostgREST would not check the host name)', async () => {
      for (const mode of ['require', 'verify-ca', 'no-verify']) {
        const uri = `postgres://authenticator@db.internal:5432/tooljet_db?sslmode=${mode}&sslrootcert=/certs/global-bundle.pem`;
        const r = ecs([{ name: 'postgrest', image: 'x', environment: [{ name: 'PGRST_DB_URI', value: uri }] }]);
        const { sslmode } = await both(r);
        assert.equal(sslmode.violations.length, 1, mode);
        assert.match(
          sslmode.violations[0],
          new RegExp(
            `sslmode=${mode} at containerDefinitions\\(json\\)\\[name=postgrest\\]\\.environment\\[name=PGRST_DB_URI\\]`,
          ),
        );
      }
    });

    it('flag DATABASE_URL, TOOLJET_DB_URL and CA_CERT with a value (ToolJet then skips verification), never printing it', async () => {
      for (const [name, value] of [
        ['DATABASE_URL', `postgres://tooljet:${PASSWORD}@old-db.internal:5432/tooljet`],
        ['TOOLJET_DB_URL', `postgres://tooljet:${PASSWORD}@old-db.internal:5432/tooljet_db`],
        ['CA_CERT', '-----BEGIN CERTIFICATE-----'],
      ]) {
        const r = ecs([{ name: 'tooljet', image: 'x', environment: [...goodEnv, { name, value }] }]);
        const { sslmode } = await both(r);
        assert.equal(sslmode.violations.length, 1, name);
        assert.match(
          sslmode.violations[0],
          new RegExp(`${name} set at containerDefinitions\\(json\\)\\[name=tooljet\\]\\.environment\\[name=${name}\\]`),
        );
        assert.doesNotMatch(sslmode.violations[0], new RegExp(PASSWORD));
        assert.doesNotMatch(sslmode.violations[0], /old-db/);
        const blank = ecs([{ name: 'tooljet', image: 'x', environment: [...goodEnv, { name, value: '' }] }]);
        assert.deepEqual((await both(blank)).sslmode.violations, [], `${name}="" is unset for ToolJet`);
      }
    });

    it('do not flag verify-full', async () => {
      const r = ecs([{ name: 'x', image: 'x', environment: [{ name: 'PGSSLMODE', value: 'verify-full' }] }]);
      assert.deepEqual((await both(r)).sslmode.violations, []);
    });
  });

  describe('Kubernetes', () => {
    it('flag PGSSLMODE in ConfigMap data (key and value are separate strings)', async () => {
      const props: Unwrap<k8s.core.v1.ConfigMapArgs> = {
        metadata: { name: 'tooljet-env' },
        data: { PGSSLMODE: 'disable' },
      };
      const { sslmode } = await both({ type: TYPES.k8sConfigMap, props: asProps(props), name: 'tooljet-env' });
      assert.equal(sslmode.violations.length, 1);
      assert.match(sslmode.violations[0], /PGSSLMODE=disable at data\.PGSSLMODE/);
    });

    it('decode Secret data (base64) and read stringData', async () => {
      const data: Unwrap<k8s.core.v1.SecretArgs> = {
        metadata: { name: 'tooljet-server' },
        data: { PG_HOST: base64('db.internal'), PGSSLMODE: base64('prefer') },
      };
      const { sslmode } = await both({ type: TYPES.k8sSecret, props: asProps(data), name: 'tooljet-server' });
      assert.equal(sslmode.violations.length, 1);
      assert.match(sslmode.violations[0], /PGSSLMODE=prefer at data\.PGSSLMODE\(base64\)/);

      const stringData: Unwrap<k8s.core.v1.SecretArgs> = {
        metadata: { name: 'tooljet-server' },
        stringData: { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
      };
      const { nodeTls } = await both({ type: TYPES.k8sSecret, props: asProps(stringData), name: 'tooljet-server' });
      assert.match(nodeTls.violations[0] ?? '', /at stringData\.NODE_TLS_REJECT_UNAUTHORIZED/);
    });

    it('pass a Secret whose data holds a good ToolJet env and the CA bundle', async () => {
      const props = {
        metadata: { name: 'tooljet-server' },
        data: {
          PGSSLMODE: base64('verify-full'),
          NODE_EXTRA_CA_CERTS: base64('/certs/global-bundle.pem'),
          PGRST_DB_URI: base64(GOOD_URI),
          // What the EKS target writes over keys a Secret patch cannot delete.
          DATABASE_URL: base64(''),
          CA_CERT: base64(''),
          NODE_TLS_REJECT_UNAUTHORIZED: base64(''),
        },
      };
      assert.deepEqual(await both({ type: TYPES.k8sSecret, props }), {
        nodeTls: { violations: [] },
        sslmode: { violations: [] },
      });
    });

    it('flag container env in a Deployment and in a DeploymentPatch', async () => {
      for (const patch of [false, true]) {
        const r = deployment(
          [
            { name: 'PGSSLMODE', value: 'disable' },
            { name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' },
          ],
          patch,
        );
        const { sslmode, nodeTls } = await both(r);
        assert.match(
          sslmode.violations[0] ?? '',
          /PGSSLMODE=disable at spec\.template\.spec\.containers\[name=tooljet\]\.env\[name=PGSSLMODE\]/,
        );
        assert.equal(nodeTls.violations.length, 1);
      }
      assert.deepEqual((await both(deployment(goodEnv))).sslmode.violations, []);
    });
  });

  describe('EC2 user data (base64)', () => {
    it('decodes a launch template user data script', async () => {
      const bad = base64(
        userDataScript(['PG_HOST=db.internal', 'PGSSLMODE=disable', 'NODE_TLS_REJECT_UNAUTHORIZED=0']),
      );
      const { sslmode, nodeTls } = await both(launchTemplate(bad));
      assert.match(sslmode.violations[0] ?? '', /PGSSLMODE=disable at userData\(base64\)/);
      assert.match(nodeTls.violations[0] ?? '', /at userData\(base64\)/);
      const good = base64(
        userDataScript([
          'PG_HOST=db.internal',
          'PGSSLMODE=verify-full',
          'NODE_EXTRA_CA_CERTS=/home/ubuntu/certs/global-bundle.pem',
        ]),
      );
      assert.deepEqual(await both(launchTemplate(good)), { nodeTls: { violations: [] }, sslmode: { violations: [] } });
      // Naming the keys it comments out is no setting (the AMI user-data does that); a value in a comment still is.
      const list = base64(
        userDataScript(["TJ_DISABLE_KEYS='DATABASE_URL TOOLJET_DB_URL CA_CERT NODE_TLS_REJECT_UNAUTHORIZED'"]),
      );
      assert.deepEqual(await both(launchTemplate(list)), { nodeTls: { violations: [] }, sslmode: { violations: [] } });
      const comment = base64(userDataScript(['# NODE_TLS_REJECT_UNAUTHORIZED=0 # for now']));
      assert.equal((await both(launchTemplate(comment))).nodeTls.violations.length, 1);
    });

    it('inflates gzip inside base64 user data', async () => {
      const gz = zlib.gzipSync(Buffer.from(userDataScript(['export PGSSLMODE="allow"']))).toString('base64');
      const { sslmode } = await both(launchTemplate(gz));
      assert.match(sslmode.violations[0] ?? '', /PGSSLMODE=allow at userData\(base64\)\(gzip\)/);
    });

    it('reads plain user data on an aws.ec2.Instance', async () => {
      const props: Unwrap<aws.ec2.InstanceArgs> = { ami: 'ami-123', userData: userDataScript(['PGSSLMODE=prefer']) };
      const { sslmode } = await both({ type: TYPES.ec2Instance, props: asProps(props) });
      assert.match(sslmode.violations[0] ?? '', /PGSSLMODE=prefer at userData\)/);
    });
  });

  describe('@pulumi/command local.Command', () => {
    it('flags create, environment and stdin', async () => {
      const props: Unwrap<command.local.CommandArgs> = {
        create: 'psql "host=db.internal dbname=tooljet sslmode=disable" -c "select 1"',
        environment: { PGSSLMODE: 'allow', NODE_TLS_REJECT_UNAUTHORIZED: '0' },
        stdin: 'PGSSLMODE=prefer',
      };
      const r: Resource = { type: TYPES.localCommand, props: asProps(props), name: 'validate' };
      const { sslmode, nodeTls } = await both(r);
      assert.equal(sslmode.violations.length, 1);
      for (const where of [
        'sslmode=disable at create',
        'PGSSLMODE=allow at environment.PGSSLMODE',
        'PGSSLMODE=prefer at stdin',
      ]) {
        assert.ok(sslmode.violations[0].includes(where), `${where} in: ${sslmode.violations[0]}`);
      }
      assert.match(nodeTls.violations[0] ?? '', /at environment\.NODE_TLS_REJECT_UNAUTHORIZED/);
    });

    it('passes the validate command with verify-full', async () => {
      const props: Unwrap<command.local.CommandArgs> = {
        create: 'npx tj-pg-upgrade validate',
        environment: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: 'certs/global-bundle.pem' },
      };
      assert.deepEqual(await both({ type: TYPES.localCommand, props: asProps(props) }), {
        nodeTls: { violations: [] },
        sslmode: { violations: [] },
      });
    });
  });

  describe('any other resource (deep scan)', () => {
    it('finds a weak sslmode in any string property, even percent-encoded or inside JSON', async () => {
      const ssm = {
        type: 'aws:ssm/parameter:Parameter',
        props: { name: '/tooljet/db-uri', type: 'String', value: 'postgres://db/tooljet?sslmode=disable' },
      };
      assert.match((await runPolicy(noWeakSslMode, ssm)).violations[0] ?? '', /sslmode=disable at value/);
      const encoded = {
        type: 'aws:ssm/parameter:Parameter',
        props: { value: 'https://x/?next=postgres%3A%2F%2Fdb%2Ft%3Fsslmode%3Dprefer' },
      };
      assert.match(
        (await runPolicy(noWeakSslMode, encoded)).violations[0] ?? '',
        /sslmode=prefer at value\(uri-decoded\)/,
      );
      const helmValues = {
        type: 'kubernetes:helm.sh/v3:Release',
        props: { values: { env: { PGSSLMODE: 'disable' } } },
      };
      assert.match(
        (await runPolicy(noWeakSslMode, helmValues)).violations[0] ?? '',
        /PGSSLMODE=disable at values\.env\.PGSSLMODE/,
      );
    });

    it('inspects values marked secret without repeating them', async () => {
      const r = {
        type: 'aws:ssm/parameter:Parameter',
        props: { value: secret(`postgres://u:${PASSWORD}@db/t?sslmode=allow`) },
      };
      const run = await runPolicy(noWeakSslMode, r);
      assert.equal(run.violations.length, 1);
      assert.doesNotMatch(run.violations[0], new RegExp(PASSWORD));
    });

    it('does not mistake look-alikes for weak modes', async () => {
      const r = {
        type: 'aws:ssm/parameter:Parameter',
        props: {
          description:
            'sslmode=verify-full; mysslmode=disable; sslmode=disabled; PGSSLMODE=preferred; sslmode=required; MY_DATABASE_URL=x; CA_CERTS=y',
        },
      };
      assert.deepEqual((await runPolicy(noWeakSslMode, r)).violations, []);
    });
  });

  describe('unknown values at preview', () => {
    it('reports a config field that is unknown as "cannot check during preview", after checking the rest', async () => {
      const r = {
        type: TYPES.localCommand,
        props: { create: UNKNOWN.string, environment: { PGSSLMODE: 'disable' } },
      };
      const run = await runPolicy(noWeakSslMode, r);
      assert.equal(run.violations.length, 1, 'the known part is still checked');
      assert.match(run.advisory ?? '', /create can't be known during preview/);
    });

    it('skips unknown values outside the config fields (ARNs, ids) silently', async () => {
      const props = {
        family: 'tooljet',
        executionRoleArn: UNKNOWN.string,
        containerDefinitions: JSON.stringify([{ name: 'x', environment: goodEnv }]),
      };
      assert.deepEqual(await runPolicy(noWeakSslMode, { type: TYPES.ecsTaskDefinition, props }), { violations: [] });
    });
  });

  describe('rendered-config helpers', () => {
    it('decodes base64 only to readable text', () => {
      assert.equal(decodeBase64Text(base64('PGSSLMODE=verify-full'), false)?.text, 'PGSSLMODE=verify-full');
      assert.equal(
        decodeBase64Text(Buffer.from([0, 1, 2, 255, 254, 3, 4, 5, 6, 7, 8, 9]).toString('base64'), true),
        undefined,
      );
      assert.equal(decodeBase64Text('production', false), undefined, 'short words are not decoded unless known base64');
    });

    it('never reports the same setting twice for one location', () => {
      const extraction = renderedText(
        TYPES.k8sDeployment,
        asProps(deployment([{ name: 'PGSSLMODE', value: 'disable' }]).props),
      );
      assert.equal(findWeakSslMode(extraction).length, 1);
    });
  });
});
