package org.nic.cohort;

import java.util.List;
import java.util.Map;
import org.nic.event.ModelPublished;
import org.nic.stats.Bootstrap;

/** Markdown of cohort results: one row per encoder and method, one column per task (metric [95% CI]). */
final class CohortReport {

    private CohortReport() {
    }

    static String markdown(List<CohortEvaluation.Row> rows, int testSlides) {
        return markdown(rows, testSlides + " unseen test slides");
    }

    /** The table, judged on {@code judgedOn} (e.g. "40 held-out training slides"). */
    static String markdown(List<CohortEvaluation.Row> rows, String judgedOn) {
        StringBuilder md = new StringBuilder(String.format("On %s; 95%% bootstrap intervals (2,000 resamples).%n%n", judgedOn));
        md.append("| encoder | method |");
        for (CohortTask t : CohortTask.values()) {
            md.append(' ').append(t.task()).append(" (").append(t.metric()).append(") |");
        }
        md.append("\n|---|---|").append("---|".repeat(CohortTask.values().length)).append('\n');
        for (CohortEvaluation.Row row : rows) {
            md.append("| ").append(row.encoder()).append(" | ").append(row.method()).append(" |");
            for (CohortTask t : CohortTask.values()) {
                Bootstrap.Interval i = row.metrics().get(t);
                md.append(' ').append(i == null ? "" : i.toString()).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /**
     * The spread over training seeds: for each method trained with several seeds (rows named "... (seed N)"), each
     * task's max - min of the metric.
     */
    static String spread(List<CohortEvaluation.Row> rows) {
        Map<String, java.util.List<CohortEvaluation.Row>> byMethod = new java.util.LinkedHashMap<>();
        for (CohortEvaluation.Row row : rows) {
            int at = row.method().indexOf(" (seed ");
            if (at > 0) {
                byMethod.computeIfAbsent(row.encoder() + " | " + row.method().substring(0, at), k -> new java.util.ArrayList<>())
                        .add(row);
            }
        }
        StringBuilder md = new StringBuilder(String.format("%nSpread over training seeds (max - min of the metric):%n%n| encoder"
                + " | method | seeds |"));
        for (CohortTask t : CohortTask.values()) {
            md.append(' ').append(t.task()).append(" |");
        }
        md.append("\n|---|---|---|").append("---|".repeat(CohortTask.values().length)).append('\n');
        byMethod.forEach((key, group) -> {
            md.append("| ").append(key).append(" | ").append(group.size()).append(" |");
            for (CohortTask t : CohortTask.values()) {
                java.util.DoubleSummaryStatistics stats = group.stream().map(r -> r.metrics().get(t))
                        .filter(i -> i != null && !Double.isNaN(i.value())).mapToDouble(Bootstrap.Interval::value).summaryStatistics();
                md.append(' ').append(stats.getCount() < 2 ? "" : String.format("%.3f (%.3f-%.3f)", stats.getMax() - stats.getMin(),
                        stats.getMin(), stats.getMax())).append(" |");
            }
            md.append('\n');
        });
        return md.toString();
    }

    static String heads(Map<String, ModelPublished> heads) {
        StringBuilder s = new StringBuilder();
        heads.forEach((task, m) -> s.append(s.length() == 0 ? "" : "; ").append(String.format("%s %s (held-out %s %.3f, gain"
                + " lower bound %s)", task, m.headVersion(), m.metric(), m.heldOutMetric(),
                m.gainLower() == null ? "-" : String.format("%.3f", m.gainLower()))));
        return s.toString();
    }
}
