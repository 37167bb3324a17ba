import { App, Aws, aws_bedrock as bedrock, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailEncryptionChecks, SecureGuardrail, SecureGuardrailProps } from '../../src';
import { GuardrailInspector } from '../../src/detection/guardrail-inspection';
import { flagsFromReport } from '../helpers/findings';
import { ACCOUNT, allowedActions, CALLERS, CONTEXTS, CRYPTO_ACTIONS, MANDATORY_TAGS, newStack, OTHER_ACCOUNT, REGION, synthesizedKey } from '../helpers/synth';

const BASE: SecureGuardrailProps = { guardrailName: 'platform-guardrail', mandatoryTags: MANDATORY_TAGS };
const ORGANIZATION_ID = 'o-abcdefghij';
const OU_PATH = `${ORGANIZATION_ID}/r-ab12/ou-ab12-11111111/*`;
const VIA_BEDROCK = `bedrock.${REGION}.amazonaws.com`;

function build(props: Partial<SecureGuardrailProps> = {}, stack: Stack = newStack()) {
  const guardrail = new SecureGuardrail(stack, 'Guardrail', { ...BASE, ...props });
  return { stack, guardrail };
}

function keyStatement(stack: Stack, sid: string): unknown {
  const key = synthesizedKey(stack);
  return key.policy.Statement.find((statement) => statement.Sid === sid);
}

