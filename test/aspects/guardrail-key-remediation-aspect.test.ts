import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardrailEncryptionAspect, GuardrailKeyRemediationAspect, SecureGuardrail } from '../../src';
import { cfnGuardrail, untaggedGuardrail } from '../corpus/corpus-app';
import { flagsFromAnnotations } from '../helpers/findings';
import { ACCOUNT, ENV, MANDATORY_TAGS, synthesizedKey } from '../helpers/synth';

describe('GuardrailKeyRemediationAspect', () => {
  test('gives an unencrypted guardrail a compliant key, which the checks then accept', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    untaggedGuardrail(stack, 'Legacy');
    GuardrailKeyRemediationAspect.applyTo(app, { mandatoryTags: MANDATORY_TAGS });
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();

    const template = Template.fromStack(stack);
    const key = synthesizedKey(stack);
    expect(key.logicalId).toMatch(/^LegacyKey/);
    template.hasResourceProperties('AWS::Bedrock::Guardrail', {
      KmsKeyArn: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
      Tags: [{ Key: 'DataSensitivity', Value: 'confidential' }, { Key: 'Owner', Value: 'team-payments' }, { Key: 'Workload', Value: 'payments-assistant' }],
    });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30, Tags: Match.arrayWith([{ Key: 'Owner', Value: 'team-payments' }]) },
    });
    expect(key.policy.Statement.map((s) => s.Sid)).toEqual([
      'KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources',
      'DenyGrantsExceptForAwsResources', 'DenyKeyDeletion',
    ]);
    expect(flagsFromAnnotations(app)).toEqual({});
    Annotations.fromStack(stack).hasInfo('/S/Legacy', Match.stringLikeRegexp('encrypted this guardrail with a new customer-managed key \\(S/LegacyKey\\)'));
  });

  test('keeps the guardrail\'s own tags and honours key administrators', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    cfnGuardrail(stack, 'Legacy');
    const admin = new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/KeyAdmin`);
    GuardrailKeyRemediationAspect.applyTo(app, { mandatoryTags: { ...MANDATORY_TAGS, owner: 'someone-else' }, keyAdmins: [admin] });
    app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', { Tags: Match.arrayWith([{ Key: 'Owner', Value: 'team-payments' }]) });
    expect(synthesizedKey(stack).policy.Statement[0].Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': [admin.arn, expect.stringContaining('cfn-exec-role')] } });
  });

  test('leaves guardrails that name a key alone, even a non-compliant one', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new SecureGuardrail(stack, 'Secure', { guardrailName: 'secure', mandatoryTags: MANDATORY_TAGS });
    cfnGuardrail(stack, 'Managed', 'alias/aws/bedrock');
    GuardrailKeyRemediationAspect.applyTo(app, { mandatoryTags: MANDATORY_TAGS });
    app.synth();
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', { Name: 'Managed', KmsKeyArn: 'alias/aws/bedrock' });
  });

  test('remediates a raw CfnResource guardrail too', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new CfnResource(stack, 'Raw', { type: 'AWS::Bedrock::Guardrail', properties: { Name: 'raw', BlockedInputMessaging: 'x', BlockedOutputsMessaging: 'x' } });
    GuardrailKeyRemediationAspect.applyTo(app, { mandatoryTags: MANDATORY_TAGS });
    app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: { 'Fn::GetAtt': [synthesizedKey(stack).logicalId, 'Arn'] } });
  });

  test.each([
    ['an empty owner', { ...MANDATORY_TAGS, owner: '' }, 'mandatoryTags.owner: received "" (0 characters)'],
    ['an over-long workload', { ...MANDATORY_TAGS, workload: 'w'.repeat(257) }, `mandatoryTags.workload: received "${'w'.repeat(257)}" (257 characters)`],
  ])('refuses %s as SecureGuardrail does', (_name, mandatoryTags, received) => {
    const message = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    const fromAspect = message(() => GuardrailKeyRemediationAspect.applyTo(new App(), { mandatoryTags }));
    const fromConstruct = message(() => new SecureGuardrail(new Stack(new App(), 'S', { env: ENV }), 'G', { guardrailName: 'g', mandatoryTags }));
    expect(fromAspect).toBe(`GuardrailKeyRemediationAspect: invalid ${received}; allowed: 1-256 characters of letters, digits, white space and _ . : / = + - @.`);
    expect(fromConstruct).toBe(`[S/G] SecureGuardrail: invalid ${received}; allowed: 1-256 characters of letters, digits, white space and _ . : / = + - @.`);
  });
});
