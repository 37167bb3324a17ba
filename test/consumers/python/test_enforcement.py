"""Enforcement through the package, in Python: the GuardrailEncryptionAspect and the
GuardrailEncryptionChecks cdk-nag v3 pack, applied the way the README tells a platform team to, must
pass the consumer's SecureGuardrail and report an intentionally non-compliant raw CfnGuardrail
(no KmsKeyArn). The same test exists in test/consumers/{java,go}."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_bedrock as bedrock
from aws_cdk.assertions import Annotations, Match

from cdk_secure_guardrail import GuardrailEncryptionAspect, GuardrailEncryptionChecks
from consumer_app import STACK_NAME, add_consumer_stack

CMK_REQUIRED = "GuardrailEncryption-CMKRequired"
NON_COMPLIANT = f"{STACK_NAME}/UnencryptedGuardrail"


def add_unencrypted_guardrail(stack: cdk.Stack) -> bedrock.CfnGuardrail:
    """A guardrail written without the library and without a key: what the checks must catch."""
    return bedrock.CfnGuardrail(
        stack,
        "UnencryptedGuardrail",
        name="unencrypted",
        blocked_input_messaging="Sorry.",
        blocked_outputs_messaging="Sorry.",
        content_policy_config=bedrock.CfnGuardrail.ContentPolicyConfigProperty(
            filters_config=[
                bedrock.CfnGuardrail.ContentFilterConfigProperty(
                    type="PROMPT_ATTACK", input_strength="HIGH", output_strength="NONE"
                )
            ]
        ),
    )


@pytest.fixture(scope="module")
def enforced(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("enforced.out")
    # Findings go to validation-report.json either way; this context only keeps CDK from printing the
    # report and marking the synthesis failed (what makes `cdk synth` exit non-zero).
    app = cdk.App(outdir=str(outdir), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    consumer = add_consumer_stack(app)
    add_unencrypted_guardrail(consumer.stack)
    GuardrailEncryptionAspect.apply_to(app)
    cdk.Validations.of(app).add_plugins(GuardrailEncryptionChecks(app))
    app.synth()
    return consumer, Path(outdir)


def test_the_aspect_flags_the_unencrypted_guardrail_only(enforced):
    consumer, _ = enforced
    annotations = Annotations.from_stack(consumer.stack)
    errors = annotations.find_error("*", Match.string_like_regexp(r"^\[GuardrailEncryption-"))
    flagged = {(message.id, message.entry.data.split("]")[0] + "]") for message in errors}
    assert (f"/{NON_COMPLIANT}", f"[{CMK_REQUIRED}]") in flagged
    assert {path for path, _ in flagged} == {f"/{NON_COMPLIANT}"}, flagged


def test_the_nag_pack_reports_the_unencrypted_guardrail_only(enforced):
    _, outdir = enforced
    report = json.loads((outdir / "validation-report.json").read_text())
    [pack] = [r for r in report["pluginReports"] if r["pluginName"] == "GuardrailEncryption"]
    assert pack["conclusion"] == "failure"
    found = {
        (violation["ruleName"], construct["constructPath"])
        for violation in pack["violations"]
        for construct in violation["violatingConstructs"]
    }
    assert (CMK_REQUIRED, NON_COMPLIANT) in found
    assert {path for _, path in found} == {NON_COMPLIANT}, found
