/** Resolving the intrinsics CDK puts in key policies, as they would resolve in one account and Region. */

export interface ResolveEnv {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
  /** `Fn::GetAtt` values by `<logicalId>.<attribute>`. */
  readonly attributes: Record<string, string>;
}

/** Resolves the intrinsics CDK puts in key policies into plain strings. */
export function resolveIntrinsics(value: unknown, env: ResolveEnv): any {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, env));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref': {
        const pseudo: Record<string, string> = {
          'AWS::Partition': env.partition, 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': env.urlSuffix,
        };
        if (!(String(arg) in pseudo)) throw new Error(`cannot resolve Ref ${String(arg)}`);
        return pseudo[String(arg)];
      }
      case 'Fn::GetAtt': {
        const key = (arg as string[]).join('.');
        if (!(key in env.attributes)) throw new Error(`cannot resolve Fn::GetAtt ${key}`);
        return env.attributes[key];
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((p) => resolveIntrinsics(p, env)).join(separator);
      }
      default:
        if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, env)]));
}

/** Every `Fn::GetAtt <id>.Arn` of IAM roles and KMS keys in a template, as a plausible ARN. */
export function arnAttributes(template: { Resources: Record<string, { Type: string }> }, env: Omit<ResolveEnv, 'attributes'>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') attributes[`${id}.Arn`] = `arn:${env.partition}:iam::${env.account}:role/${id}`;
    if (resource.Type === 'AWS::KMS::Key') attributes[`${id}.Arn`] = `arn:${env.partition}:kms:${env.region}:${env.account}:key/${id}`;
  }
  return attributes;
}
