/**
 * How much synth-time enforcement costs: synthesizes N stacks x M SecureGuardrails with no
 * enforcement, with `GuardrailEncryptionAspect.applyTo(app)`, with `new GuardrailEncryptionChecks(app)`,
 * and with both, each as its defaults configure it (so the compliance report is on), alternating the
 * configurations round after round in this one run, then prints the median times, the overhead
 * ratios, and how each configuration scales from the small size to the large one.
 *
 * A configuration with an empty validation plugin shows what CDK's validation framework costs by
 * itself (it indexes the construct tree and hashes the cloud assembly for any plugin), apart from
 * the rules: the pack, and the aspect with the pack, are measured against it. On request, cdk-nag's
 * own `AwsSolutionsChecks` pack runs too, as a point of reference for a cdk-nag v3 pack.
 *
 * What the construct itself costs: no enforcement (default `SecureGuardrail`s) is measured against
 * the same resources written by hand with aws-cdk-lib alone (hand-written-guardrail.ts beside this
 * file; a test holds both to the same template). Both load the same modules, the library included,
 * so that ratio leaves out loading the library, a cost that does not grow with the guardrails.
 *
 * Each synthesis runs in a fresh child process (same Node.js, same code, same flags), and the time
 * that decides is the child's wall time, from its start to its exit: what a user waits for, module
 * loading included. The main thread's time inside the synthesis and the process's CPU time are printed
 * beside it. Identical syntheses on a shared machine vary by a tenth or more, so each ratio is the
 * median of the ratios taken within each round (the configuration against its baseline run next to
 * it), which discounts the machine's slow spells.
 *
 *   npx projen bench                       # 1,000 and 2,000 guardrails, 11 rounds
 *   BENCH_ROUNDS=21 BENCH_SIZES=1000 npx projen bench
 *   BENCH_CONFIGURATIONS=pack,aws-solutions npx projen bench   # with the configurations their ratios are taken against
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { handWrittenGuardrail } from './hand-written-guardrail';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../src';

const GUARDRAILS_PER_STACK = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SIZES = (process.env.BENCH_SIZES ?? '1000,2000').split(',').map(Number);

type Configuration = 'hand-written' | 'none' | 'empty plugin' | 'aspect' | 'pack' | 'both' | 'aws-solutions';
const ALL_CONFIGURATIONS: Configuration[] = ['hand-written', 'none', 'empty plugin', 'aspect', 'pack', 'both', 'aws-solutions'];
const WITH_ASPECT: Configuration[] = ['aspect', 'both'];
const WITH_PACK: Configuration[] = ['pack', 'both'];
const MANDATORY_TAGS = { owner: 'team', workload: 'bench', dataSensitivity: 'internal' };

/**
 * The targets: the construct over its hand-written resources, the aspect over no enforcement, the pack
 * (with or without the aspect) over CDK's framework.
 */
const BASELINE: Partial<Record<Configuration, Configuration>> = {
  'none': 'hand-written', 'aspect': 'none', 'pack': 'empty plugin', 'both': 'empty plugin', 'aws-solutions': 'empty plugin',
};
const TARGET: Partial<Record<Configuration, number>> = { none: 1.15, aspect: 1.10, pack: 1.10, both: 1.10 };
const CONFIGURATIONS = selectedConfigurations(process.env.BENCH_CONFIGURATIONS ?? 'hand-written,aspect,pack,both');

/**
 * The configurations asked for, with those their ratios are taken against: the aspect brings no
 * enforcement along, but not the hand-written resources, which run only when asked for (or with `none`).
 */
function selectedConfigurations(list: string): Configuration[] {
  const asked = list.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = asked.filter((name) => !ALL_CONFIGURATIONS.includes(name as Configuration));
  if (unknown.length > 0) {
    throw new Error(`BENCH_CONFIGURATIONS: unknown configuration(s) ${unknown.join(', ')}; allowed: ${ALL_CONFIGURATIONS.join(', ')}`);
  }
  const baselines = asked.map((name) => (name === 'hand-written' ? 'none' : BASELINE[name as Configuration]));
  return ALL_CONFIGURATIONS.filter((name) => asked.includes(name) || baselines.includes(name));
}

/** The configuration a ratio of `configuration` is taken against, when it ran. */
function baselineOf(configuration: Configuration): Configuration | undefined {
  const base = BASELINE[configuration];
  return base && CONFIGURATIONS.includes(base) ? base : undefined;
}

/** One synthesis: the child's wall and CPU time from start to exit, and the main thread's time inside the synthesis. */
interface Sample { readonly wall: number; readonly cpu: number; readonly main: number }

