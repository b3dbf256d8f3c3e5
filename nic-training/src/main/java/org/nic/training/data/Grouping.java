package org.nic.training.data;

import java.util.ArrayList;
import java.util.List;

/** Assigns each example a group; a split never separates a group. */
public interface Grouping {

    List<PatchExample> assign(List<PatchExample> examples);

    /** Groups by the part of the file name before {@code "__"} (the source a mined patch came from). */
    static Grouping bySourcePrefix() {
        return examples -> {
            List<PatchExample> out = new ArrayList<>();
            for (PatchExample e : examples) {
                String name = e.file().getFileName().toString();
                int cut = name.indexOf("__");
                out.add(new PatchExample(e.rgb(), e.side(), e.task(), e.label(), cut > 0 ? name.substring(0, cut) : name, e.file()));
            }
            return out;
        };
    }

    /**
     * Groups by the first match of a regular expression in the file name, e.g. {@code CRC-Prim-HE-\d+} for
     * Kather's tiles, which name their source slide; a file without a match is its own group.
     */
    static Grouping byPattern(String regex) {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
        return examples -> {
            List<PatchExample> out = new ArrayList<>();
            for (PatchExample e : examples) {
                String name = e.file().getFileName().toString();
                java.util.regex.Matcher m = pattern.matcher(name);
                out.add(new PatchExample(e.rgb(), e.side(), e.task(), e.label(), m.find() ? m.group() : name, e.file()));
            }
            return out;
        };
    }

    /** Groups near-duplicates (see {@link PerceptualHash}) so that augmented twins share a split. */
    static Grouping byNearDuplicates(int maxHammingDistance) {
        return examples -> PerceptualHash.group(examples, maxHammingDistance);
    }
}
