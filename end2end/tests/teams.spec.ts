import { expect, test } from "@playwright/test";
import { signedIn, visitorRequest } from "./support";

test("an admin restricts a team: an agent outside it is refused its ticket until added", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const team = `Legal ${stamp}`;
  const subject = `Data request ${stamp}`;

  // The admin creates the team and puts the supervisor in it.
  const admin = await signedIn(browser, "/admin/teams", "admin@northwind.test");
  await admin.getByLabel("Team name").fill(team);
  await admin.getByRole("button", { name: "Create team" }).click();
  const card = admin.getByRole("article", { name: team });
  await expect(card).toContainText("No members yet.");
  await card.getByLabel(`Add to ${team}`).selectOption({ label: "Priya Natarajan" });
  await card.getByRole("button", { name: "Add member" }).click();
  await expect(card.getByRole("listitem")).toHaveText(/Priya Natarajan/);
  await admin.getByLabel("Team name").fill(team);
  await admin.getByRole("button", { name: "Create team" }).click();
  await expect(admin.getByRole("alert").first()).toContainText("already exists");

  // A request lands in the team's queue, then the team is restricted.
  const ticket = await visitorRequest(browser, "Nadia Petrova", subject);
  await admin.goto(`/agent/tickets/${ticket}`);
  await admin.locator("body[data-hydrated]").waitFor();
  await admin.getByLabel("Team").selectOption({ label: team });
  await expect(admin.getByLabel("Team")).toHaveValue(/\d+/);
  // Confirmed by the server before leaving the page, which would cancel the save in flight.
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByLabel("Team").locator("option:checked")).toHaveText(team, { timeout: 2_000 });
  }).toPass();
  await admin.goto("/admin/teams");
  await admin.locator("body[data-hydrated]").waitFor();
  await card.getByRole("button", { name: "Restrict to members" }).click();
  await expect(card.getByRole("heading", { name: team })).toContainText("Restricted");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
  ]) {
    await admin.setViewportSize({ width, height });
    await admin.screenshot({ path: `test-results/screenshots/admin-teams-${label}.png`, fullPage: true });
  }

  // Sam is not in it: the ticket is gone from his inbox and refused by its link.
  const agent = await signedIn(browser, "/agent?view=all", "agent@northwind.test");
  await expect(agent.getByRole("heading", { level: 1, name: "All unsolved" })).toBeVisible();
  await expect(agent.getByRole("link", { name: subject })).toHaveCount(0);
  await agent.goto(`/agent/tickets/${ticket}`);
  await expect(agent.getByRole("alert")).toContainText(`This ticket belongs to ${team}, a restricted team`);

  // Added to the team, he has it again.
  await card.getByLabel(`Add to ${team}`).selectOption({ label: "Sam Okafor" });
  await card.getByRole("button", { name: "Add member" }).click();
  await expect(card.getByRole("button", { name: `Remove Sam Okafor from ${team}` })).toBeVisible();
  await agent.reload();
  await expect(agent.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await agent.context().close();
  await admin.context().close();
});

test("an agent keeps a profile's custom attributes up to date", async ({ browser }) => {
  const stamp = Date.now();
  const ticket = await visitorRequest(browser, "Tomas Berg", `Invoice copy ${stamp}`);
  const agent = await signedIn(browser, `/agent/tickets/${ticket}`, "agent@northwind.test");
  const panel = agent.getByRole("region", { name: /Tomas Berg/ });
  await panel.getByRole("button", { name: "Edit profile" }).click();
  await panel.getByRole("button", { name: "Add attribute" }).click();
  await panel.getByLabel("Attribute name").last().fill("Company");
  await panel.getByLabel("Value of Company").fill("Berg & Daughters");
  await panel.getByRole("button", { name: "Add attribute" }).click();
  await panel.getByLabel("Attribute name").last().fill("Seats");
  await panel.getByLabel("Value of Seats").fill("12");
  await panel.screenshot({ path: "test-results/screenshots/agent-profile-attributes-editing.png" });
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(panel.getByRole("term").filter({ hasText: "Company" })).toBeVisible();
  await expect(panel).toContainText("Berg & Daughters");
  await agent.screenshot({ path: "test-results/screenshots/agent-profile-attributes-laptop.png", fullPage: true });

  // A value without a name is refused and nothing is lost; removing one takes it off.
  await panel.getByRole("button", { name: "Edit profile" }).click();
  await panel.getByRole("button", { name: "Add attribute" }).click();
  await panel.getByLabel("Value of the new attribute").fill("orphan");
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(panel.getByRole("alert")).toContainText('"orphan" needs an attribute name');
  await panel.getByRole("button", { name: "Remove the new attribute" }).click();
  await panel.getByRole("button", { name: "Remove Seats" }).click();
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(panel.getByRole("term").filter({ hasText: "Seats" })).toHaveCount(0);
  await expect(panel).toContainText("Berg & Daughters");
  await agent.context().close();
});
