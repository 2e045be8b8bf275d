package dev.tern.compress.report;

import java.util.List;

/** {@code index.html}: the blocks of {@link ReportDocument} as one static page, plots inline. */
public final class HtmlRenderer {
    private HtmlRenderer() {
    }

    // The table is wide (a column per task plus ten): small type, numbers kept on one line, the
    // stage descriptions given room to wrap.
    private static final String STYLE = "body{font-family:sans-serif;margin:1.5em;color:#111}"
            + "table{border-collapse:collapse;font-size:82%}td,th{border:1px solid #bbb;padding:3px 5px;text-align:left;"
            + "vertical-align:top}td.n,th.n{text-align:right}td:first-child{white-space:nowrap}"
            + "td:last-child{min-width:14em}tr:nth-child(even) td{background:#f2f2f2}tr.teacher td{font-weight:bold}"
            + "p,ul{max-width:75em}img{width:49%;min-width:30em;margin:2px;border:1px solid #ddd}";

    public static String render(ReportModel model) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tern compression report: ")
                .append(esc(model.run().recipe())).append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
        for (ReportDocument.Block b : ReportDocument.of(model)) {
            if (b instanceof ReportDocument.Heading h) {
                sb.append("<h").append(h.level()).append('>').append(esc(h.text())).append("</h").append(h.level()).append(">\n");
            } else if (b instanceof ReportDocument.Paragraph p) {
                sb.append("<p>").append(p.strong() == null ? "" : "<strong>" + esc(p.strong()) + "</strong>")
                        .append(esc(p.text())).append("</p>\n");
            } else if (b instanceof ReportDocument.Table t) {
                table(sb, t);
            } else if (b instanceof ReportDocument.Bullets l) {
                sb.append("<ul>\n");
                l.items().forEach(i -> sb.append("<li>").append(esc(i)).append("</li>\n"));
                sb.append("</ul>\n");
            } else if (b instanceof ReportDocument.Images im) {
                im.files().forEach(f -> sb.append("<img src=\"").append(esc(f)).append("\" alt=\"").append(esc(f)).append("\">\n"));
            } else if (b instanceof ReportDocument.Links k) {
                sb.append("<p>").append(esc(k.lead())).append(": ");
                k.files().forEach(f -> sb.append("<a href=\"").append(esc(f)).append("\">").append(esc(f)).append("</a>, "));
                sb.append(esc(k.tail())).append("</p>\n");
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder sb, ReportDocument.Table t) {
        sb.append("<table>\n<tr>");
        cells(sb, "th", t.header(), t.numeric());
        sb.append("</tr>\n");
        for (int i = 0; i < t.rows().size(); i++) {
            // the first row is the teacher's
            sb.append(i == 0 ? "<tr class=\"teacher\">" : "<tr>");
            cells(sb, "td", t.rows().get(i), t.numeric());
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void cells(StringBuilder sb, String tag, List<String> cells, boolean[] numeric) {
        for (int i = 0; i < cells.size(); i++) {
            sb.append('<').append(tag).append(numeric[i] ? " class=\"n\">" : ">").append(esc(cells.get(i))).append("</")
                    .append(tag).append('>');
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
