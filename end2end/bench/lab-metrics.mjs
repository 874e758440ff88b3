// Lighthouse-style lab metrics of the portal pages in headless Chromium: Largest Contentful
// Paint and Cumulative Layout Shift, each page loaded RUNS times in a fresh browser context,
// under Lighthouse's mobile throttling (4x CPU slowdown; 150 ms RTT, 1.6 Mbit/s down,
// 750 kbit/s up) and unthrottled. Usage: BASE_URL=http://127.0.0.1:3000 node bench/lab-metrics.mjs
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const runs = Number(process.env.RUNS ?? 5);
const pages = [
  ["help center home", "/"],
  ["article", "/articles/track-your-order"],
  ["category", "/categories/orders-shipping"],
  ["search results", "/search?q=refund"],
  ["contact form", "/contact"],
];
const profiles = [
  { name: "mobile throttling", cpu: 4, network: { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 } },
  { name: "unthrottled", cpu: 1, network: null },
];

// Collects LCP and layout shifts from the first byte on; CLS as Chromium defines it: the
// largest burst of shifts (gaps under 1 s, at most 5 s long) not caused by user input.
const observe = () => {
  window.__lab = { lcp: 0, cls: 0 };
  let burst = 0, first = 0, last = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lab.lcp = entry.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      if (burst && entry.startTime - last < 1000 && entry.startTime - first < 5000) {
        burst += entry.value;
      } else {
        burst = entry.value;
        first = entry.startTime;
      }
      last = entry.startTime;
      window.__lab.cls = Math.max(window.__lab.cls, burst);
    }
  }).observe({ type: "layout-shift", buffered: true });
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const profile of profiles) {
  console.log(`\n== ${profile.name}, ${runs} loads per page (LCP ms: median / max; CLS: max)`);
  for (const [name, path] of pages) {
    const lcps = [], clss = [];
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
      if (profile.network) {
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", { offline: false, ...profile.network });
      }
      await page.addInitScript(observe);
      await page.goto(base + path, { waitUntil: "load" });
      await page.locator("body[data-hydrated]").waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1500); // late shifts, e.g. results arriving after hydration
      const { lcp, cls } = await page.evaluate(() => window.__lab);
      lcps.push(lcp);
      clss.push(cls);
      await context.close();
    }
    console.log(
      `${name.padEnd(18)} ${path.padEnd(30)} LCP ${median(lcps).toFixed(0).padStart(5)} / ${Math.max(...lcps).toFixed(0).padStart(5)}   CLS ${Math.max(...clss).toFixed(3)}`,
    );
  }
}
await browser.close();
