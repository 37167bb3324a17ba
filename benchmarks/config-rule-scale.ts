/**
 * Whether the Config rule's handler finishes large accounts: the bundled handler (what Lambda runs,
 * `npx projen bundle`) evaluates a simulated account of N guardrails x versions served on a local
 * endpoint (test/governance/helpers/simulated-account.ts, in a child process of its own) that answers every
 * call after a fixed latency, through the handler's real SDK clients and middleware. Lambda's context
 * is simulated: the time left counts down from the function's configured timeout (read from the
 * construct's template), and when the handler continues a run, the follow-up invocations it asked
 * Lambda for are run here, each with the timeout again, until the run is finished.
 *
 * Printed per scenario: invocations, guardrails each evaluated, calls by operation, wall time, the
 * time the run would take in one invocation (projected from the rate measured), and the timeout;
 * then the checks: every guardrail delivered, none twice.
 *
 * Scenarios (the issue's targets):
 *   - 10,000 guardrails with a draft and 2 versions each, within the configured timeout (one invocation);
 *   - 30,000 guardrails, every evaluation delivered across invocations, none lost or twice. The
 *     invocations get BENCH_FOLLOW_UP_TIMEOUT_SECONDS (default 90) instead of the timeout, so that
 *     the run spans several of them in a few minutes of wall time.
 *
 *   npx projen bench:config-rule
 *   BENCH_LATENCY_MS=100 BENCH_SIZES=3000 npx projen bench:config-rule
 *   BENCH_GUARDRAILS_PER_KEY=100 npx projen bench:config-rule    # tenants sharing keys
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardrailEncryptionConfigRule } from '../src';
import { AccountShape, SimulatedAccount } from '../test/governance/helpers/simulated-account';
import { useLocalEndpoint } from '../test/governance/helpers/fake-endpoint';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 2);
const GUARDRAILS_PER_KEY = Number(process.env.BENCH_GUARDRAILS_PER_KEY ?? 1);
const FOLLOW_UP_TIMEOUT_S = Number(process.env.BENCH_FOLLOW_UP_TIMEOUT_SECONDS ?? 90);
const SCENARIOS: Array<{ guardrails: number; timeoutFromConstruct: boolean }> = (process.env.BENCH_SIZES ?? '10000,30000:follow-up')
  .split(',').map((entry) => ({ guardrails: Number(entry.split(':')[0]), timeoutFromConstruct: !entry.endsWith(':follow-up') }));
const BUNDLE = path.join(__dirname, '..', 'assets', 'governance', 'guardrail-encryption-check.lambda', 'index.js');

/** What the account child reports. */
interface AccountStats {
  readonly calls: Record<string, number>;
  readonly delivered: number;
  readonly deliveredTwice: number;
  readonly peakInFlight: number;
  readonly invocations: any[];
}

/** Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion to memory (Lambda developer guide, "Configure memory"). */
const FULL_VCPU_MB = 1769;
let MEMORY_MB = 0;

/** The function's timeout (seconds) and memory as the construct configures them. */
function configuredTimeoutSeconds(): number {
  const stack = new Stack(new App(), 'Bench', { env: { account: '111111111111', region: 'eu-west-1' } });
  new GuardrailEncryptionConfigRule(stack, 'Rule');
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
  MEMORY_MB = fn.Properties.MemorySize;
  return fn.Properties.Timeout;
}

/** The account runs in a child process, so that its answers do not wait for the handler's event loop. */
class AccountProcess {
  private readonly child: ChildProcess = fork(__filename, ['account'], { execArgv: process.execArgv, env: process.env });
  private pending?: (message: any) => void;

  constructor() {
    this.child.on('message', (message) => this.pending?.(message));
  }

  ask(request: object): Promise<any> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.child.send(request);
    });
  }

  stop(): void {
    this.child.kill();
  }
}

