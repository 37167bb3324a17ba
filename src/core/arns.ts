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

/** Whether text is a guardrail's ARN with a Region and a 12-digit account. */
export function isGuardrailArn(text: string): boolean {
  const arn = parseArn(text);
  return arn?.service === 'bedrock' && arn.region !== '' && ACCOUNT_ID.test(arn.account) && /^guardrail\/[a-z0-9]+$/.test(arn.resource);
}
