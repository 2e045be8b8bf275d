package dev.tern.runtime.model;

/** What a task head predicts. */
public enum TaskKind {
    /** One class of n: softmax probabilities, top-k. */
    MULTICLASS(1),
    /** Any subset of n labels: one sigmoid probability per label, a threshold per label. */
    MULTILABEL(2),
    /** Real values. */
    REGRESSION(3);

    private final int code;

    TaskKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static TaskKind fromCode(int code) {
        for (TaskKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
