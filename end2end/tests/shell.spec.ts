import { expect, test, type Page } from "@playwright/test";

/** Waits until the WASM client has hydrated the server-rendered page. */
async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

/** Marks the current document; a full page load would lose the mark. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as any).__sameDocument = true));
}

async function isSameDocument(page: Page) {
  return page.evaluate(() => (window as any).__sameDocument === true);
}

test("home page is rendered on the server, before any script runs", async ({ browser, request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("How can we help?");
  expect(html).toContain("Reset your password");

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "How can we help?" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Browse by topic" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Track your order" })).toBeVisible();
  await context.close();
});

test("search works without JavaScript as a plain form", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("searchbox", { name: "Search the help center" }).last().fill("refund");
  await page.getByRole("button", { name: "Search" }).last().click();
  await expect(page).toHaveURL(/\/search\?q=refund/);
  await expect(page.getByRole("link", { name: "Request a refund" })).toBeVisible();
  await context.close();
});

test("after hydration, searching calls the server function without reloading", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await markDocument(page);

  const search = page.locator("#hero-search");
  await search.fill("password");
  const call = page.waitForResponse((r) => r.url().includes("/rpc/search_articles"));
  await search.press("Enter");
  expect((await call).status()).toBe(200);

  await expect(page).toHaveURL(/\/search\?q=password/);
  await expect(page.getByRole("heading", { name: "Results for “password”" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Reset your password" })).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);

  // On results pages the header search shows the query it came from.
  await expect(page.locator("#header-search")).toHaveValue("password");
});

test("a search that matches nothing says what to do next", async ({ page }) => {
  await page.goto("/search?q=zeppelin");
  await expect(page.getByText("No articles match your search.")).toBeVisible();
  await expect(page.getByRole("link", { name: "help center home" })).toBeVisible();
});

test("navigation between the three areas happens in place", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await markDocument(page);
  const areas = page.getByRole("navigation", { name: "Areas" });

  // The workspace is for staff: an anonymous visitor is asked to sign in first.
  await areas.getByRole("link", { name: "Agent workspace" }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=\/agent$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await areas.getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=\/admin$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await areas.getByRole("link", { name: "Help center" }).click();
  await expect(page.getByRole("heading", { name: "How can we help?" })).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);
});

test("an article opens from the home page with its rendered body", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Track your order" }).click();
  await expect(page).toHaveURL(/\/articles\/track-your-order$/);
  await expect(page.getByRole("heading", { level: 1, name: "Track your order" })).toBeVisible();
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page).toHaveTitle("Track your order · Northwind Help Center");
});

test("a topic card opens the topic's articles, and the breadcrumb leads back", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Billing & invoices" }).click();
  await expect(page).toHaveURL(/\/categories\/billing$/);
  await expect(page.getByRole("heading", { level: 1, name: "Billing & invoices" })).toBeVisible();
  await page.getByRole("link", { name: "Download an invoice" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Download an invoice" })).toBeVisible();
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Billing & invoices" }).click();
  await expect(page).toHaveURL(/\/categories\/billing$/);
});

test("unknown pages answer 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "We can’t find that page" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the help center" })).toBeVisible();

  const missing = await page.goto("/articles/no-such-article");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("alert")).toContainText("We can’t find that");
});

test("the theme can be switched and is remembered", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const toggle = page.getByRole("button", { name: /^Theme:/ });
  await expect(toggle).toHaveAccessibleName("Theme: system");
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await hydrated(page);
  await expect(toggle).toHaveAccessibleName("Theme: dark");
});

test("the keyboard reaches a skip link first, then the content", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
});

test("a page whose code fails to download offers a full load instead of going blank", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // The contact page's code is fetched lazily, as a bundle of WASM modules or, failing that,
  // module by module: this visit loses every one of them.
  const lazyCode = /\/pkg\/(bundle|chunk|split)_.*\.wasm$/;
  await page.route(lazyCode, (route) => route.abort("internetdisconnected"));
  await page.getByRole("link", { name: "Send us a request" }).click();
  await expect(page.getByRole("heading", { name: "This page didn’t load" })).toBeVisible();

  await page.unroute(lazyCode);
  await page.getByRole("link", { name: "Try again" }).click();
  await expect(page).toHaveURL(/\/contact$/);
  await expect(page.getByRole("heading", { level: 1, name: "Contact us" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel("Subject")).toBeEditable();
});

test("a page whose bundle fails to download still loads, one module at a time", async ({ page }) => {
  // A page's modules come in one bundle; losing it costs requests, not the page.
  await page.route(/\/pkg\/bundle_.*\.wasm$/, (route) => route.abort("internetdisconnected"));
  const moduleFetched = page.waitForResponse((response) => /\/pkg\/(chunk|split)_.*\.wasm$/.test(response.url()));
  await page.goto("/contact");
  await moduleFetched;
  await hydrated(page);
  await expect(page.getByLabel("Subject")).toBeEditable();
});
