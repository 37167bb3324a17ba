package main

// The consumer contract, the same in test/consumers/{python,java,go}: the template of a
// SecureGuardrail granted to a role, as an application team synthesizes it in its own language.

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// synthConsumer returns the consumer's template and the logical ids of its key and role.
func synthConsumer(t *testing.T) (assertions.Template, string, string) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	consumer := NewConsumerStack(app)
	template := assertions.Template_FromStack(consumer.Stack, nil)
	keyID := *consumer.Stack.GetLogicalId(consumer.Guardrail.EncryptionKey().Node().DefaultChild().(awscdk.CfnElement))
	roleID := *consumer.Stack.GetLogicalId(consumer.Role.Node().DefaultChild().(awscdk.CfnElement))
	return template, keyID, roleID
}

// single returns the properties of the only resource of type cfnType.
func single(t *testing.T, template assertions.Template, cfnType string) (string, map[string]interface{}) {
	t.Helper()
	resources := *template.FindResources(jsii.String(cfnType), nil)
	if len(resources) != 1 {
		t.Fatalf("want exactly one %s, got %d", cfnType, len(resources))
	}
	for id, resource := range resources {
		return id, (*resource)["Properties"].(map[string]interface{})
	}
	return "", nil
}

func asList(value interface{}) []interface{} {
	if list, ok := value.([]interface{}); ok {
		return list
	}
	return []interface{}{value}
}

func wantTags(t *testing.T, what string, props map[string]interface{}) {
	t.Helper()
	got := map[string]string{}
	for _, tag := range asList(props["Tags"]) {
		tag := tag.(map[string]interface{})
		got[tag["Key"].(string)] = tag["Value"].(string)
	}
	for key, value := range map[string]string{"Owner": Owner, "Workload": Workload, "DataSensitivity": DataSensitivity} {
		if got[key] != value {
			t.Errorf("%s: tag %s = %q, want %q (tags %v)", what, key, got[key], value, got)
		}
	}
}

func TestKeyIsRotatedAndGrantsNoWildcardAction(t *testing.T) {
	template, keyID, _ := synthConsumer(t)
	id, key := single(t, template, "AWS::KMS::Key")
	if id != keyID {
		t.Fatalf("the key is %s, want the guardrail's key %s", id, keyID)
	}
	if key["EnableKeyRotation"] != true {
		t.Errorf("EnableKeyRotation = %v, want true", key["EnableKeyRotation"])
	}
	statements := asList(key["KeyPolicy"].(map[string]interface{})["Statement"])
	if len(statements) == 0 {
		t.Fatal("the key policy has no statement")
	}
	for _, statement := range statements {
		statement := statement.(map[string]interface{})
		if statement["Effect"] != "Allow" {
			continue
		}
		for _, action := range asList(statement["Action"]) {
			if action == "kms:*" || action == "*" {
				t.Errorf("statement %v allows %v", statement["Sid"], action)
			}
		}
	}
}

func TestGuardrailIsEncryptedWithTheKey(t *testing.T) {
	template, keyID, _ := synthConsumer(t)
	_, guardrail := single(t, template, "AWS::Bedrock::Guardrail")
	got, _ := json.Marshal(guardrail["KmsKeyArn"])
	want, _ := json.Marshal(map[string]interface{}{"Fn::GetAtt": []string{keyID, "Arn"}})
	if string(got) != string(want) {
		t.Errorf("KmsKeyArn = %s, want %s", got, want)
	}
	if guardrail["Name"] != GuardrailName {
		t.Errorf("Name = %v, want %s", guardrail["Name"], GuardrailName)
	}
}

func TestKeyAndGuardrailCarryTheMandatoryTags(t *testing.T) {
	template, _, _ := synthConsumer(t)
	_, key := single(t, template, "AWS::KMS::Key")
	_, guardrail := single(t, template, "AWS::Bedrock::Guardrail")
	wantTags(t, "key", key)
	wantTags(t, "guardrail", guardrail)
}

func TestRoleMayDecryptOnlyThroughBedrock(t *testing.T) {
	template, keyID, roleID := synthConsumer(t)
	template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]interface{}{
		"Roles": []interface{}{map[string]interface{}{"Ref": roleID}},
		"PolicyDocument": map[string]interface{}{
			"Statement": assertions.Match_ArrayWith(&[]interface{}{
				map[string]interface{}{"Action": "bedrock:ApplyGuardrail", "Effect": "Allow", "Resource": assertions.Match_AnyValue()},
				map[string]interface{}{
					"Action":    "kms:Decrypt",
					"Effect":    "Allow",
					"Resource":  map[string]interface{}{"Fn::GetAtt": []interface{}{keyID, "Arn"}},
					"Condition": map[string]interface{}{"StringEquals": map[string]interface{}{"kms:ViaService": assertions.Match_AnyValue()}},
				},
			}),
		},
	})
	// The service in the condition is Bedrock in the stack's Region.
	_, policy := single(t, template, "AWS::IAM::Policy")
	var viaService []string
	for _, statement := range asList(policy["PolicyDocument"].(map[string]interface{})["Statement"]) {
		statement := statement.(map[string]interface{})
		if statement["Action"] == "kms:Decrypt" {
			value, _ := json.Marshal(statement["Condition"].(map[string]interface{})["StringEquals"].(map[string]interface{})["kms:ViaService"])
			viaService = append(viaService, string(value))
		}
	}
	if len(viaService) != 1 || !strings.Contains(viaService[0], `"bedrock.`+Region+`.`) {
		t.Errorf("kms:Decrypt is not restricted to bedrock.%s: %v", Region, viaService)
	}
}
