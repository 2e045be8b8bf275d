package dev.tern.runtime.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TaskSpecTest {
    @Test
    void printsAsNameKindAndSizeNotAnIdentityHash() {
        // `tern distill` named the teacher's tasks as TaskSpec@46daef40 in an error message.
        TaskSpec left = TaskSpec.multiclass("left", "left_logits", List.of("a", "b", "c"));
        assertEquals("left (multiclass, 3 labels, output 'left_logits')", left.toString());
        TaskSpec ink = TaskSpec.regression("ink", "ink_out", List.of("ink"));
        assertEquals("[left (multiclass, 3 labels, output 'left_logits'), ink (regression, 1 label, output 'ink_out')]",
                List.of(left, ink).toString());
    }
}
