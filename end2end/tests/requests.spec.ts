import { expect, test } from "@playwright/test";
import { signIn } from "./support";

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
