import { awscdk } from 'projen';

/** Build settings of the runtime-governance constructs (Lambda bundling, SDK clients). */
export function configureGovernance(_project: awscdk.AwsCdkConstructLibrary): void {}
