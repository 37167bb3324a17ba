import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { GuardrailEncryptionChecks, GuardrailEncryptionHook } from '../../src';
import { CFN_GUARD } from './helpers/cfn-guard';
import { buildCorpus, COMPLIANT, EXPECTED } from '../corpus/corpus-app';
import { expectedFlags, Flags, FlagsByPath, flagsFromReport, synthesizeReports } from '../helpers/findings';

/**
 * The deploy-time rule (guard/guardrail-encryption.guard) against the pack, on the edge-case corpus, with the
 * real cfn-guard engine: the binary @cdklabs/cdk-validator-cfnguard ships, run by its CfnGuardValidator at synth
 * and directly on each guardrail of the synthesized templates.
 */

/** The pack's rules that the Guard rule checks too; the others (tags, placement, names...) are the pack's alone. */
const GUARD_ERRORS = ['CMKRequired', 'KeyRotation', 'KeyRetained', 'KeyPendingWindow', 'KeySymmetric', 'KeyPolicyLeastPrivilege']
  .map((rule) => `GuardrailEncryption-${rule}`);
const GUARD_NOTICE = 'GuardrailEncryption-KeyVerifiable';

/**
 * Guardrails of the corpus the Guard rule cannot decide as the pack does, each with the reason. The test
 * asserts that these, and only these, differ, and what Guard says of each.
 */
const UNDECIDABLE: Record<string, { guard: Flags; reason: string }> = {
  'Main/cross-stack-key': {
    guard: { errors: [], warnings: [GUARD_NOTICE] },
    reason: 'the key is in another template (Fn::ImportValue of the Keys stack): Guard reads one template, the pack the whole app',
  },
  'Main/Nested/nested-stack-parent-key': {
    guard: { errors: [], warnings: [GUARD_NOTICE] },
    reason: 'the key is in the parent stack, passed to the nested template as a parameter',
  },
  'Main/lookup-dummy': {
    guard: { errors: [], warnings: [GUARD_NOTICE] },
    reason: 'Key.fromLookup\'s placeholder is a well-formed key ARN; only CDK knows it is a placeholder (and a CLI synth never deploys it)',
  },
  'Main/star-organization': {
    guard: { errors: [], warnings: [] },
    reason: 'kms:Decrypt to anyone of the organization through Bedrock on the key of a guardrail the app does not share: Guard accepts the statement shareWithOrganization writes without relating the key to a resource policy',
  },
  'Main/foreign-role': {
    guard: { errors: [], warnings: [] },
    reason: 'a role of another account: Guard checks grants to * and the account root, not named principals',
  },
  'Main/service-without-source': {
    guard: { errors: [], warnings: [] },
    reason: 'a service principal without aws:SourceAccount: Guard checks grants to * and the account root, not service principals',
  },
  'Main/star-denied-twin': {
    guard: { errors: ['GuardrailEncryption-KeyPolicyLeastPrivilege'], warnings: [] },
    reason: 'an Allow to * closed by Deny statements: Guard judges each Allow alone and is stricter; the pack evaluates the Deny statements',
  },
  'Main/other-region-key': {
    guard: { errors: [], warnings: [GUARD_NOTICE] },
    reason: 'KeyPlacement compares the key\'s Region and account with the stack\'s environment, which a template does not hold: the pack refuses it, Guard lets it through with its notice',
  },
  'Main/no-administrator': {
    guard: { errors: [], warnings: [] },
    reason: 'KeyManageable (nobody may call kms:PutKeyPolicy) needs the policy evaluation of the pack; Guard\'s policy check is about cryptographic and grant actions',
  },
  // Decryption by the account or the organization through Bedrock: Guard accepts kms:Decrypt to * limited to Bedrock
  // (kms:ViaService) and to the account (kms:CallerAccount, aws:PrincipalAccount) or the organization (aws:PrincipalOrgID,
  // aws:PrincipalOrgPaths), the statements enforceInAccount and shareWithOrganization write. The pack accepts them only
  // in the key's Region, on the key of a guardrail the app enforces (account-wide) or shares (organization-wide), which
  // needs the other resources of the app (EnforcedGuardrailConfiguration, ResourcePolicy) and the stack's Region: Guard
  // is more lenient here, and the Config rule judges these keys as the pack does after deployment.
  'Main/account-wide-not-enforced': {
    guard: { errors: [], warnings: [] },
    reason: 'account-wide decryption through Bedrock on the key of a guardrail no EnforcedGuardrailConfiguration names: Guard does not relate the key to enforcement',
  },
  'Main/account-wide-other-region-enforced': {
    guard: { errors: [], warnings: [] },
    reason: 'kms:ViaService names Bedrock of another Region: Guard checks the service, not the Region a template does not hold',
  },
  'Main/organization-wide-enforced': {
    guard: { errors: [], warnings: [] },
    reason: 'organization-wide decryption on the key of a guardrail enforced but not shared: Guard does not relate the key to a resource policy',
  },
};

