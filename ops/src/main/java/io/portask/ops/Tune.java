package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.core.ThreadingMode;
import io.portask.tuning.CpuLayout;
import io.portask.tuning.HostAudit;
import io.portask.tuning.Placement;
import io.portask.tuning.TuneProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code portask tune check [--config FILE] [--json]}: the placement DEDICATED mode makes from the config on this
 * host, then the host audit for its CPUs (exit 1 when a check fails). {@code portask tune profile [--config FILE]}:
 * the systemd drop-in, sysctl file and kernel command line for that placement. The JVM audited is this one, which
 * the launcher starts with the flags it gives the broker ({@code jvm.properties} and PORTASK_JAVA_OPTS).
 */
final class Tune
{
    private static final Path ROOT = Path.of("/");

    private Tune()
    {
    }

    static int run(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("config"), Set.of("json"));
        final String action = args.positional(0, "tune action: check | profile");
        final Configuration config = Portask.loadConfig(args, BrokerConfiguration.KEYS);
        final BrokerContext ctx = BrokerConfiguration.context(config);
        final Placement placement = ctx.placement().plan(ROOT);
        switch (action)
        {
            case "check" ->
            {
                return check(ctx, placement, args.flag("json"), out);
            }
            case "profile" ->
            {
                try
                {
                    out.print(TuneProfile.render(CpuLayout.read(ROOT), placement));
                }
                catch (final IOException ex)
                {
                    throw new Args.UsageException("cannot read this host's cpu layout: " + ex.getMessage());
                }
                return 0;
            }
            default -> throw new Args.UsageException("unknown tune action '" + action + "'");
        }
    }

    private static int check(final BrokerContext ctx, final Placement placement, final boolean json,
        final PrintStream out)
    {
        final HostAudit.Target target = new HostAudit.Target(placement.pinnedCpus(true), ctx.placement().iface(),
            Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            ManagementFactory.getRuntimeMXBean().getInputArguments());
        final List<HostAudit.Check> checks;
        try
        {
            checks = new HostAudit(ROOT, target).run();
        }
        catch (final IOException ex)
        {
            throw new Args.UsageException("cannot read this host: " + ex.getMessage());
        }
        if (json)
        {
            out.print(HostAudit.json(checks));
        }
        else
        {
            if (ThreadingMode.DEDICATED != ctx.threadingMode())
            {
                out.println("portask.threading.mode=" + ctx.threadingMode() + " pins nothing; this audits the " +
                    "placement DEDICATED mode would make:");
            }
            out.println(placement.describe());
            out.print(HostAudit.table(checks));
        }
        return HostAudit.exitCode(checks);
    }
}
