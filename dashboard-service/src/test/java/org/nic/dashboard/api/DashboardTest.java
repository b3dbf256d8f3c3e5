package org.nic.dashboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.LabelRecorded;
import org.nic.event.SlideArrived;
import org.nic.event.SlideFailed;
import org.nic.event.Topics;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageLayout;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.testing.ServiceProcess;
import org.nic.testing.SyntheticGrids;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's headless Chromium during a real pipeline run: tiler, encoder, trainer and
 * predictor run as child processes against the test broker and store, the dashboard is the app under test.
 * The demo slide (CMU-1) arrives and is encoded while the page watches; the demo task (tissue fraction of
 * windows of the slide's own grid) gives the trainer a head; the slide sent again is predicted. The slide
 * view draws the codes' principal components and the head's region map; the model view shows the head's
 * history. Hostile strings in events are shown as text. Screenshots go to target/screenshots.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
@QuarkusTestResource(org.nic.testing.KeycloakTestResource.class)
class DashboardTest {

    static final Duration TIMEOUT = Duration.ofMinutes(4);
    static final Path CMU1 = NicTestInfrastructure.sharedData().resolve("slides/CMU-1-Small-Region.svs");
    static final String TASK = "tissue-fraction";
    static final int LATTICE = 6;
    static final int WINDOWS = LATTICE * LATTICE;
    static final String HOSTILE_ID = "<img src=x onerror=\"window.__pwned=1\">";
    static final String HOSTILE_MESSAGE = "<script>window.__pwned=2</script><b>bold</b> & done";

    static WebDriver browser;
    static List<ServiceProcess> services = new ArrayList<>();

    @TestHTTPResource("/")
    URL page;

    @BeforeAll
    static void startBrowserAndServices() throws Exception {
        String roots = CMU1.getParent().toAbsolutePath() + "," + NicTestInfrastructure.sharedData().resolve("dicom").toAbsolutePath();
        List<CompletableFuture<ServiceProcess>> starting = List.of(
                start("tiler-service", Map.of("nic.sources.allowed-roots", roots)),
                start("encoder-service", Map.of("nic.sources.allowed-roots", roots, "nic.encoder.device", "cpu",
                        "nic.encoder.chunk-cells", "8", "nic.encoder.batch-size", "16",
                        "nic.encoder.progress-interval-millis", "200")),
                start("predictor-service", Map.of()),
                start("trainer-service", Map.ofEntries(Map.entry("nic.tasks." + TASK + ".kind", "REGRESSION"),
                        Map.entry("nic.trainer.retrain-after-labels", String.valueOf(WINDOWS)), Map.entry("nic.trainer.min-held-out", "3"),
                        Map.entry("nic.trainer.held-out-share", "0.35"), Map.entry("nic.trainer.gate-level", "0.5"),
                        Map.entry("nic.trainer.epochs", "30"), Map.entry("nic.trainer.min-steps", "300"),
                        Map.entry("nic.trainer.crops", "4"))));
        for (CompletableFuture<ServiceProcess> s : starting) {
            services.add(s.join());
        }
        browser = chromium();
    }

    static CompletableFuture<ServiceProcess> start(String module, Map<String, String> config) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(module, config, Duration.ofSeconds(180));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Debian's chromium and chromedriver (install-prerequisites.sh installs them); Selenium downloads nothing. */
    static WebDriver chromium() throws Exception {
        File driver = new File(System.getenv().getOrDefault("NIC_CHROMEDRIVER", "/usr/bin/chromedriver"));
        File binary = new File(System.getenv().getOrDefault("NIC_CHROMIUM", "/usr/bin/chromium"));
        assertThat(driver.canExecute()).as("%s executable (Debian package chromium-driver; run "
                + "deploy/local/install-prerequisites.sh)", driver).isTrue();
        assertThat(binary.canExecute()).as("%s executable (Debian package chromium)", binary).isTrue();
        System.setProperty("SE_AVOID_STATS", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        // The page's console, printed when a wait fails: a script error shows there and nowhere else.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--disable-extensions",
                "--user-data-dir=" + Files.createTempDirectory("nic-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        services.forEach(ServiceProcess::close);
    }

    @Test
    void theDemoSlideIsFollowedLiveAndItsViewsAreDrawn() throws Exception {
        String slide = "cmu1-" + System.nanoTime();
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            browser.get(page.toString());
            logIn("operator");
            waitFor(d -> "live".equals(d.findElement(By.id("conn")).getText()), "the page is live");
            assertThat(browser.findElement(By.id("me")).getText()).contains("operator");
            // The page records every progress text it shows, so intermediate progress can be checked afterwards.
            js("window.__progressSeen = [];"
                    + "new MutationObserver(() => document.querySelectorAll('#slides .progress-text')"
                    + ".forEach(e => window.__progressSeen.push(e.textContent)))"
                    + ".observe(document.getElementById('slides'), {subtree: true, childList: true, characterData: true});");

            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_PROGRESS, Topics.SLIDE_PREDICTED);
            events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + CMU1.toAbsolutePath(),
                    "aperio-demo", "CASE-DEMO-1", null));
            WebElement row = waitFor(d -> d.findElement(By.cssSelector("tr[data-slide-id='" + slide + "']")),
                    "the slide's row");
            waitFor(d -> row.findElement(By.cssSelector("td.stage")).getText().startsWith("encoded"), "stage encoded");
            ConsumerRecord<String, byte[]> encodedRecord = events.await(from, r -> slide.equals(r.key()), TIMEOUT,
                    Topics.SLIDE_ENCODED);
            JsonNode encoded = EventJson.mapper().readTree(encodedRecord.value());
            int tissue = encoded.get("tissueCells").asInt();
            WebElement bar = row.findElement(By.tagName("progress"));
            assertThat(bar.getDomProperty("max")).isEqualTo(String.valueOf(tissue));
            assertThat(bar.getDomProperty("value")).isEqualTo(String.valueOf(tissue));
            assertThat(row.findElement(By.cssSelector("td.case")).getText()).isEqualTo("CASE-DEMO-1");
            long intermediate = countIntermediateProgress(events, from, slide);
            if (intermediate >= 2) {
                @SuppressWarnings("unchecked")
                List<String> seen = (List<String>) js("return window.__progressSeen;");
                assertThat(seen).as("progress shown while encoding (%d reports below %d)", intermediate, tissue)
                        .anyMatch(t -> t.matches("\\d+ / " + tissue + " cells") && !t.startsWith(tissue + " /"));
            }

            // The demo task: windows of the slide's own grid, labelled with their share of tissue cells.
            String encoder = encoded.get("encoderId").asText();
            CompressedGrid grid = ZarrGridReader.read(store, slide, S3Uri.parse(encoded.get("gridUri").asText()).key());
            var models = events.endOffsets(Topics.MODEL_DECIDED);
            int n = labelWindows(events, store, grid, encoder);
            assertThat(n).isEqualTo(WINDOWS);

            // Hostile strings while the trainer trains: shown as text, never run.
            hostileEventsAreText(events);

            // The trainer's decision, whatever it is: a refused or failed run fails the test with its reason at once.
            ConsumerRecord<String, byte[]> decided = events.await(models, r -> (TASK + "/" + encoder).equals(r.key()), TIMEOUT,
                    Topics.MODEL_DECIDED);
            JsonNode decision = EventJson.mapper().readTree(decided.value());
            assertThat(decision.get("decision").asText()).as("the trainer's decision: %s", decision.get("reason"))
                    .isEqualTo("PUBLISHED");
            String version = decision.get("headVersion").asText();

            // The slide again: the same plan, the stored grid, and now a prediction.
            events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + CMU1.toAbsolutePath(),
                    "aperio-demo", "CASE-DEMO-1", null));
            browser.findElement(By.id("filter-case")).sendKeys("case-demo");
            WebElement predicted = waitFor(d -> {
                WebElement r = d.findElement(By.cssSelector("tr[data-slide-id='" + slide + "']"));
                return r.findElement(By.cssSelector("td.stage")).getText().startsWith("predicted") ? r : null;
            }, "stage predicted");
            String prediction = predicted.findElement(By.cssSelector("li.prediction[data-task='" + TASK + "']")).getText();
            assertThat(prediction).contains(TASK + " = ", "head " + version, "encoder " + encoder);
            assertThat(predicted.findElement(By.cssSelector("td.latency")).getText()).contains("heads", "total");
            browser.findElement(By.id("filter-case")).clear();
            js("document.getElementById('filter-case').dispatchEvent(new Event('input'));");
            waitFor(d -> d.findElements(By.cssSelector("#slides tbody tr")).size() >= 3, "all slides listed again");
            screenshot("dashboard-live-list");

            slideView(slide, encoder, version);
            modelView(encoder, version);
            dicomDeepZoom(events, slide);
        }
    }

    /**
     * The provider's own login form, in the browser: the page sent it there (the authorization-code flow), and after
     * the form it is back where it started.
     */
    static void logIn(String user) throws Exception {
        var keycloak = org.nic.testing.KeycloakTestResource.keycloak();
        WebElement name = waitFor(d -> d.findElement(By.id("username")), "the provider's login form");
        assertThat(browser.getCurrentUrl()).as("the login page is the provider's").startsWith(keycloak.issuer());
        screenshot("login");
        name.sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(keycloak.password(user));
        browser.findElement(By.id("kc-login")).click();
        waitFor(d -> d.getCurrentUrl().startsWith("http://localhost:"), "back on the dashboard");
    }

    long countIntermediateProgress(EventClient events, Map<org.apache.kafka.common.TopicPartition, Long> from, String slide)
            throws Exception {
        long[] count = {0};
        events.find(from, r -> {
            if (slide.equals(r.key())) {
                try {
                    JsonNode p = EventJson.mapper().readTree(r.value());
                    if (p.get("done").asInt() < p.get("total").asInt()) {
                        count[0]++;
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return false;
        }, Duration.ofSeconds(3), Topics.SLIDE_PROGRESS);
        return count[0];
    }

    /**
     * The 6 x 6 lattice of 8 x 8-cell windows spread evenly over the grid, stored as grids of their own, each
     * labelled with its tissue fraction: always {@value #WINDOWS}, the number the trainer waits for.
     */
    int labelWindows(EventClient events, ObjectStore store, CompressedGrid grid, String encoder) {
        int size = 8;
        int n = 0;
        String run = Long.toString(System.nanoTime(), 36);
        assertThat(grid.rows()).as("grid rows").isGreaterThanOrEqualTo(size);
        assertThat(grid.cols()).as("grid columns").isGreaterThanOrEqualTo(size);
        for (int i = 0; i < LATTICE; i++) {
            int top = Math.round(i * (grid.rows() - size) / (float) (LATTICE - 1));
            for (int j = 0; j < LATTICE; j++) {
                int left = Math.round(j * (grid.cols() - size) / (float) (LATTICE - 1));
                float[] codes = new float[grid.channels() * size * size];
                boolean[] tissue = new boolean[size * size];
                int cells = 0;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int src = (top + y) * grid.cols() + left + x;
                        tissue[y * size + x] = grid.tissue()[src];
                        cells += grid.tissue()[src] ? 1 : 0;
                        for (int c = 0; c < grid.channels(); c++) {
                            codes[(c * size + y) * size + x] = grid.codes()[c * grid.rows() * grid.cols() + src];
                        }
                    }
                }
                String id = "demo-window-" + run + "-" + n;
                SyntheticGrids.write(store, StorageLayout.grid(id, encoder),
                        new CompressedGrid(id, grid.channels(), size, size, codes, tissue));
                LabelRecorded label = new LabelRecorded(id, id, TASK, cells / (double) (size * size), null, null, null,
                        "dashboard-test");
                events.publish(EventType.LABEL_RECORDED, label.key(), label);
                n++;
            }
        }
        return n;
    }

    void hostileEventsAreText(EventClient events) {
        String failing = "hostile-" + System.nanoTime();
        events.publish(EventType.SLIDE_ARRIVED, HOSTILE_ID, new SlideArrived(HOSTILE_ID, "file:/nowhere.svs", null,
                "<i>case</i>", null));
        events.publish(EventType.SLIDE_FAILED, failing, new SlideFailed(failing, "tiling", FailureReason.UNSUPPORTED_FORMAT,
                HOSTILE_MESSAGE, false, "<svg onload=window.__pwned=3>", null));
        WebElement row = waitFor(d -> d.findElements(By.cssSelector("#slides tbody tr")).stream()
                .filter(r -> HOSTILE_ID.equals(r.findElement(By.cssSelector("td.slide")).getText())).findFirst().orElse(null),
                "the hostile slide id, as text");
        assertThat(row.findElement(By.cssSelector("td.case")).getText()).isEqualTo("<i>case</i>");
        WebElement failed = waitFor(d -> d.findElement(By.cssSelector("tr[data-slide-id='" + failing + "']")),
                "the failed slide");
        waitFor(d -> failed.findElement(By.cssSelector(".failure")).getText().contains(HOSTILE_MESSAGE), "the failure text");
        // The tiler dead-letters the arrival it cannot name objects with; the page counts it.
        waitFor(d -> d.findElement(By.cssSelector("#dead-letters li[data-topic='nic.slide.arrived.v1.dlq'] .count"))
                .getText().matches("[1-9]\\d*"), "a dead letter counted");
        assertThat(js("return typeof window.__pwned;")).isEqualTo("undefined");
        assertThat(browser.findElements(By.cssSelector("#slides img[src='x'], #slides script, #slides b, #slides i, #slides svg")))
                .as("no markup from events in the page").isEmpty();
    }

    void slideView(String slide, String encoder, String version) throws Exception {
        browser.findElement(By.cssSelector("tr[data-slide-id='" + slide + "'] td.slide a")).click();
        waitFor(d -> d.getCurrentUrl().endsWith("/slide/" + slide), "the slide's address");
        waitFor(d -> Boolean.TRUE.equals(js("const i = document.getElementById('slide-thumb');"
                + " return i.complete && i.naturalWidth > 0;")), "the thumbnail");
        waitFor(d -> d.findElement(By.id("slide-predictions")).getText().contains(TASK), "the prediction");
        new Select(browser.findElement(By.id("overlay-mode"))).selectByValue("pca");
        waitFor(d -> "pca".equals(d.findElement(By.id("overlay")).getDomAttribute("data-loaded")), "the PCA overlay");
        @SuppressWarnings("unchecked")
        Map<String, Object> pca = (Map<String, Object>) js(OVERLAY_PIXELS);
        assertThat(((Number) pca.get("width")).intValue()).isEqualTo(((Number) js(
                "return document.getElementById('slide-thumb').naturalWidth;")).intValue());
        assertThat(((Number) pca.get("opaque")).intValue()).as("tissue cells drawn").isPositive();
        assertThat(((Number) pca.get("transparent")).intValue()).as("background left clear").isPositive();
        assertThat(((Number) pca.get("colours")).intValue()).as("the components vary over the slide").isGreaterThan(10);
        assertThat(browser.findElement(By.id("legend")).getText()).contains("principal component", encoder);
        screenshot("dashboard-slide-pca");

        new Select(browser.findElement(By.id("overlay-mode"))).selectByValue("head:" + TASK);
        waitFor(d -> ("head:" + TASK).equals(d.findElement(By.id("overlay")).getDomAttribute("data-loaded")), "the region map");
        @SuppressWarnings("unchecked")
        Map<String, Object> regions = (Map<String, Object>) js(OVERLAY_PIXELS);
        assertThat(((Number) regions.get("opaque")).intValue()).isPositive();
        assertThat(browser.findElement(By.id("legend")).getText()).contains(TASK, "value", version);
        screenshot("dashboard-slide-regions");
        qupathExport(slide, encoder, version);
        deepZoom(slide);
    }

    /**
     * The deep-zoom viewer: zoomed to level 0 on a tissue cell, the canvas shows what OpenSlide reads there (JPEG
     * tolerance); the head map lies on the slide at two opposite corners of the tissue; the pointer's readout names the
     * cell and the head's value; tiles outside the pyramid are refused.
     */
    void deepZoom(String slide) throws Exception {
        waitFor(d -> "true".equals(d.findElement(By.id("deepzoom")).getDomAttribute("data-open")), "the deep-zoom viewer");
        org.nic.tiling.SlidePlan plan;
        try (ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            plan = EventJson.mapper().readValue(store.get(store.uri(StorageLayout.plan(slide))), org.nic.tiling.SlidePlan.class);
        }
        double cell = plan.grid().cellSizeLevel0();
        // Without the head map over it: the canvas then shows the slide alone.
        new Select(browser.findElement(By.id("overlay-mode"))).selectByValue("");
        int[] target = plan.tissueCells().get(plan.tissueCells().size() / 2);
        long cx = Math.round((target[1] + 0.5) * cell);
        long cy = Math.round((target[0] + 0.5) * cell);
        js("const v = nicDeepZoom.viewer(); const item = v.world.getItemAt(0);"
                + " v.viewport.zoomTo(item.imageToViewportZoom(1.0), null, true);"
                + " v.viewport.panTo(item.imageToViewportCoordinates(arguments[0], arguments[1]), true);", cx, cy);
        waitFor(d -> Boolean.TRUE.equals(js("const v = nicDeepZoom.viewer(); return v.world.getItemAt(0).getFullyLoaded()"
                + " && !v.world.needsDraw() && v.imageLoader.jobsInProgress === 0;")), "level 0 drawn");
        Thread.sleep(500);
        int half = 16;
        @SuppressWarnings("unchecked")
        List<Number> canvas = (List<Number>) js("const v = nicDeepZoom.viewer(); const item = v.world.getItemAt(0);"
                + " const p = v.viewport.pixelFromPoint(item.imageToViewportCoordinates(arguments[0], arguments[1]), true);"
                + " const k = OpenSeadragon.pixelDensityRatio; const n = arguments[2];"
                + " const d = v.drawer.canvas.getContext('2d').getImageData(Math.round(p.x * k) - n, Math.round(p.y * k) - n, 2 * n, 2 * n).data;"
                + " const out = []; for (let i = 0; i < d.length; i += 4) out.push(d[i], d[i + 1], d[i + 2]); return out;",
                cx, cy, half);
        int[] reference = new int[4 * half * half];
        try (org.nic.slide.SlideReader reader = org.nic.slide.SlideReaders.installed().open(CMU1)) {
            reader.readRegion(cx - half, cy - half, 0, 2 * half, 2 * half, reference);
        }
        double error = 0;
        double mean = 0;
        double square = 0;
        for (int i = 0; i < reference.length; i++) {
            for (int ch = 0; ch < 3; ch++) {
                int want = reference[i] >> (16 - 8 * ch) & 0xff;
                error += Math.abs(canvas.get(3 * i + ch).intValue() - want);
                mean += want;
                square += (double) want * want;
            }
        }
        int values = 3 * reference.length;
        double spread = Math.sqrt(square / values - (mean / values) * (mean / values));
        assertThat(spread).as("the compared place has texture (tissue), so a misplaced tile would not match").isGreaterThan(8);
        assertThat(error / values).as("mean absolute difference, canvas against OpenSlide at level-0 (%d, %d)", cx, cy)
                .isLessThan(14);
        screenshot("dashboard-slide-deepzoom-level0");

        // The head map as a layer, at two opposite corners of the tissue: the slide's level-0 point and the map's pixel
        // there agree (the map's pixel is maskDownsample level-0 px).
        new Select(browser.findElement(By.id("overlay-mode"))).selectByValue("head:" + TASK);
        waitFor(d -> "loaded".equals(d.findElement(By.id("deepzoom")).getDomAttribute("data-overlay")), "the head map layer");
        int minRow = plan.tissueCells().stream().mapToInt(c -> c[0]).min().orElseThrow();
        int minCol = plan.tissueCells().stream().mapToInt(c -> c[1]).min().orElseThrow();
        int maxRow = plan.tissueCells().stream().mapToInt(c -> c[0]).max().orElseThrow();
        int maxCol = plan.tissueCells().stream().mapToInt(c -> c[1]).max().orElseThrow();
        double downsample = plan.tissue().maskDownsample();
        for (double[] corner : new double[][] {{minCol * cell, minRow * cell}, {(maxCol + 1) * cell, (maxRow + 1) * cell}}) {
            @SuppressWarnings("unchecked")
            List<Number> q = (List<Number>) js("const v = nicDeepZoom.viewer(); const item = v.world.getItemAt(0);"
                    + " const o = nicDeepZoom.overlay(); const p = item.imageToViewportCoordinates(arguments[0], arguments[1]);"
                    + " const q = o.viewportToImageCoordinates(p.x, p.y); return [q.x, q.y];", corner[0], corner[1]);
            assertThat(q.get(0).doubleValue()).as("map x at level-0 x %.0f", corner[0]).isCloseTo(corner[0] / downsample,
                    within(0.5));
            assertThat(q.get(1).doubleValue()).as("map y at level-0 y %.0f", corner[1]).isCloseTo(corner[1] / downsample,
                    within(0.5));
        }
        // The pointer over the target cell: the readout names it, says tissue and gives the head's value.
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) js("const v = nicDeepZoom.viewer(); const item = v.world.getItemAt(0);"
                + " const p = v.viewport.pixelFromPoint(item.imageToViewportCoordinates(arguments[0], arguments[1]), true);"
                + " return [p.x - v.canvas.clientWidth / 2, p.y - v.canvas.clientHeight / 2];", cx, cy);
        WebElement canvasElement = browser.findElement(By.cssSelector("#deepzoom .openseadragon-canvas"));
        js("arguments[0].scrollIntoView({block: 'center'});", canvasElement);
        waitFor(d -> {
            new org.openqa.selenium.interactions.Actions(browser).moveToElement(canvasElement, at.get(0).intValue(),
                    at.get(1).intValue()).perform();
            String text = d.findElement(By.id("dz-readout")).getText();
            return text.contains("Cell row " + target[0] + ", column " + target[1]) && text.contains("tissue")
                    && text.contains(TASK + " value") ? text : null;
        }, "the readout of the cell under the pointer");
        assertThat(browser.findElement(By.id("dz-scale")).getText()).matches("\\d+(\\.\\d+)? (µm|mm)");
        screenshot("dashboard-slide-deepzoom");
        @SuppressWarnings("unchecked")
        Map<String, Object> tiles = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; const base = '/api/slides/' + encodeURIComponent(arguments[0]);"
                        + " Promise.all([fetch(base + '/slide_files/0/0_0.jpeg'), fetch(base + '/slide_files/40/0_0.jpeg')])"
                        + ".then(([a, b]) => done({first: a.status, type: a.headers.get('Content-Type'), outside: b.status}))"
                        + ".catch(e => done({first: -1, outside: -1}));", slide);
        assertThat(((Number) tiles.get("first")).intValue()).isEqualTo(200);
        assertThat((String) tiles.get("type")).isEqualTo("image/jpeg");
        assertThat(((Number) tiles.get("outside")).intValue()).as("a level beyond the pyramid").isEqualTo(404);
    }

    /**
     * The viewer over a DICOM slide (nic-core's DICOM reader, as the tiler's): the DICOM pyramid of CMU-1-Small-Region
     * arrives, and its Deep Zoom pyramid has the SVS's size, and its full-resolution tile over a tissue cell shows what the
     * SVS's same tile shows (both re-encoded from the scanner's JPEG: a JPEG tolerance).
     */
    void dicomDeepZoom(EventClient events, String svsSlide) throws Exception {
        String dicom = "cmu1-dicom-" + System.nanoTime();
        Path folder = NicTestInfrastructure.sharedData().resolve("dicom/cmu-1-small-region");
        var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
        events.publish(EventType.SLIDE_ARRIVED, dicom, new SlideArrived(dicom, "file:" + folder.toAbsolutePath(), "dicom-demo",
                "CASE-DEMO-2", null));
        ConsumerRecord<String, byte[]> tiled = events.await(from, r -> dicom.equals(r.key()), TIMEOUT, Topics.SLIDE_TILED,
                Topics.SLIDE_FAILED);
        assertThat(tiled.topic()).as("the DICOM slide is tiled: %s", new String(tiled.value())).isEqualTo(Topics.SLIDE_TILED);
        org.nic.tiling.SlidePlan plan;
        try (ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            plan = EventJson.mapper().readValue(store.get(store.uri(StorageLayout.plan(svsSlide))), org.nic.tiling.SlidePlan.class);
        }
        String svsDzi = fetchText("/api/slides/" + svsSlide + "/slide.dzi");
        String dicomDzi = fetchText("/api/slides/" + dicom + "/slide.dzi");
        assertThat(dicomDzi).as("the DICOM slide's Deep Zoom pyramid has the SVS's size and tiles").isEqualTo(svsDzi);
        int tileSize = Integer.parseInt(svsDzi.replaceAll("(?s).*TileSize=\"(\\d+)\".*", "$1"));
        long width = plan.slide().levels().get(0).width();
        long height = plan.slide().levels().get(0).height();
        int top = 64 - Long.numberOfLeadingZeros(Math.max(width, height) - 1); // the full-resolution level
        double cell = plan.grid().cellSizeLevel0();
        int[] target = plan.tissueCells().get(plan.tissueCells().size() / 2);
        long col = Math.round((target[1] + 0.5) * cell) / tileSize;
        long row = Math.round((target[0] + 0.5) * cell) / tileSize;
        String tile = "/slide_files/" + top + "/" + col + "_" + row + ".jpeg";
        java.awt.image.BufferedImage a = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                fetchBytes("/api/slides/" + svsSlide + tile)));
        java.awt.image.BufferedImage b = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                fetchBytes("/api/slides/" + dicom + tile)));
        assertThat(b.getWidth()).isEqualTo(a.getWidth());
        assertThat(b.getHeight()).isEqualTo(a.getHeight());
        double error = 0;
        double mean = 0;
        double square = 0;
        int values = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int want = p >> shift & 0xff;
                    error += Math.abs((q >> shift & 0xff) - want);
                    mean += want;
                    square += (double) want * want;
                    values++;
                }
            }
        }
        double spread = Math.sqrt(square / values - (mean / values) * (mean / values));
        System.out.printf("deep zoom tile %s, DICOM against SVS: mean absolute difference %.2f (pixel spread %.1f)%n", tile,
                error / values, spread);
        assertThat(spread).as("the tile shows tissue, so a misplaced tile would not match").isGreaterThan(8);
        assertThat(error / values).as("mean absolute difference of tile %s, DICOM against SVS", tile).isLessThan(14);
    }

    /** A dashboard resource fetched by the signed-in page, as text. */
    String fetchText(String path) {
        return (String) ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " fetch(arguments[0]).then(r => r.ok ? r.text() : 'HTTP ' + r.status).then(done).catch(e => done('' + e));",
                path);
    }

    /** A dashboard resource fetched by the signed-in page, as bytes (base64 across the driver). */
    byte[] fetchBytes(String path) {
        String b64 = (String) ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " fetch(arguments[0]).then(r => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.arrayBuffer(); })"
                + ".then(buf => { let s = ''; new Uint8Array(buf).forEach(x => s += String.fromCharCode(x)); done(btoa(s)); })"
                + ".catch(e => done('error: ' + e));", path);
        assertThat(b64).as("fetching %s", path).doesNotStartWith("error:");
        return java.util.Base64.getDecoder().decode(b64);
    }

    /**
     * The QuPath export, as the page links it (the signed-in browser fetches it): one tile per tissue cell of the plan,
     * its corners the plan's level-0 pixels, the head's value on each; and {@code nic export} writes the same bytes.
     */
    void qupathExport(String slide, String encoder, String version) throws Exception {
        String href = browser.findElement(By.id("slide-export")).getDomAttribute("href");
        assertThat(href).isEqualTo("/api/slides/" + slide + "/export.geojson?encoder=" + encoder);
        @SuppressWarnings("unchecked")
        Map<String, Object> fetched = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + " fetch(arguments[0]).then(r => r.text().then(t => done({status: r.status,"
                        + " type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'), body: t})))"
                        + ".catch(e => done({status: -1, body: String(e)}));", href);
        assertThat(((Number) fetched.get("status")).intValue()).as("export: %s", fetched.get("body")).isEqualTo(200);
        assertThat((String) fetched.get("type")).startsWith("application/geo+json");
        assertThat((String) fetched.get("disposition")).contains(slide + ".geojson");
        byte[] body = ((String) fetched.get("body")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        JsonNode root = EventJson.mapper().readTree(body);
        try (ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET);
             EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers())) {
            org.nic.tiling.SlidePlan plan = EventJson.mapper().readValue(store.get(store.uri(StorageLayout.plan(slide))),
                    org.nic.tiling.SlidePlan.class);
            JsonNode features = root.get("features");
            assertThat(features).as("one object per tissue cell of the plan").hasSize(plan.tissueCells().size());
            String measurement = TASK + " value";
            assertThat(root.at("/nic/heads/0/headVersion").asText()).isEqualTo(version);
            double cell = plan.grid().cellSizeLevel0();
            for (int i = 0; i < features.size(); i++) {
                JsonNode f = features.get(i);
                int r = plan.tissueCells().get(i)[0];
                int c = plan.tissueCells().get(i)[1];
                assertThat(f.at("/properties/measurements/NIC row").asInt()).isEqualTo(r);
                assertThat(f.at("/properties/measurements/NIC col").asInt()).isEqualTo(c);
                JsonNode ring = f.at("/geometry/coordinates/0");
                // Top left and bottom right corners, in the level-0 pixels the plan says cell (r, c) is read from.
                assertThat(ring.get(0).get(0).asLong()).isEqualTo((long) Math.floor(c * cell));
                assertThat(ring.get(0).get(1).asLong()).isEqualTo((long) Math.floor(r * cell));
                assertThat(ring.get(2).get(0).asLong()).isEqualTo((long) Math.floor((c + 1) * cell));
                assertThat(ring.get(2).get(1).asLong()).isEqualTo((long) Math.floor((r + 1) * cell));
                assertThat(f.at("/properties/measurements").has(measurement)).as("the head's value on cell (%d, %d)", r, c)
                        .isTrue();
            }
            // Inside the slide: the last tissue cell ends within level 0.
            long width = plan.slide().levels().get(0).width();
            assertThat(features.get(features.size() - 1).at("/geometry/coordinates/0/2/0").asLong()).isLessThanOrEqualTo(width);
            // The command line's export of the same slide: the same file.
            byte[] command = org.nic.cli.ExportCommand.export(store, slide, null, org.nic.cli.ExportCommand.active(
                    events.read(null, Topics.MODEL_PUBLISHED)), org.nic.trust.TrustedKeys.read(List.of(
                    org.nic.testing.TestKeys.trustedKeys())), org.nic.model.HeadRegions.WINDOW,
                    org.nic.model.HeadRegions.MAX_REGIONS);
            assertThat(new String(command, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(new String(body,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    void modelView(String encoder, String version) throws Exception {
        browser.findElement(By.id("nav-models")).click();
        // The view is drawn anew on every models update (a model-decided record may land after the first
        // drawing), so each wait finds the head again instead of holding an element that may go stale.
        By head = By.cssSelector("div.head[data-head-key='" + TASK + "/" + encoder + "']");
        WebElement active = waitFor(d -> {
            WebElement p = d.findElement(head).findElement(By.cssSelector("p.active"));
            return p.getText().contains(version) ? p : null;
        }, "the active version");
        assertThat(active.getText()).contains("held-out spearman", "[");
        String published = waitFor(d -> d.findElement(head).findElements(By.cssSelector("table.history tbody tr")).stream()
                .map(WebElement::getText).filter(t -> t.contains("PUBLISHED") && t.contains(version)).findFirst()
                .orElse(null), "the publication in the history");
        assertThat(published).contains("nic-trainer/");
        screenshot("dashboard-models");
    }

    static final String OVERLAY_PIXELS = "const i = document.getElementById('overlay');"
            + " const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;"
            + " const g = c.getContext('2d'); g.drawImage(i, 0, 0);"
            + " const d = g.getImageData(0, 0, c.width, c.height).data; let opaque = 0, transparent = 0; const colours = new Set();"
            + " for (let k = 0; k < d.length; k += 4) { if (d[k + 3] === 0) transparent++; else { opaque++;"
            + " colours.add((d[k] << 16) | (d[k + 1] << 8) | d[k + 2]); } }"
            + " return {width: c.width, opaque: opaque, transparent: transparent, colours: colours.size};";

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    static <T> T waitFor(Function<WebDriver, T> condition, String what) {
        try {
            return new WebDriverWait(browser, TIMEOUT).withMessage(what)
                    .ignoring(org.openqa.selenium.NoSuchElementException.class)
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (org.openqa.selenium.TimeoutException e) {
            try {
                browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                        .forEach(entry -> System.err.println("[browser console] " + entry.getLevel() + " " + entry.getMessage()));
                screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            } catch (Exception ignored) {
                // the wait's own failure is the one to report
            }
            throw e;
        }
    }

    static void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("nictest.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
