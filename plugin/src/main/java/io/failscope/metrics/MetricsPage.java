package io.failscope.metrics;

import io.failscope.transport.http.HttpPage;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Inject;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /metrics}: every series in Prometheus's text exposition format (OpenMetrics text when the
 * scraper asks for it in {@code Accept}, as Prometheus does), written by the Prometheus Java client.
 * The bearer token is required when one is configured: Prometheus sends it with
 * {@code authorization: {credentials_file: ...}} in its scrape config.
 */
public final class MetricsPage
        implements HttpPage
{
    public static final String PATH = "/metrics";

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    @Inject
    public MetricsPage(FailscopeMetrics metrics)
    {
        this.registry = requireNonNull(metrics, "metrics is null").registry();
    }

    @Override
    public String path()
    {
        return PATH;
    }

    @Override
    public void get(Request request, Response response, Callback callback)
            throws Exception
    {
        ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
        if (!writer.isAvailable()) {
            // the protobuf format needs a library failscope does not ship: the text format is always there
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(32 * 1024);
        writer.write(body, registry.scrape());
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, writer.getContentType());
        response.write(true, ByteBuffer.wrap(body.toByteArray()), callback);
    }
}
