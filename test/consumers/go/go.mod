module cdksecureguardrail.consumer/go

go 1.25.0

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.258.0
	github.com/aws/constructs-go/constructs/v10 v10.6.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk-secure-guardrail/cdk-secure-guardrail-go/cdksecureguardrail v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.282 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cdk-nag-go/cdknag/v3 v3.0.2 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v54 v54.26.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The module built from this checkout by `npx projen package:go:code` (jsii-pacmak).
replace github.com/cdk-secure-guardrail/cdk-secure-guardrail-go/cdksecureguardrail => ../../../dist/go/cdksecureguardrail

// cdk-nag's Go binding for v3 is not served by the module proxy this project can reach: run.sh
// generates it from the cdk-nag npm package (node_modules/cdk-nag) with jsii-pacmak.
replace github.com/cdklabs/cdk-nag-go/cdknag/v3 => ../../../.cache/multi-language/cdk-nag-go/go/cdknag

// The generated modules above list cloud-assembly-schema v54.26.0 (the version in node_modules), which
// the module proxy here does not serve; aws-cdk-go v2.258.0 itself requires v54.1.0, which it does.
replace github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v54 => github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v54 v54.1.0
