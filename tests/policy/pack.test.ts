// The pack as the Pulumi CLI runs it: `node <@pulumi/pulumi/cmd/run-policy-pack> <engine> .` with the pack directory as
// working directory (the `pulumi-analyzer-policy` shim does exactly that), resolving every module from the
// repository root's node_modules. The test then speaks the engine's side of the Analyzer gRPC protocol to it, with
// wire-format unknowns and secrets.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { AnalyzerClient } from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import {
  AnalyzeDiagnostic,
  AnalyzeRequest,
  AnalyzeResponse,
  AnalyzerInfo,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzeStackRequest,
  AnalyzerStackConfigureRequest,
  EnforcementLevel,
} from '@pulumi/pulumi/proto/analyzer_pb';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { policies, stackPolicies, TYPES } from '../../policy/policies';
import { UNKNOWN } from './harness';

const PACK_DIR = path.resolve(__dirname, '../../policy');
const PASSWORD = 'Pack-test-pw-9';

function startPack(): Promise<{ child: ChildProcess; port: number }> {
  const runner = require.resolve('@pulumi/pulumi/cmd/run-policy-pack', { paths: [PACK_DIR] });
  const child = spawn(process.execPath, [runner, '127.0.0.1:1', '.'], {
    cwd: PACK_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`policy pack did not start in 60 s: ${err}`));
    }, 60_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with ${code}: ${err}`));
    });
  });
}

function call<Res>(invoke: (cb: (e: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => invoke((e, res) => (e ? reject(e) : resolve(res))));
}

function request(type: string, name: string, stack: string, props: Record<string, unknown>): AnalyzeRequest {
  const req = new AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:${stack}::tooljet-pg-upgrade::${type}::${name}`);
  req.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
  req.setOptions(new AnalyzerResourceOptions());
  return req;
}

const wireSecret = (value: string) => ({ [specialSigKey]: specialSecretSig, value });

