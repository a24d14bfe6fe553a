package io.portask.ops.system;

import io.portask.client.Consumer;
import io.portask.client.RebalanceListener;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator console in a real browser: Debian's headless Chromium, driven through Debian's chromedriver,
 * against real broker and gateway processes. Publishes through the page and sees the record arrive in the live
 * tail; the screenshot is kept in ops/target/console.png.
 */
class ConsoleBrowserTest
{
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @TempDir
    Path dir;

    private BrokerProcess broker;
    private BrokerProcess gateway;
    private WebDriver browser;

    @AfterEach
    void stop()
    {
        if (null != browser)
        {
            browser.quit();
        }
        if (null != gateway)
        {
            gateway.close();
        }
        if (null != broker)
        {
            broker.close();
        }
    }

    private WebDriver chromium() throws Exception
    {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
            "needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver " +
            "(./portask test and .ci/run install them)");
        final ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1280,900", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void shouldPublishThroughThePageAndSeeTheRecordArriveLive() throws Exception
    {
        broker = new BrokerProcess(dir.resolve("data")).start();
        gateway = BrokerProcess.gateway(dir.resolve("data")).start();
        final HttpClient http = HttpClient.newHttpClient();
        final String base = "http://127.0.0.1:" + gateway.port();
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (200 != http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode())
        {
            assertTrue(System.nanoTime() < deadline, "gateway never reached the broker");
            BrokerProcess.sleep(100);
        }
        http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/topics"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ui\",\"partitions\":1}")).build(),
            HttpResponse.BodyHandlers.discarding());

        browser = chromium();
        browser.get(base + "/");
        final WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(ExpectedConditions.textToBe(By.id("status"), "broker up"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#topic option[value='ui']")));
        // the page rebuilds the topic list on every refresh: select again if the list was replaced meanwhile
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(driver ->
        {
            new Select(driver.findElement(By.id("topic"))).selectByValue("ui");
            return "ui".equals(new Select(driver.findElement(By.id("topic"))).getFirstSelectedOption()
                .getDomAttribute("value"));
        });
        browser.findElement(By.id("follow")).click();
        wait.until(ExpectedConditions.textToBe(By.id("follow"), "tailing ui/0"));

        browser.findElement(By.id("key")).sendKeys("order-7");
        browser.findElement(By.id("value")).sendKeys("hello from the browser");
        browser.findElement(By.id("send")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("published"), "offset 0"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tail"), "hello from the browser"));
        assertTrue(browser.findElement(By.id("tail")).getText().contains("ui/0@0"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("topics"), "ui"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("connections"), "aeron:ipc session"));
        assertTrue(browser.findElement(By.id("writebehind")).getText().contains("write-behind off"));
        try (Consumer member = Consumer.builder(broker.bootstrap()).group("billing").build())
        {
            member.subscribe(List.of("ui"), new RebalanceListener()
            {
            });
            wait.until(driver ->
            {
                member.poll(Duration.ofMillis(50));
                member.commit();
                final String groups = driver.findElement(By.id("groups")).getText();
                return groups.contains("billing") && groups.contains("1 member(s)") &&
                    groups.contains("billing-member-");
            });
        }

        final File screenshot = ((TakesScreenshot)browser).getScreenshotAs(OutputType.FILE);
        final Path artifact = Path.of(System.getProperty("portask.root"), "ops", "target", "console.png");
        Files.copy(screenshot.toPath(), artifact, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(artifact) > 10_000, "a real screenshot was taken");
    }
}
