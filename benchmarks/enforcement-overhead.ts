/**
 * How much synth-time enforcement costs: synthesizes N stacks x M SecureGuardrails with no
 * enforcement, with GuardrailEncryptionAspect, with the GuardrailEncryptionChecks pack, with both,
 * and with both plus the compliance report, alternating the configurations round after round in this
 * one run, then prints the median times, the overhead ratios against no enforcement, and how each
 * configuration scales from the small size to the large one.
 *
 * A configuration with an empty validation plugin shows what CDK's validation framework costs by
 * itself (it indexes the construct tree and hashes the cloud assembly for any plugin), apart from
 * the rules. On request, cdk-nag's own `AwsSolutionsChecks` pack runs too, as a point of reference
 * for what a cdk-nag v3 pack costs on the same app.
 *
 * The time that decides is the main thread's: synthesis runs on it, while the compiler and other
 * helper threads of Node.js run beside it (read from Linux's scheduler statistics; elsewhere the
 * process's CPU time stands in). Process CPU time and wall-clock time are printed too. Identical
 * syntheses on a shared machine vary by a tenth or more, so each ratio is given twice: the
 * ratio of the medians, and the median of the ratios taken within each round (the configuration
 * against the run without enforcement next to it), which discounts the machine's slow spells.
 *
 * Each synthesis runs in a fresh child of this process (same Node.js, same code, same flags):
 * aws-cdk-lib keeps every token of every app for the life of a process, so in one long-lived process
 * each synthesis would be slower than the one before and the drift would swamp the differences.
 *
 *   npx projen bench                       # 1,000 and 2,000 guardrails, 11 rounds
 *   BENCH_ROUNDS=21 BENCH_SIZES=1000 npx projen bench
 *   BENCH_CONFIGURATIONS=pack,aws-solutions npx projen bench   # no enforcement and the empty plugin always run
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../src';

const GUARDRAILS_PER_STACK = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SIZES = (process.env.BENCH_SIZES ?? '1000,2000').split(',').map(Number);

type Configuration = 'none' | 'empty plugin' | 'aspect' | 'pack' | 'both' | 'both+report' | 'aws-solutions';
const ALL_CONFIGURATIONS: Configuration[] = ['none', 'empty plugin', 'aspect', 'pack', 'both', 'both+report', 'aws-solutions'];
const WITH_ASPECT: Configuration[] = ['aspect', 'both', 'both+report'];
const WITH_PACK: Configuration[] = ['pack', 'both', 'both+report'];
const WITH_PLUGIN: Configuration[] = [...WITH_PACK, 'aws-solutions'];
const CONFIGURATIONS = selectedConfigurations(process.env.BENCH_CONFIGURATIONS ?? 'aspect,pack,both,both+report');

/** The configurations asked for, after the two every ratio is taken against. */
function selectedConfigurations(list: string): Configuration[] {
  const asked = list.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = asked.filter((name) => !ALL_CONFIGURATIONS.includes(name as Configuration));
  if (unknown.length > 0) {
    throw new Error(`BENCH_CONFIGURATIONS: unknown configuration(s) ${unknown.join(', ')}; allowed: ${ALL_CONFIGURATIONS.join(', ')}`);
  }
  return ALL_CONFIGURATIONS.filter((name) => name === 'none' || name === 'empty plugin' || asked.includes(name));
}

interface Sample { readonly main: number; readonly cpu: number; readonly wall: number }

