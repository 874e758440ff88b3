import { expect, test } from "@playwright/test";
import { signedIn, visitorRequest } from "./support";

test("a colleague named in a note sees the ticket marked in their inbox until they open it", async ({ browser }) => {
  test.setTimeout(90_000);
  const subject = `Courier lost the parcel ${Date.now()}`;
  const ticket = await visitorRequest(browser, "Noor Aziz", subject);

  const morgan = await signedIn(browser, `/agent/tickets/${ticket}`, "admin@northwind.test");
  await morgan.getByLabel("Internal note").check();
  await expect(morgan.getByText("Type @ and a colleague's name")).toBeVisible();
  await morgan.getByLabel("Note for your team (the customer never sees it)").fill("@Sam can you call the courier?");
  await morgan.getByRole("button", { name: "Add note" }).click();
  await expect(morgan.getByRole("list", { name: "Conversation" })).toContainText("@Sam can you call the courier?");

  const sam = await signedIn(browser, "/agent?view=all", "agent@northwind.test");
  const row = sam.getByRole("listitem").filter({ hasText: subject });
  await expect(row).toContainText("Mentions you");
  await expect(row).toContainText("Unread");
  await sam.screenshot({ path: "test-results/screenshots/agent-inbox-mention-laptop.png" });
  await row.getByRole("link").click();
  await expect(sam.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await sam.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Inbox" }).click();
  await sam.getByRole("navigation", { name: "Inbox views" }).getByRole("link", { name: /All unsolved/ }).click();
  const seen = sam.getByRole("listitem").filter({ hasText: subject });
  await expect(seen).toBeVisible();
  await expect(seen).not.toContainText("Mentions you");
  await expect(seen).not.toContainText("Unread");
  await morgan.context().close();
  await sam.context().close();
});
