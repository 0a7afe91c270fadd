package io.consort.samples.chat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.FileSystemUtils;

/**
 * The chat end to end in a real headless browser: Debian's {@code chromium} driven through Debian's
 * {@code chromedriver} (packages {@code chromium} and {@code chromium-driver}). Selenium is given both
 * paths, so it never tries to download a browser or a driver. Where they are missing the test is
 * skipped and says what to install, unless {@code -Dchat.browser.required=true} (CI) makes that a failure.
 * Other paths: {@code -Dchat.chromium=... -Dchat.chromedriver=...}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "chat.heartbeat=200ms")
class ChatInBrowserTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Path CHROMIUM = Path.of(System.getProperty("chat.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("chat.chromedriver", "/usr/bin/chromedriver"));

    @LocalServerPort
    int port;

    private Path profile;
    private WebDriver browser;

    @BeforeEach
    void startBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install -y chromium chromium-driver)";
            // CI sets -Dchat.browser.required=true so that a missing browser fails the build, not skips.
            if (Boolean.getBoolean("chat.browser.required")) {
                throw new IllegalStateException(missing);
            }
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": " + missing);
            assumeTrue(false, missing);
        }
        profile = Files.createTempDirectory("consort-chat-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile);
        }
    }

    @Test
    void aMessageTypedInOnePageAppearsInTheOtherAndMembersFollowThePages() {
        String ann = browser.getWindowHandle();
        enter("ann");
        waitForMembers("ann");

        browser.switchTo().newWindow(WindowType.TAB);
        String ben = browser.getWindowHandle();
        enter("ben");
        waitForMembers("ann", "ben");

        browser.switchTo().window(ann);
        waitForMembers("ann", "ben");

        browser.switchTo().window(ben);
        browser.findElement(By.id("text")).sendKeys("hello from ben");
        browser.findElement(By.id("send")).click();

        browser.switchTo().window(ann);
        waitUntil("ann's page shows ben's message", () -> texts("#messages li").contains("benhellofromben"));

        // Closing ben's tab drops its EventSource: the server closes ben's session, and ann sees the LEAVE.
        browser.switchTo().window(ben);
        browser.close();
        browser.switchTo().window(ann);
        waitForMembers("ann");
    }

    private void enter(String name) {
        browser.get("http://localhost:" + port + "/?room=browser");
        var field = browser.findElement(By.id("name"));
        field.clear();
        field.sendKeys(name);
        browser.findElement(By.id("enter")).click();
    }

    private void waitForMembers(String... expected) {
        waitUntil("members " + List.of(expected), () -> texts("#members li").equals(List.of(expected)));
    }

    /**
     * The texts of the elements matching {@code css}, without whitespace, which layout decides. Read
     * in one script call, so a list the page re-renders meanwhile cannot leave us a stale element.
     */
    private List<String> texts(String css) {
        Object found = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);", css);
        return ((List<?>) found).stream().map(t -> String.valueOf(t).replaceAll("\\s", "")).toList();
    }

    private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, TIMEOUT)
                .withMessage(() -> "waiting for " + what + "; page shows members " + texts("#members li")
                        + ", messages " + texts("#messages li") + ", status "
                        + browser.findElement(By.id("status")).getText())
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }
}
