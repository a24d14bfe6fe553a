package io.portask.protocol;

import io.portask.protocol.sbe.StorageKind;

import java.util.Locale;

/**
 * The storage kinds a user may name, as the CLI and the gateway spell them: {@code journal}, {@code memory},
 * {@code dragonfly}, {@code replicated}.
 */
public final class StorageKinds
{
    private StorageKinds()
    {
    }

    /**
     * @param value a storage kind's name, any case.
     * @return the kind it names.
     * @throws IllegalArgumentException naming the accepted values when it names none.
     */
    public static StorageKind parse(final String value)
    {
        for (final StorageKind kind : StorageKind.values())
        {
            if (kind != StorageKind.NULL_VAL && kind.name().equalsIgnoreCase(value))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException(
            "storage must be journal, memory, dragonfly or replicated, got '" + value + "'");
    }

    /**
     * @param kind a storage kind.
     * @return its name as users spell it.
     */
    public static String name(final StorageKind kind)
    {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
