/**
 * How much synth-time enforcement costs: synthesizes N stacks x M SecureGuardrails with no
 * enforcement, with GuardrailEncryptionAspect, with the GuardrailEncryptionChecks pack, with both,
 * and with both plus the compliance report, alternating the configurations round after round in this
 * one process, then prints the median times, the overhead ratios against no enforcement, and how
 * each configuration scales from the small size to the large one.
 *
 * A configuration with an empty validation plugin shows what CDK's validation framework costs by
 * itself (it hashes the cloud assembly and builds a report for any plugin), apart from the rules.
 * Times are the CPU time (user + system) of each synthesis, which other processes on the machine
 * disturb far less than wall-clock time; wall-clock medians are printed too. Each synthesis runs in a
 * fresh child of this process (same Node.js, same code, same flags): aws-cdk-lib keeps every token of
 * every app for the life of a process, so in one long-lived process each synthesis would be slower
 * than the one before and the drift would swamp the differences measured here.
 *
 *   npx projen bench                       # 1,000 and 2,000 guardrails, 7 rounds
 *   BENCH_ROUNDS=9 BENCH_SIZES=500,1000 npx projen bench
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../src';

const GUARDRAILS_PER_STACK = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SIZES = (process.env.BENCH_SIZES ?? '1000,2000').split(',').map(Number);

type Configuration = 'none' | 'empty plugin' | 'aspect' | 'pack' | 'both' | 'both+report';
const CONFIGURATIONS: Configuration[] = ['none', 'empty plugin', 'aspect', 'pack', 'both', 'both+report'];

interface Sample { readonly cpu: number; readonly wall: number }

function synthesize(guardrails: number, configuration: Configuration): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  (global as { gc?: () => void }).gc?.();
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();

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
  if (['aspect', 'both', 'both+report'].includes(configuration)) GuardrailEncryptionAspect.applyTo(app, { report: false });
  if (['pack', 'both', 'both+report'].includes(configuration)) {
    Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app, { report: false }));
  }
  app.synth();

  const cpu = process.cpuUsage(cpuStarted);
  const sample = { cpu: (cpu.user + cpu.system) / 1e6, wall: Number(process.hrtime.bigint() - started) / 1e9 };
  fs.rmSync(outdir, { recursive: true, force: true });
  return sample;
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

  const med = (size: number, configuration: Configuration, metric: keyof Sample) =>
    median(times.get(`${size}:${configuration}`)!.map((sample) => sample[metric]));

  console.log(`Synthesis, median of ${ROUNDS} alternating rounds (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})`);
  console.log(`${'configuration'.padEnd(14)}${SIZES.map((s) => `${s} guardrails: CPU (min-max) ratio, wall`.padStart(52)).join('')}`);
  for (const configuration of CONFIGURATIONS) {
    const cells = SIZES.map((size) => {
      const cpus = times.get(`${size}:${configuration}`)!.map((sample) => sample.cpu);
      const cpu = med(size, configuration, 'cpu');
      const ratio = cpu / med(size, 'none', 'cpu');
      const spread = `${Math.min(...cpus).toFixed(2)}-${Math.max(...cpus).toFixed(2)}`;
      return `${cpu.toFixed(2)} s (${spread}) x${ratio.toFixed(3)}, ${med(size, configuration, 'wall').toFixed(2)} s`.padStart(52);
    });
    console.log(`${configuration.padEnd(14)}${cells.join('')}`);
  }
  if (SIZES.length > 1) {
    const [small, large] = [SIZES[0], SIZES[SIZES.length - 1]];
    console.log(`\nScaling of CPU time ${small} -> ${large} guardrails (x${(large / small).toFixed(1)} is linear):`);
    for (const configuration of CONFIGURATIONS) {
      console.log(`  ${configuration.padEnd(14)} x${(med(large, configuration, 'cpu') / med(small, configuration, 'cpu')).toFixed(2)}`);
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
