package dev.tern.runtime.format;

/**
 * The fixed header of a {@code .tern} file, as {@link TernReader#readHeader} checked it:
 * format version, declared size and section count (docs/FORMAT.md, "Header").
 */
public final class FileHeader {
    private final int major;
    private final int minor;
    private final long fileSize;
    private final int sectionCount;

    FileHeader(int major, int minor, long fileSize, int sectionCount) {
        this.major = major;
        this.minor = minor;
        this.fileSize = fileSize;
        this.sectionCount = sectionCount;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    /** "major.minor", e.g. "1.2". */
    public String version() {
        return major + "." + minor;
    }

    /** The file size the header declares (bytes). */
    public long fileSize() {
        return fileSize;
    }

    public int sectionCount() {
        return sectionCount;
    }
}
