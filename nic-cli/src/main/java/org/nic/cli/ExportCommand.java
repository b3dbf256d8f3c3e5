package org.nic.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.ModelPublished;
import org.nic.event.Topics;
import org.nic.export.QuPathGeoJson;
import org.nic.export.SlideExport;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.model.HeadRegions;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;
import org.nic.trust.HeadRefused;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nic export --slide ID}: the slide's tissue cells and each active head's value per region as GeoJSON for
 * QuPath (docs/dashboard.md), the same file as the dashboard's {@code export.geojson}. Reads the plan and the grid from
 * the store, the active heads from {@code model-published}, and runs only heads signed by a trusted key
 * ({@code NIC_TRUST_HEAD_KEYS}), as the predictor and the dashboard do.
 */
@Command(name = "export", description = "Write a slide's tissue cells and each active head's value per region as GeoJSON "
        + "that QuPath imports (File > Import objects from file): level-0 pixel coordinates, one tile object per cell.")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--slide", required = true)
    String slide;

    @Option(names = "--encoder", description = "the grid's encoder (default: the slide's only grid)")
    String encoder;

    @Option(names = "--out", description = "the file to write (default: <slide>.geojson; - for standard output)")
    String out;

    @Option(names = "--bucket", defaultValue = "nic", description = "NIC's bucket (default: ${DEFAULT-VALUE})")
    String bucket;

    @Option(names = "--window", defaultValue = "" + HeadRegions.WINDOW,
            description = "edge in cells of the window a head reads per region, at most its crop (default: ${DEFAULT-VALUE}, the dashboard's)")
    int window;

    @Option(names = "--max-regions", defaultValue = "" + HeadRegions.MAX_REGIONS,
            description = "most head evaluations per slide (default: ${DEFAULT-VALUE}, the dashboard's)")
    int maxRegions;

    @Option(names = "--no-heads", description = "tissue cells only, without reading model-published")
    boolean noHeads;

    @Override
    public Integer call() throws IOException {
        if (!StorageLayout.isValidSlideId(slide)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "not a slide id: " + slide);
        }
        ObjectStore.Settings settings = NicCli.storage(bucket);
        List<ModelPublished> published = List.of();
        TrustedKeys trusted = null;
        if (!noHeads) {
            trusted = NicCli.trustedKeys(this, "make a head runnable (or --no-heads)");
            try (EventClient events = new EventClient(NicCli.bootstrap())) {
                published = active(events.read(null, Topics.MODEL_PUBLISHED));
            }
        }
        byte[] geoJson;
        try (ObjectStore store = new ObjectStore(settings)) {
            geoJson = export(store, slide, encoder, published, trusted, window, maxRegions);
        } catch (SlideExport.Unavailable | HeadRefused e) {
            System.err.println("cannot export slide " + slide + ": " + e.getMessage());
            return 1;
        }
        if ("-".equals(out)) {
            System.out.write(geoJson);
            System.out.flush();
        } else {
            Path file = Path.of(out != null ? out : slide + ".geojson");
            Files.write(file, geoJson);
            System.err.println("wrote " + file + " (" + geoJson.length + " bytes)");
        }
        return 0;
    }

    /** The active head of each task and encoder: the last model-published of each key, in each partition's order. */
    public static List<ModelPublished> active(List<ConsumerRecord<String, byte[]>> records) {
        List<ConsumerRecord<String, byte[]>> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparingInt((ConsumerRecord<String, byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        Map<String, ModelPublished> last = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : ordered) {
            if (r.value() == null || r.key() == null) {
                continue;
            }
            try {
                last.put(r.key(), EventJson.readEvent(EventType.MODEL_PUBLISHED, r.value(), ModelPublished.class));
            } catch (RuntimeException e) {
                System.err.println("skipping an unreadable model-published record (" + r.key() + "): " + e.getMessage());
            }
        }
        return List.copyOf(last.values());
    }

    /**
     * The export of a slide: its plan, the grid of {@code encoderId} (or its only grid), and the values of the active
     * heads of that encoder, each verified against the trusted keys.
     *
     * @throws HeadRefused when an active head fails its checks: a file without it would look complete
     */
    public static byte[] export(ObjectStore store, String slideId, String encoderId, List<ModelPublished> published,
                         TrustedKeys trusted, int window, int maxRegions) throws HeadRefused {
        SlidePlan plan = SlideExport.plan(store, slideId);
        String encoder = encoderId != null ? encoderId : onlyEncoder(store, slideId);
        String prefix = StorageLayout.grid(slideId, encoder);
        if (!store.exists(store.uri(prefix + ".zgroup"))) {
            throw new SlideExport.Unavailable("no complete grid of slide " + slideId + " by encoder " + encoder, true);
        }
        CompressedGrid grid = ZarrGridReader.read(store, slideId, prefix);
        List<QuPathGeoJson.Layer> layers = new ArrayList<>();
        for (ModelPublished head : published) {
            if (!encoder.equals(head.encoderId())) {
                continue;
            }
            VerifiedHead verified = VerifiedHead.load(store, head.modelUri(), head.cardUri(), head.sha256(), trusted,
                    VerifiedHead.Limits.DEFAULT);
            try (OnnxHead model = new OnnxHead(verified.model())) {
                layers.add(SlideExport.layer(new SlideExport.Head(head.task(), head.headVersion(), TaskKind.valueOf(head.kind()),
                        verified.classes(), verified.crop(), model), grid, window, maxRegions));
            }
        }
        return SlideExport.geoJson(plan, grid, encoder, layers);
    }

    /** The encoder of the slide's only complete grid; with none or several, a reason that names them. */
    static String onlyEncoder(ObjectStore store, String slideId) {
        String prefix = "grids/" + slideId + "/";
        TreeSet<String> encoders = new TreeSet<>();
        for (ObjectStore.ObjectInfo o : store.list(store.bucket(), prefix)) {
            String rest = o.key().substring(prefix.length());
            if (rest.endsWith("/.zgroup") && rest.indexOf('/') == rest.length() - "/.zgroup".length()) {
                encoders.add(rest.substring(0, rest.indexOf('/')));
            }
        }
        if (encoders.size() != 1) {
            throw new SlideExport.Unavailable(encoders.isEmpty() ? "slide " + slideId + " has no grid yet"
                    : "slide " + slideId + " has grids by " + encoders + ": say which with --encoder", encoders.isEmpty());
        }
        return encoders.first();
    }
}
