// IAM policy pieces the kinds share (pure): the `kms:Decrypt` statement, limited with `kms:ViaService` to the AWS
// services that decrypt on the role's behalf, and those services' endpoints.
//
// Why kms:ViaService: the role needs kms:Decrypt only for what Secrets Manager, SSM or S3 decrypt for it (the ECS agent
// reading a secret, the init container or instance reading the SSE-KMS bundle object). "The kms:ViaService condition
// key limits use of a KMS key to requests from specified AWS services" (AWS KMS Developer Guide, kms:ViaService);
// without it the role could decrypt any ciphertext under those keys directly.
import { RenderError } from './render';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export type KmsCaller = 'secretsmanager' | 'ssm' | 's3';

/** `<service>.<region>.amazonaws.com` (`.amazonaws.com.cn` in the China partition): the value kms:ViaService takes. */
export function serviceEndpoint(service: KmsCaller, region: string, partition = 'aws'): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new RenderError(`region ${JSON.stringify(region)} is not an AWS region`);
  return `${service}.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
}

/** The service and region of a Secrets Manager secret or SSM parameter ARN (they decrypt it for the caller). */
export function secretCaller(arn: string): { service: 'secretsmanager' | 'ssm'; region: string; partition: string } {
  const m = /^arn:(aws[a-z-]*):(secretsmanager|ssm):([a-z0-9-]+):/.exec(arn);
  if (!m) throw new RenderError(`${JSON.stringify(arn)} is not a Secrets Manager secret or SSM parameter ARN`);
  return { partition: m[1], service: m[2] as 'secretsmanager' | 'ssm', region: m[3] };
}

/** kms:Decrypt on `keys`, only through the given service endpoints; undefined when there is no key. */
export function kmsDecryptStatement(
  sid: string,
  keys: readonly string[],
  viaServices: readonly string[],
): PolicyStatement | undefined {
  if (keys.length === 0) return undefined;
  if (viaServices.length === 0)
    throw new RenderError(`${sid}: kms:Decrypt needs the services that decrypt for the role`);
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: [...new Set(keys)].sort(),
    Condition: { StringEquals: { 'kms:ViaService': [...new Set(viaServices)].sort() } },
  };
}

/** The endpoints of the services that decrypt the given secrets/parameters. */
export function secretsViaServices(secretArns: readonly string[]): string[] {
  return [
    ...new Set(
      secretArns.map((a) => {
        const c = secretCaller(a);
        return serviceEndpoint(c.service, c.region, c.partition);
      }),
    ),
  ].sort();
}
