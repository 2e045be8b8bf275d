package dev.tern.compress.io;

/** Bytes as lower-case hex, for messages about file signatures. */
final class Hex {
    private Hex() {
    }

    static String of(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.length() == 0 ? "(nothing: the file is empty)" : sb.toString();
    }
}
