import { App, Duration, Fn, RemovalPolicy, Stack, TagManager, Tags, Token, aws_bedrock as bedrock } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailEncryptionChecks, GuardrailKeyMonitoring, GuardrailKeyPolicy, SecureGuardrail, SecureGuardrailProps } from '../../src';
import { ACCOUNT, DEPLOYER_ARN, ENV, MANDATORY_TAGS, newStack, OTHER_ACCOUNT, REGION } from '../helpers/synth';

const BASE: SecureGuardrailProps = { guardrailName: 'payments-assistant', mandatoryTags: MANDATORY_TAGS };

function build(props: Partial<SecureGuardrailProps> = {}, stack: Stack = newStack()) {
  const guardrail = new SecureGuardrail(stack, 'Guardrail', { ...BASE, ...props });
  return { stack, guardrail, template: () => Template.fromStack(stack) };
}

function lambdaRole(stack: Stack, id = 'AppRole'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

const TAGS = [
  { Key: 'DataSensitivity', Value: 'confidential' },
  { Key: 'Owner', Value: 'team-payments' },
  { Key: 'Workload', Value: 'payments-assistant' },
];
/** The key also carries the name of its guardrail, by which the Config rule finds keys whose guardrail is gone. */
const KEY_TAGS = [{ Key: 'BedrockGuardrail', Value: 'payments-assistant' }, ...TAGS];

describe('SecureGuardrail with defaults', () => {
  const { stack, guardrail, template } = build();
  const t = template();
  const keyId = stack.getLogicalId(guardrail.node.findChild('Key').node.defaultChild as kms.CfnKey);

  test('creates one symmetric, rotated, retained key with a 30-day pending window and the mandatory tags', () => {
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        Description: 'Customer-managed key of the Bedrock guardrail payments-assistant',
        Tags: KEY_TAGS,
      },
    });
  });

  test('aliases the key after the guardrail', () => {
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/bedrock-guardrail/payments-assistant',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('encrypts the guardrail with that key and tags it', () => {
    t.hasResourceProperties('AWS::Bedrock::Guardrail', {
      Name: 'payments-assistant',
      KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
      BlockedInputMessaging: 'Sorry, this request cannot be processed because it goes against our usage policy.',
      BlockedOutputsMessaging: 'Sorry, the response was blocked because it goes against our usage policy.',
      Tags: TAGS,
      Description: Match.absent(),
    });
  });

  test('blocks prompt attacks on input and harmful content both ways by default', () => {
    const filters = Object.values(t.findResources('AWS::Bedrock::Guardrail'))[0].Properties.ContentPolicyConfig.FiltersConfig;
    expect(filters).toEqual([
      ...['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'].map((Type) => ({
        Type, InputStrength: 'HIGH', OutputStrength: 'HIGH', InputAction: 'BLOCK', OutputAction: 'BLOCK',
      })),
      { Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE', InputAction: 'BLOCK' },
    ]);
  });

  test('exposes the guardrail attributes, DRAFT as version, the key and the L1', () => {
    expect(stack.resolve(guardrail.guardrailId)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailId'] });
    expect(stack.resolve(guardrail.guardrailArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] });
    expect(guardrail.guardrailVersion).toBe('DRAFT');
    expect(stack.resolve(guardrail.encryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(guardrail.guardrail).toBe(guardrail.node.defaultChild);
    expect(guardrail.guardrail.cfnResourceType).toBe('AWS::Bedrock::Guardrail');
  });

  test('raises no warnings', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('SecureGuardrail guardrail content', () => {
  test('passes every CloudFormation property through', () => {
    const content = {
      description: 'Guards the payments assistant',
      blockedInputMessaging: 'Input blocked.',
      blockedOutputsMessaging: 'Output blocked.',
      contentPolicyConfig: {
        filtersConfig: [{ type: 'HATE', inputStrength: 'MEDIUM', outputStrength: 'LOW', inputAction: 'NONE', outputAction: 'BLOCK' }],
        contentFiltersTierConfig: { tierName: 'STANDARD' },
      },
      topicPolicyConfig: { topicsConfig: [{ name: 'Investment advice', definition: 'Recommendations on what to invest in.', type: 'DENY', examples: ['Which stock should I buy?'] }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'blocked-word' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [{ type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'BLOCK' }],
        regexesConfig: [{ name: 'iban', pattern: '[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}', action: 'BLOCK' }],
      },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.75, action: 'BLOCK' }] },
      automatedReasoningPolicyConfig: { policies: [`arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/abcdefghijkl`], confidenceThreshold: 0.9 },
      crossRegionConfig: { guardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0` },
    };
    const { template } = build(content);
    template().hasResourceProperties('AWS::Bedrock::Guardrail', {
      Description: 'Guards the payments assistant',
      BlockedInputMessaging: 'Input blocked.',
      BlockedOutputsMessaging: 'Output blocked.',
      ContentPolicyConfig: {
        FiltersConfig: [{ Type: 'HATE', InputStrength: 'MEDIUM', OutputStrength: 'LOW', InputAction: 'NONE', OutputAction: 'BLOCK' }],
        ContentFiltersTierConfig: { TierName: 'STANDARD' },
      },
      TopicPolicyConfig: { TopicsConfig: [{ Name: 'Investment advice', Definition: 'Recommendations on what to invest in.', Type: 'DENY', Examples: ['Which stock should I buy?'] }] },
      WordPolicyConfig: { WordsConfig: [{ Text: 'blocked-word' }], ManagedWordListsConfig: [{ Type: 'PROFANITY' }] },
      SensitiveInformationPolicyConfig: {
        PiiEntitiesConfig: [{ Type: 'CREDIT_DEBIT_CARD_NUMBER', Action: 'ANONYMIZE', InputAction: 'ANONYMIZE', OutputAction: 'BLOCK' }],
        RegexesConfig: [{ Name: 'iban', Pattern: '[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}', Action: 'BLOCK' }],
      },
      ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: 0.75, Action: 'BLOCK' }] },
      AutomatedReasoningPolicyConfig: { Policies: [`arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/abcdefghijkl`], ConfidenceThreshold: 0.9 },
      CrossRegionConfig: { GuardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0` },
    });
  });

  test('accepts tokens anywhere without validating them', () => {
    const stack = newStack();
    const lazy = Token.asString(Fn.ref('AWS::StackName'));
    expect(() => build({
      guardrailName: lazy,
      description: lazy,
      blockedInputMessaging: lazy,
      contentPolicyConfig: { filtersConfig: [{ type: lazy, inputStrength: lazy, outputStrength: lazy, inputAction: lazy }] },
      topicPolicyConfig: { topicsConfig: Token.asAny(Fn.ref('Topics')) as any },
      crossRegionConfig: { guardrailProfileArn: lazy },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: Token.asNumber(Fn.ref('T')), action: lazy }] },
      sensitiveInformationPolicyConfig: Token.asAny(Fn.ref('Pii')) as any,
      tags: { CostCenter: lazy },
      mandatoryTags: { owner: lazy, workload: lazy, dataSensitivity: lazy },
      keyRotationPeriod: Duration.days(Token.asNumber(Fn.ref('Days'))),
      keyPendingWindow: Duration.days(Token.asNumber(Fn.ref('Window'))),
      keyAlias: lazy,
    }, stack)).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      RotationPeriodInDays: { Ref: 'Days' }, PendingWindowInDays: { Ref: 'Window' },
    });
    // Passed on as they are, to be resolved at deployment.
    const stackName = { Ref: 'AWS::StackName' };
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', {
      Name: stackName,
      Description: stackName,
      TopicPolicyConfig: { TopicsConfig: { Ref: 'Topics' } },
      SensitiveInformationPolicyConfig: { Ref: 'Pii' },
      CrossRegionConfig: { GuardrailProfileArn: stackName },
      ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: { Ref: 'T' }, Action: stackName }] },
    });
  });
});

