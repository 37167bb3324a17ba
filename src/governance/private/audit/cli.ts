import { parseArgs } from 'util';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { auditAccount, RegionClients } from './audit';
import { EXIT, exitCodeOf, OUTPUT_FORMATS, OutputFormat, render } from './output';
import { AUDIT_PERMISSIONS, permissionsPolicy } from './permissions';
import { DEFAULT_REGIONS, resolveRegions, UsageError } from './regions';
import { KEY_REQUIREMENTS } from '../../../core/key-requirements';
import { ROTATION_DAYS } from '../../../core/kms-limits';
import { describeError, SDK_CLIENT_CONFIG } from '../handler/sdk';

/** Where the command writes, and how it reaches AWS (tests give their own). */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default clients of the AWS SDK's default credential chain, with the Config rule's retry settings */
  readonly clients?: (region: string) => RegionClients;
}

const COMMAND = 'cdk-secure-guardrail';

export function usage(): string {
  return [
    `Usage: ${COMMAND} audit [--region <region>[,<region>...]]... [--format table|json|markdown] [--max-rotation-days <days>] [--quiet]`,
    '',
    'Audits the Bedrock guardrails of the account the AWS credentials belong to, without deploying anything:',
    'every guardrail and version, its key, each failed check with the rule ids and wording of the',
    'GuardrailEncryption pack and the GuardrailEncryptionConfigRule, the share on a customer-managed key,',
    'the compliance score and the orphaned guardrail keys with their monthly cost.',
    '',
    'Options:',
    '  --region             Regions to audit (repeat or comma-separate). Default: every Region where Bedrock is offered',
    `                       in the aws partition (${DEFAULT_REGIONS.length}); opt-in Regions the account has not enabled are skipped.`,
    '  --format             table (default), json, or markdown (the synth-time compliance report\'s Markdown)',
    `  --max-rotation-days  the longest automatic rotation period accepted (default ${KEY_REQUIREMENTS.maxRotationDays})`,
    '  --quiet              no progress lines on stderr',
    '  --help               this help',
    '',
    'Exit codes:',
    `  ${EXIT.compliant}  every guardrail found is compliant`,
    `  ${EXIT.nonCompliant}  at least one guardrail is non-compliant`,
    `  ${EXIT.usage}  bad command-line input (nothing was called)`,
    `  ${EXIT.incomplete}  nothing non-compliant found, but a Region or a guardrail could not be read (a Region named with --region without Bedrock included), or the command failed`,
    '',
    'IAM permissions (all read-only):',
    ...AUDIT_PERMISSIONS.map((permission) => `  ${permission.action.padEnd(24)} ${permission.why}`),
    '',
    'As a policy:',
    permissionsPolicy(),
    '',
  ].join('\n');
}

interface Command {
  readonly regions: string[];
  readonly named: boolean;
  readonly format: OutputFormat;
  readonly maxRotationDays: number;
  readonly quiet: boolean;
}

/** Reads the arguments; `'help'` when help was asked for. Throws UsageError on bad input. */
export function parseCommand(argv: readonly string[]): Command | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'region': { type: 'string', multiple: true },
        'format': { type: 'string' },
        'max-rotation-days': { type: 'string' },
        'quiet': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1 || positionals[0] !== 'audit') {
    throw new UsageError(`expected the command "audit", got ${positionals.length === 0 ? 'none' : JSON.stringify(positionals.join(' '))}`);
  }
  const format = values.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${JSON.stringify(format)}: expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  const days = values['max-rotation-days'] === undefined ? KEY_REQUIREMENTS.maxRotationDays : Number(values['max-rotation-days']);
  if (!Number.isInteger(days) || days < ROTATION_DAYS.min || days > ROTATION_DAYS.max) {
    throw new UsageError(`--max-rotation-days ${JSON.stringify(values['max-rotation-days'])}: `
      + `expected a whole number of days from ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max}`);
  }
  const given = values.region ?? [];
  const regions = resolveRegions(given);
  return { regions, named: given.length > 0, format: format as OutputFormat, maxRotationDays: days, quiet: values.quiet === true };
}

/** Runs the command; resolves to its exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  let command: Command | 'help';
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${COMMAND}: ${error.message}\nRun "${COMMAND} --help" for the options.\n`);
    return EXIT.usage;
  }
  if (command === 'help') {
    io.stdout(usage());
    return EXIT.compliant;
  }
  try {
    const { regions, named, format, maxRotationDays, quiet } = command;
    if (!quiet) io.stderr(`Auditing ${regions.length} Region${regions.length === 1 ? '' : 's'}: ${regions.join(', ')}\n`);
    const audit = await auditAccount({
      regions,
      named,
      maxRotationDays,
      clients: io.clients ?? defaultClients,
      progress: quiet ? () => undefined : (line) => io.stderr(`${line}\n`),
    });
    io.stdout(render(audit, format));
    return exitCodeOf(audit);
  } catch (error) {
    io.stderr(`${COMMAND}: the audit failed: ${describeError(error)}\n`);
    return EXIT.incomplete;
  }
}

/** The clients of a Region: the SDK's default credentials, with the Config rule's retry strategy (standard mode, six attempts). */
function defaultClients(region: string): RegionClients {
  const config = { ...SDK_CLIENT_CONFIG, region };
  return { bedrock: new BedrockClient(config), kms: new KMSClient(config), tagging: new ResourceGroupsTaggingAPIClient(config) };
}
