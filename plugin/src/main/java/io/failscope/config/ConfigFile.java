package io.failscope.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code --conf} file: {@code key=value} lines, {@code #} comments, blank lines ignored. Lines that
 * are not {@code key=value} and keys given twice are problems, reported together.
 */
public final class ConfigFile
{
    private ConfigFile() {}

    public static Map<String, String> read(Path file)
            throws ConfigException
    {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new ConfigException(List.of("cannot read the config file " + file + ": " + e.getMessage()));
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                problems.add(file.getFileName() + " line " + (i + 1) + ": expected key=value, got '" + line + "'");
                continue;
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (values.put(key, value) != null) {
                problems.add(file.getFileName() + " line " + (i + 1) + ": " + key + " is set twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return values;
    }
}
