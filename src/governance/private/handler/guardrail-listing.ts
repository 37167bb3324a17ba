import { BedrockClient, GuardrailSummary, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { describeError, errorName } from './sdk';

/**
 * Every guardrail of the Region (ListGuardrails without an identifier returns each guardrail's
 * draft once), or why there are none to list: ValidationException on the first page, which is how a
 * Region where Bedrock is not offered answers (as Prowler detects it; not verified against AWS).
 * Shared by the Config rule's handler and the account audit.
 */
export async function listGuardrails(bedrock: BedrockClient): Promise<{ guardrails: GuardrailSummary[] } | { unavailable: string }> {
  const guardrails: GuardrailSummary[] = [];
  let nextToken: string | undefined;
  do {
    try {
      const page = await bedrock.send(new ListGuardrailsCommand({ nextToken }));
      guardrails.push(...(page.guardrails ?? []));
      nextToken = page.nextToken;
    } catch (error) {
      if (nextToken === undefined && errorName(error) === 'ValidationException') return { unavailable: describeError(error) };
      throw error;
    }
  } while (nextToken);
  return { guardrails };
}
