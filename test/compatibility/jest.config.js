// The test suite against another aws-cdk-lib, installed outside the project (NEWEST_CDK_DIR) so that
// the pinned build stays reproducible: `npx projen test:newest-aws-cdk-lib` installs the newest
// release and runs this. Every `aws-cdk-lib` and `constructs` import, the library's, the tests' and
// cdk-nag's alike, resolves to that installation. Left out: what compares with files written by the
// pinned aws-cdk-lib (the integration snapshot).
const path = require('path');
const base = require('../../package.json').jest;

const dir = process.env.NEWEST_CDK_DIR;
if (!dir) throw new Error('NEWEST_CDK_DIR is not set: run `npx projen test:newest-aws-cdk-lib`');
const modules = path.join(dir, 'node_modules');

module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    '^aws-cdk-lib$': path.join(modules, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': path.join(modules, 'aws-cdk-lib', '$1'),
    '^constructs$': path.join(modules, 'constructs'),
  },
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/test/integ-snapshot.test.ts'],
};
