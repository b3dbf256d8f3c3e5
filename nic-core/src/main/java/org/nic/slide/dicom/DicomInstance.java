package org.nic.slide.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.nic.slide.SlideException;

/**
 * The header of one DICOM instance of a whole-slide image (read by PixelMed up to, not including, its pixel data):
 * what kind of image it is, its pixel matrix, tiles and spacing. Its frames are read by {@link DicomLevel}.
 */
record DicomInstance(Path file, String sopClassUid, String transferSyntaxUid, String seriesUid, String frameOfReferenceUid,
                     String imageFlavor, long totalColumns, long totalRows, int tileColumns, int tileRows, int frames,
                     String photometric, int samplesPerPixel, int bitsAllocated, int planarConfiguration,
                     Double spacingRowMm, Double spacingColumnMm, boolean sparse) {

    /** VL Whole Slide Microscopy Image Storage. */
    static final String WSI_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.6";

    /** Transfer syntaxes whose frames this reader decodes: native little endian, JPEG baseline, JPEG 2000. */
    static final Set<String> DECODED = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.50",
            "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91");
    static final Set<String> NATIVE = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1");
    static final Set<String> COLOUR = Set.of("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT");

    /** Whether a file starts like DICOM Part 10: a 128-byte preamble, then {@code DICM}. */
    static boolean isDicom(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the header; a file that is not DICOM or is cut short is an {@code OPEN_FAILED}. */
    static DicomInstance read(Path file) {
        AttributeList list = new AttributeList();
        try {
            list.read(file.toFile(), TagFromName.PixelData);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new SlideException(SlideException.Kind.OPEN_FAILED, file, "cannot read its DICOM header: "
                    + e.getClass().getSimpleName());
        }
        String flavor = "";
        String[] type = strings(list, TagFromName.ImageType);
        if (type.length >= 3) {
            flavor = type[2].trim().toUpperCase(Locale.ROOT);
        }
        Double spacingRow = null;
        Double spacingColumn = null;
        double[] spacing = pixelSpacing(list);
        if (spacing != null) {
            spacingRow = spacing[0];
            spacingColumn = spacing[1];
        }
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        long totalColumns = Attribute.getSingleLongValueOrDefault(list, TagFromName.TotalPixelMatrixColumns, columns);
        long totalRows = Attribute.getSingleLongValueOrDefault(list, TagFromName.TotalPixelMatrixRows, rows);
        String organisation = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.DimensionOrganizationType);
        boolean sparse = "TILED_SPARSE".equalsIgnoreCase(organisation.trim())
                || (!"TILED_FULL".equalsIgnoreCase(organisation.trim()) && perFramePositions(list));
        return new DicomInstance(file, Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID).trim(),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID).trim(),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID).trim(),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.FrameOfReferenceUID).trim(), flavor,
                totalColumns, totalRows, columns, rows, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation).trim()
                        .toUpperCase(Locale.ROOT),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 0),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PlanarConfiguration, 0), spacingRow, spacingColumn,
                sparse);
    }

    boolean isSlide() {
        return WSI_SOP_CLASS.equals(sopClassUid);
    }

    boolean isVolume() {
        return "VOLUME".equals(imageFlavor);
    }

    int tilesAcross() {
        return (int) ((totalColumns + tileColumns - 1) / tileColumns);
    }

    int tilesDown() {
        return (int) ((totalRows + tileRows - 1) / tileRows);
    }

    /**
     * Why this reader cannot decode the instance's pixels, or null when it can: 8-bit colour (RGB or YBR) in a
     * transfer syntax with a decoder here.
     */
    SlideException undecodable() {
        if (!DECODED.contains(transferSyntaxUid)) {
            return new SlideException(SlideException.Kind.UNSUPPORTED_TRANSFER_SYNTAX, file, "transfer syntax "
                    + transferSyntaxUid + " has no decoder here (decoded: native little endian, JPEG baseline, JPEG 2000)");
        }
        if (samplesPerPixel != 3 || bitsAllocated != 8 || !COLOUR.contains(photometric)) {
            return new SlideException(SlideException.Kind.UNSUPPORTED_PIXEL_FORMAT, file, String.format(
                    "%d sample(s) of %d bits, %s: only 8-bit colour (RGB, YBR) is a bright-field slide here", samplesPerPixel,
                    bitsAllocated, photometric.isEmpty() ? "no photometric interpretation" : photometric));
        }
        if (tileColumns <= 0 || tileRows <= 0 || totalColumns <= 0 || totalRows <= 0) {
            return new SlideException(SlideException.Kind.OPEN_FAILED, file, "no pixel matrix (rows, columns) in its header");
        }
        if (NATIVE.contains(transferSyntaxUid) && !"RGB".equals(photometric) && !"YBR_FULL".equals(photometric)) {
            return new SlideException(SlideException.Kind.UNSUPPORTED_PIXEL_FORMAT, file, "uncompressed " + photometric
                    + " frames");
        }
        return null;
    }

    /** PixelSpacing (row, column) in mm: the shared functional groups' pixel measures, else the top level's. */
    private static double[] pixelSpacing(AttributeList list) {
        Attribute a = SequenceAttribute.getNamedAttributeFromWithinSequenceWithSingleItem(list,
                TagFromName.SharedFunctionalGroupsSequence, TagFromName.PixelMeasuresSequence);
        if (a instanceof SequenceAttribute measures && measures.getNumberOfItems() > 0) {
            double[] v = doubles(measures.getItem(0).getAttributeList(), TagFromName.PixelSpacing);
            if (v.length == 2) {
                return v;
            }
        }
        double[] v = doubles(list, TagFromName.PixelSpacing);
        return v.length == 2 ? v : null;
    }

    private static boolean perFramePositions(AttributeList list) {
        Attribute a = list.get(TagFromName.PerFrameFunctionalGroupsSequence);
        if (!(a instanceof SequenceAttribute s) || s.getNumberOfItems() == 0) {
            return false;
        }
        SequenceItem first = s.getItem(0);
        return first.getAttributeList().get(TagFromName.PlanePositionSlideSequence) != null;
    }

    static String[] strings(AttributeList list, AttributeTag tag) {
        try {
            Attribute a = list.get(tag);
            return a == null ? new String[0] : a.getStringValues();
        } catch (DicomException e) {
            return new String[0];
        }
    }

    static double[] doubles(AttributeList list, AttributeTag tag) {
        try {
            Attribute a = list.get(tag);
            return a == null ? new double[0] : a.getDoubleValues();
        } catch (DicomException | NumberFormatException e) {
            return new double[0];
        }
    }

    /** For messages: the file's name. */
    String name() {
        return file.getFileName().toString();
    }

    @Override
    public String toString() {
        return name() + " " + imageFlavor + " " + totalColumns + "x" + totalRows + " tiles " + tileColumns + "x" + tileRows
                + (sparse ? " sparse" : "") + " " + Arrays.asList(transferSyntaxUid, photometric);
    }

    File asFile() {
        return file.toFile();
    }
}
