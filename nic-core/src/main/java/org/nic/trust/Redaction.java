package org.nic.trust;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Patient data out of text meant for people (log lines, the message of slide-failed): a slide's URI, its file name
 * and its case id become placeholders, and so does any other object or file URI and absolute path, which carry
 * file names and the configured roots and buckets. Slide ids are opaque and stay. The slide-failed event keeps the
 * URI in its own field, for operators.
 */
public final class Redaction {

    private static final Pattern OBJECT_URI = Pattern.compile("\\bs3://[^\\s'\",;)\\]]+");
    private static final Pattern FILE_URI = Pattern.compile("\\bfile:[^\\s'\",;)\\]]+");
    /** An absolute path: a slash after a space, quote, bracket, '=' or ':' (or at the start), then a non-space run. */
    private static final Pattern PATH = Pattern.compile("(?<=^|[\\s'\"(\\[=:])/[^\\s'\",;)\\]]+");

    private Redaction() {
    }

    /**
     * The text with the slide's URI, file name and case id, and every other URI and absolute path, replaced.
     *
     * @param slideUri the slide's URI, or null
     * @param caseId the slide's case id, or null
     */
    public static String of(String text, String slideUri, String caseId) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (slideUri != null && !slideUri.isBlank()) {
            out = out.replace(slideUri, "<slide URI>");
        }
        out = OBJECT_URI.matcher(out).replaceAll("<object URI>");
        out = FILE_URI.matcher(out).replaceAll("<file URI>");
        out = PATH.matcher(out).replaceAll("<path>");
        // What is left of the slide outside a URI or path: its file name as a library quotes it, its case id.
        if (slideUri != null && !slideUri.isBlank()) {
            String name = fileName(slideUri);
            if (name.length() >= 3) {
                out = out.replace(name, "<slide file>");
            }
        }
        if (caseId != null && caseId.length() >= 2) {
            out = out.replace(caseId, "<case id>");
        }
        return out;
    }

    /**
     * An exception to log in place of {@code e}: the same class name and stack, its message (and its causes') redacted.
     */
    public static Throwable of(Throwable e, String slideUri, String caseId) {
        if (e == null) {
            return null;
        }
        Throwable redacted = new Redacted(e.getClass().getName() + ": " + of(e.getMessage(), slideUri, caseId),
                e.getCause() == null || e.getCause() == e ? null : of(e.getCause(), slideUri, caseId));
        redacted.setStackTrace(e.getStackTrace());
        return redacted;
    }

    static String fileName(String uri) {
        String path = uri.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*:", "");
        String name = path.substring(path.lastIndexOf('/') + 1);
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name;
        }
    }

    /** An exception already redacted: its message names the original class. */
    static final class Redacted extends RuntimeException {
        Redacted(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
