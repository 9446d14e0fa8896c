// The policies match resources by type token strings (so the pack never loads the provider SDKs). These must be the
// tokens the SDK classes register, or a policy silently never applies.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FIELDS, TYPES } from '../../policy/policies';
import { KNOWN_BASE64_FIELDS } from '../../policy/rendered-config';
import { WORKLOAD_TYPES } from '../../policy/kubernetes-references';
import { SECRET_SIG, SECRET_SIG_KEY } from '../../policy/values';

const sdkClasses: Record<keyof typeof TYPES, () => { __pulumiType: string }> = {
  rdsInstance: () => require('@pulumi/aws/rds/instance').Instance,
  rdsParameterGroup: () => require('@pulumi/aws/rds/parameterGroup').ParameterGroup,
  ecsTaskDefinition: () => require('@pulumi/aws/ecs/taskDefinition').TaskDefinition,
  ec2LaunchTemplate: () => require('@pulumi/aws/ec2/launchTemplate').LaunchTemplate,
  ec2Instance: () => require('@pulumi/aws/ec2/instance').Instance,
  k8sConfigMap: () => require('@pulumi/kubernetes/core/v1/configMap').ConfigMap,
  k8sConfigMapPatch: () => require('@pulumi/kubernetes/core/v1/configMapPatch').ConfigMapPatch,
  k8sSecret: () => require('@pulumi/kubernetes/core/v1/secret').Secret,
  k8sSecretPatch: () => require('@pulumi/kubernetes/core/v1/secretPatch').SecretPatch,
  k8sDeployment: () => require('@pulumi/kubernetes/apps/v1/deployment').Deployment,
  k8sDeploymentPatch: () => require('@pulumi/kubernetes/apps/v1/deploymentPatch').DeploymentPatch,
  localCommand: () => require('@pulumi/command/local/command').Command,
};

describe('policy: resource type tokens', () => {
  it('are the tokens the @pulumi/aws, @pulumi/kubernetes and @pulumi/command classes register', () => {
    for (const [key, load] of Object.entries(sdkClasses)) {
      assert.equal(TYPES[key as keyof typeof TYPES], load().__pulumiType, key);
    }
  });

  it('name the Kubernetes workloads whose env references the stack policy resolves by their SDK tokens', () => {
    const k8s = require('@pulumi/kubernetes');
    for (const token of WORKLOAD_TYPES) {
      const [, group, kind] = /^kubernetes:([a-z]+)\/v1:(\w+)$/.exec(token) ?? [];
      const cls = k8s[group]?.v1?.[kind];
      assert.equal(cls?.__pulumiType, token, token);
    }
  });

  it('know the wire form of a secret as @pulumi/pulumi writes it', () => {
    const rpc = require('@pulumi/pulumi/runtime/rpc');
    assert.deepEqual([SECRET_SIG_KEY, SECRET_SIG], [rpc.specialSigKey, rpc.specialSecretSig]);
  });

  it('key the base64 and config-field tables (no stray token)', () => {
    const known = new Set<string>(Object.values(TYPES));
    for (const token of [...Object.keys(KNOWN_BASE64_FIELDS), ...Object.keys(CONFIG_FIELDS)]) {
      assert.ok(known.has(token), token);
    }
  });

  it('the pack is self-contained: policy/*.ts import nothing outside policy/ (pulumi policy publish uploads it alone)', () => {
    const dir = path.resolve(__dirname, '../../policy');
    const outside: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.[^'"]*)['"]/g)) {
        if (!path.resolve(dir, m[1]).startsWith(dir + path.sep)) outside.push(`${f}: ${m[1]}`);
      }
    }
    assert.deepEqual(outside, []);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { files: string[] };
    assert.deepEqual(
      [...tsconfig.files].sort(),
      fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.ts'))
        .sort(),
      'policy/tsconfig.json lists every module of the pack',
    );
  });
});
