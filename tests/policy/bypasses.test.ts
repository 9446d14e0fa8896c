// Issue 14, finding 2: configurations that passed the pack while running ToolJet or PostgREST without verified TLS.
// Each case is what the workload would really run with; on main every "refuses" case below passed the pack.
//
// How the platforms read these (what the cases model):
// - ECS `secrets[]`: "valueFrom: the secret to expose to the container ... the full ARN of the Secrets Manager secret
//   or of the SSM parameter", resolved by the agent when the task starts; `environmentFiles`: S3 objects read when the
//   task starts (Amazon ECS API Reference, Secret, EnvironmentFile). Neither value is in the task definition.
// - Kubernetes: `env[].valueFrom.configMapKeyRef/secretKeyRef` and `envFrom[].configMapRef/secretRef` (with `prefix`)
//   take values from a ConfigMap/Secret; an `env` entry wins over `envFrom` (Kubernetes API reference, Container v1).
// - ToolJet reads its .env with dotenv (motdotla/dotenv lib/main.js): double-quoted values may span lines and keep
//   leading spaces; ToolJet's server then tests CA_CERT / DATABASE_URL for truthiness (server/ormconfig.ts).
// - libpq without sslmode uses prefer, which verifies nothing (PostgreSQL docs, 34.19 "SSL Support", table 34.1).
// - cloud-init: MIME parts decoded by Content-Transfer-Encoding (cloudinit/user_data.py), `write_files` content by
//   `encoding` b64/base64/gz/gzip/gz+b64… (cloudinit/config/cc_write_files.py), `#include` URLs fetched at boot.
import { strict as assert } from 'assert';
import * as zlib from 'zlib';
import type { StackValidationPolicy } from '@pulumi/policy';
import * as pack from '../../policy/policies';
import { base64, runPolicy, runStackPolicy, StackResource, UNKNOWN } from './harness';

const T = pack.TYPES;
// On main there were no stack policies: every Kubernetes-reference case then runs no stack policy at all.
const stackPolicies: StackValidationPolicy[] =
  (pack as unknown as { stackPolicies?: StackValidationPolicy[] }).stackPolicies ?? [];

const PASSWORD = 'Bypass-pw-7';
const CA = '/certs/global-bundle.pem';
const GOOD_URI = `postgres://authenticator@db.internal:5432/tooljet_db?sslmode=verify-full&sslrootcert=${CA}`;
const PEM = ['-----BEGIN CERTIFICATE-----', 'MIIBszCCAVmgAwIBAgIUX0', '-----END CERTIFICATE-----'].join('\n');

interface Violation {
  policy: string;
  message: string;
}

/** Every resource policy on every resource, and every stack policy on the whole list. */
async function judge(resources: StackResource[]): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const r of resources) {
    for (const p of pack.policies) {
      const run = await runPolicy(p, r);
      out.push(...run.violations.map((message) => ({ policy: p.name, message })));
    }
  }
  for (const p of stackPolicies) {
    const run = await runStackPolicy(p, resources);
    out.push(...run.violations.map((message) => ({ policy: p.name, message })));
  }
  return out;
}

function refused(violations: Violation[], policy: string, pattern: RegExp): Violation {
  const hit = violations.find((v) => v.policy === policy && pattern.test(v.message));
  assert.ok(hit, `expected ${policy} matching ${pattern}; got ${JSON.stringify(violations, null, 1)}`);
  for (const v of violations) assert.doesNotMatch(v.message, new RegExp(PASSWORD), 'never the password');
  return hit;
}

function ecs(containers: object[]): StackResource {
  return {
    type: T.ecsTaskDefinition,
    name: 'tooljet',
    props: { family: 'tooljet', containerDefinitions: JSON.stringify(containers) },
  };
}

const goodToolJetEnv = [
  { name: 'PGSSLMODE', value: 'verify-full' },
  { name: 'PGSSLROOTCERT', value: CA },
  { name: 'NODE_EXTRA_CA_CERTS', value: CA },
];

interface Workload {
  name?: string;
  namespace?: string;
  env?: object[];
  envFrom?: object[];
  patch?: boolean;
  dependsOn?: string[];
}