function synthesize(guardrails: number, configuration: Configuration): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  (global as { gc?: () => void }).gc?.();
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const mainStarted = mainThreadTime();

  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  for (let s = 0; s < guardrails / GUARDRAILS_PER_STACK; s++) {
    const stack = new Stack(app, `Tenants${s}`, { env: { account: '111122223333', region: 'eu-central-1' } });
    for (let g = 0; g < GUARDRAILS_PER_STACK; g++) {
      new SecureGuardrail(stack, `Guardrail${g}`, {
        guardrailName: `tenant-${s}-${g}`,
        mandatoryTags: { owner: 'team', workload: 'bench', dataSensitivity: 'internal' },
      });
    }
  }
  if (configuration === 'empty plugin') {
    Validations.of(app).addPlugins({ name: 'Empty', validate: () => ({ success: true, violations: [] }) });
  }
  if (configuration === 'both+report') GuardrailComplianceReport.enable(app, { printSummary: false });
  if (WITH_ASPECT.includes(configuration)) GuardrailEncryptionAspect.applyTo(app, { report: false });
  if (WITH_PACK.includes(configuration)) {
    Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app, { report: false }));
  }
  if (configuration === 'aws-solutions') Validations.of(app).addPlugins(new AwsSolutionsChecks());
  app.synth();

  const cpu = process.cpuUsage(cpuStarted);
  const sample = {
    main: mainStarted === undefined ? NaN : (mainThreadTime()! - mainStarted),
    cpu: (cpu.user + cpu.system) / 1e6,
    wall: Number(process.hrtime.bigint() - started) / 1e9,
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

/** Runs one synthesis in a fresh child process and returns its measurement. */
function measure(size: number, configuration: Configuration): Sample {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, 'child', String(size), configuration], {
    encoding: 'utf-8',
    env: process.env,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    throw new Error(`synthesis of ${size} guardrails (${configuration}) failed: ${child.stderr}`);
  }
  return JSON.parse(line);
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

  const metric: keyof Sample = Number.isNaN(times.get(`${SIZES[0]}:none`)![0].main) ? 'cpu' : 'main';
  const samples = (size: number, configuration: Configuration) => times.get(`${size}:${configuration}`)!;
  const med = (size: number, configuration: Configuration, m: keyof Sample) => median(samples(size, configuration).map((sample) => sample[m]));
  const pairedRatio = (size: number, configuration: Configuration, m: keyof Sample, base: Configuration = 'none') => {
    const baseline = samples(size, base);
    return median(samples(size, configuration).map((sample, round) => sample[m] / baseline[round][m]));
  };

  console.log(`Synthesis of N guardrails, median of ${ROUNDS} alternating rounds (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})`);
  console.log(`Time: ${metric === 'main' ? 'main thread' : 'process CPU'}; ratio of medians / median of the ratios within rounds; process CPU and wall-clock ratios of medians;`);
  console.log('over the empty plugin: what the configuration adds to the cost of CDK\'s validation framework (ratio within rounds)\n');
  for (const size of SIZES) {
    console.log(`${size} guardrails    ${'time (min-max)'.padEnd(22)}${'ratio'.padEnd(8)}${'paired'.padEnd(8)}${'CPU'.padEnd(8)}${'wall'.padEnd(8)}over the empty plugin`);
    for (const configuration of CONFIGURATIONS) {
      const values = samples(size, configuration).map((sample) => sample[metric]);
      const time = `${med(size, configuration, metric).toFixed(2)} s (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`;
      const ratio = (m: keyof Sample) => `x${(med(size, configuration, m) / med(size, 'none', m)).toFixed(3)}`;
      const overFramework = WITH_PLUGIN.includes(configuration) ? `x${pairedRatio(size, configuration, metric, 'empty plugin').toFixed(3)}` : '';
      console.log(`  ${configuration.padEnd(16)}${time.padEnd(22)}${ratio(metric).padEnd(8)}${`x${pairedRatio(size, configuration, metric).toFixed(3)}`.padEnd(8)}${ratio('cpu').padEnd(8)}${ratio('wall').padEnd(8)}${overFramework}`);
    }
    console.log('');
  }
  if (SIZES.length > 1) {
    const [small, large] = [SIZES[0], SIZES[SIZES.length - 1]];
    console.log(`Scaling of the time from ${small} to ${large} guardrails (x${(large / small).toFixed(1)} is linear):`);
    for (const configuration of CONFIGURATIONS) {
      console.log(`  ${configuration.padEnd(16)}x${(med(large, configuration, metric) / med(small, configuration, metric)).toFixed(2)}`);
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
