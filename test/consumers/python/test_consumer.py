"""The consumer contract, the same in test/consumers/{python,java,go}: the template of a
SecureGuardrail granted to a role, as an application team synthesizes it in its own language."""
import json
from typing import Any, Dict, Tuple

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from consumer_app import DATA_SENSITIVITY, GUARDRAIL_NAME, OWNER, REGION, WORKLOAD, add_consumer_stack


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> Tuple[Template, str, str]:
    """The consumer's template and the logical ids of its key and role."""
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")))
    consumer = add_consumer_stack(app)
    template = Template.from_stack(consumer.stack)
    key_id = consumer.stack.get_logical_id(consumer.guardrail.encryption_key.node.default_child)
    role_id = consumer.stack.get_logical_id(consumer.role.node.default_child)
    return template, key_id, role_id


def single(template: Template, cfn_type: str) -> Tuple[str, Dict[str, Any]]:
    resources = template.find_resources(cfn_type)
    assert len(resources) == 1, f"want exactly one {cfn_type}, got {sorted(resources)}"
    [(logical_id, resource)] = resources.items()
    return logical_id, resource["Properties"]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def tags_of(properties: Dict[str, Any]) -> Dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}


MANDATORY = {"Owner": OWNER, "Workload": WORKLOAD, "DataSensitivity": DATA_SENSITIVITY}


def test_key_is_rotated_and_grants_no_wildcard_action(synthesized):
    template, key_id, _ = synthesized
    logical_id, key = single(template, "AWS::KMS::Key")
    assert logical_id == key_id
    assert key["EnableKeyRotation"] is True
    statements = as_list(key["KeyPolicy"]["Statement"])
    assert statements, "the key policy has no statement"
    for statement in statements:
        if statement["Effect"] == "Allow":
            actions = as_list(statement["Action"])
            assert "kms:*" not in actions and "*" not in actions, f"{statement.get('Sid')} allows {actions}"


def test_guardrail_is_encrypted_with_the_key(synthesized):
    template, key_id, _ = synthesized
    _, guardrail = single(template, "AWS::Bedrock::Guardrail")
    assert guardrail["KmsKeyArn"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert guardrail["Name"] == GUARDRAIL_NAME


def test_key_and_guardrail_carry_the_mandatory_tags(synthesized):
    template, _, _ = synthesized
    for cfn_type in ("AWS::KMS::Key", "AWS::Bedrock::Guardrail"):
        _, properties = single(template, cfn_type)
        assert MANDATORY.items() <= tags_of(properties).items(), f"{cfn_type}: {tags_of(properties)}"


def test_role_may_decrypt_only_through_bedrock(synthesized):
    template, key_id, role_id = synthesized
    decrypt = {
        "Action": "kms:Decrypt",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [key_id, "Arn"]},
        "Condition": {"StringEquals": {"kms:ViaService": Match.any_value()}},
    }
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": role_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": "bedrock:ApplyGuardrail", "Effect": "Allow"}), decrypt]
                )
            },
        },
    )
    # The service in the condition is Bedrock in the stack's Region.
    [policy] = template.find_resources("AWS::IAM::Policy").values()
    [statement] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "kms:Decrypt"]
    assert f'"bedrock.{REGION}.' in json.dumps(statement["Condition"]["StringEquals"]["kms:ViaService"])


def test_bad_input_fails_at_construction_with_the_library_message():
    """The schema check (ajv, bundled in the package) runs inside the jsii runtime: a strength the
    guardrail's CloudFormation schema refuses fails here, in Python, before any deployment."""
    from aws_cdk import aws_bedrock as bedrock

    from cdk_secure_guardrail import MandatoryTags, SecureGuardrail

    stack = cdk.Stack(cdk.App(), "BadInput", env=cdk.Environment(account="111111111111", region=REGION))
    with pytest.raises(Exception) as refused:
        SecureGuardrail(
            stack,
            "Guardrail",
            guardrail_name="bad-input",
            mandatory_tags=MandatoryTags(owner=OWNER, workload=WORKLOAD, data_sensitivity=DATA_SENSITIVITY),
            content_policy_config=bedrock.CfnGuardrail.ContentPolicyConfigProperty(
                filters_config=[bedrock.CfnGuardrail.ContentFilterConfigProperty(
                    type="HATE", input_strength="EXTREME", output_strength="HIGH")],
            ),
        )
    assert (
        '[BadInput/Guardrail] SecureGuardrail: invalid contentPolicyConfig.filtersConfig[0].inputStrength: '
        'received "EXTREME" (7 characters); allowed: NONE, LOW, MEDIUM, HIGH.'
    ) in str(refused.value)
