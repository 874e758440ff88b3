import { expect, test } from "@playwright/test";
import { signedIn, visitorRequest } from "./support";

test("an admin writes a macro; an agent picks it with / and sending applies every change it makes", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const title = `Replacement shipped ${stamp}`;

  // The admin writes the macro, and a typo in a variable is refused with the fix.
  const admin = await signedIn(browser, "/admin/macros", "admin@northwind.test");
  await expect(admin.getByRole("heading", { level: 2, name: "New macro" })).toBeVisible();
  await admin.getByLabel("Title").fill(title);
  await admin.getByLabel("Text", { exact: true }).fill("Hi {{customer.frist_name}}");
  await admin.getByRole("button", { name: "Save macro" }).click();
  await expect(admin.getByRole("alert")).toContainText("{{customer.frist_name}} is not a variable");
  await admin.getByLabel("Text", { exact: true }).fill("Hi {{customer.first_name}}, a new lid for ticket #{{ticket.id}} is on its way. {{agent.first_name}}");
  await admin.getByLabel("Set status").selectOption({ label: "Solved" });
  await admin.getByLabel("Set priority").selectOption("high");
  await admin.getByLabel("Add tags").fill("warranty, replacement");
  await admin.getByLabel("Assignee").selectOption({ label: "The agent applying it" });
  await admin.getByRole("button", { name: "Save macro" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  const listed = admin.getByRole("listitem").filter({ hasText: title });
  await expect(listed).toContainText("Reply · status Solved · priority high · +replacement · +warranty · assign to me");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
    { label: "wide", width: 1920, height: 1080 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-macros-${label}.png`, fullPage: true });
  }

  // A visitor asks for help; the agent answers with the macro.
  const ticket = await visitorRequest(browser, "Omar Haddad", `Cracked lid ${stamp}`);
  const agent = await signedIn(browser, `/agent/tickets/${ticket}`, "agent@northwind.test");
  await expect(agent.getByRole("heading", { level: 1, name: `Cracked lid ${stamp}` })).toBeVisible();
  const reply = agent.getByLabel("Your reply");
  await reply.pressSequentially("/");
  const search = agent.getByRole("combobox", { name: "Search macros" });
  await expect(search).toBeFocused();
  await search.pressSequentially(`shipped ${stamp}`);
  await expect(agent.getByRole("listbox", { name: "Macros" }).getByRole("option")).toHaveCount(1);
  await agent.screenshot({ path: "test-results/screenshots/agent-macro-picker-laptop.png" });
  await search.press("Enter");
  await expect(reply).toHaveValue(`Hi Omar, a new lid for ticket #${ticket} is on its way. Sam`);
  await expect(agent.getByRole("status").filter({ hasText: "From macro" })).toContainText("status Solved");
  await agent.getByRole("button", { name: "Send reply" }).click();

  const conversation = agent.getByRole("list", { name: "Conversation" });
  await expect(conversation).toContainText(`a new lid for ticket #${ticket} is on its way`);
  await expect(agent.locator(".desk__meta")).toContainText("Solved");
  await expect(agent.getByLabel("Priority")).toHaveValue("high");
  await expect(agent.getByLabel("Tags")).toHaveValue("replacement, warranty");
  await expect(agent.getByLabel("Assignee")).toHaveValue(/\d+/);
  await expect(agent.getByLabel("Assignee").locator("option:checked")).toHaveText("Sam Okafor");
  await expect(reply).toHaveValue("");
  await admin.context().close();
  await agent.context().close();
});
