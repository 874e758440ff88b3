import { expect, test } from "@playwright/test";
import { signedIn } from "./support";

test("an editor nests and reorders categories, and readers browse the subtopics", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const appliances = `Appliances ${stamp}`;
  const kettles = `Kettles ${stamp}`;
  const admin = await signedIn(browser, "/admin/categories", "admin@northwind.test");
  const tree = admin.locator(".category-tree");
  const create = async (name: string, inside?: string) => {
    await admin.locator("#new-category-name").fill(name);
    await admin.locator("#new-category-description").fill(`Guides about ${name.toLowerCase()}`);
    if (inside) await admin.locator("#new-category-parent").selectOption({ label: inside });
    await admin.getByRole("button", { name: "Create category" }).click();
    await expect(tree.getByRole("link", { name, exact: true })).toBeVisible();
    // A created category empties the form for the next one.
    await expect(admin.locator("#new-category-name")).toHaveValue("");
  };
  await create(appliances);
  await create(kettles, appliances);

  // New categories come last; moving one up puts it before its previous sibling.
  const topLevel = () => admin.locator(".category-tree__row--depth-0 .admin__name").allTextContents();
  const before = await topLevel();
  expect(before[before.length - 1]).toBe(appliances);
  // A half-typed new category survives the tree reloading after another change.
  await admin.locator("#new-category-name").fill("Half-typed");
  await admin.getByRole("button", { name: `Move ${appliances} up` }).click();
  await expect.poll(async () => (await topLevel()).indexOf(appliances)).toBe(before.length - 2);
  await expect(admin.locator("#new-category-name")).toHaveValue("Half-typed");

  // A category that still holds a subtopic is not deleted, and the reason is given.
  await admin.getByRole("button", { name: `Delete ${appliances}` }).click();
  await expect(admin.getByRole("alert")).toContainText("still holds 1 subcategory");
  await expect(tree.getByRole("link", { name: appliances, exact: true })).toBeVisible();

  await admin.getByRole("button", { name: `Edit ${kettles}` }).click();
  await admin.locator(".category-tree__edit").getByLabel("Name").fill(`${kettles} & jugs`);
  await admin.locator(".category-tree__edit").getByRole("button", { name: "Save" }).click();
  await expect(tree.getByRole("link", { name: `${kettles} & jugs`, exact: true })).toBeVisible();
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-categories-${label}.png`, fullPage: true });
  }

  // Readers see the subtopic on its parent's card, and the path back up on its page.
  const reader = await (await browser.newContext()).newPage();
  await reader.goto("/");
  const card = reader.getByRole("listitem").filter({ has: reader.getByRole("heading", { name: appliances }) });
  await card.getByRole("link", { name: `${kettles} & jugs` }).click();
  await expect(reader.getByRole("heading", { level: 1, name: `${kettles} & jugs` })).toBeVisible();
  const breadcrumb = reader.getByRole("navigation", { name: "Breadcrumb" });
  await breadcrumb.getByRole("link", { name: appliances }).click();
  await expect(reader.getByRole("heading", { level: 1, name: appliances })).toBeVisible();
  await expect(reader.getByRole("list", { name: "Subtopics" }).getByRole("link", { name: `${kettles} & jugs` })).toBeVisible();
  await reader.screenshot({ path: "test-results/screenshots/help-center-category-with-subtopics.png", fullPage: true });
  // Asking for help, they can name the subtopic, grouped under its parent.
  await reader.goto("/contact");
  await reader.locator("body[data-hydrated]").waitFor();
  const topics = reader.getByLabel("Topic").locator(`optgroup[label="${appliances}"]`);
  await expect(topics.locator("option")).toHaveText([appliances, `${kettles} & jugs`]);
  await reader.getByLabel("Topic").selectOption({ label: `${kettles} & jugs` });
  await reader.context().close();

  // Staff an admin lets write articles find the knowledge base from the header.
  await admin.goto("/admin");
  await admin.locator("body[data-hydrated]").waitFor();
  const writes = () =>
    admin.getByRole("row").filter({ hasText: "supervisor@northwind.test" }).getByRole("checkbox", { name: "Writes articles" });
  // Set, then confirmed by the server's own page: the list reloads after each change.
  const allow = async (allowed: boolean) => {
    // The click's save must reach the server before the page is reloaded, or the reload cancels it.
    if ((await writes().isChecked()) !== allowed) {
      await Promise.all([
        admin.waitForResponse((response) => response.url().includes("/rpc/") && response.request().method() === "POST"),
        writes().click(),
      ]);
    }
    await expect(async () => {
      await admin.reload();
      await admin.locator("body[data-hydrated]").waitFor();
      expect(await writes().isChecked()).toBe(allowed);
    }).toPass({ timeout: 15_000 });
  };
  await allow(false);
  const priya = await signedIn(browser, "/agent", "supervisor@northwind.test");
  const areas = priya.getByRole("navigation", { name: "Areas" });
  await expect(areas.getByRole("link", { name: "Agent workspace" })).toBeVisible();
  await expect(areas.getByRole("link", { name: "Articles" })).toHaveCount(0);
  await allow(true);
  await priya.reload();
  await areas.getByRole("link", { name: "Articles" }).click();
  await expect(priya).toHaveURL(/\/admin\/articles$/);
  await priya.locator("body[data-hydrated]").waitFor();
  await expect(priya.getByRole("navigation", { name: "Admin areas" }).getByRole("link")).toHaveText(["Articles", "Categories", "Insights"], {
    timeout: 20_000,
  });
  await allow(false);
  await admin.context().close();
  await priya.context().close();
});

test("the content team sees reads, votes and the searches that found nothing", async ({ browser }) => {
  const stamp = Date.now();
  // A reader searches for something no article answers.
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`/search?q=zanzibar${stamp}`);
  await reader.locator("body[data-hydrated]").waitFor();
  await expect(reader.getByText("No articles match your search.")).toBeVisible();
  await reader.context().close();

  const admin = await signedIn(browser, "/admin/insights?days=7", "admin@northwind.test");
  await expect(admin.getByRole("link", { name: "Last 7 days" })).toHaveAttribute("aria-current", "page");
  await expect(admin.getByRole("img", { name: /reads and \d+ searches from/ })).toBeVisible();
  const gaps = admin.getByRole("region", { name: "Searches that found nothing" });
  await expect(gaps.getByText(`zanzibar${stamp}`)).toBeVisible();
  await expect(admin.getByRole("region", { name: "Articles" }).getByRole("row")).not.toHaveCount(1);
  await admin.getByRole("link", { name: "Last 30 days" }).click();
  await expect(admin).toHaveURL(/days=30/);
  await expect(admin.locator(".chart__reads"), "a bar per day of the new period").toHaveCount(30);
  await expect(gaps.getByText("warranty extension")).toBeVisible();
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-insights-${label}.png`, fullPage: true });
  }
  await admin.context().close();
});
