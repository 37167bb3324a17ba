import { awscdk } from 'projen';

/** Tasks that build and consume the Python, Java, Go and .NET packages. */
export function configureMultiLanguage(_project: awscdk.AwsCdkConstructLibrary): void {}
