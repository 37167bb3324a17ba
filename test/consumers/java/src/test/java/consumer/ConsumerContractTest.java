package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The consumer contract, the same in test/consumers/{python,java,go}: the template of a SecureGuardrail
 * granted to a role, as an application team synthesizes it in its own language.
 */
class ConsumerContractTest {
    private static Template template;
    private static String keyId;
    private static String roleId;

    @BeforeAll
    static void synthesize() throws Exception {
        App app = new App(AppProps.builder().outdir(Files.createTempDirectory("cdk.out").toString()).build());
        ConsumerApp.ConsumerStack consumer = ConsumerApp.addConsumerStack(app);
        template = Template.fromStack(consumer.stack());
        keyId = consumer.stack().getLogicalId((CfnElement) consumer.guardrail().getEncryptionKey().getNode().getDefaultChild());
        roleId = consumer.stack().getLogicalId((CfnElement) consumer.role().getNode().getDefaultChild());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> single(final String cfnType, final String expectedId) {
        Map<String, Map<String, Object>> resources = template.findResources(cfnType);
        assertEquals(1, resources.size(), "want exactly one " + cfnType + ", got " + resources.keySet());
        Map.Entry<String, Map<String, Object>> entry = resources.entrySet().iterator().next();
        if (expectedId != null) {
            assertEquals(expectedId, entry.getKey());
        }
        return (Map<String, Object>) entry.getValue().get("Properties");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(final Object value) {
        return value instanceof List ? (List<Object>) value : List.of(value);
    }

    @SuppressWarnings("unchecked")
    private static void assertMandatoryTags(final String cfnType, final Map<String, Object> properties) {
        Map<String, Object> tags = new java.util.HashMap<>();
        for (Object tag : asList(properties.get("Tags"))) {
            Map<String, Object> t = (Map<String, Object>) tag;
            tags.put((String) t.get("Key"), t.get("Value"));
        }
        assertEquals(ConsumerApp.OWNER, tags.get("Owner"), cfnType + " " + tags);
        assertEquals(ConsumerApp.WORKLOAD, tags.get("Workload"), cfnType + " " + tags);
        assertEquals(ConsumerApp.DATA_SENSITIVITY, tags.get("DataSensitivity"), cfnType + " " + tags);
    }

    @Test
    @SuppressWarnings("unchecked")
    void keyIsRotatedAndGrantsNoWildcardAction() {
        Map<String, Object> key = single("AWS::KMS::Key", keyId);
        assertEquals(Boolean.TRUE, key.get("EnableKeyRotation"));
        List<Object> statements = asList(((Map<String, Object>) key.get("KeyPolicy")).get("Statement"));
        assertFalse(statements.isEmpty(), "the key policy has no statement");
        for (Object s : statements) {
            Map<String, Object> statement = (Map<String, Object>) s;
            if ("Allow".equals(statement.get("Effect"))) {
                List<Object> actions = asList(statement.get("Action"));
                assertFalse(actions.contains("kms:*") || actions.contains("*"), statement.get("Sid") + " allows " + actions);
            }
        }
    }

    @Test
    void guardrailIsEncryptedWithTheKey() {
        Map<String, Object> guardrail = single("AWS::Bedrock::Guardrail", null);
        assertEquals(Map.of("Fn::GetAtt", List.of(keyId, "Arn")), guardrail.get("KmsKeyArn"));
        assertEquals(ConsumerApp.GUARDRAIL_NAME, guardrail.get("Name"));
    }

    @Test
    void keyAndGuardrailCarryTheMandatoryTags() {
        assertMandatoryTags("AWS::KMS::Key", single("AWS::KMS::Key", keyId));
        assertMandatoryTags("AWS::Bedrock::Guardrail", single("AWS::Bedrock::Guardrail", null));
    }

    @Test
    @SuppressWarnings("unchecked")
    void roleMayDecryptOnlyThroughBedrock() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", roleId)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "bedrock:ApplyGuardrail", "Effect", "Allow")),
                        Map.of(
                                "Action", "kms:Decrypt",
                                "Effect", "Allow",
                                "Resource", Map.of("Fn::GetAtt", List.of(keyId, "Arn")),
                                "Condition", Map.of("StringEquals", Map.of("kms:ViaService", Match.anyValue()))))))));
        // The service in the condition is Bedrock in the stack's Region.
        Map<String, Object> policy = single("AWS::IAM::Policy", null);
        List<Object> decrypts = new ArrayList<>();
        for (Object s : asList(((Map<String, Object>) policy.get("PolicyDocument")).get("Statement"))) {
            Map<String, Object> statement = (Map<String, Object>) s;
            if ("kms:Decrypt".equals(statement.get("Action"))) {
                decrypts.add(((Map<String, Object>) ((Map<String, Object>) statement.get("Condition")).get("StringEquals")).get("kms:ViaService"));
            }
        }
        assertEquals(1, decrypts.size());
        assertTrue(decrypts.get(0).toString().contains("bedrock." + ConsumerApp.REGION + "."), decrypts.toString());
    }
}
