/**
 * The CDK feature flags the stack is written for: the `@aws-cdk…` entries
 * of `cdk.json`'s context, set to the CLI's recommended values
 * (`npx cdk flags --unstable=flags --set --all --recommended --yes`). The CDK
 * CLI applies cdk.json itself; apps built in code (`agentspec apply` to a
 * Lambda target, the stack tests) take the same values from here, so every
 * path synthesises the same template.
 */
import cdkJson from '../cdk.json' with { type: 'json' };

export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(cdkJson.context).filter(([key]) => key.startsWith('@aws-cdk')),
);
