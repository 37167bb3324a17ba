import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export interface Flags { errors: string[]; warnings: string[] }
export type FlagsByPath = Record<string, Flags>;

function add(flags: FlagsByPath, path: string, level: 'errors' | 'warnings', ruleId: string): void {
  flags[path] ??= { errors: [], warnings: [] };
  flags[path][level].push(ruleId);
}

function sorted(flags: FlagsByPath): FlagsByPath {
  return Object.fromEntries(Object.entries(flags).sort(([a], [b]) => a.localeCompare(b))
    .map(([path, f]) => [path, { errors: [...f.errors].sort(), warnings: [...f.warnings].sort() }]));
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
