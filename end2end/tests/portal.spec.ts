import { expect, test } from "@playwright/test";
import { newCustomer, signIn } from "./support";

test("search with a typo → read → helpful, with a comment", async ({ page }) => {
  await page.goto("/");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("searchbox", { name: "Search the help center" }).fill("pasword reset");
  await page.getByRole("searchbox", { name: "Search the help center" }).press("Enter");

  await expect(page).toHaveURL(/\/search\?q=pasword/);
  await expect(page.getByText("Showing results for “password reset”")).toBeVisible();
  const first = page.getByRole("main").getByRole("listitem").first();
  await expect(first.locator("mark").first()).toBeVisible();
  await first.getByRole("link").click();

  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Related articles" })).toBeVisible();
  await page.getByRole("button", { name: "Yes" }).click();
  await expect(page.getByRole("heading", { name: "Thanks! Glad it helped." })).toBeVisible();
  await page.getByLabel("Anything we could add? (optional)").fill("A note on SMS codes would help.");
  await page.getByRole("button", { name: "Send comment" }).click();
  await expect(page.getByRole("heading", { name: "Thanks for the detail." })).toBeVisible();
});

test("no results offers to ask the team, the subject carried over", async ({ page }) => {
  await page.goto("/search?q=xylophone+quasar");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByText("No articles match your search.")).toBeVisible();
  await page.getByRole("link", { name: "Ask our team instead" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contact us" })).toBeVisible();
  await expect(page.getByLabel("Subject")).toHaveValue("xylophone quasar");
});

test("the contact form suggests articles while typing, and one that answers ends the visit", async ({ page }) => {
  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  const suggestions = page.getByRole("complementary", { name: "Answers that might help" });
  await expect(suggestions).toContainText("Start typing");
  await page.getByLabel("Subject").pressSequentially("refund for a damaged order", { delay: 20 });
  await expect(suggestions.getByRole("link", { name: /Request a refund/ })).toBeVisible();
  await suggestions.getByRole("listitem").filter({ hasText: "Request a refund" })
    .getByRole("button", { name: "This answers my question" }).click();
  await expect(page.getByRole("heading", { name: /answered it/ })).toBeVisible();
});

test("a file over the size limit is refused before anything is sent", async ({ page }) => {
  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Attachments (optional)").setInputFiles({
    name: "full-backup.zip",
    mimeType: "application/zip",
    buffer: Buffer.alloc(10 * 1024 * 1024 + 1),
  });
  await expect(page.getByRole("alert")).toHaveText(/“full-backup.zip” is larger than 10 MB/);
  await expect(page.getByText("full-backup.zip", { exact: true })).toHaveCount(0);
});

