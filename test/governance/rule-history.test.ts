import { ConfigServiceClient, EvaluationResult, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { guardrailArn, RULE_NAME } from './handler-fixtures';
import { Outcome, RuleHistory } from '../../src/governance/private/handler/history';

/*
 * RuleHistory writes the "(since …)" annotation one run and reads it back the next: these tests
 * chain two runs through what Config would keep, so the writer and the reader cannot drift apart.
 */

const config = mockClient(ConfigServiceClient);
const client = new ConfigServiceClient({ region: 'eu-west-1' });
const ARN = guardrailArn('g');
const FIRST_RUN = new Date('2026-03-01T10:00:00Z');
const NEXT_RUN = new Date('2026-03-02T16:30:00Z');

beforeEach(() => config.reset());

/** The history the next run reads, after the first run reported `outcome` (Config keeps that result). */
async function afterFirstRun(outcome: Outcome): Promise<RuleHistory> {
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  const first = await RuleHistory.read(client, RULE_NAME, () => {});
  const kept: EvaluationResult = {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: RULE_NAME, ResourceType: 'AWS::Bedrock::Guardrail', ResourceId: ARN },
      // Far from FIRST_RUN, so a result counted from its own time would show.
      OrderingTimestamp: new Date('2026-01-01T00:00:00Z'),
    },
    ComplianceType: outcome.compliant ? 'COMPLIANT' : 'NON_COMPLIANT',
    Annotation: first.annotation(ARN, outcome, FIRST_RUN),
  };
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [kept] });
  return RuleHistory.read(client, RULE_NAME, () => {});
}

test('a guardrail remediated the run after it became non-compliant reports the time between the two runs', async () => {
  const history = await afterFirstRun({ compliant: false, evaluated: true, reason: 'its key is disabled' });
  expect(history.secondsToRemediate([ARN], NEXT_RUN)).toEqual([30.5 * 3600]);
});

test('a guardrail still non-compliant keeps the moment the first run wrote', async () => {
  const history = await afterFirstRun({ compliant: false, evaluated: true, reason: 'its key is disabled' });
  expect(history.annotation(ARN, { compliant: false, evaluated: true, reason: 'its key is disabled' }, NEXT_RUN))
    .toBe('Non-compliant (since 2026-03-01T10:00Z): its key is disabled.');
});

test('a guardrail that was only not evaluated keeps its moment but is not counted as remediated', async () => {
  const history = await afterFirstRun({ compliant: false, evaluated: false, reason: 'GetGuardrail was denied' });
  expect(history.annotation(ARN, { compliant: false, evaluated: true, reason: 'its key is disabled' }, NEXT_RUN))
    .toBe('Non-compliant (since 2026-03-01T10:00Z): its key is disabled.');
  expect(history.secondsToRemediate([ARN], NEXT_RUN)).toEqual([]);
});

test('without the earlier results nothing is measured and the moment is unknown', async () => {
  config.on(GetComplianceDetailsByConfigRuleCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
  const lines: string[] = [];
  const history = await RuleHistory.read(client, RULE_NAME, (line) => lines.push(line));
  expect(history.secondsToRemediate([ARN], NEXT_RUN)).toBeUndefined();
  expect(history.annotation(ARN, { compliant: false, evaluated: true, reason: 'its key is disabled' }, NEXT_RUN))
    .toBe('Non-compliant (since unknown): its key is disabled.');
  expect(history.retiredEvaluations(new Set(), NEXT_RUN)).toEqual([]);
  expect(lines).toEqual([expect.stringMatching(/^WARNING could not read earlier results \(AccessDeniedException: no\)/)]);
});
