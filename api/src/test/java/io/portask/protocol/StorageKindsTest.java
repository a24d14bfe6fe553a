package io.portask.protocol;

import io.portask.protocol.sbe.StorageKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageKindsTest
{
    @Test
    void shouldParseEveryKindByItsUserName()
    {
        for (final StorageKind kind : new StorageKind[]{ StorageKind.JOURNAL, StorageKind.MEMORY,
            StorageKind.DRAGONFLY })
        {
            assertEquals(kind, StorageKinds.parse(StorageKinds.name(kind)));
        }
        assertEquals(StorageKind.DRAGONFLY, StorageKinds.parse("Dragonfly"));
    }

    @Test
    void shouldRefuseUnknownKindsAndTheSbeNullValue()
    {
        for (final String bad : new String[]{ "disk", "null_val", "" })
        {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> StorageKinds.parse(bad));
            assertTrue(ex.getMessage().contains("journal, memory, dragonfly or replicated"), ex.getMessage());
        }
    }
}