/** Guardrails of the corpus that are not AWS::Bedrock::Guardrail resources, so that no Guard rule ever sees them. */
const NOT_SEEN: Record<string, string> = {
  'Main/custom-resource-no-key/Resource/Default': 'a guardrail created by an SDK call of a custom resource: neither the template rule nor the hook sees it',
  'Main/custom-resource-with-key/Resource/Default': 'as above',
};

/** The pack's findings restricted to what the Guard rule checks. */
function restricted(flags: Flags): Flags {
  return { errors: flags.errors.filter((id) => GUARD_ERRORS.includes(id)), warnings: flags.warnings.filter((id) => id === GUARD_NOTICE) };
}

/** Every template of the cloud assembly, nested stacks and Stages included. */
function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return templates(file);
    return entry.name.endsWith('.template.json') ? [file] : [];
  });
}

/**
 * The Guard rule's verdict on each guardrail of the templates, by construct path: each guardrail is judged in
 * a copy of its template without the other guardrails, all in one run of the binary.
 */
function guardVerdicts(app: App): FlagsByPath {
  const assemblyDir = app.outdir;
  const constructPaths = constructPathsByResource(app);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-parity-'));
  const paths: Record<string, string> = {};
  for (const file of templates(assemblyDir)) {
    const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
    const resources = template.Resources as Record<string, any>;
    const guardrails = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Bedrock::Guardrail');
    for (const id of guardrails) {
      const others = Object.fromEntries(Object.entries(resources).filter(([other, r]) => other === id || r.Type !== 'AWS::Bedrock::Guardrail'));
      const name = `${Object.keys(paths).length}.json`;
      fs.writeFileSync(path.join(dir, name), JSON.stringify({ ...template, Resources: others }));
      paths[name] = constructPaths[`${path.basename(file)}/${id}`];
    }
  }
  let output: string;
  try {
    output = execFileSync(CFN_GUARD, ['validate', '--rules', GuardrailEncryptionHook.RULE_FILE, '--data', dir,
      '--output-format', 'json', '--show-summary', 'none', '--structured'], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e: any) {
    output = e.stdout; // cfn-guard exits with 19 when a rule fails
  }
  const verdicts: FlagsByPath = {};
  for (const result of JSON.parse(output) as any[]) {
    const errors = (result.not_compliant as any[]).map((r) => r.Rule.name.replace('_', '-')).sort();
    const warnings = (result.compliant as string[]).includes('GuardrailEncryption_KeyVerifiable') ? [GUARD_NOTICE] : [];
    verdicts[paths[path.basename(result.name)]] = { errors, warnings };
  }
  return verdicts;
}

describe('the Guard rule and the pack on the edge-case corpus', () => {
  const { validation, app } = synthesizeReports((a) => {
    buildCorpus(a);
    Validations.of(a).addPlugins(
      new GuardrailEncryptionChecks(a),
      new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [GuardrailEncryptionHook.RULE_FILE] }),
    );
  });
  const pack = validation.pluginReports.find((r: any) => r.pluginName === 'GuardrailEncryption');
  const packFlags = flagsFromReport(pack);
  const guard = guardVerdicts(app);
  const constructPaths = constructPathsByResource(app);
  const everyGuardrail = [...COMPLIANT, ...Object.keys(EXPECTED)];

  test('the pack still says what the corpus expects (the reference the Guard rule is held to)', () => {
    expect(packFlags).toEqual(expectedFlags(EXPECTED));
  });

  const decidable = everyGuardrail.filter((p) => !(p in UNDECIDABLE) && !(p in NOT_SEEN));
  const fromPack = (guardrailPath: string) => packFlags[guardrailPath] ?? { errors: [], warnings: [] };
  /** Compliant or not, and the same ids among the rules Guard checks. */
  const agrees = (guardrailPath: string) => (guard[guardrailPath].errors.length > 0) === (fromPack(guardrailPath).errors.length > 0)
    && JSON.stringify(guard[guardrailPath]) === JSON.stringify(restricted(fromPack(guardrailPath)));

  test('Guard judges every AWS::Bedrock::Guardrail of the corpus, and only those', () => {
    expect(Object.keys(guard).sort()).toEqual(everyGuardrail.filter((p) => !(p in NOT_SEEN)).sort());
  });

  test.each(decidable)('%s: the same verdict and rule ids as the pack', (guardrailPath) => {
    expect(guard[guardrailPath]).toEqual(restricted(fromPack(guardrailPath)));
    expect(guard[guardrailPath].errors.length > 0).toBe(fromPack(guardrailPath).errors.length > 0);
  });

  test.each(Object.entries(UNDECIDABLE))('%s: Guard cannot decide it as the pack does', (guardrailPath, { guard: expected }) => {
    expect(guard[guardrailPath]).toEqual(expected);
    expect(agrees(guardrailPath)).toBe(false);
  });

  test('decidable both ways: the corpus has guardrails Guard refuses and guardrails it lets through', () => {
    const decided = decidable;
    expect(decided.filter((p) => guard[p].errors.length > 0).length).toBeGreaterThanOrEqual(10);
    expect(decided.filter((p) => guard[p].errors.length === 0).length).toBeGreaterThanOrEqual(10);
  });

  test('at synth, CfnGuardValidator reports the same failures: each on the guardrail, or on the key it names, with the rule id in its message', () => {
    const plugin = validation.pluginReports.find((r: any) => r.pluginName === 'cdk-validator-cfnguard');
    const fromPlugin: Record<string, Set<string>> = {};
    for (const violation of plugin.violations as any[]) {
      const ruleId = /\[(GuardrailEncryption-\w+)\]/.exec(violation.description)?.[1];
      expect(ruleId).toBe(violation.ruleName.replace('_', '-'));
      for (const construct of violation.violatingConstructs) (fromPlugin[construct.constructPath] ??= new Set()).add(ruleId!);
    }
    // Expected: every guardrail's Guard errors, on the guardrail (CMKRequired) or on its key (the others). CDK
    // gives validation plugins the stacks' templates, not the nested stacks' (observed here).
    const expected: Record<string, Set<string>> = {};
    const nested = Object.keys(guard).filter((p) => p.startsWith('Main/Nested/')).sort();
    expect(nested).toEqual(['Main/Nested/nested-stack-no-key', 'Main/Nested/nested-stack-parent-key']);
    for (const [guardrailPath, flags] of Object.entries(guard).filter(([p]) => !nested.includes(p))) {
      for (const id of flags.errors) {
        const on = id === 'GuardrailEncryption-CMKRequired' ? guardrailPath : keyPathOf(app.outdir, constructPaths, guardrailPath);
        (expected[on] ??= new Set()).add(id);
      }
    }
    expect(fromPlugin).toEqual(expected);
  });
});

/** `<template file name>/<logical id>` → construct path, for every resource of the app. */
function constructPathsByResource(app: App): Record<string, string> {
  return Object.fromEntries(app.node.findAll().filter(CfnResource.isCfnResource).map((resource) => {
    const stack = Stack.of(resource);
    return [`${path.basename(stack.templateFile)}/${stack.resolve(resource.logicalId)}`, resource.node.path];
  }));
}

/** The construct path of the key resource a guardrail names with Fn::GetAtt, in its own template. */
function keyPathOf(assemblyDir: string, constructPaths: Record<string, string>, guardrailPath: string): string {
  for (const file of templates(assemblyDir)) {
    const resources = JSON.parse(fs.readFileSync(file, 'utf-8')).Resources as Record<string, any>;
    const guardrailId = Object.keys(resources).find((id) => constructPaths[`${path.basename(file)}/${id}`] === guardrailPath);
    const keyId = guardrailId && resources[guardrailId].Properties?.KmsKeyArn?.['Fn::GetAtt']?.[0];
    if (keyId) return constructPaths[`${path.basename(file)}/${keyId}`];
  }
  throw new Error(`no key of the app for ${guardrailPath}`);
}
