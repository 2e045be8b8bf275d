package dev.tern.compress.cli;

import dev.tern.compress.job.DistillConfig;
import dev.tern.compress.job.Field;
import dev.tern.compress.job.FinetuneConfig;
import dev.tern.compress.job.PruneConfig;
import dev.tern.compress.job.QuantizeConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every option of a job's command is a field of its recipe stage and the other way round
 * (issue 18, item 1): besides the fields, a command has only its own inputs and outputs.
 */
class JobOptionsTest {
    /** Options about files, output and help: not settings of the job. */
    static final Set<String> IO = Set.of("--out", "--data", "--json", "--quiet", "--teacher", "--eval-samples", "--help", "--version");

    static void check(Object command, List<Field> fields) {
        Set<String> options = new TreeSet<>();
        for (OptionSpec o : new CommandLine(command).getCommandSpec().options()) {
            if (!IO.contains(o.longestName())) {
                options.add(o.longestName());
            }
        }
        Set<String> want = new TreeSet<>();
        fields.forEach(f -> want.add(f.option()));
        assertEquals(want, options, command.getClass().getSimpleName());
    }

    @Test
    void commandOptionsAreTheConfigFields() {
        check(new QuantizeCommand(), QuantizeConfig.FIELDS);
        check(new PruneCommand(), PruneConfig.FIELDS);
        check(new FinetuneCommand(), FinetuneConfig.FIELDS);
        check(new DistillCommand(), DistillConfig.FIELDS);
        check(new EvalCommand(), dev.tern.compress.job.EvaluateConfig.FIELDS);
    }
}
