import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The deployable integration test's templates, checked offline against the committed snapshot, so
 * that a change that would deploy differently is seen in review. `npx projen integ:snapshot` writes
 * the snapshot anew; `npx projen integ:deploy` deploys the test for real.
 */
const TEST = path.join(__dirname, 'integ.secure-guardrail.ts');
const SNAPSHOT = `${TEST}.snapshot`;

function synthesize(): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  execFileSync(process.execPath, ['-r', 'ts-node/register', TEST], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, CDK_OUTDIR: outdir, TS_NODE_PROJECT: 'tsconfig.dev.json', TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  const templates = fs.readdirSync(outdir).filter((file) => file.endsWith('.template.json')).sort();
  return Object.fromEntries(templates.map((file) => [file, stable(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8')))]));
}

/**
 * A template without what integ-tests-alpha changes on every synthesis: each assertion's `salt` (the
 * time, so that it runs on every deployment) and the hash its output's logical id ends with.
 */
function stable(template: any): unknown {
  const outputs = Object.entries(template.Outputs ?? {}).map(([id, output]) => [id.replace(/^(AssertionResults\w+?)[0-9a-f]{32}$/, '$1'), output]);
  return JSON.parse(JSON.stringify({ ...template, ...(template.Outputs ? { Outputs: Object.fromEntries(outputs) } : {}) }),
    (key, value) => (key === 'salt' ? undefined : value));
}

test('the integration test synthesizes as its committed snapshot', () => {
  const templates = synthesize();
  expect(Object.keys(templates)).toEqual(['SecureGuardrailInteg.template.json', 'SecureGuardrailIntegAssertions.template.json']);
  if (process.env.UPDATE_INTEG_SNAPSHOT === '1') {
    fs.rmSync(SNAPSHOT, { recursive: true, force: true });
    fs.mkdirSync(SNAPSHOT);
    for (const [file, template] of Object.entries(templates)) fs.writeFileSync(path.join(SNAPSHOT, file), `${JSON.stringify(template, undefined, 1)}\n`);
  }
  const committed = Object.fromEntries(fs.readdirSync(SNAPSHOT).sort()
    .map((file) => [file, JSON.parse(fs.readFileSync(path.join(SNAPSHOT, file), 'utf-8'))]));
  expect(templates).toEqual(committed);
});
