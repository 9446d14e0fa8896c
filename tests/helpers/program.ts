// Runs the REAL index.ts under Pulumi mocks with the configuration of a real stack file (plus per-test changes),
// and returns what it registered, invoked and exported.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { createCertificateAuthority } from '../../lib/tls/ca';
import { fakeAws, FakeAws, installMocks, RecordedInvoke, RecordedResource, RecordingMocks, settle } from './mocks';
import { readStackFile, REPO_ROOT } from './stack-file';
import { inspect, Inspected } from './unwrap';

export const PROJECT = 'tooljet-pg-upgrade';
export const TEST_PASSWORD = 'tj-test-password-7f3a9c1e';

let workDir: string | undefined;
function tempDir(): string {
  if (!workDir) {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-program-'));
    process.on('exit', () => fs.rmSync(workDir!, { recursive: true, force: true }));
  }
  return workDir;
}

let bundle: string | undefined;
/**
 * A CA bundle of two freshly generated CA certificates (the RDS bundle holds many), the first named like the root of
 * the default clone.caCertIdentifier (rds-ca-rsa2048-g1), which the configuration checks is in the bundle.
 */
export function testCaBundle(): string {
  if (!bundle) {
    const dir = path.join(tempDir(), 'ca');
    const a = createCertificateAuthority(dir, 'Amazon RDS us-east-1 Root CA RSA2048 G1', 30, { exactName: true });
    const b = createCertificateAuthority(dir, 'tj test RDS root B');
    bundle = path.join(dir, 'global-bundle.pem');
    fs.writeFileSync(bundle, fs.readFileSync(a.certFile, 'utf8') + fs.readFileSync(b.certFile, 'utf8'));
  }
  return bundle;
}

/** Writes `text` to a fresh file in the test directory and returns its path. */
export function writeTempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(tempDir(), 'f-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

export interface RunOptions {
  /** Stack name; its Pulumi.<stack>.yaml is loaded unless `file` names another stack file. */
  stack: string;
  file?: string;
  /** Changes to this project's keys (short key -> value; objects are JSON-encoded; undefined removes the key). */
  set?: Record<string, unknown>;
  /** The dbPassword value and whether it is stored as a secret (default: TEST_PASSWORD, secret); null: not set. */
  password?: { value: string; secret: boolean } | null;
  /** Further keys stored as Pulumi secrets (short key -> value), e.g. lockboxMasterKey. */
  secrets?: Record<string, string>;
  /** Keep the stack file's caBundle path instead of the generated test bundle. */
  keepCaBundle?: boolean;
  preview?: boolean;
  aws?: FakeAws;
}

export interface ProgramRun {
  mocks: RecordingMocks;
  /** What the program logged with pulumi.log.info / warn (under mocks the SDK prints them; captured here instead). */
  logs: string[];
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  outputs: Record<string, Inspected<unknown>>;
  ofType(type: string): RecordedResource[];
  one(type: string): RecordedResource;
}

function buildConfig(opts: RunOptions): { config: Record<string, string>; secretKeys: string[] } {
  const file = readStackFile(opts.file ?? opts.stack, REPO_ROOT);
  const config = { ...file.config };
  const secretKeys = [...file.secretKeys];
  if (!opts.keepCaBundle) config[`${PROJECT}:caBundle`] = testCaBundle();
  const password = opts.password === undefined ? { value: TEST_PASSWORD, secret: true } : opts.password;
  if (password) {
    config[`${PROJECT}:dbPassword`] = password.value;
    if (password.secret) secretKeys.push(`${PROJECT}:dbPassword`);
  }
  for (const [key, value] of Object.entries(opts.secrets ?? {})) {
    config[`${PROJECT}:${key}`] = value;
    secretKeys.push(`${PROJECT}:${key}`);
  }
  for (const [key, value] of Object.entries(opts.set ?? {})) {
    const full = `${PROJECT}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { config, secretKeys };
}

/** Reads a stack file's value of one of this project's object keys (to modify it in a test). */
export function stackValue(stack: string, key: string): Record<string, unknown> {
  return JSON.parse(readStackFile(stack).config[`${PROJECT}:${key}`]) as Record<string, unknown>;
}

type Main = () => Promise<Record<string, unknown>>;

/** Without an engine the SDK prints log messages as `info: [runtime] ...`; collect them instead of printing. */
function captureLogs(): { logs: string[]; restore: () => void } {
  const logs: string[] = [];
  const saved = { log: console.log, warn: console.warn };
  const capture =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      const text = args.map(String).join(' ');
      const m = /^(info|warning): \[runtime\] ([\s\S]*)$/.exec(text);
      if (m) logs.push(`${m[1]}: ${m[2]}`);
      else original(...args);
    };
  console.log = capture(saved.log);
  console.warn = capture(saved.warn);
  return { logs, restore: () => Object.assign(console, saved) };
}

async function execute(
  opts: RunOptions,
): Promise<{ mocks: RecordingMocks; logs: string[]; result?: Record<string, unknown>; error?: unknown }> {
  const { config, secretKeys } = buildConfig(opts);
  pulumi.runtime.setAllConfig(config, secretKeys);
  const mocks = new RecordingMocks(opts.aws ?? fakeAws());
  installMocks(mocks, PROJECT, opts.stack, opts.preview ?? false);
  const main = require(path.join(REPO_ROOT, 'index.ts')) as Main;
  const { logs, restore } = captureLogs();
  try {
    const result = await main();
    return { mocks, logs, result };
  } catch (error) {
    return { mocks, logs, error };
  } finally {
    await settle();
    restore();
  }
}

export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
  const { mocks, logs, result, error } = await execute(opts);
  if (error) throw error;
  const outputs: Record<string, Inspected<unknown>> = {};
  for (const [k, v] of Object.entries(result!)) outputs[k] = await inspect(v as pulumi.Input<unknown>);
  await settle();
  const ofType = (type: string) => mocks.resources.filter((r) => r.type === type);
  return {
    mocks,
    logs,
    resources: mocks.resources,
    invokes: mocks.invokes,
    outputs,
    ofType,
    one(type: string) {
      const all = ofType(type);
      if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
      return all[0];
    },
  };
}

/** Runs the program and returns the error it fails with (fails the test if it does not fail). */
export async function programError(opts: RunOptions): Promise<{ error: Error; mocks: RecordingMocks; logs: string[] }> {
  const { mocks, logs, error } = await execute(opts);
  if (!error) throw new Error('expected the program to fail, but it succeeded');
  return { error: error as Error, mocks, logs };
}
