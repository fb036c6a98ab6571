import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny Core Lightning plugin for TestRealNetworkNotifications, run from source (java File.java): it
 * subscribes to failscope's custom notification htlc_failure_recorded and appends each message it gets,
 * as lightningd sent it, to htlc_failure_recorded.jsonl in its working directory (the node's network
 * directory). It uses no library, so that it shows what any other plugin gets.
 */
public final class HtlcFailureSubscriber
{
    private static final Pattern ID = Pattern.compile("\"id\":(\"(?:[^\"\\\\]|\\\\.)*\"|[0-9]+)");
    private static final Pattern METHOD = Pattern.compile("\"method\":\"([^\"]+)\"");

    private HtlcFailureSubscriber() {}

    public static void main(String[] args)
            throws Exception
    {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Path received = Path.of("htlc_failure_recorded.jsonl");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        // lightningd writes each message as one line of compact JSON followed by a blank line
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            Matcher method = METHOD.matcher(line);
            String name = method.find() ? method.group(1) : "";
            switch (name) {
                case "getmanifest" -> answer(out, line, "{\"options\":[],\"rpcmethods\":[],\"subscriptions\":[\"htlc_failure_recorded\",\"shutdown\"],\"dynamic\":true,\"nonnumericids\":true}");
                case "init" -> answer(out, line, "{}");
                case "htlc_failure_recorded" -> Files.writeString(received, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                case "shutdown" -> System.exit(0);
                default -> {
                    // nothing else was asked for
                }
            }
        }
    }

    private static void answer(PrintStream out, String request, String result)
    {
        Matcher id = ID.matcher(request);
        if (id.find()) {
            out.print("{\"jsonrpc\":\"2.0\",\"id\":" + id.group(1) + ",\"result\":" + result + "}\n\n");
            out.flush();
        }
    }
}
