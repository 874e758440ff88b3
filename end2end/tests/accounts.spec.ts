import { expect, test, type Page } from "@playwright/test";

const PASSWORD = "demo-password";

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("an anonymous request for the workspace is redirected to sign in", async ({ request }) => {
  const response = await request.get("/agent", { maxRedirects: 0, headers: { accept: "text/html" } });
  expect(response.status()).toBe(302);
  expect(response.headers()["location"]).toBe("/sign-in?next=/agent");
});

test("an agent signs in, lands in the inbox, and signs out", async ({ page }) => {
  await page.goto("/agent");
  await expect(page).toHaveURL(/\/sign-in\?next=\/agent$/);
  await signIn(page, "agent@northwind.test");

  await expect(page).toHaveURL(/\/agent$/);
  await expect(page.getByRole("heading", { name: "Mine" })).toBeVisible();
  await expect(page.getByText("Invoice INV-2291 shows the wrong VAT number")).toBeVisible();
  await expect(page.getByRole("banner").getByText("Sam Okafor")).toBeVisible();

  await page.getByRole("navigation", { name: "Inbox views" }).getByRole("link", { name: "All tickets" }).click();
  await expect(page).toHaveURL(/view=all/);
  await expect(page.getByText("Order arrived with one item missing")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/agent");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a wrong password is refused with a message that gives nothing away", async ({ page }) => {
  await page.goto("/sign-in");
  await signIn(page, "agent@northwind.test", "not the password");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await signIn(page, "nobody@northwind.test", "not the password");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
});

test("a customer who opens an agent URL is refused", async ({ page }) => {
  await page.goto("/sign-in");
  await signIn(page, "customer@northwind.test");
  await expect(page).toHaveURL(/\/$/);
  const response = await page.goto("/agent");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("not available to your account");
});
