import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, newStack, only, REGION } from './helpers/stack';
import { SecureGuardrail } from '../../src';
import { GuardrailComplianceDashboard, GuardrailEncryptionConfigRule, GuardrailKeyMonitoring } from '../../src/governance';

/** The dashboard body with every reference written as `<Ref:Id>` / `<GetAtt:Id.Attr>`, parsed. */
function body(stack: Stack): any {
  const { resource } = only(Template.fromStack(stack), 'AWS::CloudWatch::Dashboard');
  const parts: unknown[] = resource.Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(parts.map((p: any) => typeof p === 'string' ? p
    : p.Ref ? `<Ref:${p.Ref}>` : `<GetAtt:${p['Fn::GetAtt'].join('.')}>`).join(''));
}

const TAGS = { owner: 'o', workload: 'w', dataSensitivity: 'c' };

function everything() {
  const stack = newStack();
  const guardrail = new SecureGuardrail(stack, 'Payments', { guardrailName: 'payments', mandatoryTags: TAGS });
  const keyMonitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [guardrail.encryptionKey] });
  const configRule = new GuardrailEncryptionConfigRule(stack, 'Rule');
  const dashboard = new GuardrailComplianceDashboard(stack, 'Dashboard', { configRule, keyMonitoring, guardrails: [guardrail] });
  return { stack, guardrail, keyMonitoring, configRule, dashboard };
}

describe('GuardrailComplianceDashboard with every source', () => {
  const { stack, guardrail, configRule } = everything();
  const widgets = body(stack).widgets;
  const ruleRef = `<Ref:${stack.getLogicalId(configRule.node.defaultChild as any)}>`;
  const guardrailArn = `<GetAtt:${stack.getLogicalId(guardrail.guardrail)}.GuardrailArn>`;

  test('opens on the last 14 days and lays out compliance, alerts and invocations', () => {
    expect(body(stack).start).toBe('-P14D');
    expect(widgets.map((w: any) => [w.type, w.properties.title ?? 'text', w.width])).toEqual([
      ['text', 'text', 24],
      ['metric', 'Guardrails at the last run', 12],
      ['metric', 'Customer-managed key share and compliance score (%)', 12],
      ['metric', 'Non-compliant guardrails', 8],
      ['metric', 'Mean time to remediate (hours)', 8],
      ['metric', 'Orphaned guardrail keys', 8],
      ['metric', 'Guardrail key alerts', 24],
      ['metric', 'Guardrail invocations and interventions', 8],
      ['metric', 'Guardrail errors and throttles', 8],
      ['metric', 'Guardrail latency (ms, average)', 8],
    ]);
  });

  test('says how to run the rule on demand', () => {
    expect(widgets[0].properties.markdown).toContain(`aws configservice start-config-rules-evaluation --config-rule-names ${ruleRef}`);
  });

  const SHARE = { expression: 'IF(total > 0, 100 * cmk / total, 100)', label: 'Guardrails encrypted with a customer-managed key (%)' };
  const SCORE = { expression: 'IF(total > 0, 100 * (total - nonCompliant) / total, 100)', label: 'Compliance score (%)' };

  test('shows the CMK share, the compliance score and the counts of the last run', () => {
    const metrics = widgets[1].properties.metrics;
    expect(widgets[1].properties.view).toBe('singleValue');
    const expressions = metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0]);
    expect(expressions).toEqual([expect.objectContaining(SHARE), expect.objectContaining(SCORE)]);
    // The counts, each once visible (the expressions' inputs are hidden).
    const shown = metrics.filter((m: any[]) => m[0] === 'SecureGuardrail' && m[m.length - 1].visible !== false).map((m: any[]) => m[1]);
    expect(shown).toEqual(['GuardrailsTotal', 'GuardrailsNonCompliant', 'GuardrailsNotEvaluated']);
  });

  test('plots the CMK share and the compliance score over time, on a 0-100 axis', () => {
    expect(widgets[2].properties.metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0].label)).toEqual([SHARE.label, SCORE.label]);
    expect(widgets[2].properties.yAxis.left).toEqual({ min: 0, max: 100, showUnits: false });
  });

  test('plots non-compliant and not-evaluated guardrails over time, against the total', () => {
    expect(widgets[3].properties.metrics.map((m: any[]) => [m[1], m[4].yAxis ?? 'left'])).toEqual([
      ['GuardrailsNonCompliant', 'left'], ['GuardrailsNotEvaluated', 'left'], ['GuardrailsTotal', 'right'],
    ]);
  });

  test('plots the mean time to remediate in hours, averaged over 7 days', () => {
    const [expression, ...used] = widgets[4].properties.metrics;
    expect(expression[0]).toMatchObject({ expression: 'mttr / 3600', label: 'Mean time to remediate (hours, 7-day average)', period: 604800 });
    // Average is the dashboard's default statistic: it is not written.
    expect(used.map((m: any[]) => [m.slice(0, 4), m[4].stat ?? 'Average', m[4].period])).toEqual([
      [['SecureGuardrail', 'TimeToRemediate', 'ConfigRuleName', ruleRef], 'Average', 604800],
    ]);
  });

  test('plots the orphaned guardrail keys against their monthly cost', () => {
    expect(widgets[5].properties.metrics.map((m: any[]) => [m[1], m[4].yAxis ?? 'left'])).toEqual([
      ['OrphanedGuardrailKeys', 'left'], ['OrphanedGuardrailKeysMonthlyCostUsd', 'right'],
    ]);
  });

  test('counts key alerts from the EventBridge rules', () => {
    const expressions = widgets[6].properties.metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0].expression);
    expect(expressions).toEqual([
      'FILL(matchedEventsActivity, 0) + FILL(matchedEventsDeletion, 0) + FILL(matchedEventsGuardrail, 0)',
      'FILL(failedInvocationsActivity, 0) + FILL(failedInvocationsDeletion, 0) + FILL(failedInvocationsGuardrail, 0)',
    ]);
    expect(widgets[6].properties.metrics.filter((m: any[]) => m[0] === 'AWS/Events').map((m: any[]) => m[1]))
      .toEqual(['MatchedEvents', 'MatchedEvents', 'MatchedEvents', 'FailedInvocations', 'FailedInvocations', 'FailedInvocations']);
  });

  test("sums each guardrail's AWS/Bedrock/Guardrails metrics over its versions", () => {
    const search = (metric: string, stat: string, fn: string) =>
      `${fn}(SEARCH('{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion} MetricName="${metric}" GuardrailArn="${guardrailArn}"', '${stat}', 300))`;
    const expressions = widgets.slice(7).map((w: any) => w.properties.metrics.map((m: any[]) => [m[0].expression, m[0].label]));
    expect(expressions).toEqual([
      [[search('Invocations', 'Sum', 'SUM'), 'Payments invocations'], [search('InvocationsIntervened', 'Sum', 'SUM'), 'Payments interventions']],
      [[search('InvocationClientErrors', 'Sum', 'SUM'), 'Payments client errors'], [search('InvocationServerErrors', 'Sum', 'SUM'), 'Payments server errors'], [search('InvocationThrottles', 'Sum', 'SUM'), 'Payments throttles']],
      [[search('InvocationLatency', 'Average', 'AVG'), 'Payments latency']],
    ]);
  });
});

