import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const CRUISER = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** The rules of .dependency-cruiser.cjs that the imports under `cwd`/src break, as `<rule> <from> -> <to>`. */
function violations(cwd: string): string[] {
  const output = execFileSync(process.execPath, [CRUISER, 'src', '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd,
    encoding: 'utf-8',
  });
  return (JSON.parse(output).summary.violations as any[])
    .map((v) => `${v.rule.name} ${v.from} -> ${v.to}`)
    .sort();
}

/** A tree of TypeScript files, each importing the modules listed for it. */
function tree(files: Record<string, string[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  fs.writeFileSync(path.join(dir, 'tsconfig.dev.json'), JSON.stringify({ compilerOptions: { module: 'commonjs' }, include: ['src'] }));
  for (const [file, imports] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    const body = imports.map((target, i) => `import * as m${i} from '${target}';\nexport const u${i} = m${i};`).join('\n');
    fs.writeFileSync(path.join(dir, file), `${body}\nexport const here = 1;\n`);
  }
  return dir;
}

// `npx projen lint:layers` (run before the tests) checks src/ itself; this proves its rules can fail.
describe('the layer rules of .dependency-cruiser.cjs', () => {
  test('the rules catch an upward import, a same-layer import, a private import, an unknown folder and a cycle', () => {
    const dir = tree({
      'src/core/errors.ts': ['../guardrail/secure-guardrail'],
      'src/guardrail/secure-guardrail.ts': ['./private/base'],
      'src/guardrail/private/base.ts': [],
      'src/detection/inspection.ts': ['../guardrail/private/base'],
      'src/report/report.ts': ['../governance/rule'],
      'src/governance/rule.ts': [],
      'src/nag/pack.ts': ['../misc/helper'],
      'src/misc/helper.ts': [],
      'src/rules/a.ts': ['./b'],
      'src/rules/b.ts': ['./a'],
    });
    expect(violations(dir)).toEqual([
      'layer-core src/core/errors.ts -> src/guardrail/secure-guardrail.ts',
      'layer-detection src/detection/inspection.ts -> src/guardrail/private/base.ts',
      'layer-report src/report/report.ts -> src/governance/rule.ts',
      'no-cycles src/rules/a.ts -> src/rules/b.ts',
      'no-private-across-folders src/detection/inspection.ts -> src/guardrail/private/base.ts',
      'no-unknown-folder src/nag/pack.ts -> src/misc/helper.ts',
    ]);
  });
});

describe('reads of aws-cdk-lib internals', () => {
  /** Every .ts file under src/, recursively. */
  function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
      ? sources(path.join(dir, entry.name))
      : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []);
  }

  test('happen in src/core/cdk-internals.ts only, where their shape is checked', () => {
    const internal = /\b(rawOverrides|cfnProperties|_toCloudFormation)\b|\bas any\b/;
    const offenders = sources(path.join(ROOT, 'src'))
      .filter((file) => !file.endsWith(path.join('core', 'cdk-internals.ts')))
      .flatMap((file) => fs.readFileSync(file, 'utf-8').split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => internal.test(line) && !/^\s*(\*|\/\/)/.test(line))
        .map(([, i]) => `${path.relative(ROOT, file)}:${i + 1}`));
    expect(offenders).toEqual([]);
  });
});
