// What the local rehearsal writes for the ECS target: a task definition from scratch (the program bases it on the
// service's current one instead) and the two role policies, with placeholder AWS names (shared/rehearsal.ts). Pure.
import type { RehearsalInput } from '../shared/kind';
import { json, PLACEHOLDERS, placeholderArn, RehearsalFile } from '../shared/rehearsal';
import { renderEcsExecutionRolePolicy, renderEcsTaskDefinition, renderEcsTaskRolePolicy } from './render';

export function rehearseEcs({ database, caBundle }: RehearsalInput): RehearsalFile[] {
  const sm = (name: string) => ({ arn: placeholderArn('secretsmanager', `secret:tooljet/${name}-AbCdEf`) });
  const td = renderEcsTaskDefinition(
    {
      database,
      secrets: {
        pgPassword: sm('pg-password'),
        lockboxMasterKey: sm('lockbox-master-key'),
        secretKeyBase: sm('secret-key-base'),
        pgrstJwtSecret: sm('pgrst-jwt-secret'),
      },
      caBundle,
      caBundleObject: PLACEHOLDERS.caBundleObject,
      region: PLACEHOLDERS.region,
      tooljetHost: PLACEHOLDERS.tooljetHost,
      tooljetImage: PLACEHOLDERS.tooljetImage,
    },
    {
      executionRoleArn: `arn:aws:iam::${PLACEHOLDERS.account}:role/tooljet-task-execution`,
      taskRoleArn: `arn:aws:iam::${PLACEHOLDERS.account}:role/tooljet-task`,
    },
  );
  return [
    {
      path: 'ecs/task-definition.json',
      text: json(td),
      mode: 0o644,
      secret: false,
      description: 'RegisterTaskDefinition input: init container, tooljet, postgrest',
    },
    {
      path: 'ecs/execution-role-policy.json',
      text: json(renderEcsExecutionRolePolicy(td.containerDefinitions)),
      mode: 0o644,
      secret: false,
      description: 'execution role: read exactly the referenced secrets',
    },
    {
      path: 'ecs/task-role-policy.json',
      text: json(renderEcsTaskRolePolicy(PLACEHOLDERS.caBundleObject)),
      mode: 0o644,
      secret: false,
      description: 'task role: read the bundle object',
    },
  ];
}