async function runScenario(account: AccountProcess, guardrails: number, timeoutS: number, configuredS: number): Promise<boolean> {
  const shape: AccountShape = { guardrails, versions: VERSIONS, latencyMs: LATENCY_MS, guardrailsPerKey: GUARDRAILS_PER_KEY };
  await account.ask({ reshape: shape });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(BUNDLE);
  const event = {
    invokingEvent: JSON.stringify({ awsAccountId: '111111111111', notificationCreationTime: new Date().toISOString(), messageType: 'ScheduledNotification', recordVersion: '1.0' }),
    ruleParameters: '{}',
    resultToken: 'bench-token',
    configRuleName: 'guardrail-encryption',
    accountId: '111111111111',
  };
  const invocations: Array<{ evaluated: number; seconds: number }> = [];
  let next: any = event;
  let evaluatedBefore = 0;
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  while (next) {
    const deadline = Date.now() + timeoutS * 1000;
    const invocationStarted = Date.now();
    const summary = await handler(next, { functionName: 'guardrail-encryption-check', getRemainingTimeInMillis: () => deadline - Date.now() });
    const seconds = (Date.now() - invocationStarted) / 1000;
    if (seconds > timeoutS) throw new Error(`invocation ${invocations.length + 1} took ${seconds.toFixed(1)} s, over its ${timeoutS} s`);
    invocations.push({ evaluated: summary.total - evaluatedBefore, seconds });
    evaluatedBefore = summary.total;
    const stats: AccountStats = await account.ask({ stats: true });
    next = summary.continued ? stats.invocations[stats.invocations.length - 1] : undefined;
  }
  const wall = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpuBefore);
  const cpuS = (used.user + used.system) / 1e6;
  const stats: AccountStats = await account.ask({ stats: true });
  const calls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const rate = guardrails / invocations.reduce((a, i) => a + i.seconds, 0);
  const ok = stats.delivered === guardrails && stats.deliveredTwice === 0;

  console.log(`\n${guardrails.toLocaleString('en-US')} guardrails x ${VERSIONS + 1} versions (draft + ${VERSIONS}), ${GUARDRAILS_PER_KEY} guardrail(s) per key, ${LATENCY_MS} ms per call`);
  console.log(`  calls: ${calls.toLocaleString('en-US')} (${Object.entries(stats.calls).map(([op, n]) => `${op} ${n.toLocaleString('en-US')}`).join(', ')}); at most ${stats.peakInFlight} in flight`);
  console.log(`  invocations: ${invocations.length} (${invocations.map((i) => `${i.evaluated.toLocaleString('en-US')} in ${i.seconds.toFixed(1)} s`).join('; ')}), each given ${timeoutS} s`);
  console.log(`  wall time: ${wall.toFixed(1)} s; projected for one invocation: ${(guardrails / rate).toFixed(1)} s (${rate.toFixed(0)} guardrails/s)`);
  console.log(`  handler's CPU: ${cpuS.toFixed(1)} s (${(cpuS * 1000 / calls).toFixed(2)} ms per call); Lambda gives the function's ${MEMORY_MB} MB `
    + `${(MEMORY_MB / FULL_VCPU_MB).toFixed(2)} vCPU, where that CPU takes about ${(cpuS * FULL_VCPU_MB / MEMORY_MB).toFixed(0)} s (not measured in Lambda)`);
  // In Lambda the same CPU work takes longer by the share of a vCPU the memory buys; counted as if
  // none of it overlapped with waiting for AWS, which overstates the time.
  const lambdaSeconds = invocations.reduce((a, i) => a + i.seconds, 0) + cpuS * (FULL_VCPU_MB / MEMORY_MB - 1);
  const lambdaRate = guardrails / lambdaSeconds;
  console.log(`  function's configured timeout: ${configuredS} s; projected in Lambda at ${MEMORY_MB} MB: ${lambdaSeconds.toFixed(0)} s for the run, `
    + `so one invocation evaluates about ${Math.floor(lambdaRate * (configuredS - 30)).toLocaleString('en-US')} guardrails of this shape (30 s kept for delivery)`);
  console.log(`  delivered: ${stats.delivered.toLocaleString('en-US')} of ${guardrails.toLocaleString('en-US')}, twice: ${stats.deliveredTwice}  ${ok ? 'OK' : 'FAILED'}`);
  // The first target: the run fits one invocation of the configured timeout, here and as projected in Lambda.
  const withinTimeout = invocations.length === 1 && lambdaSeconds <= configuredS;
  return ok && (!SCENARIOS.find((s) => s.guardrails === guardrails)?.timeoutFromConstruct || withinTimeout);
}

async function main(): Promise<void> {
  const configuredS = configuredTimeoutSeconds();
  const account = new AccountProcess();
  const { url } = await account.ask({ start: true });
  useLocalEndpoint(url);
  // The handler's KPI and finding lines are not the benchmark's output.
  const log = console.log;
  console.log = (...args: unknown[]) => { if (typeof args[0] === 'string' && /^(\n|  )/.test(args[0])) log(...args); };
  let ok = true;
  try {
    for (const scenario of SCENARIOS) {
      ok = await runScenario(account, scenario.guardrails, scenario.timeoutFromConstruct ? configuredS : FOLLOW_UP_TIMEOUT_S, configuredS) && ok;
    }
  } finally {
    account.stop();
    console.log = log;
  }
  if (!ok) {
    console.error('\nA target was missed: a run not finished in one invocation within the timeout, or an evaluation lost or delivered twice.');
    process.exit(1);
  }
}

/** The child: the simulated account, driven over IPC. */
function serveAccount(): void {
  const account = new SimulatedAccount({ guardrails: 0, versions: 0, latencyMs: LATENCY_MS });
  process.on('message', async (request: any) => {
    if (request.start) process.send!({ url: await account.start() });
    if (request.reshape) {
      account.reshape(request.reshape);
      process.send!({});
    }
    if (request.stats) {
      const counts = [...account.deliveries.values()];
      process.send!({
        calls: Object.fromEntries(account.calls),
        delivered: counts.length,
        deliveredTwice: counts.filter((n) => n > 1).length,
        peakInFlight: account.peakInFlight,
        invocations: account.invocations.map((i) => i.event),
      });
    }
  });
}

if (process.argv[2] === 'account') serveAccount();
else void main().catch((error) => { console.error(error); process.exit(1); });