describe('guardrails', () => {
  test('addGuardrail adds lines to the same widgets, once per guardrail', () => {
    const stack = newStack();
    const a = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc123` });
    const b = SecureGuardrail.fromGuardrailAttributes(stack, 'Other', { guardrailArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/def456` });
    const dashboard = new GuardrailComplianceDashboard(stack, 'Dashboard', { guardrails: [a], defaultInterval: Duration.days(3) });
    dashboard.addGuardrail(b);
    dashboard.addGuardrail(a);
    const parsed = body(stack);
    expect(parsed.start).toBe('-P3D');
    expect(parsed.widgets).toHaveLength(3);
    expect(parsed.widgets[0].properties.metrics.map((m: any[]) => m[0].label)).toEqual(['Imported invocations', 'Imported interventions', 'Other invocations', 'Other interventions']);
    expect(parsed.widgets[0].properties.metrics[2][0].expression).toContain('GuardrailArn="arn:aws:bedrock:eu-west-1:111111111111:guardrail/def456"');
  });

  test('only key alerts', () => {
    const stack = newStack();
    const keyMonitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`)] });
    new GuardrailComplianceDashboard(stack, 'Dashboard', { keyMonitoring, dashboardName: 'guardrail-keys' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'guardrail-keys' });
    expect(body(stack).widgets.map((w: any) => w.properties.title)).toEqual(['Guardrail key alerts']);
  });

  test('a dashboard with nothing to show fails synthesis and says what to pass', () => {
    const stack = newStack();
    new GuardrailComplianceDashboard(stack, 'Dashboard');
    expect(() => Template.fromStack(stack)).toThrow(/GuardrailComplianceDashboard has nothing to show: pass configRule, keyMonitoring or guardrails \(or call addGuardrail\)/);
  });
});
