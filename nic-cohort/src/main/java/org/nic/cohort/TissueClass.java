package org.nic.cohort;

/** What a cell of a synthetic slide shows: a Kather 2016 tissue class, or glass. */
public enum TissueClass {
    BACKGROUND(null),
    TUMOUR("01_TUMOR"),
    STROMA("02_STROMA"),
    LYMPHOCYTES("04_LYMPHO"),
    DEBRIS("05_DEBRIS"),
    MUCOSA("06_MUCOSA"),
    ADIPOSE("07_ADIPOSE");

    private final String katherFolder;

    TissueClass(String katherFolder) {
        this.katherFolder = katherFolder;
    }

    /** The Kather 2016 class folder its tiles come from; null for glass. */
    public String katherFolder() {
        return katherFolder;
    }
}
