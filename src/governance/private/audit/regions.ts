/**
 * The Regions where Amazon Bedrock is offered, as the AWS SDK's endpoint data lists the `bedrock`
 * service: botocore 1.43.11, `botocore/data/endpoints.json`, partitions `aws` and `aws-us-gov`
 * (read 2026-12-04), which agrees with the Amazon Bedrock endpoints page of the AWS General Reference
 * (https://docs.aws.amazon.com/general/latest/gr/bedrock.html). A Region AWS adds later is not here
 * until this list is read again: it can still not be audited by name, so an audit never claims a Region
 * it does not know.
 */
export const BEDROCK_REGIONS = {
  'aws': [
    'af-south-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
    'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
    'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
} as const;

/** The Regions audited when none is named: the commercial partition's, where most accounts are. */
export const DEFAULT_REGIONS: readonly string[] = BEDROCK_REGIONS.aws;

/**
 * The Regions of `BEDROCK_REGIONS.aws` enabled in every account: those launched before March 20, 2019
 * (AWS Account Management reference guide, "Enable or disable AWS Regions in your account"). The
 * others are opt-in Regions, which an account may not have enabled.
 */
const ENABLED_BY_DEFAULT = new Set([
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1',
  'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
]);

/** An opt-in Region of the commercial partition, which an account may not have enabled. */
export function isOptInRegion(region: string): boolean {
  return (BEDROCK_REGIONS.aws as readonly string[]).includes(region) && !ENABLED_BY_DEFAULT.has(region);
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(BEDROCK_REGIONS).flat());

/**
 * The Regions to audit from the `--region` values (each may list several, comma-separated), or the
 * default ones when none is given. Throws, naming each value it does not know and what it knows, before
 * any AWS call.
 */
export function resolveRegions(given: readonly string[]): string[] {
  const named = given.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
  if (given.length > 0 && named.length === 0) throw new UsageError('--region was given no Region');
  if (named.length === 0) return [...DEFAULT_REGIONS];
  const unknown = named.filter((region) => !KNOWN.has(region));
  if (unknown.length > 0) {
    throw new UsageError(`--region ${unknown.map((region) => JSON.stringify(region)).join(', ')}: `
      + `not a Region where Amazon Bedrock is offered. Expected one or more of: ${[...KNOWN].join(', ')}`);
  }
  return [...new Set(named)];
}

/** Bad command-line input: reported with the usage, before any AWS call. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}