describe('SecureGuardrail key options', () => {
  test('rotation period, pending window, alias and removal policy are honoured', () => {
    const { template } = build({
      keyRotationPeriod: Duration.days(90),
      keyPendingWindow: Duration.days(7),
      keyAlias: 'payments/guardrail',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template().hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { RotationPeriodInDays: 90, PendingWindowInDays: 7 },
    });
    template().hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/payments/guardrail' });
  });

  test('extra tags join the mandatory tags on key and guardrail', () => {
    const { template } = build({ tags: { CostCenter: 'cc-42', Empty: '' } });
    const tags = [{ Key: 'CostCenter', Value: 'cc-42' }, ...TAGS.slice(0, 1), { Key: 'Empty', Value: '' }, ...TAGS.slice(1)];
    template().hasResourceProperties('AWS::KMS::Key', { Tags: [KEY_TAGS[0], ...tags] });
    template().hasResourceProperties('AWS::Bedrock::Guardrail', { Tags: tags });
  });

  test('RETAIN_ON_UPDATE_OR_DELETE keeps deletion protection', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    template().hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyKeyDeletion', Effect: 'Deny' })]) },
    });
  });
});

describe('SecureGuardrail key monitoring', () => {
  test('a key monitoring watches the guardrail\'s key once given it', () => {
    const stack = newStack();
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring');
    const { guardrail, template } = build({}, stack);
    monitoring.addKey(guardrail.encryptionKey);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(guardrail.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    template().hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS CMK Deletion', 'KMS Imported Key Material Expiration'], 'resources': [keyArn] },
    });
    template().hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ resources: { ARN: [keyArn] } }) }),
    });
  });
});

