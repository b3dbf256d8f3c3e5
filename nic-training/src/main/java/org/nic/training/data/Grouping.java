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

    /** Groups near-duplicates (see {@link PerceptualHash}) so that augmented twins share a split. */
    static Grouping byNearDuplicates(int maxHammingDistance) {
        return examples -> PerceptualHash.group(examples, maxHammingDistance);
    }
}
