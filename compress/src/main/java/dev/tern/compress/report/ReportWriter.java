package dev.tern.compress.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.runtime.format.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every rendering of a {@link ReportModel} into a folder, each file atomically. */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** report.json, report.md, index.html and the plots; returns the JSON. */
    public static ObjectNode write(Path dir, ReportModel model) throws IOException {
        Files.createDirectories(dir);
        PlotRenderer.render(model, dir);
        ObjectNode j = JsonRenderer.render(model);
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(dir.resolve("report.json"), om.writeValueAsBytes(j));
        AtomicFiles.write(dir.resolve("report.md"), MarkdownRenderer.render(model).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("index.html"), HtmlRenderer.render(model).getBytes(StandardCharsets.UTF_8));
        return j;
    }
}
