package dev.postern.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The last messages delivered into the Maildir, for the admin page: each file's name, folder, size, header
 * fields and the start of its body, as text. Names are ordered by the delivery time they begin with
 * ({@code SECONDS.M<micros>...}), so nothing but the directory listing is read to choose them; the
 * listing itself stops after {@link #MAX_SCANNED} entries per folder.
 */
public final class RecentMail {

    /** Directory entries looked at per folder, at most: a huge Maildir must not make a page view slow. */
    static final int MAX_SCANNED = 100_000;
    /** Body octets shown per message. */
    static final int BODY_OCTETS = 4096;

    private final Path maildir;
    private final int count;

    /**
     * @param maildir the Maildir ({@code new/} and {@code cur/} are read)
     * @param count   how many messages to show
     */
    public RecentMail(Path maildir, int count) {
        this.maildir = maildir;
        this.count = count;
    }

    private record Entry(Path file, String folder, long seconds, long micros) {
    }

    /**
     * @return the newest messages first
     * @throws IOException when a folder cannot be listed
     */
    public ArrayNode json() throws IOException {
        Comparator<Entry> byTime = Comparator.comparingLong(Entry::seconds).thenComparingLong(Entry::micros)
                .thenComparing(e -> e.file().getFileName().toString());
        PriorityQueue<Entry> newest = new PriorityQueue<>(byTime);
        for (String folder : List.of("new", "cur")) {
            Path dir = maildir.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            int scanned = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    if (++scanned > MAX_SCANNED) {
                        break;
                    }
                    Entry e = entry(f, folder);
                    if (e == null) {
                        continue;
                    }
                    newest.add(e);
                    if (newest.size() > count) {
                        newest.poll();
                    }
                }
            }
        }
        List<Entry> chosen = new ArrayList<>(newest);
        chosen.sort(byTime.reversed());
        ArrayNode array = QueueJson.MAPPER.createArrayNode();
        for (Entry e : chosen) {
            ObjectNode o = QueueJson.MAPPER.createObjectNode();
            o.put("file", e.folder() + "/" + e.file().getFileName());
            o.put("received", java.time.Instant.ofEpochSecond(e.seconds(), e.micros() * 1000).toString());
            try (InputStream in = Files.newInputStream(e.file())) {
                o.put("size", Files.size(e.file()));
                HeaderBlock.Parsed parsed = HeaderBlock.read(in, BODY_OCTETS);
                ArrayNode headers = o.putArray("headers");
                parsed.fields().forEach(f -> headers.addObject().put("name", f.name()).put("value", f.value()));
                o.put("headersTruncated", parsed.truncated());
                o.put("body", parsed.body());
                o.put("bodyTruncated", parsed.bodyCut());
            } catch (NoSuchFileException gone) {
                continue; // moved or deleted by a mail reader meanwhile
            }
            array.add(o);
        }
        return array;
    }

    /** A file whose name starts as Postern's (and most delivery agents') do, or null. */
    private static Entry entry(Path f, String folder) {
        String name = f.getFileName().toString();
        int dot = name.indexOf('.');
        if (dot <= 0 || name.startsWith(".")) {
            return null;
        }
        try {
            long seconds = Long.parseLong(name.substring(0, dot));
            long micros = 0;
            if (name.startsWith("M", dot + 1)) {
                int end = dot + 2;
                while (end < name.length() && Character.isDigit(name.charAt(end))) {
                    end++;
                }
                micros = end > dot + 2 ? Long.parseLong(name.substring(dot + 2, end)) : 0;
            }
            return new Entry(f, folder, seconds, micros);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
