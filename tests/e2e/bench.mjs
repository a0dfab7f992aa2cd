// Benchmark (not a test): on the strict-CSP shop page from shop-server.mjs in headless Chromium,
// 20 fresh loads each measure
//   - script start to a ready, pre-signed button: the `fps-checkout:ready` mark minus the
//     `fps-checkout:start` mark (both performance.now() marks in the page), and from navigation start;
//   - click to navigation: the new document's navigation start minus the click's timestamp.
// Prints medians and the spread as JSON. Run: node tests/e2e/bench.mjs (after scripts/pkg).
import { startShop } from "./shop-server.mjs";
import { launch } from "./browser.mjs";

const RUNS = Number(process.env.RUNS ?? 20);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 100) / 100;

const shop = await startShop();
const browser = await launch();
const fromStart = [], fromNavigation = [], clickToNavigation = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(shop.origin + "/");
    await page.locator("#pay[data-state=ready]").waitFor();
    const t = await page.evaluate(() => {
      const start = performance.getEntriesByName("fps-checkout:start")[0].startTime;
      const ready = performance.getEntriesByName("fps-checkout:ready")[0].startTime;
      return { start, ready };
    });
    fromStart.push(t.ready - t.start);
    fromNavigation.push(t.ready);
    await page.evaluate(() =>
      document.addEventListener("click", (e) => {
        sessionStorage.setItem("clickAt", String(performance.timeOrigin + e.timeStamp));
      }, true),
    );
    await Promise.all([page.waitForURL(/\/cobranded-ui\//), page.click("#pay button")]);
    clickToNavigation.push(await page.evaluate(() => performance.timeOrigin - Number(sessionStorage.getItem("clickAt"))));
    await context.close();
  }
} finally {
  await browser.close();
  await shop.close();
}
const summary = (xs) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });
console.log(JSON.stringify({
  runs: RUNS,
  browser: "Debian chromium, headless, 127.0.0.1",
  scriptStartToReadyMs: summary(fromStart),
  navigationStartToReadyMs: summary(fromNavigation),
  clickToNavigationStartMs: summary(clickToNavigation),
}, null, 2));
