// Loads the real Pulumi.yaml / Pulumi.<stack>.yaml into the form the Pulumi CLI hands a program: PULUMI_CONFIG
// (namespaced key -> string; structured values as JSON text) plus the list of secret keys.
import * as fs from 'fs';
import * as path from 'path';
import { parseYaml } from './yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface StackFile {
  /** Namespaced key ("tooljet-pg-upgrade:clone") -> the string the CLI would put in PULUMI_CONFIG. */
  config: Record<string, string>;
  /** Keys stored as `secure:` values (their ciphertext cannot be decrypted here). */
  secretKeys: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readYamlFile(file: string): unknown {
  return parseYaml(fs.readFileSync(file, 'utf8'), path.basename(file));
}

export function readProject(dir = REPO_ROOT): Record<string, unknown> {
  const doc = readYamlFile(path.join(dir, 'Pulumi.yaml'));
  if (!isPlainObject(doc)) throw new Error('Pulumi.yaml is not a mapping');
  return doc;
}

export function readStackFile(stack: string, dir = REPO_ROOT): StackFile {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const doc = readYamlFile(file);
  if (!isPlainObject(doc) || !isPlainObject(doc.config)) throw new Error(`${file} has no "config" mapping`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc.config)) {
    if (!key.includes(':')) throw new Error(`${file}: config key "${key}" has no namespace`);
    if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.secure === 'string') {
      secretKeys.push(key);
      config[key] = '<encrypted>';
    } else if (typeof value === 'object' && value !== null) {
      config[key] = JSON.stringify(value);
    } else {
      config[key] = value === null ? '' : String(value);
    }
  }
  return { config, secretKeys };
}
