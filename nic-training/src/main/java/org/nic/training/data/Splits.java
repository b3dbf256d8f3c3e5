package org.nic.training.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/** Deterministic group-level splits: a group's side depends only on its name and the seed. */
public final class Splits {

    private Splits() {
    }

    /**
     * Examples whose group hashes into the validation share, or whose group is one of {@code heldOut}
     * (whole sources kept for validation).
     */
    public static boolean isValidation(PatchExample e, double share, long seed, Set<String> heldOut) {
        if (heldOut.contains(e.group())) {
            return true;
        }
        CRC32 crc = new CRC32();
        crc.update((seed + ":" + e.group()).getBytes(StandardCharsets.UTF_8));
        return (crc.getValue() % 10_000) / 10_000.0 < share;
    }

    public static List<PatchExample> train(List<PatchExample> all, double share, long seed, Set<String> heldOut) {
        List<PatchExample> out = new ArrayList<>();
        all.stream().filter(e -> !isValidation(e, share, seed, heldOut)).forEach(out::add);
        return out;
    }

    public static List<PatchExample> validation(List<PatchExample> all, double share, long seed, Set<String> heldOut) {
        List<PatchExample> out = new ArrayList<>();
        all.stream().filter(e -> isValidation(e, share, seed, heldOut)).forEach(out::add);
        return out;
    }
}
