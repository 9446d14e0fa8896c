// Runs one policy's validateResource the way @pulumi/policy's server does (server.js, analyze): props go through the
// same unknown-checking proxy, `notApplicable` throws, an UnknownValueError becomes an advisory "can't run during
// preview". Pattern: pulumi/pulumi-policy-aws src/tests/util.ts, plus the 1.21 args (stackTags, notApplicable).
import * as policySdk from '@pulumi/policy';
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';

interface ProxyModule {
  unknownCheckingProxy: (props: unknown) => Record<string, unknown>;
  UnknownValueError: new (...args: never[]) => Error;
  unknownStringValue: string;
  unknownBooleanValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
}
// Runtime exports of @pulumi/policy that its .d.ts leaves out (marked @internal).
const proxy = require('@pulumi/policy/proxy') as ProxyModule;

/** What the engine sends for inputs that are not known yet during preview. */
export const UNKNOWN = {
  string: proxy.unknownStringValue,
  boolean: proxy.unknownBooleanValue,
  array: proxy.unknownArrayValue,
  object: proxy.unknownObjectValue,
};

export const PROJECT = 'tooljet-pg-upgrade';

export interface Resource {
  type: string;
  props: Record<string, unknown>;
  name?: string;
  /** Stack the resource is in (goes into the URN). Default: staging. */
  stack?: string;
  stackTags?: Record<string, string>;
  config?: Record<string, unknown>;
}

export interface PolicyRun {
  violations: string[];
  /** The reason passed to args.notApplicable, if the policy called it. */
  notApplicable?: string;
  /** Set when the policy hit an unknown value: the server reports it as an advisory "can't run during preview". */
  advisory?: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(`not applicable: ${reason ?? ''}`);
  }
}

const emptyOptions: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function urnOf(r: Resource): string {
  return `urn:pulumi:${r.stack ?? 'staging'}::${PROJECT}::${r.type}::${r.name ?? 'test'}`;
}

export function argsFor(r: Resource): ResourceValidationArgs {
  const props = proxy.unknownCheckingProxy(r.props);
  return {
    type: r.type,
    props,
    urn: urnOf(r),
    name: r.name ?? 'test',
    opts: emptyOptions,
    stackTags: new Map(Object.entries(r.stackTags ?? {})),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => (r.config ?? {}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

export async function runPolicy(policy: ResourceValidationPolicy, r: Resource): Promise<PolicyRun> {
  const run: PolicyRun = { violations: [] };
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validations) {
    if (!validate) continue;
    try {
      await validate(argsFor(r), (message) => run.violations.push(message));
    } catch (e) {
      if (e instanceof NotApplicable) run.notApplicable = e.reason ?? '';
      else if (e instanceof proxy.UnknownValueError) run.advisory = e.message;
      else throw e;
    }
  }
  return run;
}

export function base64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}

/** A value as a secret (the wrapper remediation and some code paths hand to policies). */
export function secret<T>(value: T): policySdk.Secret {
  return new policySdk.Secret(value);
}

export interface StackResource extends Resource {
  /** Names of resources (of this list) it depends on, as the engine lists them in `dependencies`. */
  dependsOn?: string[];
}

/**
 * Runs one stack policy's validateStack the way the server's analyzeStack does (server.js makeAnalyzeStackRpcFun):
 * every resource's props behind the unknown-checking proxy, dependencies as resource objects, violations with the URN
 * they name, an UnknownValueError as the advisory "can't run during preview".
 */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: StackResource[],
  opts: { stack?: string; config?: Record<string, unknown> } = {},
): Promise<PolicyRun & { urns: (string | undefined)[] }> {
  const stack = opts.stack ?? resources[0]?.stack ?? 'staging';
  const policyResources: PolicyResource[] = resources.map((r) => {
    const props = proxy.unknownCheckingProxy(r.props);
    return {
      type: r.type,
      props,
      urn: urnOf({ ...r, stack }),
      name: r.name ?? 'test',
      opts: emptyOptions,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
  });
  resources.forEach((r, i) => {
    policyResources[i].dependencies = (r.dependsOn ?? []).map((n) => {
      const dep = policyResources.find((p) => p.name === n);
      if (!dep) throw new Error(`dependsOn: no resource named ${n}`);
      return dep;
    });
  });
  const run: PolicyRun & { urns: (string | undefined)[] } = { violations: [], urns: [] };
  try {
    await policy.validateStack(
      {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => (opts.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
          throw new NotApplicable(reason);
        },
      },
      (message, urn) => {
        run.violations.push(message);
        run.urns.push(urn);
      },
    );
  } catch (e) {
    if (e instanceof NotApplicable) run.notApplicable = e.reason ?? '';
    else if (e instanceof proxy.UnknownValueError) run.advisory = e.message;
    else throw e;
  }
  return run;
}
