import { IResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * A Bedrock guardrail, created here or imported.
 */
export interface ISecureGuardrail extends IResource {
  /**
   * The guardrail's id.
   *
   * @attribute
   */
  readonly guardrailId: string;

  /**
   * The guardrail's ARN.
   *
   * @attribute
   */
  readonly guardrailArn: string;

  /**
   * The guardrail version callers should use: `DRAFT` until a version is created.
   */
  readonly guardrailVersion: string;

  /**
   * Lets `grantee` apply the guardrail: `bedrock:ApplyGuardrail` on it (and on the guardrail
   * profile in every destination Region when it uses cross-Region inference) and `kms:Decrypt` on its
   * key, only through Bedrock in the key's Region.
   */
  grantApply(grantee: iam.IGrantable): iam.Grant;

  /**
   * Lets `grantee` read the guardrail's configuration: `bedrock:GetGuardrail` on it and
   * `kms:Decrypt` on its key, only through Bedrock in the key's Region. Meant for auditors and
   * compliance checks; applications need `grantApply` only.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * How to refer to a guardrail defined outside this construct.
 */
export interface SecureGuardrailAttributes {
  /**
   * The guardrail's ARN, `arn:<partition>:bedrock:<region>:<account>:guardrail/<id>`.
   */
  readonly guardrailArn: string;

  /**
   * The version to use.
   *
   * @default 'DRAFT'
   */
  readonly guardrailVersion?: string;

  /**
   * The key that encrypts the guardrail. Without it, `grantApply` grants no `kms:Decrypt` and
   * callers of a guardrail encrypted with a customer-managed key are refused.
   *
   * @default - unknown
   */
  readonly encryptionKey?: kms.IKey;
}
