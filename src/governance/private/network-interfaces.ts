import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What a function in a VPC needs to manage its network interfaces: the actions of the AWS managed
 * policy AWSLambdaVPCAccessExecutionRole, on `*` (see WILDCARD_REASONS.networkInterfaces).
 */
export function networkInterfacesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ManageNetworkInterfaces',
    actions: [
      'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}