test("the uploader downloads with the first file picked, and a failed download loses nothing", async ({ page }) => {
  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Subject").fill("A copy of my invoice");
  // The upload code is fetched the first time a file is picked; this time it cannot be.
  const lazyCode = /\/pkg\/(bundle|chunk|split)_.*\.wasm$/;
  await page.route(lazyCode, (route) => route.abort("internetdisconnected"));
  const invoice = { name: "invoice.txt", mimeType: "text/plain", buffer: Buffer.from("INV-1042") };
  await page.getByLabel("Attachments (optional)").setInputFiles(invoice);
  await expect(page.getByRole("alert")).toHaveText(/The uploader did not download/);
  await expect(page.getByLabel("Subject")).toHaveValue("A copy of my invoice");

  await page.unroute(lazyCode);
  await page.getByLabel("Attachments (optional)").setInputFiles(invoice);
  await expect(page.getByRole("list", { name: "Attached files" })).toContainText("invoice.txt");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a request carries what the customer read and searched, and a second customer sees none of it", async ({ page, browser }) => {
  // Two customers' whole journeys, each with its registration.
  test.setTimeout(90_000);
  await newCustomer(page, "Noor Haddad");
  // What the customer tries first, in this visit.
  await page.goto("/search?q=customs+fees");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByRole("heading", { level: 1, name: "Results for “customs fees”" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.goto("/articles/track-your-order");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByRole("heading", { level: 1, name: "Track your order" })).toBeVisible();
  // The read is recorded by the page once it is in the browser; give it a moment to land.
  await page.waitForLoadState("networkidle");

  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByText("Sending as Noor Haddad")).toBeVisible();
  await page.getByLabel("Topic").selectOption("orders-shipping");
  await page.getByLabel("Subject").fill("Who pays the customs fees?");
  await page.getByLabel("How can we help?").fill("My parcel is held at customs and they ask me for a fee.");
  await page.getByLabel("Attachments (optional)").setInputFiles({
    name: "customs-notice.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Import duty due: 12.50 EUR"),
  });
  await expect(page.getByRole("list", { name: "Attached files" })).toContainText("customs-notice.txt");
  await page.getByRole("button", { name: "Send request" }).click();

  await expect(page).toHaveURL(/\/requests\/\d+$/);
  const requestUrl = page.url();
  await expect(page.getByRole("heading", { level: 1, name: "Who pays the customs fees?" })).toBeVisible();
  const conversation = page.getByRole("list", { name: "Conversation" });
  const entries = conversation.locator(":scope > li");
  await expect(entries.nth(0)).toContainText("customs fees");
  await expect(entries.nth(1)).toContainText("Read “Track your order”");
  await expect(entries.last()).toContainText("held at customs");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    entries.last().getByRole("link", { name: "customs-notice.txt" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("customs-notice.txt");
  const saved = await download.createReadStream();
  let content = "";
  for await (const chunk of saved) content += chunk;
  expect(content).toBe("Import duty due: 12.50 EUR");
  await page.screenshot({ path: "test-results/screenshots/request-with-context-laptop.png", fullPage: true });

  await page.goto("/history");
  await page.locator("body[data-hydrated]").waitFor();
  const history = page.getByRole("list", { name: "Your history" });
  await expect(history).toContainText("held at customs");
  await expect(history).toContainText("Searched the help center for “customs fees”");

  const other = await browser.newPage();
  await newCustomer(other, "Sasha Ivanova");
  await other.goto("/history");
  await other.locator("body[data-hydrated]").waitFor();
  await expect(other.getByText("Nothing yet.", { exact: false })).toBeVisible();
  const response = await other.goto(requestUrl);
  expect(response?.status()).toBe(404);
  await other.close();
});

test("the history shows every channel in order, and filters by channel", async ({ page }) => {
  await page.goto("/history");
  await signIn(page, "customer@northwind.test");
  await expect(page).toHaveURL(/\/history$/);
  const history = page.getByRole("list", { name: "Your history" });
  await expect(history.locator(".history-entry").first()).toBeVisible();
  const channels = await history.locator(".history-entry__channel").allTextContents();
  expect(new Set(channels).size, `channels: ${channels}`).toBeGreaterThanOrEqual(3);
  const times = await history.locator("time").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("datetime") ?? ""));
  expect([...times].sort().reverse()).toEqual(times);
  await expect(history).not.toContainText("Billing confirmed");

  await page.getByLabel("Channel").selectOption("email");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/channel=email/);
  await expect(page.locator(".history-entry").first()).toContainText("Email");
  const filtered = await page.getByRole("list", { name: "Your history" }).locator(".history-entry__channel").allTextContents();
  expect(filtered.length).toBeGreaterThan(0);
  expect(new Set(filtered)).toEqual(new Set(["Email"]));
});

test("the history loads older activity as the customer scrolls", async ({ page }) => {
  await newCustomer(page, "Ines Duarte");
  // One real search from the page, then the same call replayed: 40 searches on the timeline.
  // Listening before the page opens: the search is noted as soon as the page hydrates.
  const noting = page.waitForRequest((request) => request.url().includes("note_search"));
  await page.goto("/search?q=printer+ink");
  const noted = await noting;
  for (let n = 0; n < 40; n++) {
    const response = await page.request.post(noted.url(), { form: { query: `printer ink ${n}`, results: "0" } });
    expect(response.ok()).toBeTruthy();
  }

  await page.goto("/history");
  await page.locator("body[data-hydrated]").waitFor();
  const entries = page.getByRole("list", { name: "Your history" }).locator(".history-entry");
  await expect(entries).toHaveCount(30);
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, 50_000);
  await expect.poll(() => entries.count()).toBeGreaterThan(40);
  await expect(page.getByRole("button", { name: "Show older activity" })).toHaveCount(0);
});