describe('policy pack: booted like the Pulumi CLI boots it, over gRPC', function () {
  this.timeout(90_000);
  let pack: { child: ChildProcess; port: number };
  let client: AnalyzerClient;

  const analyze = async (req: AnalyzeRequest): Promise<AnalyzeDiagnostic[]> =>
    (await call<AnalyzeResponse>((cb) => client.analyze(req, cb))).getDiagnosticsList();

  before(async () => {
    pack = await startPack();
    client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    pack?.child.kill();
  });

  it('serves every policy of policies.ts (resource, then stack policies), all mandatory, under the pack name and package.json version', async () => {
    const info = await call<AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), 'tooljet-pg-upgrade-guardrails');
    assert.equal(info.getVersion(), '0.1.0');
    const served = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
    assert.deepEqual(
      served,
      [...policies, ...stackPolicies].map((p) => [p.name, EnforcementLevel.MANDATORY]),
    );
  });

  it('blocks the production clone without deletion protection (stack name from the URN)', async () => {
    const props = {
      instanceClass: 'db.t4g.medium',
      snapshotIdentifier: 'tooljet-db-pre-pg16',
      publiclyAccessible: false,
      storageEncrypted: true,
      deletionProtection: false,
      tags: { 'tooljet:purpose': 'pg16-upgrade-clone', 'tooljet:environment': 'production' },
    };
    const prod = await analyze(request(TYPES.rdsInstance, 'clone', 'prod', props));
    assert.deepEqual(
      prod.map((d) => [d.getPolicyname(), d.getEnforcementlevel()]),
      [['rds-production-clone-deletion-protection', EnforcementLevel.MANDATORY]],
    );
    const fixed = await analyze(request(TYPES.rdsInstance, 'clone', 'prod', { ...props, deletionProtection: true }));
    assert.deepEqual(fixed, []);
  });

  it('honours stack tags sent by the engine (ConfigureStack)', async () => {
    const configure = new AnalyzerStackConfigureRequest();
    configure.setStack('eu-live');
    configure.getTagsMap().set('tooljet:environment', 'production');
    await call<unknown>((cb) => client.configureStack(configure, cb));
    const props = { instanceClass: 'db.t4g.medium', snapshotIdentifier: 's', storageEncrypted: true, tags: {} };
    const diags = await analyze(request(TYPES.rdsInstance, 'clone', 'eu-live', props));
    assert.deepEqual(
      diags.map((d) => d.getPolicyname()),
      ['rds-production-clone-deletion-protection'],
    );
    assert.match(diags[0].getMessage(), /stack tag tooljet:environment=production/);
  });

  it('sees through wire secrets without echoing them, and ignores a clean resource', async () => {
    const uri = `postgres://authenticator:${PASSWORD}@db:5432/tooljet_db?sslmode=prefer`;
    const diags = await analyze(
      request('aws:ssm/parameter:Parameter', 'db-uri', 'staging', { value: wireSecret(uri) }),
    );
    assert.deepEqual(
      diags.map((d) => d.getPolicyname()),
      ['no-weak-sslmode'],
    );
    assert.doesNotMatch(diags[0].getMessage(), new RegExp(PASSWORD));
    const clean = await analyze(
      request('aws:ssm/parameter:Parameter', 'db-uri', 'staging', {
        value: wireSecret(uri.replace('prefer', 'verify-full')),
      }),
    );
    assert.deepEqual(clean, []);
  });

  it('turns wire unknowns in config fields into advisories, not failures, at preview', async () => {
    const diags = await analyze(
      request(TYPES.ecsTaskDefinition, 'tooljet', 'staging', {
        family: 'tooljet',
        containerDefinitions: UNKNOWN.string,
      }),
    );
    assert.ok(diags.length > 0);
    for (const d of diags) {
      assert.equal(d.getEnforcementlevel(), EnforcementLevel.ADVISORY);
      assert.match(
        d.getMessage(),
        /can't run policy '.*' .*during preview: string value at \.containerDefinitions can't be known/,
      );
    }
    assert.deepEqual(diags.map((d) => d.getPolicyname()).sort(), [
      'ecs-no-secrets-in-environment',
      'no-node-tls-reject-unauthorized',
      'no-unreadable-tls-config',
      'no-weak-sslmode',
    ]);
  });

  it('runs the stack policy over the whole stack (AnalyzeStack): a ConfigMap behind an env valueFrom', async () => {
    const resource = (type: string, name: string, props: Record<string, unknown>) => {
      const r = new AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:staging::tooljet-pg-upgrade::${type}::${name}`);
      r.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
      r.setOptions(new AnalyzerResourceOptions());
      return r;
    };
    const stack = (mode: string) => {
      const req = new AnalyzeStackRequest();
      req.setResourcesList([
        resource(TYPES.k8sConfigMap, 'db-tls', { metadata: { name: 'db-tls' }, data: { mode } }),
        resource(TYPES.k8sDeployment, 'tooljet', {
          metadata: { name: 'tooljet' },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'tooljet',
                    env: [{ name: 'PGSSLMODE', valueFrom: { configMapKeyRef: { name: 'db-tls', key: 'mode' } } }],
                  },
                ],
              },
            },
          },
        }),
      ]);
      return req;
    };
    const bad = (await call<AnalyzeResponse>((cb) => client.analyzeStack(stack('require'), cb))).getDiagnosticsList();
    assert.deepEqual(
      bad.map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getUrn()]),
      [
        [
          'kubernetes-env-references',
          EnforcementLevel.MANDATORY,
          `urn:pulumi:staging::tooljet-pg-upgrade::${TYPES.k8sDeployment}::tooljet`,
        ],
      ],
    );
    assert.match(bad[0].getMessage(), /PGSSLMODE=require/);
    const good = await call<AnalyzeResponse>((cb) => client.analyzeStack(stack('verify-full'), cb));
    assert.deepEqual(good.getDiagnosticsList(), []);
  });
});
