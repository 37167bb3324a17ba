import { awscdk, TaskShell } from 'projen';

/**
 * Where the Maven build keeps its local repository: shared with test/consumers/java and seeded by
 * .ci/steps/multi-language/seed-maven.sh (see there why). Same default as .ci/steps/multi-language/env.sh;
 * expanded by bash (projen's own shell does not know `${VAR:-default}`).
 */
const MAVEN_REPO = '"${CDK_SG_CACHE_DIR:-$HOME/.cache/cdk-secure-guardrail}/m2"';

/** Tasks that build and consume the Python, Java, Go and .NET packages (docs/multi-language.md). */
export function configureMultiLanguage(project: awscdk.AwsCdkConstructLibrary): void {
  // Per-checkout tools (virtual environments, generated bindings), the rosetta tablet and build output of
  // the consumers stay out of git; of these, only the tablet ships in the npm package (with rosetta/, see below).
  project.gitignore.addPatterns(
    '/.cache/',
    '/.jsii.tabl.json',
    '/test/consumers/java/target/',
    '__pycache__/',
    '.pytest_cache/',
  );
  project.addPackageIgnore('/.cache/');
  // rosetta/ and .jsii.tabl.json are published: a registry that transliterates the package's docs
  // (Construct Hub runs `jsii-rosetta transliterate` on the tarball) compiles the examples against the
  // fixtures and reuses the tablet, which it finds next to .jsii. Without the fixtures every example is
  // "generated from non-compiling source" (.ci/steps/docs-transliteration.sh).
  // Jest neither runs nor crawls the consumers (Python, Java, Go) and the caches.
  project.jest?.addIgnorePattern('/test/consumers/');
  project.tryFindObjectFile('package.json')?.addOverride('jest.modulePathIgnorePatterns', [
    '<rootDir>/.cache/',
    '<rootDir>/test/consumers/',
  ]);

  // Doc examples (README.md and @example) compiled against rosetta/default.ts-fixture and translated
  // into .jsii.tabl.json, which jsii-pacmak uses for the Python, Java, C# and Go docs (without it they
  // show the TypeScript source). ROSETTA_STRICT=1 fails on an example that does not compile.
  const rosetta = project.addTask('rosetta:extract', {
    description: 'Compile the doc examples and translate them for the other languages\' docs (.jsii.tabl.json)',
    exec: 'jsii-rosetta extract --compile ${ROSETTA_STRICT:+--strict}',
    shell: TaskShell.bash(),
  });

  // jsii-pacmak writes each language's docs (the Python package's description included) from the
  // tablet, and package:js ships it: every packaging task extracts first. Unchanged examples come from
  // the tablet itself, so a repeated extract takes about 2 s.
  for (const language of ['js', 'python', 'java', 'dotnet', 'go']) {
    project.tasks.tryFind(`package:${language}`)?.prependSpawn(rosetta);
  }

  const goCode = project.addTask('package:go:code-only', {
    description: 'Generate the Go module into dist/go without building it (test/consumers/go builds it)',
    steps: [{ spawn: rosetta.name }, { exec: 'jsii-pacmak -v --target go --code-only' }],
  });
  const dotnetCode = project.addTask('package:dotnet:code-only', {
    description: 'Generate the .NET project into dist/dotnet without building it (no .NET SDK or NuGet here)',
    steps: [{ spawn: rosetta.name }, { exec: 'jsii-pacmak -v --target dotnet --code-only' }],
  });

  project.addTask('package:multi-language', {
    description: 'Python wheel, Maven artifacts, Go module and .NET sources from the compiled .jsii (after compile)',
    shell: TaskShell.bash(),
    steps: [
      { spawn: rosetta.name },
      { spawn: 'package:python' },
      { say: 'java: jsii-pacmak with a cached local Maven repository in which cdk-nag 3 resolves' },
      { exec: 'bash .ci/steps/multi-language/seed-maven.sh' },
      { exec: `jsii-pacmak -v --target java --maven-local-repository ${MAVEN_REPO}` },
      { spawn: goCode.name },
      { spawn: dotnetCode.name },
    ],
  });

  const consumers = ['python', 'java', 'go'].map((language) =>
    project.addTask(`consumer:${language}`, {
      description: `Install the built ${language} package into a ${language} CDK app, run its tests and synthesize it`,
      exec: `bash test/consumers/${language}/run.sh`,
    }));
  project.addTask('consumers', {
    description: 'Run the Python, Java and Go consumer apps against the built packages',
    steps: consumers.map((task) => ({ spawn: task.name })),
  });

  project.addTask('lint:templates', {
    description: 'cfn-lint and checkov on the templates of the demo and of the consumer apps',
    exec: 'bash test/consumers/lint/run.sh',
  });

  project.addTask('multi-language', {
    description: 'Everything CI proves for the other languages: packages, consumers and linters, timed',
    exec: 'bash .ci/steps/multi-language.sh',
  });
}
