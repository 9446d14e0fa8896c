// Awaiting Pulumi Outputs in tests (pattern: pulumi/examples testing-unit-ts/mocha).
import * as pulumi from '@pulumi/pulumi';

/** The value of a known Output. Never resolves for an unknown one: use `inspect` for preview runs. */
export function unwrap<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(value).apply((v) => {
      resolve(v);
      return v;
    });
  });
}

export interface Inspected<T> {
  value: T | undefined;
  known: boolean;
  secret: boolean;
}

// `promise(withUnknowns)`, `isKnown` and `isSecret` are internal members of Output in @pulumi/pulumi 3.x.
interface OutputInternals<T> {
  promise(withUnknowns?: boolean): Promise<T>;
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
}

/** Value, knownness and secretness of an Output, also when it is unknown (preview). */
export async function inspect<T>(value: pulumi.Input<T>): Promise<Inspected<pulumi.Unwrap<T>>> {
  const out = pulumi.output(value) as unknown as OutputInternals<pulumi.Unwrap<T>>;
  const [known, secret] = await Promise.all([out.isKnown, out.isSecret]);
  return { value: known ? await out.promise() : undefined, known, secret };
}
