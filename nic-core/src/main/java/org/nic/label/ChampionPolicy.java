package org.nic.label;

/**
 * Whether a newly trained head (challenger) replaces the active one (champion): only when it beats it on
 * the same held-out slides by {@code margin}, measured on at least {@code minHeldOut} slides. A first head
 * must beat the trivial baseline (mean, class prior, random risk) the same way. Higher metric is better.
 */
public final class ChampionPolicy {

    /** The decision and why, for logs and cards. */
    public record Decision(boolean publish, String reason) { }

    private final double margin;
    private final int minHeldOut;

    public ChampionPolicy(double margin, int minHeldOut) {
        this.margin = margin;
        this.minHeldOut = minHeldOut;
    }

    /**
     * @param challenger the new head's held-out metric
     * @param champion the active head's metric on the same slides, or null when there is none
     * @param baseline the trivial predictor's metric on the same slides
     * @param heldOut number of held-out slides
     */
    public Decision decide(double challenger, Double champion, double baseline, int heldOut) {
        if (heldOut < minHeldOut) {
            return new Decision(false, "only " + heldOut + " held-out slides, " + minHeldOut + " needed");
        }
        if (!Double.isFinite(challenger)) {
            return new Decision(false, "challenger metric is not a number");
        }
        double bar = champion != null ? champion : baseline;
        String against = champion != null ? "champion" : "baseline";
        if (challenger >= bar + margin) {
            return new Decision(true, String.format("%.4f beats the %s's %.4f by >= %.4f on %d held-out slides",
                    challenger, against, bar, margin, heldOut));
        }
        return new Decision(false, String.format("%.4f does not beat the %s's %.4f by %.4f on %d held-out slides",
                challenger, against, bar, margin, heldOut));
    }
}
