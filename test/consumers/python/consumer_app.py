"""A CDK app in Python that uses cdk-secure-guardrail the way an application team would: one
guardrail, one application role allowed to apply it.

``python consumer_app.py`` synthesizes it into ./cdk.out (CDK_OUTDIR overrides), which CI lints with
cfn-lint and checkov; test_consumer.py asserts on its template.
"""
import os
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_secure_guardrail import MandatoryTags, SecureGuardrail

# The environment, tags and names every consumer (Python, Java, Go) uses, so their templates match.
ACCOUNT = "111111111111"
REGION = "eu-west-1"
STACK_NAME = "GuardrailConsumerPython"
GUARDRAIL_NAME = "consumer-python"
OWNER = "team-consumers"
WORKLOAD = "consumer-python"
DATA_SENSITIVITY = "confidential"


@dataclass
class ConsumerStack:
    """What the tests inspect."""

    stack: cdk.Stack
    guardrail: SecureGuardrail
    role: iam.Role


def add_consumer_stack(scope: Construct) -> ConsumerStack:
    stack = cdk.Stack(scope, STACK_NAME, env=cdk.Environment(account=ACCOUNT, region=REGION))
    guardrail = SecureGuardrail(
        stack,
        "Guardrail",
        guardrail_name=GUARDRAIL_NAME,
        mandatory_tags=MandatoryTags(owner=OWNER, workload=WORKLOAD, data_sensitivity=DATA_SENSITIVITY),
    )
    role = iam.Role(stack, "ApplicationRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    guardrail.grant_apply(role)
    return ConsumerStack(stack=stack, guardrail=guardrail, role=role)


if __name__ == "__main__":
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    add_consumer_stack(app)
    app.synth()