function synthesize(guardrails: number, configuration: Configuration): Omit<Sample, 'wall'> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const mainStarted = mainThreadTime();

  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  for (let s = 0; s < guardrails / GUARDRAILS_PER_STACK; s++) {
    const stack = new Stack(app, `Tenants${s}`, { env: { account: '111122223333', region: 'eu-central-1' } });
    for (let g = 0; g < GUARDRAILS_PER_STACK; g++) {
      const guardrailName = `tenant-${s}-${g}`;
      if (configuration === 'hand-written') handWrittenGuardrail(stack, `Guardrail${g}`, { guardrailName, ...MANDATORY_TAGS });
      else new SecureGuardrail(stack, `Guardrail${g}`, { guardrailName, mandatoryTags: MANDATORY_TAGS });
    }
  }
  if (configuration === 'empty plugin') {
    Validations.of(app).addPlugins({ name: 'Empty', validate: () => ({ success: true, violations: [] }) });
  }
  // Each as its defaults configure it: the report is on (its summary line is not printed here).
  if (WITH_ASPECT.includes(configuration) || WITH_PACK.includes(configuration)) GuardrailComplianceReport.enable(app, { printSummary: false });
  if (WITH_ASPECT.includes(configuration)) GuardrailEncryptionAspect.applyTo(app);
  if (WITH_PACK.includes(configuration)) Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
  if (configuration === 'aws-solutions') Validations.of(app).addPlugins(new AwsSolutionsChecks());
  app.synth();

  const cpu = process.cpuUsage();
  const sample = {
    main: mainStarted === undefined ? NaN : (mainThreadTime()! - mainStarted),
    cpu: (cpu.user + cpu.system) / 1e6,
  };
  fs.rmSync(outdir, { recursive: true, force: true });
  return sample;
}

/**
 * Seconds the main thread has run, from Linux's scheduler statistics: synthesis itself, without the
 * compiler and GC helper threads that run beside it (undefined where the file does not exist).
 */
function mainThreadTime(): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf-8').split(' ')[0]) / 1e9;
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs one synthesis in a fresh child process and returns its measurement, the child's wall time included. */
function measure(size: number, configuration: Configuration): Sample {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, 'child', String(size), configuration], {
    encoding: 'utf-8',
    env: process.env,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    throw new Error(`synthesis of ${size} guardrails (${configuration}) failed: ${child.stderr}`);
  }
  return { ...JSON.parse(line), wall };
}

function main(): void {
  const times = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const size of SIZES) {
      // Rotate the order every round so no configuration always runs first or last.
      const order = CONFIGURATIONS.map((_, i) => CONFIGURATIONS[(i + round) % CONFIGURATIONS.length]);
      for (const configuration of order) {
        const key = `${size}:${configuration}`;
        times.set(key, [...(times.get(key) ?? []), measure(size, configuration)]);
      }
    }
  }

  const samples = (size: number, configuration: Configuration) => times.get(`${size}:${configuration}`)!;
  const med = (size: number, configuration: Configuration, m: keyof Sample) => median(samples(size, configuration).map((sample) => sample[m]));
  /** The median of the ratios within rounds, against `base`. */
  const ratio = (size: number, configuration: Configuration, base: Configuration, m: keyof Sample = 'wall') => {
    const baseline = samples(size, base);
    return median(samples(size, configuration).map((sample, round) => sample[m] / baseline[round][m]));
  };

  console.log(`Synthesis of N guardrails in a fresh process, median of ${ROUNDS} alternating rounds (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})`);
  console.log('wall: the process from start to exit; ratios: median of the ratios within rounds (wall; CPU and main thread beside it);');
  console.log(`targets: no enforcement (the construct) over its hand-written resources, at most x${TARGET.none!.toFixed(2)}; the aspect over`);
  console.log(`no enforcement, the pack and both over the empty plugin (CDK's validation framework), at most x${TARGET.aspect!.toFixed(2)}\n`);
  for (const size of SIZES) {
    console.log(`${size} guardrails    ${'wall (min-max)'.padEnd(22)}${'over'.padEnd(14)}${'wall'.padEnd(8)}${'CPU'.padEnd(8)}${'main'.padEnd(8)}`);
    for (const configuration of CONFIGURATIONS) {
      const values = samples(size, configuration).map((sample) => sample.wall);
      const time = `${med(size, configuration, 'wall').toFixed(2)} s (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`;
      const base = baselineOf(configuration);
      const cells = base ? [base, ...(['wall', 'cpu', 'main'] as const).map((m) => `x${ratio(size, configuration, base, m).toFixed(3)}`)] : ['', '', '', ''];
      const target = TARGET[configuration];
      const verdict = base && target ? (ratio(size, configuration, base) <= target ? 'meets the target' : 'misses the target') : '';
      console.log(`  ${configuration.padEnd(16)}${time.padEnd(22)}${cells[0].padEnd(14)}${cells[1].padEnd(8)}${cells[2].padEnd(8)}${cells[3].padEnd(8)}${verdict}`);
    }
    console.log('');
  }
  if (SIZES.length > 1) {
    const [small, large] = [SIZES[0], SIZES[SIZES.length - 1]];
    console.log(`Scaling of the wall time from ${small} to ${large} guardrails (x${(large / small).toFixed(1)} would be linear with no fixed cost):`);
    for (const configuration of CONFIGURATIONS) {
      console.log(`  ${configuration.padEnd(16)}x${(med(large, configuration, 'wall') / med(small, configuration, 'wall')).toFixed(2)}`);
    }
  }
}

if (process.argv[2] === 'child') {
  // Policy validation prints a banner; the parent reads one JSON line from standard output.
  console.error = () => undefined;
  process.stdout.write(`${JSON.stringify(synthesize(Number(process.argv[3]), process.argv[4] as Configuration))}\n`);
} else {
  main();
}
