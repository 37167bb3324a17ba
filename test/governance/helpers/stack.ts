import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

export function newStack(env: { account?: string; region?: string } | undefined = { account: ACCOUNT, region: REGION }): Stack {
  return new Stack(new App(), 'TestStack', { env });
}

/** The only resource of a type in the template, with its logical id. */
export function only(template: Template, type: string): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return { id: found[0][0], resource: found[0][1] };
}

/** `arn:${AWS::Partition}:…` as CDK renders a formatted ARN. */
export function partitionArn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}
