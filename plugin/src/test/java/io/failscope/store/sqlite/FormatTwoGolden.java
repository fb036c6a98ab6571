package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.record.RecordedReason;
import io.failscope.record.UnknownFields;
import io.failscope.store.FailureFilter;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreSamples;
import io.failscope.store.WriteOutcome;
import io.failscope.testing.RandomRecords;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.TlvRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the golden files of storage format 2: {@code databases/schema-v7.sqlite3} and, one line per
 * record in created order, the TLV encoding each record must read back as
 * ({@code databases/schema-v7.records.txt}). Run once when the format was made; every build reads them.
 *
 * <pre>java -cp ... io.failscope.store.sqlite.FormatTwoGolden OUTPUT_DIRECTORY</pre>
 */
public final class FormatTwoGolden
{
    private FormatTwoGolden() {}

    public static void main(String[] args)
            throws Exception
    {
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        List<HtlcFailureRecord> records = new ArrayList<>(StoreSamples.records(150, 70));
        RandomRecords random = new RandomRecords(71);
        for (int i = 0; i < 150; i++) {
            HtlcFailureRecord record = random.next();
            records.add(record.inChannel().isPresent() ? record.toBuilder().inHtlcId(1_000 + i).build() : record);
        }
        records.add(StoreSamples.records(1, 72).get(0).toBuilder()
                .reason(RecordedReason.fromCode(0x1007))
                .unknownFields(new UnknownFields(List.of(new TlvRecord(1001, Bytes.fromHex("0102"))), List.of(new TlvRecord(1, Bytes.fromHex("ff")))))
                .build());
        List<String> lines = new ArrayList<>();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            List<CompletableFuture<WriteOutcome>> futures = records.stream().map(store::submit).toList();
            futures.forEach(CompletableFuture::join);
            // a richer event, so that one row has an updated index
            store.submit(records.get(0).toBuilder().resolvedTime(records.get(0).receivedTime().plusSeconds(1)).build()).join();
            store.scan(FailureFilter.ALL, stored -> lines.add(stored.createdIndex() + " " + stored.updatedIndex().orElse(0) + " " + RecordCodec.encode(stored.record()).hex()));
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(SqliteFailureStore.FILE_NAME));
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode = DELETE");
            statement.execute("VACUUM");
        }
        Files.write(directory.resolve("schema-v7.records.txt"), lines);
    }
}
