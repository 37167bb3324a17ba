/**
 * How much synth-time enforcement costs: synthesizes N stacks x M SecureGuardrails with no
 * enforcement, with GuardrailEncryptionAspect, with the GuardrailEncryptionChecks pack, with both,
 * and with both plus the compliance report, alternating the configurations round after round in this
 * one process, then prints the median times, the overhead ratios against no enforcement, and how
 * each configuration scales from the small size to the large one.
 *
 *   npx projen bench                       # 1,000 and 2,000 guardrails, 5 rounds
 *   BENCH_ROUNDS=9 BENCH_SIZES=500,1000 npx projen bench
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../src';

const GUARDRAILS_PER_STACK = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '1000,2000').split(',').map(Number);

type Configuration = 'none' | 'aspect' | 'pack' | 'both' | 'both+report';
const CONFIGURATIONS: Configuration[] = ['none', 'aspect', 'pack', 'both', 'both+report'];

function synthesize(guardrails: number, configuration: Configuration): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  (global as { gc?: () => void }).gc?.();
  const started = process.hrtime.bigint();

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
  if (configuration === 'both+report') GuardrailComplianceReport.enable(app, { printSummary: false });
  if (configuration !== 'none' && configuration !== 'pack') GuardrailEncryptionAspect.applyTo(app, { report: false });
  if (configuration !== 'none' && configuration !== 'aspect') {
    Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app, { report: false }));
  }
  app.synth();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(outdir, { recursive: true, force: true });
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
  // Policy validation prints a banner per synth; keep the output to the results.
  const consoleError = console.error;
  console.error = () => undefined;
  const times = new Map<string, number[]>();
  synthesize(SIZES[0], 'both'); // warm-up: module loading and JIT, not measured
  for (let round = 0; round < ROUNDS; round++) {
    for (const size of SIZES) {
      // Rotate the order every round so no configuration always runs first or last.
      const order = CONFIGURATIONS.map((_, i) => CONFIGURATIONS[(i + round) % CONFIGURATIONS.length]);
      for (const configuration of order) {
        const key = `${size}:${configuration}`;
        times.set(key, [...(times.get(key) ?? []), synthesize(size, configuration)]);
      }
    }
  }
  console.error = consoleError;

  console.log(`Synth time, median of ${ROUNDS} alternating rounds (node ${process.version}, ${os.cpus().length} CPUs)`);
  console.log(`${'configuration'.padEnd(14)}${SIZES.map((s) => `${s} guardrails`.padStart(28)).join('')}`);
  for (const configuration of CONFIGURATIONS) {
    const cells = SIZES.map((size) => {
      const t = median(times.get(`${size}:${configuration}`)!);
      const ratio = t / median(times.get(`${size}:none`)!);
      return `${t.toFixed(2)} s  x${ratio.toFixed(3)}`.padStart(28);
    });
    console.log(`${configuration.padEnd(14)}${cells.join('')}`);
  }
  if (SIZES.length > 1) {
    const [small, large] = [SIZES[0], SIZES[SIZES.length - 1]];
    console.log(`\nScaling ${small} -> ${large} guardrails (x${(large / small).toFixed(1)} is linear):`);
    for (const configuration of CONFIGURATIONS) {
      const scale = median(times.get(`${large}:${configuration}`)!) / median(times.get(`${small}:${configuration}`)!);
      console.log(`  ${configuration.padEnd(14)} x${scale.toFixed(2)}`);
    }
  }
}

main();
