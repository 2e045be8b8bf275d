package dev.tern.runtime.model;

final class Names {
    private Names() {
    }

    static String check(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " name must not be empty");
        }
        if (name.length() > 1024) {
            throw new IllegalArgumentException(what + " name longer than 1024 characters: '" + name.substring(0, 40) + "...'");
        }
        return name;
    }
}
