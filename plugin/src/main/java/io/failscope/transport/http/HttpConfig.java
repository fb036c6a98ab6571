package io.failscope.transport.http;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP JSON-RPC endpoint ({@code POST /rpc}). Off unless a port is set; loopback unless told
 * otherwise; a bearer token is required whenever it listens on another address.
 */
public record HttpConfig(OptionalInt port, String address, Optional<Path> tokenFile, int maxRequestBytes)
{
    public static final ConfigKey PORT = new ConfigKey("http.port", null, "Port of the HTTP JSON-RPC endpoint (POST /rpc); unset means no endpoint, 0 picks a free port and logs it.");
    public static final ConfigKey ADDRESS = new ConfigKey("http.address", "127.0.0.1", "Address the HTTP endpoint binds; any address other than loopback requires http.token-file.");
    public static final ConfigKey TOKEN_FILE = new ConfigKey("http.token-file", null, "File holding the bearer token HTTP clients must send (Authorization: Bearer <token>).");
    public static final ConfigKey MAX_REQUEST_BYTES = new ConfigKey("http.max-request-bytes", "1048576", "Largest HTTP request body accepted, in bytes.");
    public static final List<ConfigKey> KEYS = List.of(PORT, ADDRESS, TOKEN_FILE, MAX_REQUEST_BYTES);

    public HttpConfig
    {
        requireNonNull(port, "port is null");
        requireNonNull(address, "address is null");
        requireNonNull(tokenFile, "tokenFile is null");
    }

    public boolean enabled()
    {
        return port.isPresent();
    }

    public static HttpConfig read(ConfigValues values, Path relativeTo)
    {
        String portText = values.getString(PORT);
        OptionalInt port = OptionalInt.empty();
        if (portText != null && !portText.equalsIgnoreCase("off")) {
            port = OptionalInt.of((int) values.getLong(PORT, 0, 65_535));
        }
        String address = values.getString(ADDRESS);
        boolean loopback = true;
        try {
            loopback = InetAddress.getByName(address).isLoopbackAddress();
        }
        catch (UnknownHostException e) {
            values.problem(ADDRESS.key(), "is not an address this machine knows, got '" + address + "'");
        }
        String tokenText = values.getString(TOKEN_FILE);
        Optional<Path> tokenFile = tokenText == null ? Optional.empty() : Optional.of(relativeTo.resolve(tokenText));
        if (port.isPresent() && !loopback && tokenFile.isEmpty()) {
            values.problem(TOKEN_FILE.key(), "must be set when the HTTP endpoint listens on " + address + ", which is not a loopback address");
        }
        int maxRequestBytes = (int) values.getLong(MAX_REQUEST_BYTES, 1024, 64L << 20);
        return new HttpConfig(port, address, tokenFile, maxRequestBytes);
    }
}
