package io.portask.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command-line arguments: positional words and {@code --name value} / {@code --flag} options. Unknown
 * options are an error that names them and lists the known ones.
 */
final class Args
{
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    Args(final String[] args, final int from, final Set<String> valueOptions, final Set<String> flags)
    {
        // every command that connects to a broker also takes its client config (TLS, credentials)
        final Set<String> values = valueOptions.contains("bootstrap") ? union(valueOptions, "client-config") :
            valueOptions;
        for (int i = from; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.startsWith("--"))
            {
                final int equals = arg.indexOf('=');
                final String name = equals > 0 ? arg.substring(2, equals) : arg.substring(2);
                if (flags.contains(name))
                {
                    options.put(name, "true");
                }
                else if (values.contains(name))
                {
                    if (equals > 0)
                    {
                        options.put(name, arg.substring(equals + 1));
                    }
                    else if (i + 1 < args.length)
                    {
                        options.put(name, args[++i]);
                    }
                    else
                    {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                }
                else
                {
                    final List<String> known = new ArrayList<>(values);
                    known.addAll(flags);
                    throw new UsageException("unknown option --" + name + "; known: --" + String.join(", --",
                        known.stream().sorted().toList()));
                }
            }
            else
            {
                positional.add(arg);
            }
        }
    }

    String positional(final int index, final String what)
    {
        if (index >= positional.size())
        {
            throw new UsageException("missing " + what);
        }
        return positional.get(index);
    }

    int positionalCount()
    {
        return positional.size();
    }

    String option(final String name, final String fallback)
    {
        return options.getOrDefault(name, fallback);
    }

    boolean flag(final String name)
    {
        return options.containsKey(name);
    }

    int intOption(final String name, final int fallback, final int min, final int max)
    {
        final String value = options.get(name);
        if (null == value)
        {
            return fallback;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + value);
            }
            return (int)parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    long longOption(final String name, final long fallback)
    {
        final String value = options.get(name);
        try
        {
            return null == value ? fallback : Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    /**
     * A mistake in how a command was called: printed with the command's usage, exit code 2.
     */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }

    private static Set<String> union(final Set<String> options, final String extra)
    {
        final Set<String> all = new java.util.HashSet<>(options);
        all.add(extra);
        return all;
    }
}
