package dev.tern.runtime;

import dev.tern.runtime.internal.Plan;

/** An immutable, reusable choice of tasks of one model, with the nodes they need precomputed. */
public final class TaskSet {
    private final TernModel model;
    private final int[] tasks;
    private final boolean[] nodes;

    TaskSet(TernModel model, int[] tasks) {
        this(model, tasks, false);
    }

    /** @param withOutputs also run the nodes the graph outputs need */
    TaskSet(TernModel model, int[] tasks, boolean withOutputs) {
        this.model = model;
        this.tasks = tasks.clone();
        Plan plan = model.plan();
        this.nodes = new boolean[plan.nodeCount()];
        for (int t : tasks) {
            boolean[] need = plan.taskNodes(t);
            for (int i = 0; i < need.length; i++) {
                nodes[i] |= need[i];
            }
        }
        if (withOutputs) {
            boolean[] need = plan.outputNodes();
            for (int i = 0; i < need.length; i++) {
                nodes[i] |= need[i];
            }
        }
    }

    TernModel model() {
        return model;
    }

    int[] taskIndices() {
        return tasks;
    }

    boolean[] nodes() {
        return nodes;
    }

    /** Number of graph nodes these tasks run. */
    public int nodeCount() {
        int n = 0;
        for (boolean b : nodes) {
            n += b ? 1 : 0;
        }
        return n;
    }

    public int size() {
        return tasks.length;
    }

    /** Task names, in the order given. */
    public String[] names() {
        String[] n = new String[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            n[i] = model.tasks().get(tasks[i]).name();
        }
        return n;
    }
}
