package io.failscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.FilterParams;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;
import io.failscope.store.FailureFilter;
import jakarta.inject.Inject;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * {@code exporthtlcfailures}: the records matching {@code listhtlcfailures}'s filters, written to a file
 * as CSV or JSON lines, for {@code lightning-cli} users who want a spreadsheet. The file appears only
 * when it is complete (written beside it under a temporary name, then moved), and an existing file is
 * never overwritten: the plugin may be able to write where the caller should not.
 */
public final class ExportHtlcFailures
        implements RpcMethod
{
    private static final System.Logger LOG = System.getLogger(ExportHtlcFailures.class.getName());
    private static final List<String> PARAMETERS;

    static {
        List<String> names = new ArrayList<>(List.of("path", "format"));
        names.addAll(FilterParams.NAMES);
        PARAMETERS = List.copyOf(names);
    }

    public static final RpcMethod.Info INFO = new RpcMethod.Info("exporthtlcfailures", PARAMETERS,
            "Write the recorded HTLC failures matching listhtlcfailures' filters to a new file at path, as csv (RFC 4180, the default) or jsonl (one listhtlcfailures item per line).");

    private final Exporter exporter;

    @Inject
    public ExportHtlcFailures(Exporter exporter)
    {
        this.exporter = requireNonNull(exporter, "exporter is null");
    }

    @Override
    public JsonNode invoke(Params params)
            throws RpcException
    {
        try {
            return invokeLater(params).join();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RpcException rpc) {
                throw rpc;
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<JsonNode> invokeLater(Params params)
            throws RpcException
    {
        String pathText = params.string("path").orElseThrow(() -> RpcException.invalidParam("path", null, "is required: the file to write"));
        ExportFormat format = ExportFormat.CSV;
        if (params.has("format")) {
            String name = params.string("format").get();
            format = ExportFormat.forJsonName(name).orElseThrow(() -> RpcException.invalidParam("format", params.raw("format"), "should be csv or jsonl"));
        }
        FailureFilter filter = FilterParams.read(params);
        Path target = target(pathText, params.raw("path"));
        ExportFormat chosen = format;
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        try {
            exporter.threads().execute(() -> {
                try {
                    answer.complete(write(target, params.raw("path"), chosen, filter));
                }
                catch (RpcException | RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        }
        catch (RejectedExecutionException e) {
            throw new RpcException(RpcErrorCode.BUSY, "failscope is busy with " + (Exporter.THREADS + Exporter.WAITING) + " exports; try again shortly");
        }
        return answer;
    }

    /** The file to write, checked before any work: its directory exists and is one, and the file does not. */
    private static Path target(String text, JsonNode raw)
            throws RpcException
    {
        Path target;
        try {
            target = Path.of(text).toAbsolutePath().normalize();
        }
        catch (InvalidPathException e) {
            throw RpcException.invalidParam("path", raw, "is not a file path (" + e.getReason() + ")");
        }
        Path directory = target.getParent();
        if (directory == null || text.isBlank()) {
            throw RpcException.invalidParam("path", raw, "should name a file, not a directory");
        }
        if (!Files.exists(directory)) {
            throw RpcException.invalidParam("path", raw, "the directory " + shown(directory) + " does not exist");
        }
        if (!Files.isDirectory(directory)) {
            throw RpcException.invalidParam("path", raw, shown(directory) + " is not a directory");
        }
        if (Files.isDirectory(target)) {
            throw RpcException.invalidParam("path", raw, shown(target) + " is a directory; name a new file in it");
        }
        if (Files.exists(target)) {
            throw RpcException.invalidParam("path", raw, shown(target) + " exists already; failscope writes only new files");
        }
        if (!Files.isWritable(directory)) {
            throw RpcException.invalidParam("path", raw, "the directory " + shown(directory) + " is not writable by failscope");
        }
        return target;
    }

    /** A path as an error message shows it: at most 100 characters, the end kept (it names the file). */
    private static String shown(Path path)
    {
        String text = path.toString();
        return text.length() <= 100 ? text : "..." + text.substring(text.length() - 97);
    }

    /** Why a file operation failed, without the file names the message repeats (a path may be thousands of characters). */
    private static String reason(Exception e)
    {
        if (e instanceof FileSystemException problem && problem.getReason() != null) {
            return problem.getReason();
        }
        return e.getClass().getSimpleName();
    }

    private JsonNode write(Path target, JsonNode raw, ExportFormat format, FailureFilter filter)
            throws RpcException
    {
        Path partial;
        try {
            partial = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
        }
        catch (IOException | SecurityException e) {
            throw RpcException.invalidParam("path", raw, "the directory " + shown(target.getParent()) + " is not writable by failscope (" + reason(e) + ")");
        }
        try {
            long rows;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
                rows = exporter.export(filter, format, out);
            }
            Files.move(partial, target);
            ObjectNode result = Json.object();
            result.put("path", target.toString());
            result.put("format", format.jsonName());
            result.put("rows", rows);
            return result;
        }
        catch (FileAlreadyExistsException e) {
            throw RpcException.invalidParam("path", raw, shown(target) + " appeared while exporting; failscope writes only new files");
        }
        catch (IOException e) {
            LOG.log(Level.WARNING, "exporting to " + target + " failed", e);
            throw new RpcException(RpcErrorCode.INTERNAL_ERROR, "writing " + shown(target) + " failed: " + reason(e), Json.object().put("param", "path"));
        }
        finally {
            try {
                Files.deleteIfExists(partial);
            }
            catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove " + partial + ": " + e.getMessage());
            }
        }
    }
}
