import { expect, test } from "@playwright/test";
import { signedIn, visitorRequest } from "./support";

test("an admin writes an article with a live preview, publishes it, and readers find it; a staff-only one stays hidden", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const word = `giftwrap${stamp}`;
  const admin = await signedIn(browser, "/admin/articles", "admin@northwind.test");
  await admin.getByRole("link", { name: "New article" }).click();
  await admin.locator("body[data-hydrated]").waitFor();

  await admin.getByLabel("Title").fill(`Gift wrapping ${word}`);
  await admin.getByLabel("Summary").fill("Wrap an order as a gift at checkout.");
  await admin.getByLabel("Tags").fill("orders, gifts");
  await admin.getByLabel("Body (Markdown)").fill(
    `## How it works\n\nChoose **gift wrap** at checkout.\n\n| Paper | Price |\n|---|--:|\n| Kraft | Free |\n\n<script>alert(1)</script>\n\n[trick](javascript:alert(1))`,
  );
  // The preview is the published page's own rendering: structure kept, script gone.
  const preview = admin.getByRole("region", { name: "Preview" });
  await expect(preview.getByRole("heading", { level: 2, name: "How it works" })).toBeVisible();
  await expect(preview.locator("strong")).toHaveText("gift wrap");
  await expect(preview.locator("table")).toContainText("Kraft");
  await expect(preview.locator("td", { hasText: "Free" })).toHaveCSS("text-align", "right");
  await expect(preview.locator("script")).toHaveCount(0);
  await expect(preview.locator("a[href^='javascript']")).toHaveCount(0);

  // An image: uploaded, added to the body, shown in the preview from its own address.
  const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
  await admin.locator("#article-image").setInputFiles({ name: "wrapped box.png", mimeType: "image/png", buffer: Buffer.from(pixel, "base64") });
  await expect(admin.getByLabel("Body (Markdown)")).toHaveValue(/!\[wrapped box\]\(\/kb\/images\/\d+\/wrapped-box\.png\)/);
  await expect(preview.locator("img[src^='/kb/images/']")).toHaveAttribute("alt", "wrapped box");

  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin).toHaveURL(/\/admin\/articles\/\d+$/);
  await expect(admin.getByRole("status").filter({ hasText: "Version 1" })).toContainText("Draft");

  // A draft is not in the help center.
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`/search?q=${word}`);
  await expect(reader.getByText("No articles match your search.")).toBeVisible();

  await admin.getByRole("button", { name: "Publish now" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Version 1" })).toContainText("Published");
  // Saved again after publishing: the editor holds the newest version, so no conflict.
  await admin.getByLabel("Summary").fill("Wrap an order as a gift at checkout.");
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Version 2" })).toContainText("Published");
  // Any two versions compared: here the first draft with the saved change.
  await admin.getByLabel("Compare", { exact: true }).selectOption({ label: "Version 1" });
  await admin.getByLabel("with", { exact: true }).selectOption({ label: "Version 2" });
  await admin.getByRole("button", { name: "Show changes" }).click();
  await expect(admin.locator("figure.diff figcaption")).toHaveText("Version 1 → Version 2");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-article-editor-${label}.png`, fullPage: true });
  }

  await reader.goto(`/search?q=${word}`);
  await reader.getByRole("link", { name: `Gift wrapping ${word}` }).click();
  await expect(reader.getByRole("heading", { level: 1, name: `Gift wrapping ${word}` })).toBeVisible();
  await expect(reader.getByRole("heading", { level: 2, name: "How it works" })).toBeVisible();

  // An agent answers with it: on the portal, its title, summary and link.
  const ticket = await visitorRequest(browser, "Greta Holm", `Can you wrap my order ${stamp}?`);
  await admin.goto(`/agent/tickets/${ticket}`);
  await admin.locator("body[data-hydrated]").waitFor();
  await admin.getByRole("button", { name: "Insert article" }).click();
  await admin.getByLabel("Search articles").fill(word);
  await admin.getByRole("button", { name: new RegExp(`Gift wrapping ${word}`) }).click();
  await expect(admin.getByLabel("Your reply")).toHaveValue(
    new RegExp(`^Gift wrapping ${word}\nWrap an order as a gift at checkout\.\nhttp://[^/]+/articles/gift-wrapping-${word}$`),
  );

  // A staff-only article, published, is invisible to a reader and answers 404 by its address.
  await admin.goto("/admin/articles/new");
  await admin.locator("body[data-hydrated]").waitFor();
  await admin.getByLabel("Title").fill(`Escalation runbook ${word}`);
  await admin.getByLabel("Who can read it").selectOption("internal");
  await admin.getByLabel("Body (Markdown)").fill("Call the on-duty lead.");
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin).toHaveURL(/\/admin\/articles\/\d+$/);
  await admin.getByRole("button", { name: "Publish now" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Version 1" })).toContainText("Published");

  await reader.goto(`/search?q=${word}`);
  await expect(reader.getByRole("link", { name: `Gift wrapping ${word}` })).toBeVisible();
  await expect(reader.getByRole("link", { name: /Escalation runbook/ })).toHaveCount(0);
  const hidden = await reader.goto(`/articles/escalation-runbook-${word}`);
  expect(hidden?.status()).toBe(404);
  await reader.context().close();

  // The list shows both, by status.
  await admin.goto("/admin/articles?status=published");
  await admin.locator("body[data-hydrated]").waitFor();
  await expect(admin.getByRole("link", { name: `Escalation runbook ${word}` })).toBeVisible();

  // A backup of the whole knowledge base, imported again, changes nothing.
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export all" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^knowledge-base-\d{4}-\d{2}-\d{2}\.zip$/);
  await admin.locator("#import-articles").setInputFiles(await download.path());
  await expect(admin.getByRole("status").filter({ hasText: "Imported:" })).toContainText(/0 new, 0 updated, \d+ unchanged/);
  await admin.screenshot({ path: "test-results/screenshots/admin-articles-list-laptop.png", fullPage: true });
  await admin.context().close();
});
