// A CDK app in Go that uses cdk-secure-guardrail the way an application team would: one guardrail,
// one application role allowed to apply it. `go run .` synthesizes it into ./cdk.out (CDK_OUTDIR
// overrides), which CI lints with cfn-lint and checkov; consumer_test.go asserts on its template.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-secure-guardrail/cdk-secure-guardrail-go/cdksecureguardrail"
)

// The environment, tags and names every consumer (Python, Java, Go) uses, so their templates match.
const (
	Account         = "111111111111"
	Region          = "eu-west-1"
	StackName       = "GuardrailConsumerGo"
	GuardrailName   = "consumer-go"
	Owner           = "team-consumers"
	Workload        = "consumer-go"
	DataSensitivity = "confidential"
)

// ConsumerStack is what the tests inspect.
type ConsumerStack struct {
	Stack     awscdk.Stack
	Guardrail cdksecureguardrail.SecureGuardrail
	Role      awsiam.Role
}

// NewConsumerStack adds the consumer's stack to app.
func NewConsumerStack(scope constructs.Construct) ConsumerStack {
	stack := awscdk.NewStack(scope, jsii.String(StackName), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(Account), Region: jsii.String(Region)},
	})
	guardrail := cdksecureguardrail.NewSecureGuardrail(stack, jsii.String("Guardrail"), &cdksecureguardrail.SecureGuardrailProps{
		GuardrailName: jsii.String(GuardrailName),
		MandatoryTags: &cdksecureguardrail.MandatoryTags{
			Owner:           jsii.String(Owner),
			Workload:        jsii.String(Workload),
			DataSensitivity: jsii.String(DataSensitivity),
		},
	})
	role := awsiam.NewRole(stack, jsii.String("ApplicationRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	guardrail.GrantApply(role)
	return ConsumerStack{Stack: stack, Guardrail: guardrail, Role: role}
}

func main() {
	defer jsii.Close()
	outdir := os.Getenv("CDK_OUTDIR")
	if outdir == "" {
		outdir = "cdk.out"
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	NewConsumerStack(app)
	app.Synth(nil)
}
