package io.failscope.store.postgres;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where a fleet's PostgreSQL database is, written the way Core Lightning's {@code wallet=} option
 * and libpq's connection URIs write it: {@code postgresql://user@host:5432/database}, optionally with
 * {@code ?name=value} connection parameters passed on to the driver. A password is never part of it:
 * options end up on command lines and in process lists, so the password comes from a file.
 *
 * @param user the role to connect as
 * @param host the server's host name or address
 * @param port the server's port
 * @param database the database
 * @param parameters driver connection parameters, in the order given
 */
public record PostgresUrl(String user, String host, int port, String database, Map<String, String> parameters)
{
    public static final int DEFAULT_PORT = 5432;

    private static final Pattern URL = Pattern.compile("(?<scheme>[a-z]+)://(?<userinfo>[^@/?]*@)?(?<host>\\[[0-9a-fA-F:.]+]|[^:/?@]+)(?::(?<port>[0-9]{1,5}))?/(?<database>[^?/]+)(?:\\?(?<query>.*))?");

    public PostgresUrl
    {
        requireNonNull(user, "user is null");
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        parameters = Map.copyOf(requireNonNull(parameters, "parameters is null"));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    /**
     * Reads a URL; the message of the exception says what is wrong with it, and never repeats a
     * password that was put in it.
     */
    public static PostgresUrl parse(String text)
    {
        requireNonNull(text, "text is null");
        Matcher matcher = URL.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("must look like postgresql://user@host:5432/database, got '" + masked(text) + "'");
        }
        String scheme = matcher.group("scheme");
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new IllegalArgumentException("must start with postgresql:// (the only server failscope stores in besides its own SQLite file), got '" + masked(text) + "'");
        }
        String userinfo = matcher.group("userinfo");
        if (userinfo == null || userinfo.length() == 1) {
            throw new IllegalArgumentException("must name the user to connect as (postgresql://user@host/database), got '" + masked(text) + "'");
        }
        userinfo = userinfo.substring(0, userinfo.length() - 1);
        if (userinfo.contains(":")) {
            throw new IllegalArgumentException("must not contain a password (it would show in process lists and logs): put it in the file named by store.password-file,"
                    + " or in a PGPASSFILE / ~/.pgpass line; got '" + masked(text) + "'");
        }
        int port = matcher.group("port") == null ? DEFAULT_PORT : Integer.parseInt(matcher.group("port"));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got '" + masked(text) + "'");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = matcher.group("query");
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("parameter '" + pair + "' must be name=value, in '" + masked(text) + "'");
                }
                String name = decode(pair.substring(0, equals));
                if (name.equalsIgnoreCase("password")) {
                    throw new IllegalArgumentException("must not contain a password (it would show in process lists and logs): put it in the file named by store.password-file,"
                            + " or in a PGPASSFILE / ~/.pgpass line; got '" + masked(text) + "'");
                }
                parameters.put(name, decode(pair.substring(equals + 1)));
            }
        }
        return new PostgresUrl(decode(userinfo), matcher.group("host"), port, decode(matcher.group("database")), parameters);
    }

    /** The driver's URL: the same server and database, the user and parameters going as connection properties. */
    public String jdbcUrl()
    {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The connection parameter {@code name}, if the URL gives it. */
    public Optional<String> parameter(String name)
    {
        return Optional.ofNullable(parameters.get(name));
    }

    @Override
    public String toString()
    {
        StringBuilder text = new StringBuilder("postgresql://").append(user).append('@').append(host).append(':').append(port).append('/').append(database);
        String separator = "?";
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            text.append(separator).append(parameter.getKey()).append('=').append(parameter.getValue());
            separator = "&";
        }
        return text.toString();
    }

    private static String decode(String text)
    {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The text with whatever stands between "user:" and "@", and any password parameter, blanked out. */
    static String masked(String text)
    {
        return text.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
