package io.failscope.transport.http;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP JSON-RPC endpoint ({@code POST /rpc}). Off unless a port is set; loopback unless told
 * otherwise; a bearer token is required whenever it listens on another address, and for every request
 * once one is set. What one client can make it do is bounded: the body it sends, the calls in one
 * batch, the bytes of one answer, and how slowly it may send.
 */
public record HttpConfig(
        OptionalInt port,
        String address,
        Optional<Path> tokenFile,
        int maxRequestBytes,
        int maxBatch,
        long maxAnswerBytes,
        Duration idleTimeout,
        long minRequestRate)
{
    public static final ConfigKey PORT = new ConfigKey("http.port", null, "Port of the HTTP JSON-RPC endpoint (POST /rpc); unset means no endpoint, 0 picks a free port and logs it.");
    public static final ConfigKey ADDRESS = new ConfigKey("http.address", "127.0.0.1", "Address the HTTP endpoint binds; any address other than loopback requires http.token-file.");
    public static final ConfigKey TOKEN_FILE = new ConfigKey("http.token-file", null, "File holding the bearer token HTTP clients must send (Authorization: Bearer <token>); once set, every request needs it, on loopback too.");
    public static final ConfigKey MAX_REQUEST_BYTES = new ConfigKey("http.max-request-bytes", "1048576", "Largest HTTP request body accepted, in bytes.");
    public static final ConfigKey MAX_BATCH = new ConfigKey("http.max-batch", "100", "Most JSON-RPC calls one HTTP batch may hold.");
    public static final ConfigKey MAX_ANSWER_BYTES = new ConfigKey("http.max-answer-bytes", "33554432", "Largest answer one HTTP request (a batch's answers together) may get, in bytes; a larger one is refused, naming this key.");
    public static final ConfigKey IDLE_TIMEOUT = new ConfigKey("http.idle-timeout", "30s", "How long an HTTP connection may stay silent before it is closed.");
    public static final ConfigKey MIN_REQUEST_RATE = new ConfigKey("http.min-request-rate", "4096", "Slowest a client may send its request body, in bytes per second; a slower one is cut off, so that slow clients cannot hold the endpoint.");
    public static final List<ConfigKey> KEYS = List.of(PORT, ADDRESS, TOKEN_FILE, MAX_REQUEST_BYTES, MAX_BATCH, MAX_ANSWER_BYTES, IDLE_TIMEOUT, MIN_REQUEST_RATE);

    public HttpConfig
    {
        requireNonNull(port, "port is null");
        requireNonNull(address, "address is null");
        requireNonNull(tokenFile, "tokenFile is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
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
        if (port.isPresent() && tokenFile.isPresent()) {
            checkTokenFile(values, tokenFile.get());
        }
        return new HttpConfig(port, address, tokenFile,
                (int) values.getLong(MAX_REQUEST_BYTES, 1024, 64L << 20),
                (int) values.getLong(MAX_BATCH, 1, 1_000),
                values.getLong(MAX_ANSWER_BYTES, 1024, 1L << 30),
                values.getDuration(IDLE_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(1)),
                values.getLong(MIN_REQUEST_RATE, 0, 1L << 30));
    }

    /** The token, as the endpoint will read it: a file that cannot be read or holds nothing is a configuration problem. */
    static Optional<String> token(Path file)
            throws IOException
    {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static void checkTokenFile(ConfigValues values, Path file)
    {
        try {
            if (token(file).isEmpty()) {
                values.problem(TOKEN_FILE.key(), "the file " + file + " is empty; it must hold the bearer token");
            }
        }
        catch (IOException e) {
            values.problem(TOKEN_FILE.key(), "cannot read the file " + file + ": " + e.getMessage());
        }
    }
}
