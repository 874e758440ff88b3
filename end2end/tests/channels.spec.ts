import { expect, test } from "@playwright/test";
import { signedIn } from "./support";

test("an admin creates an API key that works until revoked, and connects and disconnects a mailbox", async ({ browser }) => {
  const stamp = Date.now();
  const admin = await signedIn(browser, "/admin/channels", "admin@northwind.test");
  await expect(admin.getByRole("heading", { level: 2, name: "Create an API key" })).toBeVisible();

  // A key with no scope is refused with the reason.
  const create = admin.getByRole("region", { name: "Create an API key" });
  await create.getByLabel("Name", { exact: true }).fill(`Phone system ${stamp}`);
  await create.getByLabel(/Send in messages and calls/).uncheck();
  await create.getByRole("button", { name: "Create key" }).click();
  await expect(create.getByRole("alert")).toContainText("at least one scope");
  await create.getByLabel(/Send in messages and calls/).check();
  await create.getByRole("button", { name: "Create key" }).click();
  const secret = await create.getByLabel(/copy it now/).inputValue();
  expect(secret).toMatch(/^hd_/);
  const keys = admin.getByRole("region", { name: "API keys" });
  const row = keys.getByRole("listitem").filter({ hasText: `Phone system ${stamp}` });
  await expect(row).toContainText("messages:write");
  await expect(row).not.toContainText(secret);

  const number = `+4479111${String(stamp).slice(-5)}`;
  const post = (id: string) =>
    admin.request.post("/api/v1/messages", {
      headers: { Authorization: `Bearer ${secret}` },
      data: { channel: "sms", from: { phone: number }, body: "Is my order shipped?", message_id: `SMk${stamp}${id}` },
    });
  expect((await post("a")).status()).toBe(201);

  // A mailbox: connected, listed with where it reads, then disconnected.
  const mailboxName = `Billing inbox ${stamp}`;
  const form = admin.getByRole("region", { name: "Connect a mailbox" });
  await form.getByLabel("Name", { exact: true }).fill(mailboxName);
  await form.getByLabel("IMAP server").fill("imap.northwind.test");
  await form.getByLabel("Security").selectOption("starttls");
  await expect(form.getByLabel("Port")).toHaveValue("143");
  await form.getByLabel("User name").fill("billing");
  await expect(form.getByLabel("Password")).toHaveAccessibleDescription(/kept encrypted/i);
  await form.getByLabel("Password").fill("not-shown-again");
  await form.getByRole("button", { name: "Connect mailbox" }).click();
  const mailbox = admin.getByRole("region", { name: "Mailboxes" }).getByRole("listitem").filter({ hasText: mailboxName });
  await expect(mailbox).toContainText("billing at imap.northwind.test:143 (starttls), folder INBOX");
  await expect(admin.locator("body")).not.toContainText("not-shown-again");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-channels-${label}.png`, fullPage: true });
  }
  await mailbox.getByRole("button", { name: `Disconnect ${mailboxName}` }).click();
  await expect(mailbox).toHaveCount(0);

  await row.getByRole("button", { name: `Revoke Phone system ${stamp}` }).click();
  await expect(row).toContainText("Revoked");
  expect((await post("b")).status()).toBe(401);
  await admin.context().close();
});
