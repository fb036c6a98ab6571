package io.failscope.status;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** What the running plugin is: its version (from its jar), its node dialect, and when it started. */
public record PluginInfo(String version, String dialect, Instant startedAt)
{
    public PluginInfo
    {
        requireNonNull(version, "version is null");
        requireNonNull(dialect, "dialect is null");
        requireNonNull(startedAt, "startedAt is null");
    }

    /** The version in the plugin jar's manifest, or "development" when run from classes. */
    public static String jarVersion()
    {
        String version = PluginInfo.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
