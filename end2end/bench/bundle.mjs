// What the browser downloads to make each area interactive: every WASM and JS file fetched
// from /pkg until the page is hydrated, in a fresh context (empty cache), compressed with
// brotli at quality 11 as a release server would serve it. Pages behind sign-in are opened with
// the demo staff login's cookies. A step after hydration (opening a ticket from the inbox) counts
// what it fetches too. Usage: BASE_URL=http://127.0.0.1:3000 node bench/bundle.mjs
import { chromium } from "@playwright/test";
import { brotliCompressSync, constants } from "node:zlib";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const pages = [
  ["help center home", "/", null],
  ["article", "/articles/track-your-order", null],
  ["search results", "/search?q=refund", null],
  ["contact form", "/contact", null],
  ["sign in", "/sign-in", null],
  ["customer requests", "/requests", "customer@northwind.test"],
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
const brotli = (body) =>
  brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

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
      files.push(response.body().then((body) => ({ file: url.pathname.slice(5), raw: body.length, br: brotli(body) })));
    }
  });
  await page.goto(path);
  await page.locator("body[data-hydrated]").waitFor();
  if (then) {
    await then(page);
  }
  const fetched = await Promise.all(files);
  const total = fetched.reduce((sum, f) => sum + f.br, 0);
  console.log(`${name.padEnd(18)} ${kb(total).padStart(9)} brotli in ${fetched.length} files`);
  // The largest files; VERBOSE=1 lists every one.
  const listed = fetched.sort((a, b) => b.br - a.br).slice(0, process.env.VERBOSE ? undefined : 4);
  for (const f of listed) {
    console.log(`    ${f.file.padEnd(44)} raw ${kb(f.raw).padStart(9)}  brotli ${kb(f.br).padStart(9)}`);
  }
  await context.close();
}
await browser.close();