/** A role of another account of the organization, and one of an account outside it, as KMS sees them. */
const MEMBER = { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/App`, account: OTHER_ACCOUNT, identityAllows: ['kms:Decrypt'] };
const OUTSIDER = { arn: 'arn:aws:iam::333333333333:role/App', account: '333333333333', identityAllows: ['kms:Decrypt'] };
const IN_ORGANIZATION = { 'aws:PrincipalOrgID': ORGANIZATION_ID };
const viaBedrockHereFor = (account: string, organization: object = {}) => ({ ...organization, 'kms:ViaService': VIA_BEDROCK, 'kms:CallerAccount': account });
const directlyFor = (account: string, organization: object = {}) => ({ ...organization, 'kms:CallerAccount': account });

describe('enforceInAccount', () => {
  test('creates the enforced configuration on the numbered version and lets the account decrypt only through Bedrock', () => {
    const { stack, guardrail } = build();
    const version = guardrail.createVersion('enforced');
    guardrail.enforceInAccount(version.version, { modelEnforcement: { includedModels: ['ALL'], excludedModels: [] } });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 1);
    template.hasResourceProperties('AWS::Bedrock::EnforcedGuardrailConfiguration', {
      GuardrailIdentifier: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] },
      GuardrailVersion: { 'Fn::GetAtt': [stack.resolve(version.resource.logicalId), 'Version'] },
      ModelEnforcement: { IncludedModels: ['ALL'], ExcludedModels: [] },
    });
    expect(keyStatement(stack, 'EnforcedGuardrailUseThroughBedrock')).toEqual({
      Sid: 'EnforcedGuardrailUseThroughBedrock',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': VIA_BEDROCK, 'kms:CallerAccount': ACCOUNT } },
    });
  });

  test('every caller of the account decrypts through Bedrock in the key\'s Region, and nothing else; other accounts nothing', () => {
    const { stack, guardrail } = build();
    guardrail.enforceInAccount('1');
    const key = synthesizedKey(stack);
    expect(allowedActions(key, CALLERS.dataScientist, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt']);
    for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
      expect(allowedActions(key, CALLERS.iamAdmin, context, CRYPTO_ACTIONS)).toEqual([]);
    }
    expect(allowedActions(key, CALLERS.foreignAdmin, viaBedrockHereFor(OTHER_ACCOUNT), CRYPTO_ACTIONS)).toEqual([]);
  });

  test('the least-privilege rule accepts the statement on the key of the enforced guardrail', () => {
    const { stack, guardrail } = build();
    guardrail.enforceInAccount('1');
    expect(flagsFromReport(new GuardrailEncryptionChecks().validateScope(stack))).toEqual({});
  });

  test('refuses DRAFT and anything but a version number, with the reason; a token passes', () => {
    const { guardrail } = build();
    expect(() => guardrail.enforceInAccount('DRAFT')).toThrow(
      '[TestStack/Guardrail/Enforcement] SecureGuardrail.enforceInAccount: invalid version: received "DRAFT" (5 characters); allowed: a numbered ' +
      'guardrail version such as "1" (guardrail.createVersion().version): the enforced configuration applies an immutable version, never DRAFT, ' +
      'which changes with every update of the guardrail.');
    expect(() => guardrail.enforceInAccount('01')).toThrow(/invalid version: received "01"/);
    expect(() => guardrail.enforceInAccount(Token.asString({ Ref: 'Version' }))).not.toThrow();
    expect(() => build().guardrail.enforceInAccount('2')).not.toThrow();
    expect(synthesizedKey(guardrail.stack).policy.Statement.filter((s) => s.Sid === 'EnforcedGuardrailUseThroughBedrock')).toHaveLength(1);
  });

  test('refuses a second enforcement of the same guardrail: one per account and Region', () => {
    const { stack, guardrail } = build();
    guardrail.enforceInAccount('1');
    expect(() => guardrail.enforceInAccount('2')).toThrow(
      '[TestStack/Guardrail/Enforcement] SecureGuardrail.enforceInAccount: TestStack/Guardrail already enforces a guardrail version in stack ' +
      'TestStack; received a second enforcement there; allowed: one enforcement per account and Region (Bedrock keeps one account-level ' +
      'enforced configuration per account and Region, so a second would replace the first or fail at deployment): enforce one guardrail, ' +
      'listing in modelEnforcement the models it covers.');
    Template.fromStack(stack).resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 1);
  });

  test('refuses a second guardrail enforcing in the same stack, even with an unresolved account and Region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new SecureGuardrail(stack, 'First', { ...BASE, guardrailName: 'first' }).enforceInAccount('1');
    const second = new SecureGuardrail(stack, 'Second', { ...BASE, guardrailName: 'second' });
    expect(() => second.enforceInAccount('1')).toThrow(
      /^\[Agnostic\/Second\/Enforcement\] SecureGuardrail.enforceInAccount: Agnostic\/First already enforces a guardrail version in stack Agnostic; received a second enforcement there/);
  });

  test('refuses two stacks of the app enforcing in the same literal account and Region; other Regions and accounts are free', () => {
    const app = new App();
    const enforce = (id: string, env: { account: string; region: string }) =>
      new SecureGuardrail(new Stack(app, id, { env }), 'Guardrail', { ...BASE, guardrailName: id.toLowerCase() }).enforceInAccount('1');
    enforce('Here', { account: ACCOUNT, region: REGION });
    expect(() => enforce('Elsewhere', { account: ACCOUNT, region: 'us-east-1' })).not.toThrow();
    expect(() => enforce('Foreign', { account: OTHER_ACCOUNT, region: REGION })).not.toThrow();
    expect(() => enforce('Again', { account: ACCOUNT, region: REGION })).toThrow(
      `[Again/Guardrail/Enforcement] SecureGuardrail.enforceInAccount: Here/Guardrail already enforces a guardrail version in account ${ACCOUNT} ` +
      `and Region ${REGION}; received a second enforcement there;`);
    // Stacks of unresolved accounts cannot be compared: each is checked alone.
    expect(() => enforce('AgnosticOne', { account: Aws.ACCOUNT_ID, region: REGION })).not.toThrow();
  });

  test('a key the team brought gets the statement when it is of the app; an imported one yields a warning with it', () => {
    const stack = newStack();
    const own = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    build({ encryptionKey: own }, stack).guardrail.enforceInAccount('1');
    expect(keyStatement(stack, 'EnforcedGuardrailUseThroughBedrock')).toBeDefined();

    const other = newStack();
    const imported = kms.Key.fromKeyArn(other, 'Imported', `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`);
    build({ encryptionKey: imported }, other).guardrail.enforceInAccount('1');
    Annotations.fromStack(other).hasWarning('/TestStack/Guardrail', Match.stringLikeRegexp(
      'encryptionKey is imported.*every Bedrock caller of the account must be able to decrypt it through Bedrock.*"Sid":"EnforcedGuardrailUseThroughBedrock"'));
  });
});

describe('shareWithOrganization', () => {
  test('adds the resource policy and the organization statement, exactly', () => {
    const { stack, guardrail } = build();
    guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    const guardrailArn = { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::ResourcePolicy', {
      ResourceArn: guardrailArn,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'ApplyGuardrailInOrganization',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'bedrock:ApplyGuardrail',
          Resource: guardrailArn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
        }],
      },
    });
    expect(keyStatement(stack, 'SharedGuardrailUseThroughBedrock')).toEqual({
      Sid: 'SharedGuardrailUseThroughBedrock',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': VIA_BEDROCK, 'aws:PrincipalOrgID': ORGANIZATION_ID } },
    });
    expect(flagsFromReport(new GuardrailEncryptionChecks().validateScope(stack))).toEqual({});
  });

  test('organizational units are matched by path with ForAnyValue:StringLike', () => {
    const { stack, guardrail } = build();
    guardrail.shareWithOrganization({ organizationalUnitPaths: [OU_PATH] });
    const condition = { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [OU_PATH] } };
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::ResourcePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Condition: condition })] },
    });
    expect(keyStatement(stack, 'SharedGuardrailUseThroughBedrock')).toMatchObject({
      Condition: { StringEquals: { 'kms:ViaService': VIA_BEDROCK }, ...condition },
    });
    const key = synthesizedKey(stack);
    const inUnit = { 'aws:PrincipalOrgPaths': [`${ORGANIZATION_ID}/r-ab12/ou-ab12-11111111/ou-ab12-22222222/`] };
    const elsewhere = { 'aws:PrincipalOrgPaths': [`${ORGANIZATION_ID}/r-ab12/ou-ab12-33333333/`] };
    expect(key.evaluator.isAllowed(MEMBER, 'kms:Decrypt', { ...viaBedrockHereFor(OTHER_ACCOUNT), ...inUnit })).toBe(true);
    expect(key.evaluator.isAllowed(MEMBER, 'kms:Decrypt', { ...directlyFor(OTHER_ACCOUNT), ...inUnit })).toBe(false);
    expect(key.evaluator.isAllowed(MEMBER, 'kms:Decrypt', { ...viaBedrockHereFor(OTHER_ACCOUNT), ...elsewhere })).toBe(false);
  });

  test('a role of a member account decrypts through Bedrock and not directly; a role outside the organization cannot; the key account\'s administrator still cannot outside Bedrock', () => {
    const { stack, guardrail } = build();
    guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    const key = synthesizedKey(stack);
    expect(allowedActions(key, MEMBER, viaBedrockHereFor(OTHER_ACCOUNT, IN_ORGANIZATION), CRYPTO_ACTIONS)).toEqual(['kms:Decrypt']);
    expect(allowedActions(key, MEMBER, directlyFor(OTHER_ACCOUNT, IN_ORGANIZATION), CRYPTO_ACTIONS)).toEqual([]);
    expect(allowedActions(key, MEMBER, { ...viaBedrockHereFor(OTHER_ACCOUNT, IN_ORGANIZATION), 'kms:ViaService': 'bedrock.us-east-1.amazonaws.com' }, CRYPTO_ACTIONS)).toEqual([]);
    expect(allowedActions(key, OUTSIDER, viaBedrockHereFor(OUTSIDER.account), CRYPTO_ACTIONS)).toEqual([]);
    expect(allowedActions(key, OUTSIDER, viaBedrockHereFor(OUTSIDER.account, { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }), CRYPTO_ACTIONS)).toEqual([]);
    for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
      expect(allowedActions(key, CALLERS.iamAdmin, { ...context, ...IN_ORGANIZATION }, CRYPTO_ACTIONS)).toEqual([]);
    }
  });

  test('the same organization statement on a key whose guardrail is neither shared nor enforced is flagged', () => {
    const { stack, guardrail } = build();
    guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    // The resource policy goes; the key statement stays.
    guardrail.node.tryRemoveChild('ResourcePolicy');
    expect(flagsFromReport(new GuardrailEncryptionChecks().validateScope(stack))).toEqual({
      'TestStack/Guardrail/Resource': { errors: ['GuardrailEncryption-KeyPolicyLeastPrivilege'], warnings: [] },
    });
  });

  test('refuses an organization id or unit path of the wrong shape, naming the construct, property, value and what is allowed', () => {
    const origin = '[TestStack/Guardrail/ResourcePolicy] SecureGuardrail.shareWithOrganization:';
    expect(() => build().guardrail.shareWithOrganization({ organizationId: 'o-ABC' })).toThrow(
      `${origin} invalid organizationId: received "o-ABC" (5 characters); allowed: an organization id, 'o-' followed by 10-32 lowercase letters or digits.`);
    expect(() => build().guardrail.shareWithOrganization({ organizationalUnitPaths: ['ou-ab12-11111111'] })).toThrow(
      `${origin} invalid organizationalUnitPaths: received "ou-ab12-11111111" (16 characters); allowed: an organization path, 'o-<id>/r-<root>/' ` +
      "then 'ou-<root part>-<unit id>/' per unit, optionally ending with '*' (for example o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*).");
    expect(() => build().guardrail.shareWithOrganization({ organizationalUnitPaths: [] })).toThrow(
      `${origin} invalid organizationalUnitPaths: received a list of 0; allowed: at least one path.`);
    expect(() => build().guardrail.shareWithOrganization({})).toThrow(
      `${origin} exactly one of organizationId and organizationalUnitPaths is required; received neither`);
    expect(() => build().guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID, organizationalUnitPaths: [OU_PATH] })).toThrow(
      /exactly one of organizationId and organizationalUnitPaths is required; received both/);
    expect(() => build().guardrail.shareWithOrganization({ organizationId: Token.asString({ Ref: 'OrgId' }) })).not.toThrow();
    expect(() => build().guardrail.shareWithOrganization({ organizationalUnitPaths: [`${ORGANIZATION_ID}/r-ab12/`, OU_PATH] })).not.toThrow();
  });

  test('refuses a guardrail with Automated Reasoning, a guardrail whose key it did not create, and a second share', () => {
    const reasoning = build({ automatedReasoningPolicyConfig: { policies: [`arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/abcdefghijkl`] } });
    expect(() => reasoning.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID })).toThrow(
      /SecureGuardrail.shareWithOrganization: invalid automatedReasoningPolicyConfig: received .*; allowed: none for a guardrail shared for organization-level enforcement/);

    const stack = newStack();
    const own = build({ encryptionKey: new kms.Key(stack, 'TeamKey', { enableKeyRotation: true }) }, stack);
    expect(() => own.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID })).toThrow(
      /\[TestStack\/Guardrail\/ResourcePolicy\] SecureGuardrail.shareWithOrganization: invalid encryptionKey: received .*; allowed: no encryptionKey \(a key this construct creates\)/);
    const other = newStack();
    const imported = build({ encryptionKey: kms.Key.fromKeyArn(other, 'Imported', `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`) }, other);
    expect(() => imported.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID })).toThrow(
      /invalid encryptionKey: received "arn:aws:kms:eu-west-1:111111111111:key\/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e" \(75 characters\); allowed: no encryptionKey/);

    const unknown = build({ automatedReasoningPolicyConfig: Token.asAny({ Ref: 'Reasoning' }) });
    unknown.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    Annotations.fromStack(unknown.stack).hasWarning('/TestStack/Guardrail', Match.stringLikeRegexp('automatedReasoningPolicyConfig is only known at deploy time'));

    const shared = build();
    shared.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    expect(() => shared.guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID })).toThrow(/the guardrail is already shared/);
  });

  test('a guardrail both enforced and shared is judged as shared; resource policies on anything else widen nothing', () => {
    const { stack, guardrail } = build();
    guardrail.enforceInAccount('1');
    guardrail.shareWithOrganization({ organizationalUnitPaths: Token.asList({ Ref: 'Units' }) });
    new bedrock.CfnResourcePolicy(stack, 'OtherPolicy', { resourceArn: guardrail.encryptionKey.keyArn, policyDocument: {} });
    new bedrock.CfnResourcePolicy(stack, 'LiteralPolicy', { resourceArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdefghijkl`, policyDocument: {} });
    const inspector = GuardrailInspector.forSynthesis(stack);
    expect(inspector.wideUseOf(guardrail.encryptionKey.node.defaultChild as CfnResource)).toBe('organization');
    const other = new kms.Key(stack, 'Unrelated');
    expect(inspector.wideUseOf(other.node.defaultChild as CfnResource)).toBeUndefined();
  });

  test('warns that guardrail profiles need their own resource policies with cross-Region inference', () => {
    const { stack, guardrail } = build({ crossRegionConfig: { guardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0` } });
    guardrail.shareWithOrganization({ organizationId: ORGANIZATION_ID });
    Annotations.fromStack(stack).hasWarning('/TestStack/Guardrail', Match.stringLikeRegexp('guardrail profile in every destination Region'));
  });
});
