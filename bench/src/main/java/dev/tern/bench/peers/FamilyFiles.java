package dev.tern.bench.peers;

import dev.tern.compress.examples.SeededOnnx;
import dev.tern.compress.io.NpyWriter;
import dev.tern.compress.onnx.OnnxImporter;
import dev.tern.runtime.format.TernWriter;
import dev.tern.runtime.model.ModelDef;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * Writes what {@link FamilyPeers} runs, into {@code bench/target/families/}: each family's filled
 * ONNX file, its import as {@code <family>.tern}, and 64 random calibration inputs
 * ({@code <family>-calib.npy}) for {@code tern quantize} (scripts/family-bench does it all).
 */
public final class FamilyFiles {
    private FamilyFiles() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get("bench/target/families");
        Files.createDirectories(dir);
        for (String family : args) {
            byte[] onnx = SeededOnnx.readBytes(Paths.get(FamilyPeers.FIXTURES + family + "/model.onnx"));
            Files.write(dir.resolve(family + ".onnx"), onnx);
            ModelDef def = OnnxImporter.importBytes(onnx, family + ".onnx", null).model;
            TernWriter.write(def, dir.resolve(family + ".tern"));
            int n = 64;
            int[] sample = def.inputs().get(0).sampleShape();
            int[] shape = new int[sample.length + 1];
            shape[0] = n;
            System.arraycopy(sample, 0, shape, 1, sample.length);
            NpyWriter.write(dir.resolve(family + "-calib.npy"), shape, FamilyPeers.random(new Random(7), n * def.inputs().get(0).sampleSize()));
            System.out.println("wrote " + dir.resolve(family) + ".{onnx,tern} and -calib.npy");
        }
    }
}
