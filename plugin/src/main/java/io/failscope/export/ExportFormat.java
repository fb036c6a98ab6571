package io.failscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The shapes an export takes: CSV (RFC 4180: CRLF line ends, a header row, fields quoted when they hold
 * a comma, a quote or a line end, quotes doubled) with one column per {@code listhtlcfailures} field,
 * or JSON lines (one {@code listhtlcfailures} item per line, as that method shows it).
 */
public enum ExportFormat
{
    CSV("text/csv; charset=utf-8; header=present", "csv"),
    JSONL("application/jsonl; charset=utf-8", "jsonl");

    /**
     * The CSV columns: every field a {@code listhtlcfailures} item may have, in its schema's order
     * ({@code rpc-schema/.../listhtlcfailures.response.json}); a field the record lacks is an empty cell,
     * and {@code evidence} (an object whose keys depend on the reason) is one cell of compact JSON.
     */
    public static final List<String> COLUMNS = List.of("created_index", "updated_index", "node_id", "type", "source",
            "in_channel", "in_htlc_id", "in_peer_id", "in_msat", "cltv_expiry",
            "out_channel", "requested_out_channel", "out_peer_id", "out_msat", "fee_msat", "payment_hash",
            "failcode", "failcode_name", "failure_data", "reason", "reason_source", "evidence", "reason_detail", "rule",
            "received_time", "resolved_time");

    private final String contentType;
    private final String jsonName;

    ExportFormat(String contentType, String jsonName)
    {
        this.contentType = contentType;
        this.jsonName = jsonName;
    }

    /** The HTTP content type of an export in this format. */
    public String contentType()
    {
        return contentType;
    }

    /** The name users give ({@code csv}, {@code jsonl}), also the file extension. */
    public String jsonName()
    {
        return jsonName;
    }

    public static Optional<ExportFormat> forJsonName(String name)
    {
        for (ExportFormat format : values()) {
            if (format.jsonName.equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** Starts writing rows to {@code out}; the caller closes the returned writer, which flushes but leaves {@code out} open. */
    public RowWriter open(OutputStream out, ObjectMapper mapper)
            throws IOException
    {
        return switch (this) {
            case CSV -> new CsvRows(out);
            case JSONL -> new JsonLines(out, mapper);
        };
    }

    /** Rows of one export, written as they come. */
    public interface RowWriter
            extends AutoCloseable
    {
        void write(ObjectNode item)
                throws IOException;

        /** Writes out what is buffered; {@code out} stays open. */
        @Override
        void close()
                throws IOException;
    }

    private static final class CsvRows
            implements RowWriter
    {
        private final Writer writer;
        private final CSVPrinter printer;
        private final Object[] cells = new Object[COLUMNS.size()];

        CsvRows(OutputStream out)
                throws IOException
        {
            writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            // RFC4180: comma, double quote, CRLF, quote only when needed; the header is the first row
            printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(COLUMNS.toArray(String[]::new)).get());
        }

        @Override
        public void write(ObjectNode item)
                throws IOException
        {
            for (int i = 0; i < cells.length; i++) {
                cells[i] = cell(item.get(COLUMNS.get(i)));
            }
            printer.printRecord(cells);
        }

        private static String cell(JsonNode value)
        {
            if (value == null || value.isNull()) {
                return "";
            }
            if (value.isContainerNode()) {
                return value.toString();
            }
            if (value.isBigDecimal()) {
                return value.decimalValue().toPlainString();
            }
            return value.asText();
        }

        @Override
        public void close()
                throws IOException
        {
            printer.flush();
        }
    }

    private static final class JsonLines
            implements RowWriter
    {
        private final OutputStream out;
        private final ObjectWriter writer;

        JsonLines(OutputStream out, ObjectMapper mapper)
        {
            this.out = out;
            this.writer = mapper.writer();
        }

        @Override
        public void write(ObjectNode item)
                throws IOException
        {
            out.write(writer.writeValueAsBytes(item));
            out.write('\n');
        }

        @Override
        public void close()
                throws IOException
        {
            out.flush();
        }
    }
}
