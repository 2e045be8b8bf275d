package dev.tern.compress.report;

import java.util.List;

/** {@code report.md}: the blocks of {@link ReportDocument} as GitHub-flavoured Markdown. */
public final class MarkdownRenderer {
    private MarkdownRenderer() {
    }

    public static String render(ReportModel model) {
        StringBuilder sb = new StringBuilder();
        for (ReportDocument.Block b : ReportDocument.of(model)) {
            if (b instanceof ReportDocument.Heading h) {
                sb.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
            } else if (b instanceof ReportDocument.Paragraph p) {
                sb.append(p.strong() == null ? "" : "**" + p.strong() + "**").append(p.text()).append("\n\n");
            } else if (b instanceof ReportDocument.Table t) {
                table(sb, t);
            } else if (b instanceof ReportDocument.Bullets l) {
                l.items().forEach(i -> sb.append("- ").append(i).append('\n'));
                sb.append('\n');
            } else if (b instanceof ReportDocument.Images im) {
                im.files().forEach(f -> sb.append("![").append(f).append("](").append(f).append(")\n"));
                sb.append('\n');
            } else if (b instanceof ReportDocument.Links k) {
                sb.append(k.lead()).append(": ");
                k.files().forEach(f -> sb.append('[').append(f).append("](").append(f).append("), "));
                sb.append(k.tail()).append('\n');
            }
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, ReportDocument.Table t) {
        row(sb, t.header());
        sb.append('|');
        for (int i = 0; i < t.header().size(); i++) {
            sb.append(t.numeric()[i] ? "---:|" : "---|");
        }
        sb.append('\n');
        t.rows().forEach(r -> row(sb, r));
        sb.append('\n');
    }

    private static void row(StringBuilder sb, List<String> cells) {
        sb.append('|');
        // a '|' inside a cell would end it
        cells.forEach(c -> sb.append(' ').append(c.replace("|", "\\|")).append(" |"));
        sb.append('\n');
    }
}
