// The RDS CA bundle as an S3 object in an existing bucket, for the targets whose hosts download it (ECS init
// container, AMI user-data): it is too large for any other carrier (docs/targets.md).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { S3ObjectConfig } from './settings';
import type { S3ObjectRef } from './render';
import { KEEP_ON_DELETE, versionIdOf } from './component';

export function caBundleObject(
  parent: pulumi.Resource,
  resourceName: string,
  opts: { object: S3ObjectConfig; pem: string; tags: Record<string, string> },
): {
  resource: aws.s3.BucketObjectv2;
  ref: pulumi.Output<S3ObjectRef>;
  /** The KMS key S3 encrypted the object with (SSE-KMS, from the bucket's default encryption); undefined otherwise. */
  kmsKeyArn: pulumi.Output<string | undefined>;
} {
  const resource = new aws.s3.BucketObjectv2(
    resourceName,
    {
      bucket: opts.object.bucket,
      key: opts.object.key,
      content: opts.pem,
      contentType: 'application/x-pem-file',
      tags: opts.tags,
    },
    // Every new task / instance downloads it: kept when the stack is destroyed or the target removed.
    { parent, ...KEEP_ON_DELETE },
  );
  // Pinning the version (when the bucket is versioned) means a task or instance never reads a newer object than the
  // SHA-256 it was rendered with; the SHA-256 check catches the rest.
  const ref = resource.versionId.apply((v) => {
    const versionId = versionIdOf(v);
    return { bucket: opts.object.bucket, key: opts.object.key, ...(versionId !== undefined && { versionId }) };
  });
  // What S3 applied (the resource reads it back with HeadObject): a bucket whose default encryption is SSE-KMS encrypts
  // the object with its key, and whoever downloads it then needs kms:Decrypt on that key (Amazon S3 User Guide,
  // "Setting default server-side encryption behavior for Amazon S3 buckets"; SSE-KMS).
  const kmsKeyArn = pulumi
    .all([resource.serverSideEncryption, resource.kmsKeyId])
    .apply(([sse, key]) => (typeof sse === 'string' && sse.startsWith('aws:kms') && key ? key : undefined));
  return { resource, ref, kmsKeyArn };
}
