package io.portask.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The brokers a connection may use (one, or a cluster's), which one it uses now, and where a NOT_LEADER answer
 * says to go next: the leader it names ({@code leader=host:port}), or, when it names none, the next broker of the
 * list, which may know one.
 * <p>
 * Threading: {@link #onNotLeader} on the reader thread; the rest under the connection's write lock; fields are
 * volatile for the messages that name the current broker.
 */
final class BrokerAddresses
{
    private static final String LEADER = "leader=";

    private final List<String> addresses;
    private volatile String host;
    private volatile int port;
    private volatile int current;
    private volatile String redirect;

    /**
     * @param addresses host:port each, the first used first.
     */
    BrokerAddresses(final List<String> addresses)
    {
        this.addresses = new CopyOnWriteArrayList<>(addresses);
        select(addresses.get(0));
    }

    String host()
    {
        return host;
    }

    int port()
    {
        return port;
    }

    int size()
    {
        return addresses.size();
    }

    /**
     * Use the next broker of the list.
     *
     * @return true when that wrapped around to the first: every broker was tried once more.
     */
    boolean next()
    {
        select(addresses.get((current + 1) % addresses.size()));
        return 0 == current;
    }

    /**
     * A NOT_LEADER answer's message: remember where the next request should go.
     */
    void onNotLeader(final String message)
    {
        if (null == message || !message.startsWith(LEADER))
        {
            return;
        }
        final int end = message.indexOf(' ');
        final String leader = message.substring(LEADER.length(), end < 0 ? message.length() : end);
        if (leader.lastIndexOf(':') > 0)
        {
            if (!leader.equals(host + ":" + port))
            {
                redirect = leader;
            }
        }
        else if (addresses.size() > 1)
        {
            redirect = addresses.get((current + 1) % addresses.size());
        }
    }

    /**
     * @return where a NOT_LEADER answer said to go, once (null when none did since the last call).
     */
    String takeRedirect()
    {
        final String leader = redirect;
        redirect = null;
        return leader;
    }

    boolean hasRedirect()
    {
        return null != redirect;
    }

    /**
     * Connect to this broker from now on (a leader not in the list is added to it).
     */
    void select(final String address)
    {
        int index = addresses.indexOf(address);
        if (index < 0)
        {
            addresses.add(address);
            index = addresses.size() - 1;
        }
        final int colon = address.lastIndexOf(':');
        host = address.substring(0, colon);
        port = Integer.parseInt(address.substring(colon + 1));
        current = index;
    }

    /**
     * @return the current broker, host:port.
     */
    public String toString()
    {
        return host + ":" + port;
    }

    /**
     * @return every broker, comma-separated.
     */
    String all()
    {
        return String.join(",", addresses);
    }
}
