// Shared inputs for the renderer tests: a real CA bundle made with openssl, clone/source database targets that differ
// only in the host, and fake secrets distinctive enough to grep for in every rendered artifact.
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { hostPathWithout } from './path';
import * as os from 'os';
import * as path from 'path';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { DatabaseTarget } from '../../targets/shared/render';
import { CaBundle, caBundleFromPem } from '../../lib/tls/ca-bundle';

export const CLONE: DatabaseTarget = {
  host: 'tooljet-pg16-clone.c1abcdefgh.eu-west-1.rds.amazonaws.com',
  port: 5432,
  user: 'tooljet_app',
  database: 'tooljet_prod',
  tooljetDatabase: 'tooljet_db',
};
export const SOURCE: DatabaseTarget = { ...CLONE, host: 'tooljet-pg13-source.c1abcdefgh.eu-west-1.rds.amazonaws.com' };

/** A password exercising every character class the .env/URI encoders must handle (no single quote: refused). */
export const AWKWARD_PASSWORD = 'p@ss w:rd/%?&#$"\\x~é=+,';

export interface FakeSecrets {
  pgPassword: string;
  tooljetDbPassword: string;
  lockboxMasterKey: string;
  secretKeyBase: string;
  pgrstJwtSecret: string;
}

/** Distinctive random secrets: each is unlikely to occur anywhere by accident. */
export function fakeSecrets(): FakeSecrets {
  const tag = crypto.randomBytes(6).toString('hex');
  return {
    pgPassword: `PgPass-${tag}-${crypto.randomBytes(6).toString('hex')}`,
    tooljetDbPassword: `TjDbPass-${tag}-${crypto.randomBytes(6).toString('hex')}`,
    lockboxMasterKey: crypto.randomBytes(32).toString('hex'),
    secretKeyBase: crypto.randomBytes(64).toString('hex'),
    pgrstJwtSecret: `jwt-${crypto.randomBytes(24).toString('hex')}`,
  };
}

/** Every form in which a secret value could leak: raw, percent-encoded, base64, JSON-escaped. */
export function leakForms(value: string): string[] {
  return [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), JSON.stringify(value).slice(1, -1)];
}

/** Asserts that no secret value (in any encoding) occurs in `artifact` (stringified if not a string). */
export function assertNoSecrets(name: string, artifact: unknown, secrets: Record<string, string>): void {
  const text = typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  for (const [k, v] of Object.entries(secrets)) {
    for (const form of leakForms(v)) {
      if (text.includes(form)) throw new Error(`${name} contains the value of ${k}`);
    }
  }
}

export interface CaFixture {
  dir: string;
  pem: string;
  /** `pem` as the checked type the renderers take. */
  bundle: CaBundle;
  /** A second, unrelated CA (for "wrong bundle" cases). */
  otherPem: string;
  cleanup(): void;
}

