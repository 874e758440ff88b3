import { expect, test } from "@playwright/test";
import { newCustomer, signIn } from "./support";

test("a customer follows a request across channels, without the agents' notes", async ({ page }) => {
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/sign-in\?next=\/requests$/);
  await signIn(page, "customer@northwind.test");

  await expect(page).toHaveURL(/\/requests$/);
  await expect(page.getByRole("heading", { level: 1, name: "My requests" })).toBeVisible();
  await page.getByRole("link", { name: "Invoice INV-2291 shows the wrong VAT number" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Invoice INV-2291 shows the wrong VAT number" })).toBeVisible();
  const conversation = page.getByRole("list", { name: "Conversation" });
  await expect(conversation).toContainText("Can you reissue it?");
  await expect(conversation).toContainText("Northwind support");
  await expect(conversation).not.toContainText("Billing confirmed");

  await page.getByLabel("Your reply").fill("The corrected invoice arrived, thank you!");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(conversation.getByRole("listitem").last()).toContainText("The corrected invoice arrived, thank you!");
  await expect(conversation.getByRole("listitem").last()).toContainText("Portal");
  await expect(page.getByLabel("Your reply")).toHaveValue("");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await page.setViewportSize({ width, height });
    // From the top, so the sticky header sits where a reader first sees it.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/screenshots/request-${label}.png`, fullPage: true });
  }

  // Signed out, the request's address leads to sign-in, not to the conversation.
  const url = page.url();
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  const response = await page.request.get(url, { headers: { accept: "text/html" }, maxRedirects: 0 });
  expect(response.status()).toBe(302);
});

test("a solved request asks for its rating once, whether it was solved just now or opened later", async ({ page }) => {
  test.setTimeout(60_000);
  await newCustomer(page, "Ines Duarte");
  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Subject").fill("Wrong colour delivered");
  await page.getByLabel("How can we help?").fill("I ordered the blue kettle and a red one came.");
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  const rating = page.getByRole("region", { name: "How did we do?" });
  await expect(page.getByRole("button", { name: "Mark as solved" })).toBeVisible();
  await expect(rating).toHaveCount(0);

  // Solved here: the form's code downloads now, as the form appears.
  await page.getByRole("button", { name: "Mark as solved" }).click();
  await expect(rating).toBeVisible();
  await expect(page.getByRole("button", { name: "Reopen request" })).toBeVisible();

  // Opened later: the server renders the form, and it works once the page is interactive.
  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
  // The choices are drawn as their labels, over visually hidden radio buttons.
  const satisfaction = rating.getByRole("group", { name: "How satisfied are you with the help you got?" });
  await satisfaction.getByText("4", { exact: true }).click();
  await expect(satisfaction.getByLabel("4", { exact: true })).toBeChecked();
  const ease = rating.getByRole("group", { name: "How easy was it to get your issue resolved?" });
  await ease.getByText("6", { exact: true }).click();
  await expect(ease.getByLabel("6", { exact: true })).toBeChecked();
  await rating.getByLabel("Anything you want to tell us? (optional)").fill("Swapped in two days, thanks.");
  await rating.getByRole("button", { name: "Send rating" }).click();
  await expect(page.getByText("You rated this request 4 of 5 for satisfaction and 6 of 7 for ease.")).toBeVisible();
  await expect(rating).toHaveCount(0);

  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByText(/You rated this request 4 of 5/)).toBeVisible();
  await expect(rating).toHaveCount(0);
});