function deployment(w: Workload): StackResource {
  return {
    type: w.patch ? T.k8sDeploymentPatch : T.k8sDeployment,
    name: w.name ?? 'tooljet',
    dependsOn: w.dependsOn,
    props: {
      metadata: { name: w.name ?? 'tooljet', namespace: w.namespace ?? 'tooljet' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'tooljet', image: 'tooljet/tooljet:ee-lts-latest', env: w.env, envFrom: w.envFrom }],
          },
        },
      },
    },
  };
}

function configMap(name: string | undefined, data: Record<string, string>, resourceName = name ?? 'cm'): StackResource {
  return {
    type: T.k8sConfigMap,
    name: resourceName,
    props: { metadata: name === undefined ? { namespace: 'tooljet' } : { name, namespace: 'tooljet' }, data },
  };
}

function secret(name: string, data: Record<string, string>, patch = false): StackResource {
  return {
    type: patch ? T.k8sSecretPatch : T.k8sSecret,
    name,
    props: {
      metadata: { name, namespace: 'tooljet' },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64(v)])),
    },
  };
}

function launchTemplate(userData: string | Buffer): StackResource {
  return { type: T.ec2LaunchTemplate, name: 'tooljet', props: { imageId: 'ami-1', userData: base64(userData) } };
}

const envScript = (dotenv: string) =>
  [
    '#!/bin/bash',
    'set -euo pipefail',
    "cat > /home/ubuntu/app/.env <<'EOF'",
    dotenv,
    'EOF',
    'systemctl restart nest',
  ].join('\n');

