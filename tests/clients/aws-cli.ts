// The real AWS CLI judges what the program would send to AWS: it validates every request against the service model
// it ships (botocore's JSON models) before it opens a connection. Pointed at a dead local endpoint with throw-away
// credentials, a request that passes validation ends in "Could not connect to the endpoint URL"; one that does not,
// in "Parameter validation failed" naming the field. Nothing leaves this machine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireClient } from './client';

export interface CliVerdict {
  /** true: the CLI accepted the request's shape and only failed to connect. */
  valid: boolean;
  /** The CLI's complaint (stderr), for the assertion message. */
  detail: string;
}

/** Runs `aws <service> <operation> --cli-input-json` against 127.0.0.1:9 (discard: nothing listens). */
export function awsValidates(service: string, operation: string, request: unknown): CliVerdict {
  const aws = requireClient('aws', 'apt-get install awscli (or any AWS CLI v1/v2)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-aws-cli-'));
  try {
    const file = path.join(dir, 'request.json');
    fs.writeFileSync(file, JSON.stringify(request));
    const r = spawnSync(
      aws,
      [
        service,
        operation,
        '--cli-input-json',
        `file://${file}`,
        '--endpoint-url',
        'http://127.0.0.1:9',
        '--region',
        'us-east-1',
        '--cli-connect-timeout',
        '2',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
          AWS_SECRET_ACCESS_KEY: 'example-secret-not-a-credential',
          AWS_MAX_ATTEMPTS: '1',
          AWS_RETRY_MODE: 'standard',
          AWS_CONFIG_FILE: path.join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
          AWS_PAGER: '',
        },
      },
    );
    const detail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
    if (/Could not connect to the endpoint URL/.test(detail)) return { valid: true, detail };
    if (/Parameter validation failed|Unknown parameter|Invalid type for parameter|Error parsing parameter/.test(detail))
      return { valid: false, detail };
    throw new Error(`the AWS CLI answered neither a validation error nor a connection failure: ${detail}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
