/**
 * ARNs, split in one place for every reader: the rules at synth, which read flattened template
 * values (`flattenIntrinsic`), and the Config rule's handler, which reads ARNs as AWS returns them.
 * Pure and without aws-cdk-lib: the handler bundles this file.
 */

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; a part the ARN leaves empty is `''`. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account, colons included (`key/<id>`, `role/<path>/<name>`, `root`). */
  readonly resource: string;
}

/** A KMS key's ARN: `arn:<partition>:kms:<region>:<account>:key/<key-id>`. */
export interface KeyArnParts extends ArnParts {
  readonly keyId: string;
}

/** The shape of a key ARN, for messages that say what is allowed. */
export const KEY_ARN_SHAPE = 'arn:<partition>:kms:<region>:<account>:key/<key-id>';

const ARN = /^arn:([^:]+):([^:]*):([^:]*):([^:]*):([\s\S]*)$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Splits an ARN at its first five colons; `undefined` for text that is not an ARN. */
export function parseArn(text: string): ArnParts | undefined {
  const match = ARN.exec(text);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/**
 * `parseArn` for a flattened template value. Its placeholders (`${AWS::AccountId}`, `${Ref:Name}`)
 * hold colons, so they are hidden while the ARN is split and each part keeps its own.
 */
export function parseTemplateArn(text: string): ArnParts | undefined {
  const placeholders: string[] = [];
  const masked = text.replace(/\$\{[^}]*\}/g, (placeholder) => `\u0000${placeholders.push(placeholder) - 1}\u0000`);
  const parts = parseArn(masked);
  if (!parts) return undefined;
  const unmask = (part: string) => part.replace(/\u0000(\d+)\u0000/g, (_, i: string) => placeholders[Number(i)]);
  return {
    partition: unmask(parts.partition),
    service: unmask(parts.service),
    region: unmask(parts.region),
    account: unmask(parts.account),
    resource: unmask(parts.resource),
  };
}

/** The ARN with its key id when it is a KMS key's (`kms`, `key/<id>`); an alias ARN is not. */
export function asKeyArn(arn: ArnParts | undefined): KeyArnParts | undefined {
  if (arn?.service !== 'kms') return undefined;
  const keyId = /^key\/(.+)$/.exec(arn.resource)?.[1];
  return keyId === undefined ? undefined : { ...arn, keyId };
}

/**
 * A key ARN whose Region and account are known, as AWS returns it and as `allowedKeyArns` takes it
 * (a Region and a 12-digit account); `undefined` for anything else.
 */
export function parseKeyArn(text: string): KeyArnParts | undefined {
  const key = asKeyArn(parseArn(text));
  return key && key.region !== '' && ACCOUNT_ID.test(key.account) ? key : undefined;
}

/** The 12-digit account of an ARN; `undefined` when the ARN names none (or the text is not an ARN). */
export function accountOfArn(text: string): string | undefined {
  const account = parseArn(text)?.account;
  return account !== undefined && ACCOUNT_ID.test(account) ? account : undefined;
}

/**
 * The account of an IAM or STS principal's ARN (a role, a user, a session, the account root), as the
 * ARN writes it; `undefined` for any other ARN. IAM and STS ARNs have no Region.
 */
export function principalAccountOf(arn: ArnParts | undefined): string | undefined {
  if (!arn || (arn.service !== 'iam' && arn.service !== 'sts') || arn.region !== '' || arn.account === '') return undefined;
  return arn.account;
}

/** An account as a template writes it: 12 digits, or the account of an environment-agnostic stack. */
export function isTemplateAccount(text: string): boolean {
  return /^(\d{12}|\$\{AWS::AccountId\})$/.test(text);
}

/**
 * The account a principal stands for as a whole: the account part of the account root's ARN (literal
 * or with placeholders), or a bare account id; `undefined` for any other principal.
 */
export function accountRootOf(principal: string): string | undefined {
  const arn = parseTemplateArn(principal);
  if (arn?.service === 'iam' && arn.resource === 'root') return principalAccountOf(arn);
  return isTemplateAccount(principal) ? principal : undefined;
}

/** The account of a principal given as an IAM or STS ARN (literal or with placeholders) or as an account id. */
export function accountOfPrincipal(principal: string): string | undefined {
  return principalAccountOf(parseTemplateArn(principal)) ?? (isTemplateAccount(principal) ? principal : undefined);
}

/** Whether a principal's ARN (literal or with placeholders) names an IAM role or user. */
export function isRoleOrUserArn(principal: string): boolean {
  const arn = parseTemplateArn(principal);
  return arn?.service === 'iam' && arn.region === '' && /^(role|user)\//.test(arn.resource);
}

/** Whether text is a guardrail's ARN with a Region and a 12-digit account. */
export function isGuardrailArn(text: string): boolean {
  const arn = parseArn(text);
  return arn?.service === 'bedrock' && arn.region !== '' && ACCOUNT_ID.test(arn.account) && /^guardrail\/[a-z0-9]+$/.test(arn.resource);
}