describe('policy pack: the bypasses of issue 14 are refused', () => {
  describe('ECS: values the task definition does not hold', () => {
    for (const name of ['PGSSLMODE', 'NODE_TLS_REJECT_UNAUTHORIZED', 'DATABASE_URL', 'PGRST_DB_URI']) {
      it(`refuses ${name} through secrets[].valueFrom (ECS resolves it at task start; the pack cannot see it)`, async () => {
        const v = await judge([
          ecs([
            {
              name: 'tooljet',
              image: 'tooljet/tooljet',
              environment: name === 'PGSSLMODE' ? [] : goodToolJetEnv,
              secrets: [{ name, valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/tooljet/x' }],
            },
          ]),
        ]);
        const hit = refused(
          v,
          'no-unreadable-tls-config',
          new RegExp(`${name} from secrets\\[\\]\\.valueFrom \\(read at task start\\)`),
        );
        assert.match(hit.message, /containerDefinitions\(json\)\[name=tooljet\]\.secrets\[name=/);
      });
    }

    it('passes passwords and keys through secrets[].valueFrom (what the ECS target renders)', async () => {
      const v = await judge([
        ecs([
          {
            name: 'tooljet',
            image: 'tooljet/tooljet',
            environment: goodToolJetEnv,
            secrets: [
              { name: 'PG_PASS', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pg-AbCdEf' },
              { name: 'LOCKBOX_MASTER_KEY', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:lb-AbC' },
            ],
          },
        ]),
      ]);
      assert.deepEqual(v, []);
    });

    it('refuses environmentFiles (S3 objects ECS reads at task start), naming the container', async () => {
      const v = await judge([
        ecs([
          {
            name: 'tooljet-worker',
            image: 'tooljet/tooljet',
            environment: goodToolJetEnv,
            environmentFiles: [{ value: 'arn:aws:s3:::tooljet-config/worker.env', type: 's3' }],
          },
        ]),
      ]);
      const hit = refused(v, 'no-unreadable-tls-config', /environment file \(S3, read at task start\) at /);
      assert.match(hit.message, /\[name=tooljet-worker\]\.environmentFiles\[0\]/);
      assert.doesNotMatch(hit.message, /tooljet-config\/worker\.env/, 'the location is named by path, not by value');
    });
  });

  describe('Kubernetes: env valueFrom and envFrom, resolved in the stack', () => {
    it('refuses PGSSLMODE=disable from a ConfigMap of the stack (configMapKeyRef under another key name)', async () => {
      const v = await judge([
        configMap('db-tls', { mode: 'disable' }),
        deployment({ env: [{ name: 'PGSSLMODE', valueFrom: { configMapKeyRef: { name: 'db-tls', key: 'mode' } } }] }),
      ]);
      const hit = refused(v, 'kubernetes-env-references', /PGSSLMODE=disable at .*env\[name=PGSSLMODE\] <- ConfigMap/);
      assert.match(hit.message, /container "tooljet"/);
      assert.match(hit.message, /key "mode"/);
    });

    it('refuses NODE_TLS_REJECT_UNAUTHORIZED=0 from a Secret of the stack (secretKeyRef, base64 data)', async () => {
      const v = await judge([
        secret('node-opts', { tls: '0' }),
        deployment({
          env: [
            ...goodToolJetEnv,
            { name: 'NODE_TLS_REJECT_UNAUTHORIZED', valueFrom: { secretKeyRef: { name: 'node-opts', key: 'tls' } } },
          ],
        }),
      ]);
      refused(v, 'kubernetes-env-references', /NODE_TLS_REJECT_UNAUTHORIZED at .* <- Secret tooljet\/node-opts/);
    });

    it('refuses PGSSLMODE from a Secret that is not in the stack (the pack cannot see it)', async () => {
      const v = await judge([
        deployment({
          env: [{ name: 'PGSSLMODE', valueFrom: { secretKeyRef: { name: 'external-db', key: 'sslmode' } } }],
        }),
      ]);
      refused(
        v,
        'kubernetes-env-references',
        /cannot see PGSSLMODE comes from Secret tooljet\/external-db key "sslmode", which is not in this stack/,
      );
    });

    it('refuses a key a SecretPatch does not set (the live Secret may hold anything there)', async () => {
      const v = await judge([
        secret('tooljet-server', { PG_HOST: 'db.internal' }, true),
        deployment({
          env: [{ name: 'PGSSLMODE', valueFrom: { secretKeyRef: { name: 'tooljet-server', key: 'PGSSLMODE' } } }],
        }),
      ]);
      refused(v, 'kubernetes-env-references', /which no resource of this stack sets/);
    });

    it('applies envFrom prefixes: PGSSL + MODE=prefer is PGSSLMODE=prefer', async () => {
      const v = await judge([
        configMap('tls-opts', { MODE: 'prefer' }),
        deployment({ envFrom: [{ prefix: 'PGSSL', configMapRef: { name: 'tls-opts' } }] }),
      ]);
      refused(
        v,
        'kubernetes-env-references',
        /PGSSLMODE=prefer at .*envFrom\[0\] <- ConfigMap tooljet\/tls-opts key "MODE"/,
      );
    });

    it('resolves an auto-named ConfigMap (name unknown at preview) through the workload dependencies', async () => {
      const v = await judge([
        configMap(undefined, { mode: 'allow' }, 'db-tls'),
        deployment({
          dependsOn: ['db-tls'],
          env: [{ name: 'PGSSLMODE', valueFrom: { configMapKeyRef: { name: UNKNOWN.string, key: 'mode' } } }],
        }),
      ]);
      refused(v, 'kubernetes-env-references', /PGSSLMODE=allow/);
    });

    it('passes verify-full from a ConfigMap, and an envFrom of the chart Secret when env sets every TLS variable', async () => {
      const clear = [
        { name: 'PGSSLMODE', valueFrom: { configMapKeyRef: { name: 'db-tls', key: 'mode' } } },
        { name: 'PGRST_DB_URI', value: GOOD_URI },
        ...['NODE_TLS_REJECT_UNAUTHORIZED', 'DATABASE_URL', 'TOOLJET_DB_URL', 'CA_CERT'].map((name) => ({
          name,
          value: '',
        })),
      ];
      const v = await judge([
        configMap('db-tls', { mode: 'verify-full' }),
        deployment({ env: clear, envFrom: [{ secretRef: { name: 'tooljet-server' } }] }),
      ]);
      assert.deepEqual(v, []);
    });

    it('refuses an envFrom of a Secret outside the stack for the TLS variables env does not set', async () => {
      const v = await judge([
        deployment({
          env: [{ name: 'PGSSLMODE', value: 'verify-full' }],
          envFrom: [{ secretRef: { name: 'tooljet-server' } }],
        }),
      ]);
      const hit = refused(v, 'kubernetes-env-references', /Secret tooljet\/tooljet-server \(envFrom\) may set /);
      assert.match(hit.message, /NODE_TLS_REJECT_UNAUTHORIZED, DATABASE_URL, TOOLJET_DB_URL, CA_CERT, PGRST_DB_URI/);
      assert.doesNotMatch(hit.message, /may set PGSSLMODE/, 'env sets PGSSLMODE: env wins over envFrom');
    });

    it('reports unknown ConfigMap data at preview as "cannot check", not as a pass', async () => {
      if (stackPolicies.length === 0) assert.fail('no stack policy on this revision');
      const run = await runStackPolicy(stackPolicies[0], [
        {
          type: T.k8sConfigMap,
          name: 'db-tls',
          props: { metadata: { name: 'db-tls', namespace: 'tooljet' }, data: UNKNOWN.object },
        },
        deployment({ env: [{ name: 'PGSSLMODE', valueFrom: { configMapKeyRef: { name: 'db-tls', key: 'mode' } } }] }),
      ]);
      assert.deepEqual(run.violations, []);
      assert.match(run.advisory ?? '', /can't be known during preview/);
    });
  });

  describe('connection strings: verify-full required, an absent sslmode is weak', () => {
    it('refuses PGRST_DB_URI without sslmode in ECS, in a Kubernetes env and in a .env', async () => {
      const bare = 'postgres://authenticator@db.internal:5432/tooljet_db';
      const ecsV = await judge([
        ecs([
          { name: 'postgrest', image: 'postgrest/postgrest', environment: [{ name: 'PGRST_DB_URI', value: bare }] },
        ]),
      ]);
      refused(
        ecsV,
        'no-weak-sslmode',
        /sslmode missing .* at containerDefinitions\(json\)\[name=postgrest\]\.environment\[name=PGRST_DB_URI\]/,
      );
      const k8sV = await judge([deployment({ env: [{ name: 'PGRST_DB_URI', value: `${bare}?application_name=x` }] })]);
      refused(k8sV, 'no-weak-sslmode', /sslmode missing/);
      const envV = await judge([launchTemplate(envScript(`PGRST_DB_URI=${bare}`))]);
      refused(envV, 'no-weak-sslmode', /sslmode missing .* at userData\(base64\)/);
    });

    it('reads the URI as libpq does: percent-encoded keys, the last sslmode wins, keyword/value strings', async () => {
      for (const value of [
        'postgres://a@db/t?ssl%6Dode=verify-ca',
        'postgres://a@db/t?sslmode=verify-full&sslmode=require',
        "host=db.internal dbname=tooljet_db sslmode='prefer'",
        'host=db.internal dbname=tooljet_db',
      ]) {
        const v = await judge([
          ecs([{ name: 'postgrest', image: 'p', environment: [{ name: 'PGRST_DB_URI', value }] }]),
        ]);
        refused(
          v,
          'no-weak-sslmode',
          /at containerDefinitions\(json\)\[name=postgrest\]\.environment\[name=PGRST_DB_URI\]/,
        );
      }
      const good = await judge([
        ecs([{ name: 'postgrest', image: 'p', environment: [{ name: 'PGRST_DB_URI', value: GOOD_URI }] }]),
      ]);
      assert.deepEqual(good, []);
    });

    it('refuses PGSSLMODE with anything but verify-full, empty included (node-postgres then uses no TLS)', async () => {
      for (const value of ['', 'verify_full', 'VERIFY-FULL']) {
        const v = await judge([ecs([{ name: 'tooljet', image: 't', environment: [{ name: 'PGSSLMODE', value }] }])]);
        refused(v, 'no-weak-sslmode', /PGSSLMODE=/);
      }
    });
  });

  describe('.env values as dotenv reads them', () => {
    it('refuses CA_CERT=" followed by a newline and a PEM (a multi-line value: ToolJet then skips verification)', async () => {
      const v = await judge([
        launchTemplate(envScript(`PG_HOST=db.internal\nPGSSLMODE=verify-full\nCA_CERT="\n${PEM}"`)),
      ]);
      refused(v, 'no-weak-sslmode', /CA_CERT set at userData\(base64\)/);
    });

    it('refuses DATABASE_URL=" …" (quoted, leading space), without printing it', async () => {
      const v = await judge([
        launchTemplate(envScript(`DATABASE_URL=" postgres://tooljet:${PASSWORD}@old-db.internal/tooljet"`)),
      ]);
      const hit = refused(v, 'no-weak-sslmode', /DATABASE_URL set/);
      assert.doesNotMatch(hit.message, /old-db/);
    });

    it('refuses the same in a Compose file (CA_CERT: " …", read as YAML)', async () => {
      const compose = [
        'services:',
        '  tooljet:',
        '    image: tooljet/tooljet',
        '    environment:',
        '      PGSSLMODE: verify-full',
        '      CA_CERT: " -----BEGIN CERTIFICATE-----"',
      ].join('\n');
      const v = await judge([{ type: 'command:local:Command', name: 'compose', props: { stdin: compose } }]);
      refused(v, 'no-weak-sslmode', /CA_CERT set at stdin\(yaml\)\.services\.tooljet\.environment\.CA_CERT/);
    });

    it('passes an .env the ToolJet target would write (verify-full, bundle paths, empty unsafe keys)', async () => {
      const dotenv = [
        'PG_HOST=db.internal',
        'PGSSLMODE="verify-full"',
        `PGSSLROOTCERT=${CA}`,
        `NODE_EXTRA_CA_CERTS=${CA} # the RDS bundle`,
        'DATABASE_URL=',
        "CA_CERT=''",
        `PGRST_DB_URI="${GOOD_URI}"`,
      ].join('\n');
      assert.deepEqual(await judge([launchTemplate(envScript(dotenv))]), []);
    });
  });

  describe('EC2 user data as cloud-init reads it', () => {
    const badEnv = 'PG_HOST=db.internal\nPGSSLMODE=disable\nNODE_TLS_REJECT_UNAUTHORIZED=0\n';
    const cloudConfig = (encoding: string, content: string) =>
      [
        '#cloud-config',
        'write_files:',
        '  - path: /home/ubuntu/app/.env',
        `    encoding: ${encoding}`,
        `    content: ${content}`,
        "    permissions: '0600'",
        'runcmd:',
        '  - [systemctl, restart, nest]',
      ].join('\n');

    it('decodes write_files content with encoding b64 (and gz+b64)', async () => {
      const v = await judge([launchTemplate(cloudConfig('b64', base64(badEnv)))]);
      refused(
        v,
        'no-weak-sslmode',
        /PGSSLMODE=disable at userData\(base64\)\(cloud-config\)\.write_files\[path=\/home\/ubuntu\/app\/\.env\]\.content\(b64\)/,
      );
      refused(v, 'no-node-tls-reject-unauthorized', /\.content\(b64\)/);
      const gz = await judge([launchTemplate(cloudConfig('gz+b64', zlib.gzipSync(badEnv).toString('base64')))]);
      refused(gz, 'no-weak-sslmode', /PGSSLMODE=disable at .*\.content\(gz\+b64\)/);
      const good = base64('PG_HOST=db.internal\nPGSSLMODE=verify-full\n');
      assert.deepEqual(await judge([launchTemplate(cloudConfig('b64', good))]), []);
    });

    it('decodes base64 MIME parts (multipart user data)', async () => {
      const part = base64(envScript('PGSSLMODE=prefer'));
      const mime = [
        'Content-Type: multipart/mixed; boundary="==BOUNDARY=="',
        'MIME-Version: 1.0',
        '',
        '--==BOUNDARY==',
        'Content-Type: text/cloud-config; charset="us-ascii"',
        '',
        '#cloud-config',
        'package_update: false',
        '',
        '--==BOUNDARY==',
        'Content-Type: text/x-shellscript; charset="us-ascii"',
        'MIME-Version: 1.0',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="tooljet.sh"',
        '',
        ...(part.match(/.{1,76}/g) ?? []),
        '--==BOUNDARY==--',
        '',
      ].join('\n');
      const v = await judge([launchTemplate(mime)]);
      refused(
        v,
        'no-weak-sslmode',
        /PGSSLMODE=prefer at userData\(base64\)\(mime part 2\)\(text\/x-shellscript, base64\)/,
      );
    });

    it('refuses user data it cannot read: #include URLs, write_files source URLs, cloud-config it cannot parse', async () => {
      const include = await judge([launchTemplate('#include\nhttps://config.example.com/tooljet.sh\n')]);
      refused(include, 'no-unreadable-tls-config', /#include user data/);
      const source = await judge([
        launchTemplate(
          '#cloud-config\nwrite_files:\n  - path: /home/ubuntu/app/.env\n    source:\n      uri: https://config.example.com/tooljet.env\n',
        ),
      ]);
      refused(source, 'no-unreadable-tls-config', /write_files source: downloaded at boot/);
      const tagged = await judge([
        launchTemplate(
          '#cloud-config\nwrite_files:\n  - path: /x/.env\n    content: !!binary |\n      UEdTU0xNT0RFPWRpc2FibGU=\n',
        ),
      ]);
      refused(tagged, 'no-unreadable-tls-config', /YAML the pack cannot read/);
    });
  });
});
