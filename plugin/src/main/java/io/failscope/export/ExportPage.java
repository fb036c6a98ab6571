package io.failscope.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.FilterParams;
import io.failscope.rpc.JsonRpc;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.store.FailureFilter;
import io.failscope.transport.http.HttpPage;
import jakarta.inject.Inject;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /export.csv} and {@code GET /export.jsonl}: every record matching the query's filters,
 * which are {@code listhtlcfailures}'s by name ({@code ?reason=fee_insufficient&reason=peer_offline&since=1755648000}).
 * A bad filter gets HTTP 400 with a JSON-RPC error naming it, before anything is streamed. The rows
 * are written on the export threads as the store yields them, so neither the endpoint's threads nor
 * the heap are held by a long export.
 */
public abstract class ExportPage
        implements HttpPage
{
    private static final System.Logger LOG = System.getLogger(ExportPage.class.getName());

    private final Exporter exporter;
    private final ObjectMapper mapper;
    private final ExportFormat format;

    ExportPage(Exporter exporter, ObjectMapper mapper, ExportFormat format)
    {
        this.exporter = requireNonNull(exporter, "exporter is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.format = requireNonNull(format, "format is null");
    }

    @Override
    public String path()
    {
        return "/export." + format.jsonName();
    }

    @Override
    public void get(Request request, Response response, Callback callback)
            throws Exception
    {
        FailureFilter filter;
        try {
            filter = filter(Request.extractQueryParameters(request, StandardCharsets.UTF_8));
        }
        catch (RpcException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, e);
            return;
        }
        catch (IllegalArgumentException e) {
            // Jetty's own refusal of a query string that is not valid UTF-8 or percent-encoding
            error(response, callback, HttpStatus.BAD_REQUEST_400, new RpcException(RpcErrorCode.INVALID_PARAMS, "the query string cannot be read: " + e.getMessage()));
            return;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, format.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"htlcfailures." + format.jsonName() + "\"");
        if (request.getMethod().equals("HEAD")) {
            response.write(true, ByteBuffer.allocate(0), callback);
            return;
        }
        try {
            exporter.threads().execute(() -> stream(filter, response, callback));
        }
        catch (RejectedExecutionException e) {
            error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, new RpcException(RpcErrorCode.BUSY,
                    "failscope is busy with " + (Exporter.THREADS + Exporter.WAITING) + " exports; try again shortly"));
        }
    }

    private void stream(FailureFilter filter, Response response, Callback callback)
    {
        try (OutputStream out = new BufferedOutputStream(Content.Sink.asOutputStream(response), 1 << 16)) {
            exporter.export(filter, format, out);
        }
        catch (IOException | RuntimeException e) {
            // the status line has gone: the client sees a cut-off body, the log says why
            LOG.log(Level.WARNING, "export " + path() + " stopped: " + e.getMessage());
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    /** The query's parameters as {@code listhtlcfailures}'s named params: a repeated name is a list. */
    static FailureFilter filter(Fields query)
            throws RpcException
    {
        ObjectNode params = Json.object();
        for (Fields.Field field : query) {
            if (field.getValues().size() == 1) {
                params.put(field.getName(), field.getValue());
            }
            else {
                ArrayNode values = params.putArray(field.getName());
                field.getValues().forEach(values::add);
            }
        }
        return FilterParams.read(Params.of(params, FilterParams.NAMES));
    }

    private void error(Response response, Callback callback, int status, RpcException error)
            throws IOException
    {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(JsonRpc.error(null, error))), callback);
    }

    /** {@code GET /export.csv}. */
    public static final class Csv
            extends ExportPage
    {
        @Inject
        public Csv(Exporter exporter, ObjectMapper mapper)
        {
            super(exporter, mapper, ExportFormat.CSV);
        }
    }

    /** {@code GET /export.jsonl}. */
    public static final class JsonLines
            extends ExportPage
    {
        @Inject
        public JsonLines(Exporter exporter, ObjectMapper mapper)
        {
            super(exporter, mapper, ExportFormat.JSONL);
        }
    }
}
