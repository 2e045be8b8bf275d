package dev.tern.compress.data;

import dev.tern.runtime.model.TaskKind;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Multi-Fashion canvases ({@link CanvasSet}) as a {@link Dataset}: samples {@code v / 255f},
 * NHWC [36, 36, 1]; tasks {@code left}, {@code right} (multiclass, 10 classes) and
 * {@code present} (multilabel, 10 labels). The checksum is the digest models/README.md pins:
 * sha256 over each canvas's 1296 uint8 pixels followed by the bytes left and right.
 */
public final class MultiFashionData implements Dataset {
    private static final Set<String> TASKS = new LinkedHashSet<>(List.of("left", "right", "present"));
    private final CanvasSet canvases;
    private volatile String checksum;

    public MultiFashionData(CanvasSet canvases) {
        this.canvases = canvases;
    }

    /** The canvases. */
    public CanvasSet canvases() {
        return canvases;
    }

    @Override
    public String name() {
        return canvases.name();
    }

    @Override
    public String split() {
        return canvases.size() + " canvases";
    }

    @Override
    public String checksum() {
        String c = checksum;
        if (c == null) {
            c = "sha256:" + digest(canvases);
            checksum = c;
        }
        return c;
    }

    /** The pinned digest of models/README.md ("Multi-Fashion"), as lowercase hex. */
    public static String digest(CanvasSet s) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] c = new byte[MultiFashion.PIXELS];
        for (int i = 0; i < s.size(); i++) {
            s.fill(i, c, 0);
            md.update(c);
            md.update((byte) s.left(i));
            md.update((byte) s.right(i));
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    @Override
    public int size() {
        return canvases.size();
    }

    @Override
    public int sampleSize() {
        return MultiFashion.PIXELS;
    }

    @Override
    public void fill(int i, float[] dst, int off) {
        canvases.fill(i, dst, off);
    }

    @Override
    public Set<String> tasks() {
        return TASKS;
    }

    @Override
    public TaskLabels labels(String task) {
        switch (task) {
            case "left":
                return TaskLabels.multiclass(MultiFashion.CLASSES, canvases.left());
            case "right":
                return TaskLabels.multiclass(MultiFashion.CLASSES, canvases.right());
            case "present": {
                int[][] p = canvases.present();
                boolean[][] rows = new boolean[p.length][MultiFashion.CLASSES];
                for (int i = 0; i < p.length; i++) {
                    for (int c = 0; c < MultiFashion.CLASSES; c++) {
                        rows[i][c] = p[i][c] != 0;
                    }
                }
                return TaskLabels.multilabel(MultiFashion.CLASSES, rows);
            }
            default:
                return null;
        }
    }

    /** The kind Multi-Fashion labels {@code task} with, or null. */
    public static TaskKind kindOf(String task) {
        return task.equals("present") ? TaskKind.MULTILABEL : TASKS.contains(task) ? TaskKind.MULTICLASS : null;
    }

    @Override
    public Dataset slice(int from, int n) {
        return new MultiFashionData(from == 0 ? canvases.subset(n) : canvases.slice(from, n));
    }
}
