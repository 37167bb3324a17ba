package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdksecureguardrail.GuardrailEncryptionAspect;
import io.github.cdksecureguardrail.GuardrailEncryptionChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.bedrock.CfnGuardrail;

/**
 * Enforcement through the package, in Java: the GuardrailEncryptionAspect and the GuardrailEncryptionChecks
 * cdk-nag v3 pack, applied the way the README tells a platform team to, must pass the consumer's
 * SecureGuardrail and report an intentionally non-compliant raw CfnGuardrail (no KmsKeyArn). The same test
 * exists in test/consumers/{python,go}.
 */
class EnforcementTest {
    private static final String CMK_REQUIRED = "GuardrailEncryption-CMKRequired";
    private static final String NON_COMPLIANT = ConsumerApp.STACK_NAME + "/UnencryptedGuardrail";

    private static ConsumerApp.ConsumerStack consumer;
    private static Path outdir;

    /** A guardrail written without the library and without a key: what the checks must catch. */
    static CfnGuardrail addUnencryptedGuardrail(final Stack stack) {
        return CfnGuardrail.Builder.create(stack, "UnencryptedGuardrail")
                .name("unencrypted")
                .blockedInputMessaging("Sorry.")
                .blockedOutputsMessaging("Sorry.")
                .contentPolicyConfig(CfnGuardrail.ContentPolicyConfigProperty.builder()
                        .filtersConfig(List.of(CfnGuardrail.ContentFilterConfigProperty.builder()
                                .type("PROMPT_ATTACK")
                                .inputStrength("HIGH")
                                .outputStrength("NONE")
                                .build()))
                        .build())
                .build();
    }

    @BeforeAll
    static void synthesize() throws Exception {
        outdir = Files.createTempDirectory("enforced.out");
        // Findings go to validation-report.json either way; this context only keeps CDK from printing the
        // report and marking the synthesis failed (what makes `cdk synth` exit non-zero).
        App app = new App(AppProps.builder()
                .outdir(outdir.toString())
                .context(Map.of("@aws-cdk/core:failSynthOnValidationErrors", false))
                .build());
        consumer = ConsumerApp.addConsumerStack(app);
        addUnencryptedGuardrail(consumer.stack());
        GuardrailEncryptionAspect.applyTo(app);
        Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
        app.synth();
    }

    @Test
    @SuppressWarnings("deprecation") // cxapi.SynthesisMessage, still what Annotations returns in 2.258
    void theAspectFlagsTheUnencryptedGuardrailOnly() {
        List<SynthesisMessage> errors = Annotations.fromStack(consumer.stack())
                .findError("*", Match.stringLikeRegexp("^\\[GuardrailEncryption-"));
        Set<String> paths = new TreeSet<>();
        Set<String> flagged = new TreeSet<>();
        for (SynthesisMessage message : errors) {
            String rule = String.valueOf(message.getEntry().getData()).split("]", 2)[0] + "]";
            paths.add(message.getId());
            flagged.add(message.getId() + " " + rule);
        }
        assertTrue(flagged.contains("/" + NON_COMPLIANT + " [" + CMK_REQUIRED + "]"), flagged.toString());
        assertEquals(Set.of("/" + NON_COMPLIANT), paths, flagged.toString());
    }

    @Test
    void theNagPackReportsTheUnencryptedGuardrailOnly() throws Exception {
        // Jackson comes with the jsii runtime.
        JsonNode report = new ObjectMapper().readTree(outdir.resolve("validation-report.json").toFile());
        Set<String> paths = new TreeSet<>();
        Set<String> found = new TreeSet<>();
        int packs = 0;
        for (JsonNode plugin : report.get("pluginReports")) {
            if (!"GuardrailEncryption".equals(plugin.get("pluginName").asText())) {
                continue;
            }
            packs++;
            assertEquals("failure", plugin.get("conclusion").asText());
            for (JsonNode violation : plugin.get("violations")) {
                for (JsonNode construct : violation.get("violatingConstructs")) {
                    paths.add(construct.get("constructPath").asText());
                    found.add(violation.get("ruleName").asText() + " " + construct.get("constructPath").asText());
                }
            }
        }
        assertEquals(1, packs, "GuardrailEncryption reports");
        assertTrue(found.contains(CMK_REQUIRED + " " + NON_COMPLIANT), found.toString());
        assertEquals(Set.of(NON_COMPLIANT), paths, found.toString());
    }
}
