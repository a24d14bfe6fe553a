package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.tuning.CpuLayout;
import io.portask.tuning.Placement;
import io.portask.tuning.ThreadRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The thread placement keys: {@code portask.cpu.core}, {@code .transport}, {@code .driver}, {@code .writebehind}
 * (a CPU number, {@code auto} or {@code none}; {@code auto} by default) and {@code portask.cpu.interface} (the NIC
 * whose NUMA node {@code auto} prefers; by default the interface of {@code portask.broker.bind}). They apply in
 * DEDICATED threading mode; SHARED runs everything on one unpinned thread.
 */
final class TuningConfiguration
{
    /** The network interface clients come in on. */
    static final String INTERFACE_PROP = "portask.cpu.interface";
    /** Every key. */
    static final Set<String> KEYS = keys();

    private static final Logger LOG = LoggerFactory.getLogger(TuningConfiguration.class);

    /**
     * What the configuration asks for.
     *
     * @param requests each role's value.
     * @param iface    the NIC's interface name, or null when unknown (listening on every address).
     */
    record Settings(Map<ThreadRole, String> requests, String iface)
    {
        /**
         * @param root the file system root ("/").
         * @return the placement on this host; a host whose CPUs cannot be read gets everything unpinned.
         */
        Placement plan(final Path root)
        {
            CpuLayout layout;
            try
            {
                layout = CpuLayout.read(root);
            }
            catch (final IOException | RuntimeException ex)
            {
                LOG.warn("cannot read this host's cpu layout ({}): threads run unpinned", ex.toString());
                layout = CpuLayout.of(List.of());
            }
            return Placement.plan(layout, requests, CpuLayout.nicNode(root, iface));
        }
    }

    private TuningConfiguration()
    {
    }

    static Settings settings(final Configuration config, final String bindAddress)
    {
        final Map<ThreadRole, String> requests = new EnumMap<>(ThreadRole.class);
        for (final ThreadRole role : ThreadRole.values())
        {
            final String value = config.string(role.key(), Placement.AUTO).trim();
            final String wrong = Placement.validate(value);
            if (null != wrong)
            {
                throw config.invalid(role.key(), value, wrong);
            }
            requests.put(role, value);
        }
        return new Settings(requests, config.string(INTERFACE_PROP, interfaceOf(bindAddress)));
    }

    /**
     * @return the interface that holds the address, or null for the wildcard or an address of no interface here.
     */
    static String interfaceOf(final String bindAddress)
    {
        try
        {
            final InetAddress address = InetAddress.getByName(bindAddress);
            final NetworkInterface iface = address.isAnyLocalAddress() ? null :
                NetworkInterface.getByInetAddress(address);
            return null == iface ? null : iface.getName();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static Set<String> keys()
    {
        final Set<String> keys = new HashSet<>(List.of(INTERFACE_PROP));
        Arrays.stream(ThreadRole.values()).forEach(role -> keys.add(role.key()));
        return Set.copyOf(keys);
    }
}
