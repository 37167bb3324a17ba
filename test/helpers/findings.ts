import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { GuardrailComplianceReport, GuardrailEncryptionChecks } from '../../src';

export interface Flags { errors: string[]; warnings: string[] }
export type FlagsByPath = Record<string, Flags>;

function add(flags: FlagsByPath, constructPath: string, level: 'errors' | 'warnings', ruleId: string): void {
  flags[constructPath] ??= { errors: [], warnings: [] };
  flags[constructPath][level].push(ruleId);
}

function sorted(flags: FlagsByPath): FlagsByPath {
  return Object.fromEntries(Object.entries(flags).sort(([a], [b]) => a.localeCompare(b))
    .map(([constructPath, f]) => [constructPath, { errors: [...f.errors].sort(), warnings: [...f.warnings].sort() }]));
}

/** Findings of a pack report (validateScope or validation-report.json), by construct path. */
export function flagsFromReport(report: PolicyValidationPluginReport | { violations: any[] }): FlagsByPath {
  const flags: FlagsByPath = {};
  for (const violation of report.violations as any[]) {
    const resources = violation.violatingResources ?? violation.violatingConstructs;
    for (const resource of resources) {
      add(flags, resource.constructPath, violation.severity === 'error' ? 'errors' : 'warnings', violation.ruleName);
    }
  }
  return sorted(flags);
}

/** Findings the aspect left as annotations on guardrail resources, by construct path. */
export function flagsFromAnnotations(root: IConstruct): FlagsByPath {
  const flags: FlagsByPath = {};
  for (const node of root.node.findAll().filter(CfnResource.isCfnResource)) {
    for (const entry of node.node.metadata) {
      const ruleId = /^\[(GuardrailEncryption-\w+)\]/.exec(String(entry.data))?.[1];
      if (!ruleId) continue;
      if (entry.type === 'aws:cdk:error') add(flags, node.node.path, 'errors', ruleId);
      if (entry.type === 'aws:cdk:warning') add(flags, node.node.path, 'warnings', ruleId);
    }
  }
  return sorted(flags);
}

export function expectedFlags(expected: FlagsByPath): FlagsByPath {
  return sorted(expected);
}

/**
 * Synthesizes an app for real with the pack registered and the compliance report on, as `cdk synth`
 * would (without failing on violations), and returns the two reports written into the cloud assembly.
 */
export function synthesizeWithChecks(build: (app: App) => void): SynthesizedReports {
  return synthesizeReports((app) => {
    build(app);
    GuardrailComplianceReport.enable(app, { printSummary: false });
    Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
  });
}

export interface SynthesizedReports { validation: any; pack: any; compliance: any }

/**
 * Synthesizes the app `build` makes (it registers whatever enforcement it wants), as `cdk synth` would
 * without failing on violations, and returns the reports written into the cloud assembly.
 */
export function synthesizeReports(build: (app: App) => void): SynthesizedReports & { app: App } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'checks-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  build(app);
  // CDK prints the validation report to standard error, and the report its summary to standard output.
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    app.synth();
  } finally {
    consoleError.mockRestore();
    stderr.mockRestore();
  }
  const validation = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
  return {
    app,
    validation,
    pack: validation.pluginReports.find((r: any) => r.pluginName === 'GuardrailEncryption'),
    compliance: JSON.parse(fs.readFileSync(path.join(outdir, 'guardrail-compliance.json'), 'utf-8')),
  };
}
