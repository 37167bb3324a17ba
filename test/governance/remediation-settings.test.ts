import { REMEDIATION_ENV, remediationSettingsFromEnvironment } from '../../src/governance/private/remediation/settings';

const REQUIRED = {
  AWS_REGION: 'eu-west-1',
  [REMEDIATION_ENV.partition]: 'aws',
  [REMEDIATION_ENV.account]: '111111111111',
  [REMEDIATION_ENV.urlSuffix]: 'amazonaws.com',
  [REMEDIATION_ENV.ownRoleArn]: 'arn:aws:iam::111111111111:role/remediation',
  [REMEDIATION_ENV.rotationDays]: '180',
};

describe('the remediation function\'s settings', () => {
  test('only the required ones: no key, no principals, no tags, no version, no rule', () => {
    expect(remediationSettingsFromEnvironment(REQUIRED)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '111111111111',
      urlSuffix: 'amazonaws.com',
      ownRoleArn: 'arn:aws:iam::111111111111:role/remediation',
      evaluatorRoleArn: undefined,
      keyArn: undefined,
      keyAdminArns: [],
      keyUserArns: [],
      keyUserTag: undefined,
      rotationDays: 180,
      tags: {},
      publishVersion: false,
      configRuleName: undefined,
    });
  });

  test('lists are split on commas, blanks dropped; the principal tag is JSON (its key and value may hold = and ,)', () => {
    const settings = remediationSettingsFromEnvironment({
      ...REQUIRED,
      [REMEDIATION_ENV.keyUserArns]: 'arn:a, arn:b,,',
      [REMEDIATION_ENV.keyUserTag]: JSON.stringify({ key: 'a=b', value: 'c,d' }),
      [REMEDIATION_ENV.publishVersion]: 'true',
    });
    expect(settings.keyUserArns).toEqual(['arn:a', 'arn:b']);
    expect(settings.keyUserTag).toEqual({ key: 'a=b', value: 'c,d' });
    expect(settings.publishVersion).toBe(true);
  });

  test('a rotation period whose amount was a token at synth arrives with its unit, and is turned into whole days', () => {
    const rotation = (text: string) => remediationSettingsFromEnvironment({ ...REQUIRED, [REMEDIATION_ENV.rotationDays]: text }).rotationDays;
    expect(rotation('365 days')).toBe(365);
    expect(rotation('2160 hours')).toBe(90);
    expect(() => rotation('25 hours')).toThrow('The remediation function\'s KEY_ROTATION_DAYS is "25 hours", not a whole number of days: nothing was changed.');
    expect(() => rotation('a year')).toThrow(/not a whole number of days/);
  });

  test.each(Object.keys(REQUIRED))('without %s the function refuses to run, changing nothing', (name) => {
    const env: Record<string, string | undefined> = { ...REQUIRED, [name]: undefined };
    expect(() => remediationSettingsFromEnvironment(env)).toThrow(`The remediation function's environment lacks ${name}: nothing was changed.`);
  });
});
