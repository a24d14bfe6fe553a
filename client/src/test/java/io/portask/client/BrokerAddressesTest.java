package io.portask.client;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a connection to a cluster goes: the next broker when one is down, the leader a NOT_LEADER names.
 */
class BrokerAddressesTest
{
    @Test
    void shouldGoRoundTheListAndSayWhenItWrapped()
    {
        final BrokerAddresses brokers = new BrokerAddresses(List.of("a:1", "b:2", "c:3"));
        assertEquals("a:1", brokers.toString());
        assertFalse(brokers.next());
        assertEquals("b", brokers.host());
        assertEquals(2, brokers.port());
        assertFalse(brokers.next());
        assertTrue(brokers.next(), "back at the first: every broker was tried");
        assertEquals("a:1,b:2,c:3", brokers.all());
    }

    @Test
    void shouldFollowTheLeaderANotLeaderNamesOrTryTheNextWhenItNamesNone()
    {
        final BrokerAddresses brokers = new BrokerAddresses(List.of("a:1", "b:2", "c:3"));
        brokers.onNotLeader("leader=c:3 (node 0 does not lead the cluster)");
        assertEquals("c:3", brokers.takeRedirect());
        assertNull(brokers.takeRedirect(), "once");
        brokers.onNotLeader("leader= (node 0 does not lead the cluster)");
        assertEquals("b:2", brokers.takeRedirect(), "no leader known there: the next broker may know");
        brokers.onNotLeader("leader=a:1 (stale)");
        assertNull(brokers.takeRedirect(), "already there");
        brokers.onNotLeader("something else");
        assertFalse(brokers.hasRedirect());
        brokers.select("d:4");
        assertEquals("a:1,b:2,c:3,d:4", brokers.all(), "a leader not in the list joins it");
    }
}
