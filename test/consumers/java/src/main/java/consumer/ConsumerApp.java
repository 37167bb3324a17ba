package consumer;

import io.github.cdksecureguardrail.MandatoryTags;
import io.github.cdksecureguardrail.SecureGuardrail;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * A CDK app in Java that uses cdk-secure-guardrail the way an application team would: one guardrail,
 * one application role allowed to apply it. {@code mvn exec:exec} synthesizes it into ./cdk.out
 * (CDK_OUTDIR overrides), which CI lints with cfn-lint and checkov; ConsumerContractTest asserts on its
 * template.
 */
public final class ConsumerApp {
    // The environment, tags and names every consumer (Python, Java, Go) uses, so their templates match.
    public static final String ACCOUNT = "111111111111";
    public static final String REGION = "eu-west-1";
    public static final String STACK_NAME = "GuardrailConsumerJava";
    public static final String GUARDRAIL_NAME = "consumer-java";
    public static final String OWNER = "team-consumers";
    public static final String WORKLOAD = "consumer-java";
    public static final String DATA_SENSITIVITY = "confidential";

    /** What the tests inspect. */
    public record ConsumerStack(Stack stack, SecureGuardrail guardrail, Role role) {}

    private ConsumerApp() {}

    public static ConsumerStack addConsumerStack(final Construct scope) {
        Stack stack = new Stack(scope, STACK_NAME, StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(REGION).build())
                .build());
        SecureGuardrail guardrail = SecureGuardrail.Builder.create(stack, "Guardrail")
                .guardrailName(GUARDRAIL_NAME)
                .mandatoryTags(MandatoryTags.builder()
                        .owner(OWNER)
                        .workload(WORKLOAD)
                        .dataSensitivity(DATA_SENSITIVITY)
                        .build())
                .build();
        Role role = Role.Builder.create(stack, "ApplicationRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        guardrail.grantApply(role);
        return new ConsumerStack(stack, guardrail, role);
    }

    public static void main(final String[] args) {
        String outdir = System.getenv().getOrDefault("CDK_OUTDIR", "cdk.out");
        App app = new App(AppProps.builder().outdir(outdir).build());
        addConsumerStack(app);
        app.synth();
    }
}
