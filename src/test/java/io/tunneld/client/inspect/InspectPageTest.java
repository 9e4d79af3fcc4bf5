package io.tunneld.client.inspect;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/**
 * The inspection page in a real headless Chromium (Debian's, through its chromedriver), of a
 * real client tunnelling through the real server to a real local web service.
 */
@QuarkusTest
class InspectPageTest extends TunneldTest {

    private static final String SECRET = "Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk";

    private RecordingService web;
    private InspectedClient client;
    private Path profile;
    private WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        web = new RecordingService();
        client = new InspectedClient("server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\n"
                + "inspect_addr: 127.0.0.1:0\n", "-tls-skip-verify", "-subdomain=inspect-page", "-proto=http",
                "" + web.port());
        profile = Files.createTempDirectory("chromium-profile");
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        client.close();
        web.close();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
        }
    }

    /** Chromium as the closed network needs it: nothing fetched, nothing synced, no sandbox. */
    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        // The driver named explicitly: Selenium Manager never looks for one to download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private String send(String request) throws Exception {
        return PublicClient.exchange(PublicClient.plain(ports.http()), request);
    }

    private WebElement row(WebDriver d, String method, String path) {
        return d.findElements(By.cssSelector("tr.exchange")).stream()
                .filter(r -> r.findElement(By.className("method")).getText().equals(method)
                        && r.findElement(By.className("path")).getText().startsWith(path))
                .findFirst().orElse(null);
    }

    @Test
    void theBrowserListsTheRequestsShowsOneAndReplaysIt() throws Exception {
        client.tunnel("http");
        String host = "inspect-page.localhost";
        // Two requests on one kept-alive connection, the second answered in chunks.
        String answers = send("POST /form?x=1 HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + SECRET
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nname=value"
                + "GET /chunked/page HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        assertTrue(answers.contains("local POST /form?x=1 name=value"), answers);
        assertTrue(answers.contains("Transfer-Encoding: chunked") || answers.contains("transfer-encoding: chunked"),
                answers);
        assertEquals(1, web.count("POST /form?x=1 name=value"));

        browser = chromium();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        // What the page showed when a wait failed.
        wait.withMessage(() -> "the page:\n" + browser.findElement(By.tagName("body")).getText());
        browser.get("http://127.0.0.1:" + client.views.inspectPort() + "/");
        wait.until(d -> row(d, "POST", "/form?x=1") != null && row(d, "GET", "/chunked/page") != null);
        assertEquals("200", row(browser, "POST", "/form?x=1").findElement(By.className("status")).getText());
        assertEquals("200", row(browser, "GET", "/chunked/page").findElement(By.className("status")).getText());
        assertTrue(browser.findElement(By.id("tunnels")).getText()
                .contains("http://" + host + ":" + ports.http() + " → 127.0.0.1:" + web.port()),
                browser.findElement(By.id("tunnels")).getText());

        // The chunked response, whole.
        row(browser, "GET", "/chunked/page").click();
        wait.until(d -> d.findElement(By.id("response-body")).getText().equals("local GET /chunked/page "));

        row(browser, "POST", "/form?x=1").click();
        wait.until(d -> d.findElement(By.id("request-line")).getText().equals("POST /form?x=1 HTTP/1.1"));
        String requestHeaders = browser.findElement(By.id("request-headers")).getText();
        assertTrue(requestHeaders.contains("Authorization " + SECRET), requestHeaders);
        assertTrue(requestHeaders.contains("Host " + host), requestHeaders);
        assertEquals("name=value", browser.findElement(By.id("request-body")).getText());
        assertEquals("HTTP/1.1 200 OK", browser.findElement(By.id("response-line")).getText());
        assertTrue(browser.findElement(By.id("response-headers")).getText().contains("X-Local yes"));
        assertEquals("local POST /form?x=1 name=value", browser.findElement(By.id("response-body")).getText());

        browser.findElement(By.id("replay")).click();
        wait.until(d -> d.findElement(By.id("replay-result")).getText().startsWith("Replayed as #"));
        // The local service got the request again, and the page lists what it answered.
        eventually(() -> web.count("POST /form?x=1 name=value") == 2);
        wait.until(d -> d.findElements(By.cssSelector("tr.exchange .replay-mark")).size() == 1);
        List<WebElement> replays = browser.findElements(By.cssSelector("tr.exchange")).stream()
                .filter(r -> !r.findElements(By.className("replay-mark")).isEmpty()).toList();
        WebElement replay = replays.get(0);
        assertEquals("POST", replay.findElement(By.className("method")).getText());
        wait.until(d -> replays.get(0).findElement(By.className("status")).getText().equals("200"));
        replay.click();
        wait.until(d -> d.findElement(By.id("response-body")).getText().equals("local POST /form?x=1 name=value")
                && d.findElement(By.id("detail-meta")).getText().contains("replay of #"));
        assertEquals(3, browser.findElements(By.cssSelector("tr.exchange")).size());

        String log = client.log();
        assertFalse(log.contains("c2VjcmV0"), "no Authorization header in the log:\n" + log);
        assertTrue(log.contains("[INFO] [web] Serving web interface on 127.0.0.1:" + client.views.inspectPort() + "\n"),
                log);
    }
}
