package io.failscope.realnet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A {@code bitcoind -regtest} with no wallet, on loopback ports of its own. Its JSON-RPC is called
 * over HTTP directly (faster than a {@code bitcoin-cli} per call); lightningd gets {@code bitcoin-cli}
 * and the same credentials.
 */
public final class Bitcoind
{
    /** Decimals stay exact: lightningd's times have nine fraction digits, which a double loses. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Path directory;
    private final int rpcPort;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String authorization;

    private Bitcoind(Path directory, int rpcPort, Process process)
    {
        this.directory = requireNonNull(directory, "directory is null");
        this.rpcPort = rpcPort;
        this.process = requireNonNull(process, "process is null");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user() + ":" + password()).getBytes(StandardCharsets.UTF_8));
    }

    public static Bitcoind start(Binaries binaries, Path directory, ProcessGuard guard)
            throws IOException, InterruptedException
    {
        Files.createDirectories(directory);
        int rpcPort = Ports.free();
        int p2pPort = Ports.free();
        List<String> command = List.of(binaries.bitcoind().toString(), "-regtest", "-datadir=" + directory, "-server=1", "-listen=1",
                "-bind=127.0.0.1:" + p2pPort, "-port=" + p2pPort, "-listenonion=0", "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1",
                "-rpcport=" + rpcPort, "-rpcuser=" + user(), "-rpcpassword=" + password(), "-dnsseed=0", "-fixedseeds=0", "-discover=0",
                "-printtoconsole=0", "-txindex=0", "-minrelaytxfee=0.00000100", "-blockmintxfee=0.00000100");
        Process process = guard.start(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("bitcoind.out").toFile()));
        Bitcoind bitcoind = new Bitcoind(directory, rpcPort, process);
        Poll.until("bitcoind's RPC on port " + rpcPort + " (log: " + directory.resolve("regtest/debug.log") + ")", Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new IOException("bitcoind stopped at once: " + Files.readString(directory.resolve("bitcoind.out")).strip());
            }
            return bitcoind.answers();
        });
        return bitcoind;
    }

    private boolean answers()
            throws InterruptedException
    {
        try {
            call("getblockchaininfo");
            return true;
        }
        catch (IOException e) {
            // warming up (-28) or not listening yet
            return false;
        }
    }

    static String user()
    {
        return "failscope";
    }

    static String password()
    {
        return "regtest";
    }

    public Path directory()
    {
        return directory;
    }

    public int rpcPort()
    {
        return rpcPort;
    }

    /** Calls a bitcoind RPC method; an error answer is an {@link IOException} with its message. */
    public JsonNode call(String method, Object... params)
            throws IOException, InterruptedException
    {
        ObjectNode request = MAPPER.createObjectNode().put("jsonrpc", "1.0").put("id", "realnet").put("method", method);
        ArrayNode array = request.putArray("params");
        for (Object param : params) {
            array.add(MAPPER.valueToTree(param));
        }
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rpcPort + "/"))
                .header("Authorization", authorization)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(request)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(post, HttpResponse.BodyHandlers.ofString());
        }
        catch (ConnectException e) {
            throw new IOException("bitcoind is not listening on " + rpcPort, e);
        }
        JsonNode body = response.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(response.body());
        if (body.hasNonNull("error") || response.statusCode() != 200) {
            throw new IOException("bitcoind " + method + ": " + (body.hasNonNull("error") ? body.get("error") : "HTTP " + response.statusCode()));
        }
        return body.get("result");
    }

    public long height()
            throws IOException, InterruptedException
    {
        return call("getblockcount").asLong();
    }

    /** Mines {@code blocks} blocks paying {@code address}; returns the new height. */
    public long mine(int blocks, String address)
            throws IOException, InterruptedException
    {
        call("generatetoaddress", blocks, address);
        return height();
    }

    /** Waits until the mempool holds at least {@code count} transactions. */
    public void awaitMempool(int count)
            throws IOException, InterruptedException
    {
        Poll.until(count + " transactions in the mempool", Duration.ofSeconds(60), () -> call("getrawmempool").size() >= count);
    }

    /** Asks bitcoind to stop and waits for it; kills it if it has not gone within the deadline. */
    public void stop(ProcessGuard guard)
            throws InterruptedException
    {
        if (!process.isAlive()) {
            return;
        }
        try {
            call("stop");
        }
        catch (IOException e) {
            // it may be stopping already; the deadline below decides
        }
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            guard.kill(process.toHandle());
        }
    }
}
