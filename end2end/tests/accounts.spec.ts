import { expect, test } from "@playwright/test";
import { mailedLink, signIn } from "./support";

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

  await page.getByRole("navigation", { name: "Inbox views" }).getByRole("link", { name: /All unsolved/ }).click();
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

test("a customer registers, confirms the email, signs in and signs out", async ({ page }) => {
  const blocked: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) blocked.push(message.text());
  });
  const email = `robin-${Date.now()}@example.test`;
  await page.goto("/sign-in");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Your name").fill("Robin Park");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill("maple syrup harbour");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText(`we sent a link to ${email}`);

  await page.goto(mailedLink(email));
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await expect(page.getByRole("status")).toContainText("Your email address is confirmed");
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();

  await signIn(page, email, "maple syrup harbour");
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("banner").getByRole("link", { name: "Robin Park" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();

  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(blocked, "the page's own scripts all pass its Content-Security-Policy").toEqual([]);
});

test("an admin invites an agent, who sets a password from the mail", async ({ page, browser }) => {
  const email = `lee-${Date.now()}@northwind.test`;
  await page.goto("/admin");
  await signIn(page, "admin@northwind.test");
  await expect(page.getByRole("heading", { name: "Invite a staff member" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Lee Wong");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("agent");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toHaveText(`Invitation sent to ${email}.`);
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Invited");

  const invitee = await browser.newPage();
  await invitee.goto(mailedLink(email));
  await invitee.locator("body[data-hydrated]").waitFor();
  await invitee.getByLabel("New password", { exact: true }).fill("quiet river stone");
  await invitee.getByRole("button", { name: "Save password" }).click();
  await expect(invitee.getByRole("status")).toContainText("Your password is saved");
  await invitee.goto("/agent");
  await signIn(invitee, email, "quiet river stone");
  await expect(invitee.getByRole("heading", { name: "Mine" })).toBeVisible();
  await invitee.close();
});
