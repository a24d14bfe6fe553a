package io.portask.core.acl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.portask.core.acl.Acl.Operation.CONSUME;
import static io.portask.core.acl.Acl.Operation.DELETE;
import static io.portask.core.acl.Acl.Operation.DESCRIBE;
import static io.portask.core.acl.Acl.Operation.PRODUCE;
import static io.portask.core.acl.Acl.ResourceType.CLUSTER;
import static io.portask.core.acl.Acl.ResourceType.GROUP;
import static io.portask.core.acl.Acl.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules on their own: nothing without an allow, deny wins, prefixes, everyone, super users, DESCRIBE implied
 * by any allowed operation (but not by a deny), and the line format both ways with clear errors.
 */
class AclsTest
{
    private final Acls acls = new Acls(true, Set.of("ops"), List.of(
        Acl.parse("allow writer produce topic orders"),
        Acl.parse("allow * consume topic-prefix public."),
        Acl.parse("deny mallory consume topic-prefix public.secret"),
        Acl.parse("allow reader consume group-prefix app."),
        Acl.parse("deny writer produce topic orders-frozen"),
        Acl.parse("allow writer produce topic-prefix orders")));

    @Test
    void shouldAllowOnlyWhatARuleAllowsWithDenyWinning()
    {
        assertTrue(acls.allowed("writer", PRODUCE, TOPIC, "orders"));
        assertFalse(acls.allowed("writer", CONSUME, TOPIC, "orders"), "nothing allowed without a rule");
        assertFalse(acls.allowed("reader", PRODUCE, TOPIC, "orders"));
        assertTrue(acls.allowed("anyone", CONSUME, TOPIC, "public.prices"), "* and a prefix");
        assertFalse(acls.allowed("mallory", CONSUME, TOPIC, "public.secret.plans"), "deny wins over allow");
        assertTrue(acls.allowed("mallory", CONSUME, TOPIC, "public.prices"));
        assertFalse(acls.allowed("writer", PRODUCE, TOPIC, "orders-frozen"), "deny wins over a prefix allow");
        assertTrue(acls.allowed("writer", PRODUCE, TOPIC, "orders-eu"));
        assertTrue(acls.allowed("reader", CONSUME, GROUP, "app.billing"));
        assertFalse(acls.allowed("reader", CONSUME, TOPIC, "app.billing"), "a group rule is not a topic rule");
        assertTrue(acls.allowed("writer", DESCRIBE, TOPIC, "orders"), "describe comes with produce");
        assertTrue(acls.allowed("writer", DESCRIBE, TOPIC, "orders-frozen"), "a deny of produce denies only that");
        assertTrue(acls.allowed("ops", DELETE, CLUSTER, ""), "a super user");
        assertTrue(Acls.DISABLED.allowed("anyone", DELETE, TOPIC, "orders"), "off: everything");
    }

    @Test
    void shouldReadAndWriteTheLineFormatAndNameWhatIsWrong()
    {
        for (final String line : List.of("allow writer produce topic orders", "deny * consume topic-prefix secret.",
            "allow ops admin cluster", "allow reader describe group-prefix app."))
        {
            assertEquals(line, Acl.parse(line).toString());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Acl.parse("allow writer read topic orders"))
            .getMessage().startsWith("unknown operation 'read'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Acl.parse("permit writer produce topic x"))
            .getMessage().contains("allow or deny"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Acl.parse("allow writer produce queue x"))
            .getMessage().startsWith("unknown resource 'queue'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Acl.parse("allow writer produce topic"))
            .getMessage().startsWith("an ACL is"));
    }
}