describe('SecureGuardrail.grantApply', () => {
  test('grants ApplyGuardrail on the guardrail and exactly kms:Decrypt through Bedrock on its key', () => {
    const { stack, guardrail, template } = build();
    const role = lambdaRole(stack);
    const grant = guardrail.grantApply(role);
    expect(grant.success).toBe(true);
    const keyId = stack.getLogicalId(guardrail.encryptionKey.node.defaultChild as kms.CfnKey);
    template().hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] } },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`bedrock.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] } } },
          },
        ],
      },
    });
  });

  test('with cross-Region inference also grants the guardrail profile in every destination Region', () => {
    const { stack, guardrail, template } = build({
      crossRegionConfig: { guardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0` },
    });
    guardrail.grantApply(lambdaRole(stack));
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'bedrock:ApplyGuardrail',
          Resource: [
            { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] },
            `arn:aws:bedrock:*:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0`,
          ],
        }]),
      },
    });
  });

  test('a profile ARN given as a token is granted as it is', () => {
    const { stack, guardrail, template } = build({ crossRegionConfig: { guardrailProfileArn: Fn.ref('ProfileArn') } });
    guardrail.grantApply(lambdaRole(stack));
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'bedrock:ApplyGuardrail',
          Resource: [Match.anyValue(), { Ref: 'ProfileArn' }],
        })]),
      },
    });
  });

  test('a crossRegionConfig token grants the guardrail only', () => {
    const { stack, guardrail, template } = build({ crossRegionConfig: Token.asAny(Fn.ref('Cfg')) as any });
    guardrail.grantApply(lambdaRole(stack));
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'bedrock:ApplyGuardrail',
          Resource: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] },
        }]),
      },
    });
  });

  test('a grantee that stands for every role of the account fails at synth, by evaluating the key policy', () => {
    const { stack, guardrail } = build();
    guardrail.grantApply(iam.Role.fromRoleArn(stack, 'AllRoles', `arn:aws:iam::${ACCOUNT}:role/*`));
    expect(() => Template.fromStack(stack)).toThrow(
      `[TestStack/Guardrail] SecureGuardrail: in the policy of its key TestStack/Guardrail/Key, statement GuardrailUseThroughBedrock lets any principal of account ${ACCOUNT} whose IAM policies allow it call kms:Decrypt through Bedrock in the key's Region; allowed: only the roles given grantApply or grantRead, only through Bedrock in the key's Region.`);
  });

  test('refuses a grantee of another account', () => {
    const { stack, guardrail } = build();
    const foreign = iam.Role.fromRoleArn(stack, 'Foreign', `arn:aws:iam::${OTHER_ACCOUNT}:role/App`);
    expect(() => guardrail.grantApply(foreign)).toThrow(/SecureGuardrail.grantApply: invalid grantee: received a principal of account 222222222222, but the key is in account 111111111111/);
  });

  test('refuses a grantee of another stack, which would make a cyclic reference, and says what works', () => {
    const app = new App();
    const { guardrail } = build({}, new Stack(app, 'Guardrails', { env: ENV }));
    const other = new Stack(app, 'Functions', { env: ENV });
    expect(() => guardrail.grantApply(lambdaRole(other))).toThrow(
      'SecureGuardrail.grantApply: invalid grantee: received Functions/AppRole of stack Functions, but the guardrail\'s key is in stack Guardrails ' +
      'and each would reference the other (a cyclic reference); allowed: a grantee of stack Guardrails, or the role imported there by ARN');
    const imported = iam.Role.fromRoleArn(guardrail, 'Imported', `arn:aws:iam::${ACCOUNT}:role/functions-role`);
    guardrail.grantApply(imported);
    Template.fromStack(Stack.of(guardrail)).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'GuardrailUseThroughBedrock', Condition: Match.objectLike({ ArnLike: { 'aws:PrincipalArn': [imported.roleArn] } }) })]) },
    });
  });

  test('grantRead grants GetGuardrail, exactly kms:Decrypt through Bedrock, and reading the key\'s metadata', () => {
    const { stack, guardrail, template } = build();
    const auditor = lambdaRole(stack, 'Auditor');
    guardrail.grantRead(auditor);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(guardrail.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'bedrock:GetGuardrail', Resource: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] } },
          Match.objectLike({ Action: 'kms:Decrypt', Resource: keyArn, Condition: Match.objectLike({ StringEquals: Match.anyValue() }) }),
          { Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'], Resource: keyArn },
        ],
      },
    });
  });

  test('grantApply lets the grantee invoke the guardrail\'s Automated Reasoning policies', () => {
    const policies = [
      `arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/abcdefghijkl:1`,
      `arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/mnopqrstuvwx:3`,
    ];
    const { stack, guardrail, template } = build({ automatedReasoningPolicyConfig: { policies, confidenceThreshold: 0.8 } });
    guardrail.grantApply(lambdaRole(stack));
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'bedrock:InvokeAutomatedReasoningPolicy', Resource: policies }]),
      },
    });
  });

  test('grantApply without Automated Reasoning grants no InvokeAutomatedReasoningPolicy; policies known only at deploy time are warned about', () => {
    const plain = build();
    plain.guardrail.grantApply(lambdaRole(plain.stack));
    expect(JSON.stringify(plain.template().toJSON())).not.toContain('InvokeAutomatedReasoningPolicy');

    const late = build({ automatedReasoningPolicyConfig: { policies: Token.asList({ Ref: 'Policies' }) } });
    late.guardrail.grantApply(lambdaRole(late.stack));
    expect(JSON.stringify(late.template().toJSON())).not.toContain('InvokeAutomatedReasoningPolicy');
    Annotations.fromStack(late.stack).hasWarning('/TestStack/Guardrail', Match.stringLikeRegexp('grantApply cannot grant bedrock:InvokeAutomatedReasoningPolicy'));
  });
});

