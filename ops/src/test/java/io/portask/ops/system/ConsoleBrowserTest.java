package io.portask.ops.system;

import io.portask.client.Consumer;
import io.portask.client.Producer;
import io.portask.client.RebalanceListener;
import io.portask.testsupport.BrokerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
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
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator console in a real browser: Debian's headless Chromium, driven through Debian's chromedriver,
 * against real broker and gateway processes. Publishes through the page and sees the record arrive in the live
 * tail; with producers on two topics and a consumer group, the charts show records/s per topic, the broker's
 * produce-ack percentiles and the group's lag. The screenshot is kept in ops/target/console.png.
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
            "--window-size=1280,1900", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void produce(final AtomicBoolean producing)
    {
        try (Producer producer = Producer.builder(broker.bootstrap()).lingerMs(0).build())
        {
            int i = 0;
            while (producing.get())
            {
                producer.send(0 == (i & 1) ? "orders" : "ui", "k" + (i % 7), "record " + i);
                i++;
                BrokerProcess.sleep(2);
            }
            producer.flush();
        }
    }

    private static String legend(final WebDriver driver, final String chart)
    {
        return driver.findElement(By.id(chart + "-legend")).getText();
    }

    /** The latest records/s the legend shows for a topic ("orders 212/s"), -1 when it shows none. */
    private static double rate(final String legend, final String topic)
    {
        final java.util.regex.Matcher matcher =
            java.util.regex.Pattern.compile("(?m)(^|\\s)" + topic + " ([0-9.e+-]+)/s").matcher(legend);
        return matcher.find() ? Double.parseDouble(matcher.group(2)) : -1;
    }

    /** Pixels of the chart's canvas that are not blank: its axis labels and lines. */
    private long colouredPixels(final String canvas)
    {
        return ((Number)((JavascriptExecutor)browser).executeScript(
            "const c = document.getElementById(arguments[0]);" +
            "const data = c.getContext('2d').getImageData(40, 0, c.width - 40, c.height - 16).data;" +
            "let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; } return n;",
            canvas)).longValue();
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
        http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/topics"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"orders\",\"partitions\":2}")).build(),
            HttpResponse.BodyHandlers.discarding());
        final AtomicBoolean producing = new AtomicBoolean(true);
        final Thread load = Thread.ofPlatform().daemon().start(() -> produce(producing));
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
            wait.until(driver -> legend(driver, "lag").contains("billing"));
            wait.until(driver -> rate(legend(driver, "throughput"), "orders") > 0 &&
                rate(legend(driver, "throughput"), "ui") > 0);
            wait.until(driver -> legend(driver, "latency").matches("(?s)p50 [0-9.e-]+ ms.*p99 .*p99\\.9 .*"));
        }
        finally
        {
            producing.set(false);
            load.join();
        }
        assertTrue(colouredPixels("throughput") > 100, "the records/s chart drew its lines");
        assertTrue(colouredPixels("latency") > 100, "the latency chart drew its lines");
        assertFalse(browser.findElement(By.id("connections")).getText().contains("session -"),
            "no negative session ids");
        // the page's percentile arithmetic: 100 observations, 50 under 1 ms, 40 in (1, 2] ms, 10 in (2, 5] ms
        final JavascriptExecutor js = (JavascriptExecutor)browser;
        assertEquals(1.0, ((Number)js.executeScript(
            "return quantile(0.5, [[0.001, 50], [0.002, 90], [0.005, 100], [Infinity, 100]]) * 1000")).doubleValue(),
            1e-9);
        assertEquals(3.5, ((Number)js.executeScript(
            "return quantile(0.95, [[0.001, 50], [0.002, 90], [0.005, 100], [Infinity, 100]]) * 1000")).doubleValue(),
            1e-9);
        assertEquals(5.0, ((Number)js.executeScript(
            "return quantile(0.99, [[0.001, 50], [0.002, 90], [0.005, 98], [Infinity, 100]]) * 1000")).doubleValue(),
            1e-9, "past the last finite bound: that bound");
        assertEquals(null, js.executeScript("return quantile(0.5, [[0.001, 0], [Infinity, 0]])"));

        js.executeScript("window.scrollTo(0, 0)");
        final File screenshot = ((TakesScreenshot)browser).getScreenshotAs(OutputType.FILE);
        final Path artifact = Path.of(System.getProperty("portask.root"), "ops", "target", "console.png");
        Files.copy(screenshot.toPath(), artifact, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(artifact) > 10_000, "a real screenshot was taken");
    }
}
