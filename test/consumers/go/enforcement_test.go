package main

// Enforcement through the package, in Go: the GuardrailEncryptionAspect and the GuardrailEncryptionChecks
// cdk-nag v3 pack, applied the way the README tells a platform team to, must pass the consumer's
// SecureGuardrail and report an intentionally non-compliant raw CfnGuardrail (no KmsKeyArn). The same
// test exists in test/consumers/{python,java}.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbedrock"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-secure-guardrail/cdk-secure-guardrail-go/cdksecureguardrail"
)

const (
	cmkRequired  = "GuardrailEncryption-CMKRequired"
	nonCompliant = StackName + "/UnencryptedGuardrail"
)

// addUnencryptedGuardrail adds a guardrail written without the library and without a key: what the
// checks must catch.
func addUnencryptedGuardrail(stack awscdk.Stack) {
	awsbedrock.NewCfnGuardrail(stack, jsii.String("UnencryptedGuardrail"), &awsbedrock.CfnGuardrailProps{
		Name:                    jsii.String("unencrypted"),
		BlockedInputMessaging:   jsii.String("Sorry."),
		BlockedOutputsMessaging: jsii.String("Sorry."),
		ContentPolicyConfig: &awsbedrock.CfnGuardrail_ContentPolicyConfigProperty{
			FiltersConfig: &[]interface{}{&awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
				Type:           jsii.String("PROMPT_ATTACK"),
				InputStrength:  jsii.String("HIGH"),
				OutputStrength: jsii.String("NONE"),
			}},
		},
	})
}

// synthEnforced synthesizes the consumer plus the unencrypted guardrail with the aspect and the pack.
func synthEnforced(t *testing.T) (ConsumerStack, string) {
	t.Helper()
	outdir := t.TempDir()
	// Findings go to validation-report.json either way; this context only keeps CDK from printing the
	// report and marking the synthesis failed (what makes `cdk synth` exit non-zero).
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(outdir),
		Context: &map[string]interface{}{"@aws-cdk/core:failSynthOnValidationErrors": false},
	})
	consumer := NewConsumerStack(app)
	addUnencryptedGuardrail(consumer.Stack)
	cdksecureguardrail.GuardrailEncryptionAspect_ApplyTo(app, nil)
	awscdk.Validations_Of(app).AddPlugins(cdksecureguardrail.NewGuardrailEncryptionChecks(app, nil))
	app.Synth(nil)
	return consumer, outdir
}

// text is the message of an annotation (jsii hands it over as a *string or a string).
func text(data interface{}) string {
	if s, ok := data.(*string); ok && s != nil {
		return *s
	}
	return fmt.Sprint(data)
}

func TestTheAspectFlagsTheUnencryptedGuardrailOnly(t *testing.T) {
	consumer, _ := synthEnforced(t)
	errors := assertions.Annotations_FromStack(consumer.Stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(`^\[GuardrailEncryption-`)))
	flagged := map[string]bool{}
	for _, message := range *errors {
		rule := strings.SplitN(text(message.Entry.Data), "]", 2)[0] + "]"
		flagged[*message.Id+" "+rule] = true
		if *message.Id != "/"+nonCompliant {
			t.Errorf("unexpected finding on %s: %s", *message.Id, rule)
		}
	}
	if !flagged["/"+nonCompliant+" ["+cmkRequired+"]"] {
		t.Errorf("no %s error on %s; found %v", cmkRequired, nonCompliant, flagged)
	}
}

func TestTheNagPackReportsTheUnencryptedGuardrailOnly(t *testing.T) {
	_, outdir := synthEnforced(t)
	raw, err := os.ReadFile(filepath.Join(outdir, "validation-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Conclusion string `json:"conclusion"`
			Violations []struct {
				RuleName            string `json:"ruleName"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, plugin := range report.PluginReports {
		if plugin.PluginName != "GuardrailEncryption" {
			continue
		}
		if plugin.Conclusion != "failure" {
			t.Errorf("conclusion %q, want failure", plugin.Conclusion)
		}
		for _, violation := range plugin.Violations {
			for _, construct := range violation.ViolatingConstructs {
				found[violation.RuleName+" "+construct.ConstructPath] = true
				if construct.ConstructPath != nonCompliant {
					t.Errorf("unexpected violation %s on %s", violation.RuleName, construct.ConstructPath)
				}
			}
		}
	}
	if !found[cmkRequired+" "+nonCompliant] {
		t.Errorf("no %s violation on %s; found %v", cmkRequired, nonCompliant, found)
	}
}
