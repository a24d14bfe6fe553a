package io.portask.client;

/**
 * The one JVM flag the SDK needs. Its buffers are Agrona's, which reach {@code jdk.internal.misc.Unsafe}; without
 * the export the first buffer fails deep inside Agrona with an {@code IllegalAccessError}. This check says what
 * to add instead, before anything is allocated.
 * <p>
 * Threading: any thread; the check is a pure query of the module graph.
 */
public final class JvmAccess
{
    /** The flag an application embedding the SDK must start its JVM with. */
    public static final String REQUIRED_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private JvmAccess()
    {
    }

    /**
     * @throws IllegalStateException naming the flag when jdk.internal.misc is not exported to the SDK.
     */
    public static void check()
    {
        if (!Object.class.getModule().isExported("jdk.internal.misc", JvmAccess.class.getModule()))
        {
            throw new IllegalStateException("the Portask client needs the JVM flag " + REQUIRED_FLAG +
                " (its buffers, from Agrona, use jdk.internal.misc.Unsafe): add it to the java command line, or " +
                "JDK_JAVA_OPTIONS=\"" + REQUIRED_FLAG + "\"");
        }
    }
}
