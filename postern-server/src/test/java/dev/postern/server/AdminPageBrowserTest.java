package dev.postern.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postern.testing.PeerProcess;
import dev.postern.testing.RawSmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin page in a real browser: Debian's headless Chromium driven through its chromedriver by Selenium,
 * against {@code postern serve --admin} in this JVM, a relay whose destination is down (so messages stay
 * queued) and a Maildir server. A missing chromium or chromedriver fails the test (.ci/run installs both).
 * Each wait is bounded by a few seconds; the browser and its driver are the processes this class started,
 * stopped by {@link ChromeDriver#quit()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class AdminPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "browser-test-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the injected markup would do if it ever ran. */
    private static final String IMG = "<img src=x onerror=\"document.title='pwned';window.pwned=1\">";
    private static final String SCRIPT = "<script>document.title='pwned';window.pwned=2</script>";

    @TempDir
    static Path dir;

    private final List<StandaloneServer> servers = new ArrayList<>();
    private ChromeDriver browser;
    private Path tokenFile;
    private String relayUrl;
    private String maildirUrl;
    private int relayPort;
    private int maildirPort;

    @BeforeAll
    void start() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromedriver (apt-get install chromium-driver)").isExecutable();
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");

        StandaloneServer relay = serve("--relay", "smtp://127.0.0.1:" + PeerProcess.freePort(), "--retry-schedule", "1h",
                "--domains", "example.org,example.net", "--queue-dir", dir.resolve("queue").toString());
        relayPort = port;
        relayUrl = "http://127.0.0.1:" + relay.httpAddress().getPort() + "/admin/";
        StandaloneServer maildir = serve("--maildir", dir.resolve("mail").toString());
        maildirPort = port;
        maildirUrl = "http://127.0.0.1:" + maildir.httpAddress().getPort() + "/admin/";

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As the machine's notes say: without the background-networking flags Chromium tries hosts it cannot reach.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")),
                "--window-size=1400,1100");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        browser.manage().window().setSize(new Dimension(1400, 1100));
    }

    private int port;

    private StandaloneServer serve(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--hostname", "mx.test",
                "--http-listen", "127.0.0.1:0", "--admin", "--admin-token-file", tokenFile.toString()));
        all.addAll(List.of(args));
        StandaloneServer s = new StandaloneServer(ServeCommandTest.settings(all.toArray(String[]::new)));
        port = s.start().port();
        servers.add(s);
        return s;
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            servers.forEach(s -> s.stop(Duration.ZERO));
        }
    }

    @BeforeEach
    void blankPage() {
        browser.get("about:blank");
        browser.manage().logs().get(LogType.BROWSER); // drop what earlier tests left
    }

    /** Opens the page and waits for its first refresh to be drawn. */
    private void open(String url) {
        browser.get(url);
        new WebDriverWait(browser, WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
    }

    private List<LogEntry> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    private void queueMessage(String from, String to, String subject, String body) throws IOException {
        try (RawSmtpClient c = new RawSmtpClient(relayPort)) {
            assertThat(c.deliver(from, to, "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n"))
                    .startsWith("250 ");
        }
    }

    private JsonNode queueListJson() throws IOException {
        ServeCommandTest.Run r = ServeCommandTest.run("queue", "list", "--json", "--server",
                relayUrl.replace("/admin/", ""));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    /** Waits until every queued message has had its first attempt (deferred: the destination is down). */
    private JsonNode awaitDeferred(int count) throws Exception {
        return RelayDeliveryTest.await(count + " deferred messages", () -> {
            JsonNode list = queueListJson();
            boolean all = list.size() == count && StreamSupport.stream(list.spliterator(), false)
                    .allMatch(m -> m.at("/recipients/0/attempts").asInt() >= 1);
            return all ? list : null;
        });
    }

    /** Waits for the page's table to show {@code count} rows (it refreshes every 5 seconds). */
    private List<WebElement> awaitRows(int count) {
        browser.navigate().refresh();
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector("#queue-table tbody tr")).size() == count);
        return browser.findElements(By.cssSelector("#queue-table tbody tr"));
    }

    @Test
    void pagesLoadWithoutConsoleErrorsUnderAStrictContentSecurityPolicy() throws Exception {
        open(relayUrl);
        assertThat(browser.getTitle()).isEqualTo("Postern admin");
        assertThat(browser.findElement(By.id("hostname")).getText()).isEqualTo("mx.test");
        assertThat(browser.findElement(By.id("queue")).isDisplayed()).isTrue();
        assertThat(browser.findElements(By.cssSelector("#chart-grid .chart svg polyline"))).hasSizeGreaterThan(10);
        assertThat(browser.findElements(By.cssSelector("#listeners tbody tr"))).hasSize(1);
        open(maildirUrl);
        assertThat(browser.findElement(By.id("received")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("queue")).isDisplayed()).isFalse();
        assertThat(consoleErrors()).isEmpty();

        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(relayUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "style-src 'self'").doesNotContain("unsafe");
        assertThat(page.body()).doesNotContain("<script>", "style=", "onclick");
    }

    @Test
    void queueTableMatchesQueueListJsonAndLiveSessionsShow() throws Exception {
        for (int i = 0; i < 4; i++) {
            queueMessage("alice@example.com", i % 2 == 0 ? "bob@example.org" : "carol@example.net", "table " + i, "body");
        }
        JsonNode listed = awaitDeferred(count());
        try (RawSmtpClient open = new RawSmtpClient(relayPort)) {
            open.reply();
            open.cmd("EHLO live.example");
            open.cmd("MAIL FROM:<dave@example.com>");
            open(relayUrl);
            List<WebElement> rows = awaitRows(listed.size());
            for (int i = 0; i < listed.size(); i++) {
                JsonNode m = listed.get(i);
                WebElement row = browser.findElement(By.cssSelector("#queue-table tbody tr[data-id='" + m.get("id").asText() + "']"));
                assertThat(row.findElement(By.cssSelector("td.sender")).getText()).isEqualTo(m.get("sender").asText());
                assertThat(row.findElement(By.cssSelector("td.size")).getText()).isEqualTo(m.get("size").asText());
                List<WebElement> recipients = row.findElements(By.cssSelector(".rcpt"));
                assertThat(recipients).hasSize(m.get("recipients").size());
                for (int r = 0; r < recipients.size(); r++) {
                    assertThat(recipients.get(r).findElement(By.cssSelector(".address")).getText())
                            .isEqualTo(m.at("/recipients/" + r + "/address").asText());
                    assertThat(recipients.get(r).getDomAttribute("data-state")).isEqualTo(m.at("/recipients/" + r + "/state").asText());
                }
            }
            assertThat(rows.stream().map(r -> r.getDomAttribute("data-id")).sorted().toList())
                    .isEqualTo(StreamSupport.stream(listed.spliterator(), false).map(m -> m.get("id").asText()).sorted().toList());
            assertThat(browser.findElement(By.id("session-table")).getText()).contains("live.example", "MAIL FROM:<dave@example.com>");

            // sorting by size, then the other way
            browser.findElement(By.cssSelector("th[data-sort='size']")).click();
            List<Long> sizes = browser.findElements(By.cssSelector("#queue-table td.size")).stream().map(e -> Long.parseLong(e.getText())).toList();
            assertThat(sizes).isSorted();

            // tall enough for the queue table below the charts
            browser.manage().window().setSize(new Dimension(1400, 1900));
            Path shot = Path.of("target", "admin-screenshot.png");
            Files.createDirectories(shot.getParent());
            File taken = browser.getScreenshotAs(OutputType.FILE);
            Files.copy(taken.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(shot)).isGreaterThan(10_000);
            browser.manage().window().setSize(new Dimension(1400, 1100));
        }
        assertThat(consoleErrors()).isEmpty();
    }

    private int count() throws IOException {
        return queueListJson().size();
    }

    @Test
    void anActionWithTheTokenWorksAndOneWithoutIsRefused() throws Exception {
        queueMessage("erin@example.com", "frank@example.org", "to hold", "body");
        JsonNode listed = awaitDeferred(count());
        String id = StreamSupport.stream(listed.spliterator(), false)
                .filter(m -> m.get("sender").asText().equals("erin@example.com")).findFirst().orElseThrow().get("id").asText();
        open(relayUrl);
        awaitRows(listed.size());
        By hold = By.cssSelector("#queue-table tr[data-id='" + id + "'] button[data-action='hold']");

        browser.findElement(hold).click();
        new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("status")).getText().contains("refused"));
        assertThat(browser.findElement(By.id("status")).getText()).contains("hold " + id + " refused", "wrong admin token");
        assertThat(held(id)).isFalse();

        browser.findElement(By.id("token")).sendKeys("not-the-token-but-long-enough");
        browser.findElement(hold).click();
        new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("status")).getText().contains("hold " + id + " refused"));
        assertThat(held(id)).isFalse();

        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(hold).click();
        new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("status")).getText().equals("hold " + id + ": done"));
        assertThat(held(id)).isTrue();
        new WebDriverWait(browser, WAIT).until(d -> "held".equals(d.findElement(
                By.cssSelector("#queue-table tr[data-id='" + id + "'] .rcpt")).getDomAttribute("data-state")));

        // a forged cross-site request, as another site's page would send it, with the right token even
        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(relayUrl + "api/queue/" + id + "/release")).header("X-Postern-Token", TOKEN)
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(held(id)).isTrue();
    }

    /**
     * The drawing alone, in the real browser: an interval without a measurement is a gap in the line, never a
     * point at 0 (an idle minute read as a 0 ms latency before); a lone measurement is still drawn.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aChartLeavesAGapWhereAnIntervalMeasuredNothing() throws Exception {
        open(maildirUrl);
        List<String> lines = (List<String>) browser.executeScript("""
                const box = window.posternChart('t', [4, 8, null, null, 2, null, 6], 'x');
                return Array.from(box.querySelectorAll('polyline')).map((p) => p.getAttribute('points'));""");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).split(" ")).hasSize(2); // the first two intervals
        assertThat(lines.get(1).split(" ")).hasSize(2); // the lone 2, as a short stroke
        assertThat(lines.get(2).split(" ")).hasSize(2); // the lone 6
        assertThat(String.join(" ", lines)).doesNotContain(",38.00"); // nothing drawn at zero
        List<String> whole = (List<String>) browser.executeScript("""
                const box = window.posternChart('t', [0, 1, 2], 'x');
                return Array.from(box.querySelectorAll('polyline')).map((p) => p.getAttribute('points'));""");
        assertThat(whole).containsExactly("0.00,38.00 50.00,20.00 100.00,2.00");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void latencyChartsAndTheDeliveryHistoryRenderAfterRealSessions() throws Exception {
        try (RawSmtpClient c = new RawSmtpClient(maildirPort)) {
            assertThat(c.deliver("ivan@example.com", "judy@example.org", "Subject: timed\r\n\r\nbody\r\n")).startsWith("250 ");
            assertThat(c.cmd("QUIT")).startsWith("221");
        }
        open(maildirUrl);
        for (String metric : List.of("message_reply_ms_p50", "message_reply_ms_p90", "session_ms_p50", "session_ms_p90")) {
            By value = By.cssSelector("#chart-grid .chart[data-metric='" + metric + "'] .value");
            // the session's end reaches the observer just after the client's QUIT: the page refreshes every 5 s
            new WebDriverWait(browser, WAIT).until(d -> d.findElement(value).getText().matches("[0-9.]+ m?s"));
            assertThat(browser.findElements(By.cssSelector("#chart-grid .chart[data-metric='" + metric + "'] svg polyline")))
                    .hasSize(1);
        }
        assertThat(consoleErrors()).isEmpty();

        queueMessage("karl@example.com", "lena@example.org", "history", "body");
        JsonNode listed = awaitDeferred(count());
        String id = StreamSupport.stream(listed.spliterator(), false)
                .filter(m -> m.get("sender").asText().equals("karl@example.com")).findFirst().orElseThrow().get("id").asText();
        open(relayUrl);
        awaitRows(listed.size());
        browser.findElement(By.cssSelector("#queue-table tr[data-id='" + id + "'] a.msgid")).click();
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector("#detail-history tbody tr")).isEmpty());
        List<WebElement> attempts = browser.findElements(By.cssSelector("#detail-history tbody tr"));
        assertThat(attempts).hasSize(1);
        assertThat(attempts.getFirst().getText()).contains("lena@example.org", "deferred");
        assertThat(consoleErrors()).isEmpty();
    }

    private boolean held(String id) throws IOException {
        for (JsonNode m : queueListJson()) {
            if (m.get("id").asText().equals(id)) {
                return m.get("held").asBoolean();
            }
        }
        throw new AssertionError("no message " + id);
    }

    @Test
    void scriptInAMessageStaysInertText() throws Exception {
        String sender = "\"<img src=x onerror=window.pwned=3>\"@example.com";
        String subject = IMG + " " + SCRIPT;
        queueMessage(sender, "grace@example.org", subject, SCRIPT + "\r\n" + IMG);
        try (RawSmtpClient c = new RawSmtpClient(maildirPort)) {
            assertThat(c.deliver("mallory@example.com", "grace@example.org", "From: " + IMG + " <mallory@example.com>\r\n"
                    + "Subject: " + subject + "\r\n\r\n" + SCRIPT + "\r\n" + IMG + "\r\n")).startsWith("250 ");
        }
        JsonNode listed = awaitDeferred(count());
        JsonNode evil = StreamSupport.stream(listed.spliterator(), false)
                .filter(m -> m.get("sender").asText().contains("onerror")).findFirst().orElseThrow();

        open(relayUrl);
        awaitRows(listed.size());
        WebElement row = browser.findElement(By.cssSelector("#queue-table tr[data-id='" + evil.get("id").asText() + "']"));
        assertThat(row.findElement(By.cssSelector("td.sender")).getText()).isEqualTo(evil.get("sender").asText());
        row.findElement(By.cssSelector("a.msgid")).click();
        new WebDriverWait(browser, WAIT).until(d -> d.findElement(By.id("detail-headers")).getText().contains("Subject: "));
        assertThat(browser.findElement(By.id("detail-headers")).getText()).contains("Subject: " + subject);
        assertInert();

        open(maildirUrl);
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector(".received-item")).isEmpty());
        WebElement item = browser.findElement(By.cssSelector(".received-item"));
        assertThat(item.findElement(By.cssSelector(".subject")).getText()).isEqualTo(subject);
        assertThat(item.findElement(By.cssSelector(".meta")).getText()).contains("From " + IMG + " <mallory@example.com>");
        assertThat(item.findElement(By.cssSelector("pre.body")).getText()).isEqualTo(SCRIPT + "\n" + IMG);
        assertInert();
        assertThat(consoleErrors()).isEmpty();
    }

    /** Nothing of the message became markup: no element it names exists, nothing it would do happened. */
    private void assertInert() {
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(browser.getTitle()).isEqualTo("Postern admin");
        assertThat(browser.executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("img"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("main script, body > script"))).isEmpty();
        assertThat(Map.of("scripts", browser.findElements(By.tagName("script")).size())).containsEntry("scripts", 1);
    }
}
