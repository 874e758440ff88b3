// What the browser downloads to make each area interactive: every WASM and JS file fetched
// from /pkg until the page is hydrated, in a fresh context (empty cache), counted as the bytes
// the server actually sent. A release build made with `--precompress` (scripts/bench-browser.sh)
// serves brotli files compressed at quality 11; a file sent in another encoding is flagged.
// Pages behind sign-in are opened with the demo staff login's cookies. A step after hydration
// (opening a ticket from the inbox) counts what it fetches too.
// Usage: BASE_URL=http://127.0.0.1:3000 node bench/bundle.mjs
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const pages = [
  // A missing page renders in the shell alone: what every page downloads before its own code.
  ["shell (page not found)", "/no-such-page", null],
  ["help center home", "/", null],
  ["article", "/articles/track-your-order", null],
  ["search results", "/search?q=refund", null],
  ["contact form", "/contact", null],
  ["sign in", "/sign-in", null],
  ["register", "/register", null],
  ["customer requests", "/requests", "customer@northwind.test"],
  // The demo customer's first request, opened directly.
  ["one request", "/requests/1", "customer@northwind.test"],
  // Solved, so it asks for the customer's rating.
  ["a solved request", "/requests/2", "customer@northwind.test"],
  // The upload code arrives with the first file picked.
  ["a request, then a file", "/requests/1", "customer@northwind.test", async (page) => {
    await page.getByLabel("Attachments (optional)").setInputFiles({ name: "receipt.txt", mimeType: "text/plain", buffer: Buffer.from("NW-20391") });
    await page.getByRole("list", { name: "Attached files" }).locator(".attachments__name", { hasText: "receipt.txt" }).waitFor();
  }],
  ["requests, then one", "/requests", "customer@northwind.test", async (page) => {
    await page.locator("a[href^='/requests/']").first().click();
    await page.getByRole("list", { name: "Conversation" }).waitFor();
  }],
  ["customer history", "/history", "customer@northwind.test"],
  ["agent inbox", "/agent", "agent@northwind.test"],
  ["agent ticket", "/agent/tickets/1", "agent@northwind.test"],
  ["inbox, then a ticket", "/agent", "agent@northwind.test", async (page) => {
    await page.locator("a[href^='/agent/tickets/']").first().click();
    await page.getByRole("list", { name: "Conversation" }).waitFor();
  }],
  ["admin", "/admin", "admin@northwind.test"],
  ["article editor", "/admin/articles/new", "admin@northwind.test"],
];

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function signedIn(browser, email) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/sign-in");
  const state = await context.storageState();
  await context.close();
  return state;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
for (const [name, path, login, then] of pages) {
  const storageState = login ? await signedIn(browser, login) : undefined;
  const context = await browser.newContext({ baseURL: base, storageState });
  const page = await context.newPage();
  const files = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/pkg/") && /\.(wasm|js)$/.test(url.pathname)) {
      const sent = Promise.all([response.body(), response.request().sizes(), response.headerValue("content-encoding")]);
      files.push(sent.then(([body, sizes, encoding]) => ({ file: url.pathname.slice(5), raw: body.length, sent: sizes.responseBodySize, encoding })));
    }
  });
  await page.goto(path);
  await page.locator("body[data-hydrated]").waitFor();
  if (then) {
    await then(page);
  }
  const fetched = await Promise.all(files);
  const total = fetched.reduce((sum, f) => sum + f.sent, 0);
  const unbrotlied = fetched.filter((f) => f.encoding !== "br").length;
  const flag = unbrotlied ? `  (${unbrotlied} not sent as brotli)` : "";
  console.log(`${name.padEnd(24)} ${kb(total).padStart(9)} sent in ${fetched.length} files${flag}`);
  // The largest files; VERBOSE=1 lists every one.
  const listed = fetched.sort((a, b) => b.sent - a.sent).slice(0, process.env.VERBOSE ? undefined : 4);
  for (const f of listed) {
    console.log(`    ${f.file.padEnd(44)} raw ${kb(f.raw).padStart(9)}  sent ${kb(f.sent).padStart(9)} ${f.encoding ?? "identity"}`);
  }
  await context.close();
}
await browser.close();