describe('SecureGuardrail with a key brought by the team', () => {
  test('an app key is used as is and gets the deployment statements once, however many guardrails share it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    const first = new SecureGuardrail(stack, 'First', { ...BASE, encryptionKey: key });
    new SecureGuardrail(stack, 'Second', { ...BASE, guardrailName: 'second', encryptionKey: key });
    first.grantApply(lambdaRole(stack));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(first.encryptionKey).toBe(key);
    const statements = Object.values(t.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([
      undefined, 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources', 'GuardrailUseThroughBedrock',
    ]);
    t.allResourcesProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });

  test('an app key gets the mandatory tags and the other tags it lacks; tags it carries stay', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    Tags.of(key).add('Workload', 'shared-keys');
    new SecureGuardrail(stack, 'First', { ...BASE, tags: { CostCenter: 'cc-42' }, encryptionKey: key });
    new SecureGuardrail(stack, 'Second', { ...BASE, guardrailName: 'second', mandatoryTags: { ...BASE.mandatoryTags, owner: 'team-other' }, encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      Tags: [
        { Key: 'CostCenter', Value: 'cc-42' },
        { Key: 'DataSensitivity', Value: BASE.mandatoryTags.dataSensitivity },
        { Key: 'Owner', Value: BASE.mandatoryTags.owner },
        { Key: 'Workload', Value: 'shared-keys' },
      ],
    });
  });

  test('a key of kms.Key.fromCfnKey is tagged through its CfnKey', () => {
    const stack = newStack();
    const cfnKey = new kms.CfnKey(stack, 'TeamKey', { enableKeyRotation: true, keyPolicy: { Version: '2012-10-17', Statement: [] } });
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, encryptionKey: kms.Key.fromCfnKey(cfnKey) });
    expect(TagManager.of(cfnKey)?.tagValues()).toEqual({
      Owner: BASE.mandatoryTags.owner, Workload: BASE.mandatoryTags.workload, DataSensitivity: BASE.mandatoryTags.dataSensitivity,
    });
  });

  test("the README's own-key snippet passes the pack as written", () => {
    const stack = newStack();
    const keyAdminRole = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
    const appRole = lambdaRole(stack);
    const key = new kms.Key(stack, 'TeamKey', {
      enableKeyRotation: true,
      policy: GuardrailKeyPolicy.documentFor(stack, { keyAdmins: [keyAdminRole], keyUsers: [appRole] }),
    });
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, encryptionKey: key });
    expect(new GuardrailEncryptionChecks().validateScope(stack.node.scope as App).violations).toEqual([]);
  });

  test('an imported key is used, with warnings that list the statements its administrators must add', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`;
    const { guardrail, template } = build({ encryptionKey: kms.Key.fromKeyArn(stack, 'Imported', keyArn) }, stack);
    guardrail.grantApply(lambdaRole(stack));
    template().hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: keyArn });
    template().resourceCountIs('AWS::KMS::Key', 0);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/encryptionKey is imported, so its key policy cannot be changed here/);
    for (const sid of ['KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources']) {
      expect(warnings[0]).toContain(`"Sid":"${sid}"`);
    }
    expect(warnings[0]).toContain(DEPLOYER_ARN.replace('arn:aws:', ''));
    expect(warnings[1]).toMatch(/The guardrail key is imported.*"Sid":"GuardrailUseThroughBedrock"/);
  });

  test.each([
    ['an AWS managed key alias', (s: Stack) => kms.Alias.fromAliasName(s, 'K', 'alias/aws/bedrock'), /received "arn:\$\{AWS::Partition\}:kms:eu-west-1:111111111111:alias\/aws\/bedrock".*aliases, and so AWS managed keys/],
    ['a customer alias', (s: Stack) => kms.Alias.fromAliasName(s, 'K', 'alias/team-key'), /invalid encryptionKey.*alias\/team-key/],
    ['an alias ARN imported as a key', (s: Stack) => kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/bedrock`), /invalid encryptionKey.*alias\/aws\/bedrock/],
    ['a key of another Region', (s: Stack) => kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`), /invalid encryptionKey.*allowed: a key in the stack's own Region \(eu-west-1\), because Bedrock reads the guardrail with it on every call/],
    ['a key of another account', (s: Stack) => kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:${REGION}:${OTHER_ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`), /allowed: a key in the stack's own account \(111111111111\)/],
    ['a bare key id', (s: Stack) => Object.defineProperty(kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`), 'keyArn', { value: '0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e' }), /received "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e" \(36 characters\); allowed: a KMS key ARN/],
  ])('refuses %s', (_name, key, message) => {
    const stack = newStack();
    expect(() => build({ encryptionKey: key(stack) }, stack)).toThrow(message);
  });

  test('accepts the Key.fromLookup placeholder with a warning that it is not verified', () => {
    const stack = newStack();
    const key = kms.Key.fromLookup(stack, 'Lookup', { aliasName: 'alias/team-key' });
    build({ encryptionKey: key }, stack);
    Annotations.fromStack(stack).hasWarning('/TestStack/Guardrail', Match.stringLikeRegexp('placeholder of kms.Key.fromLookup'));
  });

  test.each([['Region', 'us-east-1', ACCOUNT, /a key in the stack's own Region \(eu-west-1\)/], ['account', REGION, OTHER_ACCOUNT, /a key in the stack's own account \(111111111111\)/]])(
    'refuses a key ARN of another %s even with the Key.fromLookup placeholder id', (_part, region, account, message) => {
      const stack = newStack();
      const key = kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:${region}:${account}:key/${kms.Key.DEFAULT_DUMMY_KEY_ID}`);
      expect(() => build({ encryptionKey: key }, stack)).toThrow(message);
    });

  test('warns when the key Region cannot be compared in an environment-agnostic stack', () => {
    const stack = newStack({});
    const key = kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`);
    build({ encryptionKey: key }, stack);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Guardrail', Match.stringLikeRegexp('cannot be compared'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining('its Region cannot be compared with the stack\'s (${AWS::Region})'),
      expect.stringContaining('its account cannot be compared with the stack\'s (${AWS::AccountId})'),
    ]);
  });

  test('a key of another stack of the app in another Region is refused at construction', () => {
    const app = new App();
    const key = new kms.Key(new Stack(app, 'UsKeys', { env: { account: ACCOUNT, region: 'us-east-1' } }), 'Key');
    expect(() => new SecureGuardrail(new Stack(app, 'App', { env: ENV }), 'Guardrail', { ...BASE, encryptionKey: key }))
      .toThrow(/SecureGuardrail: invalid encryptionKey: received "UsKeys\/Key" \(10 characters\); allowed: a key in the stack's own Region \(eu-west-1\)/);
  });

  test('a key of another stack of the app is accepted (CDK refuses cross-environment references itself)', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const key = new kms.Key(keyStack, 'Key');
    const stack = new Stack(app, 'App', { env: ENV });
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: { 'Fn::ImportValue': Match.anyValue() } });
  });

  test.each(['keyAdmins', 'keyAlias', 'keyRotationPeriod', 'keyPendingWindow', 'removalPolicy', 'deletionProtection'] as const)(
    'refuses %s together with encryptionKey', (option) => {
      const stack = newStack();
      const values = {
        keyAdmins: [new iam.AccountRootPrincipal()],
        keyAlias: 'alias/x',
        keyRotationPeriod: Duration.days(90),
        keyPendingWindow: Duration.days(7),
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
      };
      expect(() => build({ encryptionKey: new kms.Key(stack, 'K'), [option]: values[option] }, stack))
        .toThrow(new RegExp(`SecureGuardrail: ${option} cannot be combined with encryptionKey`));
    });
});

describe('SecureGuardrail.fromGuardrailAttributes', () => {
  const arn = `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc123def456`;

  test('exposes id, ARN, version and environment', () => {
    const stack = newStack();
    const imported = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: arn, guardrailVersion: '3' });
    expect(imported.guardrailArn).toBe(arn);
    expect(imported.guardrailId).toBe('abc123def456');
    expect(imported.guardrailVersion).toBe('3');
    expect(imported.env).toEqual({ account: ACCOUNT, region: REGION });
    expect(SecureGuardrail.fromGuardrailAttributes(stack, 'Draft', { guardrailArn: arn }).guardrailVersion).toBe('DRAFT');
  });

  test('grantApply and grantRead with a key grant kms:Decrypt through Bedrock and warn about the key policy', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`;
    const imported = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', {
      guardrailArn: arn, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn),
    });
    const role = lambdaRole(stack);
    imported.grantApply(role);
    imported.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: arn },
          Match.objectLike({ Action: 'kms:Decrypt', Resource: keyArn }),
          { Effect: 'Allow', Action: 'bedrock:GetGuardrail', Resource: arn },
          { Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'], Resource: keyArn },
        ],
      },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Imported', Match.stringLikeRegexp('GuardrailUseThroughBedrock'));
    Annotations.fromStack(stack).hasWarning('/TestStack/Imported', Match.stringLikeRegexp('GuardrailKeyAudit'));
  });

  test('grantApply without a key grants ApplyGuardrail only', () => {
    const stack = newStack();
    const role = lambdaRole(stack);
    SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: arn }).grantApply(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: arn }] },
    });
  });

  test('accepts a token ARN and derives the id from it', () => {
    const stack = newStack();
    const imported = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: Fn.importValue('GuardrailArn') });
    expect(stack.resolve(imported.guardrailId)).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::ImportValue': 'GuardrailArn' }] }] }] }],
    });
  });

  test('refuses a malformed ARN', () => {
    expect(() => SecureGuardrail.fromGuardrailAttributes(newStack(), 'Imported', { guardrailArn: 'abc123' }))
      .toThrow('SecureGuardrail.fromGuardrailAttributes: invalid guardrailArn: received "abc123" (6 characters); allowed: a guardrail ARN, arn:<partition>:bedrock:<region>:<account>:guardrail/<id>.');
  });
});

describe('SecureGuardrail escape hatches', () => {
  test('the L1 is reachable for overrides', () => {
    const { guardrail, template } = build();
    (guardrail.node.defaultChild as bedrock.CfnGuardrail).addPropertyOverride('Description', 'overridden');
    template().hasResourceProperties('AWS::Bedrock::Guardrail', { Description: 'overridden' });
  });
});
