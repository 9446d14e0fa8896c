// The task definition the program registers for the ECS target, judged by the AWS CLI's own parameter validation
// against the ECS service model (RegisterTaskDefinition), not by our reading of it. The request is what the
// program's aws.ecs.TaskDefinition sends: its inputs, recorded under Pulumi mocks from the real index.ts and the
// prod stack file, translated the way the provider does (terraform-provider-aws internal/service/ecs/
// task_definition.go: container_definitions is the JSON array sent as is; volume, runtime_platform and
// ephemeral_storage blocks become the API's volumes (configure_at_launch -> configuredAtLaunch, host_path ->
// host.sourcePath), runtimePlatform, ephemeralStorage.sizeInGiB; tags become the API's key/value list; skip_destroy
// and track_latest stay in the provider).
import { strict as assert } from 'assert';
import { rehearseEcs } from '../../targets/ecs/rehearse';
import { runProgram } from '../helpers/program';
import { CLONE, makeCaBundle } from '../helpers/targets';
import { awsValidates } from './aws-cli';

type Inputs = Record<string, unknown>;

/** The RegisterTaskDefinition request for a recorded aws.ecs.TaskDefinition's inputs. */
export function registerRequest(inputs: Inputs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || k === 'skipDestroy' || k === 'trackLatest' || k === 'tagsAll') continue;
    if (k === 'containerDefinitions') out[k] = JSON.parse(String(v));
    else if (k === 'ephemeralStorage') out[k] = { sizeInGiB: (v as { sizeInGib: number }).sizeInGib };
    else if (k === 'volumes') out[k] = (v as Inputs[]).map(volume);
    else if (k === 'tags') out[k] = Object.entries(v as Record<string, string>).map(([key, value]) => ({ key, value }));
    else out[k] = v;
  }
  return out;
}

function volume(v: Inputs): Inputs {
  const out: Inputs = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (k === 'configureAtLaunch') out.configuredAtLaunch = x;
    else if (k === 'hostPath') out.host = { sourcePath: x };
    else out[k] = x;
  }
  return out;
}

describe('clients: the ECS task definition passes the AWS CLI parameter validation (ECS service model)', function () {
  this.timeout(180_000);

  it('the revision the program registers for the prod stack (merged into the service current definition)', async () => {
    const run = await runProgram({ stack: 'prod' });
    const request = registerRequest(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs as Inputs);
    assert.ok(Array.isArray(request.containerDefinitions) && request.containerDefinitions.length >= 3);
    const v = awsValidates('ecs', 'register-task-definition', request);
    assert.ok(v.valid, `the AWS CLI refused the registered task definition: ${v.detail}`);
  });

  it('the task definition the rehearsal writes (ecs/task-definition.json)', () => {
    const ca = makeCaBundle();
    try {
      const file = rehearseEcs({ database: CLONE, caBundle: ca.bundle } as Parameters<typeof rehearseEcs>[0]).find(
        (f) => f.path === 'ecs/task-definition.json',
      )!;
      const v = awsValidates('ecs', 'register-task-definition', JSON.parse(file.text));
      assert.ok(v.valid, `the AWS CLI refused ecs/task-definition.json: ${v.detail}`);
    } finally {
      ca.cleanup();
    }
  });

  it('the harness can tell: a container with an unknown key or a number where ECS wants text is refused', () => {
    const base = { family: 'tooljet', containerDefinitions: [{ name: 'tooljet', image: 'tooljet/tooljet' }] };
    assert.equal(awsValidates('ecs', 'register-task-definition', base).valid, true);
    const unknownKey = awsValidates('ecs', 'register-task-definition', {
      ...base,
      containerDefinitions: [{ ...base.containerDefinitions[0], environmentFile: [] }],
    });
    assert.equal(unknownKey.valid, false);
    assert.match(unknownKey.detail, /environmentFile/);
    const wrongType = awsValidates('ecs', 'register-task-definition', {
      ...base,
      containerDefinitions: [{ ...base.containerDefinitions[0], environment: [{ name: 'PG_PORT', value: 5432 }] }],
    });
    assert.equal(wrongType.valid, false);
    assert.match(wrongType.detail, /value/);
  });
});
