package org.nic.cohort;

import java.util.List;
import java.util.Map;
import org.nic.event.ModelPublished;

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

    static String heads(Map<String, ModelPublished> heads) {
        StringBuilder s = new StringBuilder();
        heads.forEach((task, m) -> s.append(s.length() == 0 ? "" : "; ").append(String.format("%s %s (held-out %s %.3f, gain"
                + " lower bound %s)", task, m.headVersion(), m.metric(), m.heldOutMetric(),
                m.gainLower() == null ? "-" : String.format("%.3f", m.gainLower()))));
        return s.toString();
    }
}
