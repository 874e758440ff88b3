import { execFileSync } from "node:child_process";
import { expect, type Browser, type Page } from "@playwright/test";

export const PASSWORD = "demo-password";

/** Fills in and sends the sign-in form the page is showing. Labels match exactly: while a lazy
 * page loads, the page before it stays on screen, and "Confirm your email" would match "Email". */
export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The path of the newest link mailed to `to`, read from the outbox as an operator would. */
export function mailedLink(to: string): string {
  const bin = process.env.HELPDESK_BIN ?? "../target/debug/helpdesk";
  const lines = execFileSync(bin, ["outbox", "--to", to], { encoding: "utf8" }).trim().split("\n");
  const mail = JSON.parse(lines[lines.length - 1]);
  const url = new URL(mail.body_text.match(/https?:\/\/\S+token=\S+/)[0]);
  return url.pathname + url.search;
}

/** A new customer account, registered and confirmed through the product's own pages, signed in. */
export async function newCustomer(page: Page, name: string): Promise<string> {
  const email = `${name.split(" ")[0].toLowerCase()}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
  const password = "maple syrup harbour";
  await page.goto("/register");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("we sent a link");
  await page.goto(mailedLink(email));
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await expect(page.getByRole("status")).toContainText("Your email address is confirmed");
  await page.goto("/sign-in");
  await signIn(page, email, password);
  await expect(page.getByRole("banner").getByRole("link", { name })).toBeVisible();
  return email;
}

/** A visitor's request through the contact form, without an account; answers its ticket number. */
export async function visitorRequest(browser: Browser, name: string, subject: string, email?: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/contact");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email ?? `${name.split(" ")[0].toLowerCase()}-${Date.now()}@example.test`);
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("How can we help?").fill("The lid of my kettle arrived cracked.");
  await page.getByRole("button", { name: "Send request" }).click();
  const done = page.getByRole("status").filter({ hasText: "is with our team" });
  await expect(done).toBeVisible();
  const ticket = (await done.textContent())!.match(/#(\d+)/)![1];
  await context.close();
  return ticket;
}

/** A page in a browser context of its own, signed in as `email` on `path`, hydrated. */
export async function signedIn(browser: Browser, path: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/sign-in");
  await signIn(page, email);
  await expect(page).not.toHaveURL(/\/sign-in/);
  await page.goto(path);
  await page.locator("body[data-hydrated]").waitFor();
  return page;
}

/** A new API key with these scopes, made as an administrator would: `helpdesk api-key create`. */
export function apiKey(scopes: string[]): string {
  const bin = process.env.HELPDESK_BIN ?? "../target/debug/helpdesk";
  const args = ["api-key", "create", "--name", `browser test ${Date.now()}`, ...scopes.flatMap((scope) => ["--scope", scope])];
  const printed = execFileSync(bin, args, { encoding: "utf8" }).trim().split("\n");
  return printed[printed.length - 1];
}
