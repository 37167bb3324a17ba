import { App } from 'aws-cdk-lib';
import { buildCorpus, COMPLIANT, EXPECTED } from './corpus-app';
import { GuardrailEncryptionAspect, GuardrailEncryptionChecks } from '../../src';
import { expectedFlags, flagsFromAnnotations, flagsFromReport, synthesizeWithChecks } from '../helpers/findings';

describe('the edge-case corpus', () => {
  test('validateScope flags exactly the expected guardrails with exactly the expected rules', () => {
    const app = new App();
    buildCorpus(app);
    // As the README says: after synthesis, once aspects (the Stage's tags) have been applied.
    app.synth();
    const flags = flagsFromReport(new GuardrailEncryptionChecks().validateScope(app));
    expect(flags).toEqual(expectedFlags(EXPECTED));
    for (const compliant of COMPLIANT) expect(flags).not.toHaveProperty([compliant]);
  });

  test('the aspect annotates exactly the same guardrails, Stages and nested Stages included, each once', () => {
    const app = new App();
    buildCorpus(app);
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    expect(flagsFromAnnotations(app)).toEqual(expectedFlags(EXPECTED));
  });

  test('a real synthesis reports the same violations in the validation report and the compliance report', () => {
    const { pack, compliance } = synthesizeWithChecks(buildCorpus);
    expect(flagsFromReport(pack)).toEqual(expectedFlags(EXPECTED));

    const byPath = Object.fromEntries(compliance.guardrails.map((g: any) => [g.path, g]));
    for (const [guardrailPath, flags] of Object.entries(EXPECTED)) {
      expect(byPath[guardrailPath]).toMatchObject({
        failedRules: flags.errors,
        warnings: flags.warnings,
        status: flags.errors.length > 0 ? 'NON_COMPLIANT' : 'UNVERIFIED',
      });
    }
    for (const compliant of COMPLIANT) expect(byPath[compliant].status).toBe('COMPLIANT');
    expect(compliance.summary).toMatchObject({ guardrails: COMPLIANT.length + Object.keys(EXPECTED).length, compliant: COMPLIANT.length });
  });
});
