import { awscdk } from 'projen';

/**
 * The layer rules of src/ (docs/architecture.md), checked by dependency-cruiser before the tests, so
 * that `npx projen build` fails on an import against the layer order, across another folder's
 * `private/`, or in a cycle. The rules themselves are in .dependency-cruiser.cjs.
 */
export function configureArchitecture(project: awscdk.AwsCdkConstructLibrary): void {
  // 17.x is the newest line that runs on Node.js 20.
  project.addDevDeps('dependency-cruiser@^17.4.3');
  const layers = project.addTask('lint:layers', {
    description: 'Check the imports of src/ against the layer order, with no cycle (docs/architecture.md)',
    exec: 'depcruise src --config .dependency-cruiser.cjs --output-type err',
  });
  project.testTask.prependSpawn(layers);
  project.addPackageIgnore('/.dependency-cruiser.cjs');
}
