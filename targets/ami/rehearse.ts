// What the local rehearsal writes for the AMI target: the user-data, with the run's database and CA and placeholder
// AWS names (shared/rehearsal.ts). Pure.
import type { RehearsalInput } from '../shared/kind';
import { PLACEHOLDERS, RehearsalFile } from '../shared/rehearsal';
import { renderAmiUserData } from './render';

export function rehearseAmi({ database, caBundle }: RehearsalInput): RehearsalFile[] {
  return [
    {
      path: 'ami/user-data.sh',
      text: renderAmiUserData({
        database,
        region: PLACEHOLDERS.region,
        caBundle,
        caBundleSource: { s3: PLACEHOLDERS.caBundleObject },
        pgPassword: { secretsManager: { secretId: 'tooljet/pg-password' } },
      }),
      mode: 0o644,
      secret: false,
      description:
        'EC2 user-data: installs the bundle, rewrites the database keys of /home/ubuntu/app/.env, restarts nest and postgrest',
    },
  ];
}