/** Two real CA certificates from openssl; `pem` is a two-certificate bundle like RDS's multi-certificate file. */
export function makeCaBundle(): CaFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-render-ca-'));
  const a = createCertificateAuthority(dir, 'render test CA A');
  const b = createCertificateAuthority(dir, 'render test CA B');
  const c = createCertificateAuthority(dir, 'render test CA C');
  const pem = fs.readFileSync(a.certFile, 'utf8') + fs.readFileSync(b.certFile, 'utf8');
  return {
    dir,
    pem,
    bundle: caBundleFromPem(pem),
    otherPem: fs.readFileSync(c.certFile, 'utf8'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Renders with `CLONE` and with `SOURCE` and checks that the only difference is the host: replacing every occurrence
 * of the clone host in the first rendering must give exactly the second, and the host must occur at least once.
 */
export function onlyHostMoves(render: (db: DatabaseTarget) => unknown): number {
  const a = JSON.stringify(render(CLONE));
  const b = JSON.stringify(render(SOURCE));
  const occurrences = a.split(CLONE.host).length - 1;
  if (occurrences === 0) throw new Error('the clone host does not appear in the rendering');
  if (b.includes(CLONE.host)) throw new Error('the source rendering still mentions the clone host');
  if (a.split(CLONE.host).join(SOURCE.host) !== b)
    throw new Error('switching clone -> source changed more than the host');
  return occurrences;
}

/** Stub commands for the AMI user-data: they record their arguments and serve the files the test chose. */
const AMI_STUBS: Record<string, string> = {
  aws: `#!/bin/bash
printf 'aws %s\\n' "$*" >> "$STUB_LOG"
case "$1 $2" in
  "s3api get-object")
    if [[ -n \${STUB_FAIL_S3:-} ]]; then
      echo "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied" >&2
      exit 254
    fi
    out="\${!#}"
    cp "$STUB_BUNDLE" "$out"
    echo '{"ContentType": "application/x-pem-file"}' ;;
  "secretsmanager get-secret-value")
    if [[ -n \${STUB_FAIL_SECRET:-} ]]; then
      echo "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: not authorized" >&2
      exit 254
    fi
    cat "$STUB_SECRET"; echo ;;
  "ssm get-parameter")
    cat "$STUB_SECRET"; echo ;;
  *) echo "unexpected aws call: $*" >&2; exit 2 ;;
esac
`,
  curl: `#!/bin/bash
printf 'curl %s\\n' "$*" >> "$STUB_LOG"
while [[ $# -gt 0 ]]; do
  if [[ $1 == --output ]]; then cp "$STUB_BUNDLE" "$2"; fi
  shift
done
`,
  // Records every call; STUB_SYSTEMCTL_FAIL="restart nest" makes that one call fail as systemd would.
  systemctl: `#!/bin/bash
printf 'systemctl %s\\n' "$*" >> "$STUB_LOG"
if [[ -n \${STUB_SYSTEMCTL_FAIL:-} && "$*" == "$STUB_SYSTEMCTL_FAIL" ]]; then
  echo "Job for \${2}.service failed because the control process exited with error code." >&2
  exit 1
fi
`,
};

/**
 * A scratch root for running the AMI user-data: `root` holds home/ubuntu/app/.env, `bin` the stubs (aws, curl,
 * systemctl), which serve `bundle` and `secret`. Everything else the script runs is the real command.
 */
export class AmiSandbox {
  readonly root: string;
  readonly bin: string;
  readonly envFile: string;
  readonly log: string;

  constructor(parent: string, envText: string, opts: { withAws?: boolean; envMode?: number } = {}) {
    const base = fs.mkdtempSync(path.join(parent, 'ami-'));
    this.root = path.join(base, 'root');
    this.bin = path.join(base, 'bin');
    this.log = path.join(base, 'calls.log');
    this.envFile = path.join(this.root, 'home/ubuntu/app/.env');
    fs.mkdirSync(path.dirname(this.envFile), { recursive: true });
    fs.mkdirSync(this.bin);
    fs.writeFileSync(this.envFile, envText);
    fs.chmodSync(this.envFile, opts.envMode ?? 0o640);
    for (const [name, body] of Object.entries(AMI_STUBS)) {
      if (name === 'aws' && opts.withAws === false) continue;
      fs.writeFileSync(path.join(this.bin, name), body, { mode: 0o755 });
    }
  }

  /** Path on this machine of an absolute path of the instance. */
  at(instancePath: string): string {
    return path.join(this.root, instancePath);
  }

  /** Writes the script and the served files; the command line and environment to run it with. */
  private prepare(userData: string, served: { bundle: string; secret: string }, extraEnv: Record<string, string>) {
    const dir = path.dirname(this.bin);
    const files = {
      ud: path.join(dir, 'user-data.sh'),
      bundle: path.join(dir, 'served-bundle.pem'),
      secret: path.join(dir, 'served-secret.txt'),
    };
    fs.writeFileSync(files.ud, userData);
    fs.writeFileSync(files.bundle, served.bundle);
    fs.writeFileSync(files.secret, served.secret);
    return {
      args: [files.ud],
      env: {
        // The stubs, then the host's commands without aws (the stub stands for it, or it is missing on purpose).
        PATH: `${this.bin}:${hostPathWithout(['aws'])}`,
        ROOT: this.root,
        STUB_LOG: this.log,
        STUB_BUNDLE: files.bundle,
        STUB_SECRET: files.secret,
        ...extraEnv,
      },
    };
  }

  /** Runs `userData` with bash, ROOT set to the sandbox and the stubs in front of the host's PATH (minus any aws). */
  run(userData: string, served: { bundle: string; secret: string }, extraEnv: Record<string, string> = {}) {
    const { args, env } = this.prepare(userData, served, extraEnv);
    return spawnSync('bash', args, { encoding: 'utf8', env });
  }

  /**
   * Runs it and sends SIGTERM to its whole process group after `afterMs` (as systemd stops a unit's control group);
   * resolves with its exit status and stderr.
   */
  runKilled(
    userData: string,
    served: { bundle: string; secret: string },
    afterMs: number,
  ): Promise<{ status: number | null; stderr: string }> {
    const { args, env } = this.prepare(userData, served, {});
    const child = spawn('bash', args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), afterMs);
    return new Promise((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr });
      }),
    );
  }

  calls(): string[] {
    return fs.existsSync(this.log) ? fs.readFileSync(this.log, 'utf8').trim().split('\n') : [];
  }
}
