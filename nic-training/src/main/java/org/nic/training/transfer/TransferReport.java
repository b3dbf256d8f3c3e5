package org.nic.training.transfer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.nic.training.probe.TransferProbe;

/** The transfer table as markdown: one row per encoder, per dataset all / 20 / 5 labels per class. */
public final class TransferReport {

    private TransferReport() {
    }

    public static String markdown(TransferEvaluation.Report report) {
        StringBuilder md = new StringBuilder();
        md.append("Datasets: ");
        List<String> parts = new ArrayList<>();
        for (TransferEvaluation.Dataset d : report.datasets()) {
            parts.add(String.format("%s (%d classes, %d patches, %d groups)", d.name(), d.classes().size(), d.examples(), d.groups()));
        }
        md.append(String.join("; ", parts)).append(".\n");
        md.append(String.format("Settings: %s.%n%n", report.settings()));
        md.append("Linear-probe accuracy out of fold (each patch scored by a probe that never saw its group), ")
                .append("± sd across folds (all labels) or across draws (20 and 5 labels per class). ")
                .append("`(own)`: the encoder was trained on that dataset (in-distribution, not in its mean). ")
                .append("LODO mean: mean over transfer columns of (all + k5) / 2, the rule's figure.\n\n");
        md.append("| encoder | kind |");
        for (TransferEvaluation.Dataset d : report.datasets()) {
            md.append(String.format(" %s all | %s k20 | %s k5 |", d.name(), d.name(), d.name()));
        }
        md.append(" LODO mean |\n|---|---|").append("---|---|---|".repeat(report.datasets().size())).append("---|\n");
        List<TransferEvaluation.Row> rows = new ArrayList<>(report.rows());
        rows.sort(Comparator.comparingDouble(TransferEvaluation.Row::lodoMean).reversed());
        for (TransferEvaluation.Row row : rows) {
            md.append("| ").append(row.encoder()).append(" | ").append(row.kind()).append(" |");
            for (TransferEvaluation.Dataset d : report.datasets()) {
                TransferEvaluation.Cell cell = row.columns().get(d.name());
                for (String k : List.of("all", "k20", "k5")) {
                    md.append(' ').append(format(cell.scores().get(k))).append(cell.transfer() ? "" : " (own)").append(" |");
                }
            }
            md.append(String.format(" **%.3f** |%n", row.lodoMean()));
        }
        return md.toString();
    }

    static String format(TransferProbe.Score s) {
        return String.format("%.3f ± %.3f", s.mean(), s.sd());
    }

    /** The candidate the rule chooses: highest LODO mean among candidates. */
    public static TransferEvaluation.Row winner(TransferEvaluation.Report report) {
        return report.rows().stream().filter(r -> r.kind().equals("candidate"))
                .max(Comparator.comparingDouble(TransferEvaluation.Row::lodoMean)).orElseThrow();
    }

    /** Columns (dataset/all|k5) where {@code row} does not beat {@code baseline}. */
    public static List<String> notBeating(TransferEvaluation.Row row, TransferEvaluation.Row baseline) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, TransferEvaluation.Cell> e : row.columns().entrySet()) {
            for (String k : List.of("all", "k5")) {
                double a = e.getValue().scores().get(k).mean();
                double b = baseline.columns().get(e.getKey()).scores().get(k).mean();
                if (!(a > b)) {
                    out.add(String.format("%s %s (%.3f vs %.3f)", e.getKey(), k, a, b));
                }
            }
        }
        return out;
    }
}
