import * as fs from 'fs';
import * as path from 'path';

/**
 * Prints what the example app created, read from the cloud assembly the CDK CLI wrote: stacks,
 * resource counts, and for every guardrail its key and who may use it.
 */

interface Template { Resources?: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }> }

function stackTemplates(assemblyDir: string): Array<{ name: string; template: Template }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf-8'));
  const stacks: Array<{ name: string; template: Template }> = [];
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf-8'));
      stacks.push({ name: artifact.displayName ?? name, template });
    } else if (artifact.type === 'cdk:cloud-assembly') {
      stacks.push(...stackTemplates(path.join(assemblyDir, artifact.properties.directoryName)));
    }
  }
  return stacks;
}

function reference(value: unknown): string {
  if (typeof value === 'string') return value;
  const getAtt = (value as any)?.['Fn::GetAtt'];
  return getAtt ? getAtt[0] : JSON.stringify(value);
}

function keyUsers(key: any): string[] {
  const statement = key?.Properties?.KeyPolicy?.Statement?.find((s: any) => s.Sid === 'GuardrailUseThroughBedrock');
  return ([] as unknown[]).concat(statement?.Principal?.AWS ?? []).map(reference);
}

function complianceSummary(assemblyDir: string): void {
  const file = path.join(assemblyDir, 'guardrail-compliance.json');
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf-8'));
  const s = report.summary;
  console.log(`Compliance (${path.relative(process.cwd(), file)}): ${s.compliant}/${s.guardrails} guardrails compliant, ` +
    `${s.encryptedWithCmk}/${s.guardrails} on a customer-managed key, ${s.distinctKeys} keys ~ $${s.estimatedMonthlyKeyCostUsd.toFixed(2)}/month`);
  for (const g of report.guardrails) {
    const problems = [...g.failedRules, ...g.warnings];
    console.log(`  ${g.status.padEnd(13)} ${g.path}${problems.length ? ` (${problems.join(', ')})` : ''}`);
  }
}

function main(assemblyDir: string): void {
  for (const { name, template } of stackTemplates(assemblyDir)) {
    const resources = template.Resources ?? {};
    const counts = new Map<string, number>();
    for (const resource of Object.values(resources)) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    console.log(`Stack ${name}: ${Object.keys(resources).length} resources`);
    for (const [type, count] of [...counts].sort()) console.log(`  ${String(count).padStart(3)} ${type}`);

    for (const [id, guardrail] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Bedrock::Guardrail')) {
      const keyId = reference(guardrail.Properties?.KmsKeyArn);
      const key = resources[keyId];
      const tags = (guardrail.Properties?.Tags ?? []).map((t: any) => `${t.Key}=${t.Value}`).join(', ');
      console.log(`  Guardrail ${guardrail.Properties?.Name} (${id})`);
      console.log(`    key:       ${key ? `${keyId}, rotation ${key.Properties.RotationPeriodInDays} days, ` +
        `pending window ${key.Properties.PendingWindowInDays} days, ${key.DeletionPolicy ?? 'Delete'} on delete` : keyId ?? 'none'}`);
      console.log(`    key users: ${keyUsers(key).join(', ') || 'none'}`);
      console.log(`    tags:      ${tags}`);
    }
  }
}

main(process.argv[2] ?? 'cdk.out');
complianceSummary(process.argv[2] ?? 'cdk.out');
